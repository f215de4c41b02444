/* Shell-style KEY=VALUE files: systemd's /etc/vconsole.conf (KEYMAP=) and Debian's
 * /etc/default/keyboard (XKBLAYOUT=...). Read by the image builder on the host and by /init for
 * the image's own /etc/vconsole.conf. Pure: no I/O, no logging.
 *
 * Per line: optional blanks and `export `, NAME=VALUE; VALUE is a run of unquoted characters
 * (a backslash escapes the next one), '...' (literal) and "..." (\" \\ \$ \` escaped) parts,
 * ended by a blank or the end of the line; '#' starts a comment at the start of a word. Lines
 * that are not assignments are skipped, as the shell would fail on them. The last assignment
 * wins, as when the file is sourced. */
#pragma once

#include <stddef.h>

/* Looks key up in len bytes of text. Returns 1 and the value in out (NUL-terminated), 0 when
 * the key is not assigned, -ENAMETOOLONG when the value does not fit in size bytes, -EINVAL
 * when its line has an unterminated quote (*line set to its line number). */
int envfile_get(const char *text, size_t len, const char *key, char *out, size_t size,
		unsigned *line);
