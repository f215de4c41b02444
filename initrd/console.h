/* The consoles of stage 1: every console the kernel writes to (/sys/class/tty/console/active,
 * e.g. "tty0 ttyS0" for console=tty0 console=ttyS0; tty0 is the foreground VT), not only
 * /dev/console (the last one named). Echo is off on each from the first moment, so a
 * passphrase typed ahead of its prompt (or between prompts) never appears on a console, in
 * serial logs or BMC recordings; the passphrase prompt is shown on each and the line is taken
 * from whichever console answers first; the settings found at boot come back on each for the
 * emergency shell and stage 2. Log lines reach every console through /dev/kmsg (printk prints
 * to all of them). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define CONSOLE_MAX 8
#define CONSOLE_NAME_MAX 32

/* Parses the text of /sys/class/tty/console/active into at most max names (words of
 * A-Z a-z 0-9 . _ -, each shorter than CONSOLE_NAME_MAX; others skipped), duplicates dropped,
 * in the file's order. Pure. Returns the count. */
size_t console_parse_active(const char *text, char names[][CONSOLE_NAME_MAX], size_t max);

/* Saves each console's termios and turns echo off. Harmless when one is not a terminal;
 * a console already saved is left alone (call again after /dev and /sys are mounted: before,
 * only fd 0, the console the kernel opened for /init, is known). */
void console_echo_off(void);
/* On each console: discards input typed but never read, then puts back what
 * console_echo_off() saved (once; the consoles stay known, for the log). */
void console_restore(void);

/* Writes prompt on each of the n terminals fds (echo off, canonical input while waiting) and
 * reads one line from whichever has one first. Returns its length (*from: its index), or
 * -ENODATA when every one reached end of input (Ctrl-D, a hung-up line) before a line, or
 * -errno. Ctrl-D in the middle of a line ends that line (as cryptsetup's prompt takes it);
 * a line begun on another console is dropped once one answered. Each terminal's settings are
 * put back afterwards. */
ssize_t console_prompt_fds(const int *fds, size_t n, const char *prompt, char *buf, size_t size,
			   size_t *from);
/* The same on every console (console_echo_off()'s list; /dev/console when it has none).
 * from gets the console's name ("ttyS0", "tty0"). */
ssize_t console_prompt(const char *prompt, char *buf, size_t size, char *from, size_t from_size);

/* The same, calling shown(arg) once the prompt is written on every terminal and before the
 * wait for a line: work that may run while a person types starts there, so the prompt is
 * never later for it. */
typedef void console_shown_fn(void *arg);
ssize_t console_prompt_fds_then(const int *fds, size_t n, const char *prompt, char *buf,
				size_t size, size_t *from, console_shown_fn *shown, void *arg);
ssize_t console_prompt_then(const char *prompt, char *buf, size_t size, char *from,
			    size_t from_size, console_shown_fn *shown, void *arg);
