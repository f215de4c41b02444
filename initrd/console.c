/* The consoles of stage 1. See console.h. */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "passphrase.h"
#include "util.h"

/* The bytes of s[0..n) before the first end of line ('\n' or '\r'). */
static size_t strcspn_n(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != '\n' && s[i] != '\r')
		i++;
	return i;
}

struct console {
	int fd;
	dev_t dev; /* the real terminal (TIOCGDEV), so /dev/console and ttyS0 are one entry */
	char name[CONSOLE_NAME_MAX];
	struct termios saved;
	bool have_saved;
};

static struct console cons[CONSOLE_MAX];
static size_t n_cons;

size_t console_parse_active(const char *text, char names[][CONSOLE_NAME_MAX], size_t max)
{
	static const char ok[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t n = 0;
	for (const char *p = text; *p && n < max;) {
		size_t blank = strspn(p, " \t\n");
		p += blank;
		size_t len = strcspn(p, " \t\n");
		if (len == 0)
			break;
		bool dup = false;
		for (size_t i = 0; i < n && !dup; i++)
			dup = strlen(names[i]) == len && memcmp(names[i], p, len) == 0;
		if (!dup && len < CONSOLE_NAME_MAX && strspn(p, ok) >= len && p[0] != '.') {
			memcpy(names[n], p, len);
			names[n++][len] = 0;
		}
		p += len;
	}
	return n;
}

static dev_t tty_dev(int fd)
{
	unsigned int d;
	struct stat st;
	if (ioctl(fd, TIOCGDEV, &d) == 0)
		return (dev_t)d;
	return fstat(fd, &st) == 0 ? st.st_rdev : 0;
}

/* Adds fd (owned from now on) unless its terminal is known; saves its settings, echo off. */
static void console_add(int fd, const char *name)
{
	struct termios t;
	dev_t dev = tty_dev(fd);
	for (size_t i = 0; i < n_cons; i++)
		if (cons[i].dev == dev) {
			if (streq(cons[i].name, "console")) /* fd 0 had no name until now */
				snprintf(cons[i].name, sizeof(cons[i].name), "%s", name);
			close(fd);
			return;
		}
	if (n_cons == CONSOLE_MAX || tcgetattr(fd, &t) < 0) {
		close(fd);
		return;
	}
	struct console *c = &cons[n_cons++];
	*c = (struct console){.fd = fd, .dev = dev, .saved = t, .have_saved = true};
	snprintf(c->name, sizeof(c->name), "%s", name);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tcsetattr(fd, TCSANOW, &t);
}

void console_echo_off(void)
{
	char names[CONSOLE_MAX][CONSOLE_NAME_MAX], path[64];
	size_t len = 0;
	_cleanup_free_ char *active = read_small_file("/sys/class/tty/console/active", &len);
	size_t n = active ? console_parse_active(active, names, CONSOLE_MAX) : 0;
	for (size_t i = 0; i < n; i++) {
		/* O_NONBLOCK: a serial line without carrier must not block the open */
		snprintf(path, sizeof(path), "/dev/%s", names[i]);
		int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		console_add(fd, names[i]);
	}
	/* Before /sys and /dev: the console the kernel opened for /init as fd 0. */
	if (n_cons == 0 && isatty(STDIN_FILENO)) {
		int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		if (fd >= 0)
			console_add(fd, "console");
	}
	int fds[CONSOLE_MAX];
	for (size_t i = 0; i < n_cons; i++)
		fds[i] = cons[i].fd;
	log_set_consoles(fds, n_cons); /* used when /dev/kmsg is locked off (log.h) */
}

/* The fds stay open (close-on-exec): the lines of the emergency path and of the switch still
 * reach every console when /dev/kmsg is locked. */
void console_restore(void)
{
	for (size_t i = 0; i < n_cons; i++) {
		/* Whatever was typed and never read (a passphrase typed ahead for a volume a key
		 * file then opened) must not reach the emergency shell or stage 2, which would
		 * echo it. */
		tcflush(cons[i].fd, TCIFLUSH);
		if (cons[i].have_saved)
			tcsetattr(cons[i].fd, TCSANOW, &cons[i].saved);
		cons[i].have_saved = false; /* once */
	}
}

/* One line from a canonical terminal that poll() found readable. A single read() returns
 * the whole line, or what was typed before a Ctrl-D in the middle of a line, and never more
 * (the lines typed ahead stay queued). Reading byte by byte instead blocks after a mid-line
 * Ctrl-D: the read that returns the last byte also takes the end-of-file mark, and the next
 * one waits for more typing on this console while the others go unheard. The line is cut
 * to size; the rest of a longer one is read (while the terminal has some: FIONREAD) and
 * dropped. Returns its length, -ENODATA at end of input (Ctrl-D alone, a hung-up line), or
 * -errno. */
static ssize_t tty_read_line(int fd, char *buf, size_t size)
{
	ssize_t r;
	while ((r = read(fd, buf, size)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ENODATA;
	size_t len = strcspn_n(buf, (size_t)r);
	bool ended = len < (size_t)r || (size_t)r < size;
	char junk[256];
	int avail;
	while (!ended && ioctl(fd, FIONREAD, &avail) == 0 && avail > 0) {
		ssize_t n =
			read(fd, junk, sizeof(junk) < (size_t)avail ? sizeof(junk) : (size_t)avail);
		if (n <= 0)
			break;
		ended = strcspn_n(junk, (size_t)n) < (size_t)n;
	}
	explicit_bzero(junk, sizeof(junk));
	explicit_bzero(buf + len, (size_t)r - len);
	return (ssize_t)len;
}

/* Echo is off for all of stage 1 (console_echo_off()) so that type-ahead is never shown; it is
 * turned off here too, *before* the prompt appears, for a console whose settings someone
 * changed meanwhile. TCSANOW, not TCSAFLUSH: a passphrase typed ahead or right after the
 * prompt appeared is used, not thrown away. */
ssize_t console_prompt_fds(const int *fds, size_t n, const char *prompt, char *buf, size_t size,
			   size_t *from)
{
	return console_prompt_fds_then(fds, n, prompt, buf, size, from, NULL, NULL);
}

ssize_t console_prompt_fds_then(const int *fds, size_t n, const char *prompt, char *buf,
				size_t size, size_t *from, console_shown_fn *shown, void *arg)
{
	struct termios old[CONSOLE_MAX];
	bool tty[CONSOLE_MAX], open_[CONSOLE_MAX];
	struct pollfd pfd[CONSOLE_MAX];
	ssize_t len = -ENODATA;
	if (n > CONSOLE_MAX)
		n = CONSOLE_MAX;
	for (size_t i = 0; i < n; i++) {
		tty[i] = tcgetattr(fds[i], &old[i]) == 0;
		if (tty[i]) {
			struct termios t = old[i];
			t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
			t.c_lflag |= ICANON;
			tcsetattr(fds[i], TCSANOW, &t);
		}
		open_[i] = true;
		(void)!write(fds[i], prompt, strlen(prompt));
	}
	if (shown) /* the prompt is out: only now the work that may go on while it waits */
		shown(arg);
	for (size_t left = n; left > 0 && len == -ENODATA;) {
		for (size_t i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = open_[i] ? fds[i] : -1, .events = POLLIN};
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			len = -errno;
			break;
		}
		for (size_t i = 0; i < n && len == -ENODATA; i++) {
			if (!open_[i] || !pfd[i].revents)
				continue;
			/* A canonical terminal is readable when a whole line (or end of input) is
			 * there: reading it does not wait for the other consoles. */
			len = !(pfd[i].revents & POLLIN) ? -ENODATA
			      : tty[i]			 ? tty_read_line(fds[i], buf, size)
							 : passphrase_read_line(fds[i], buf, size);
			if (len >= 0)
				*from = i;
			else if (len == -ENODATA || len == -EIO) {
				open_[i] = false; /* this one ended (Ctrl-D, hang-up): the others */
				left--;
				len = -ENODATA;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		/* What was begun on another console was meant for this prompt, which is answered:
		 * left there, it would be the start of that console's next answer (a retry). */
		if (len >= 0 && i != *from && tty[i])
			tcflush(fds[i], TCIFLUSH);
		if (tty[i])
			tcsetattr(fds[i], TCSANOW, &old[i]);
		(void)!write(fds[i], "\n", 1);
	}
	return len;
}

ssize_t console_prompt(const char *prompt, char *buf, size_t size, char *from, size_t from_size)
{
	return console_prompt_then(prompt, buf, size, from, from_size, NULL, NULL);
}

ssize_t console_prompt_then(const char *prompt, char *buf, size_t size, char *from,
			    size_t from_size, console_shown_fn *shown, void *arg)
{
	int fds[CONSOLE_MAX];
	size_t n = 0, which = 0;
	console_echo_off(); /* picks up a console that was not there before; else nothing */
	for (size_t i = 0; i < n_cons; i++)
		fds[n++] = cons[i].fd;
	if (n == 0) {
		_cleanup_close_ int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		snprintf(from, from_size, "console");
		return console_prompt_fds_then(&fd, 1, prompt, buf, size, &which, shown, arg);
	}
	ssize_t len = console_prompt_fds_then(fds, n, prompt, buf, size, &which, shown, arg);
	if (len >= 0)
		snprintf(from, from_size, "%s", cons[which].name);
	return len;
}
