#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_ident = "initkit";
static int log_fd = STDERR_FILENO;
static bool log_kmsg;
static enum log_level log_max = LOG_INFO;
static int log_consoles[8];
static size_t log_n_consoles;

void log_set_consoles(const int *fds, size_t n)
{
	log_n_consoles = 0;
	for (size_t i = 0; i < n && i < sizeof(log_consoles) / sizeof(log_consoles[0]); i++)
		log_consoles[log_n_consoles++] = fds[i];
}

void log_setup(const char *ident, bool kmsg)
{
	log_ident = ident;
	if (kmsg) {
		int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			if (log_kmsg && log_fd > STDERR_FILENO)
				close(log_fd);
			log_fd = fd;
			log_kmsg = true;
			return;
		}
	}
	log_kmsg = false;
}

#define DEVKMSG_SYSCTL "/proc/sys/kernel/printk_devkmsg"
static char devkmsg_saved[32];

/* /dev/kmsg rate-limits writers (printk_devkmsg=ratelimit: about 10 lines per 5 s for each
 * open file) and a dropped line still counts as written, so a boot with many disks lost its
 * last, most important lines. Stage 1 lifts the limit and puts it back before the switch.
 * When the kernel command line locked it (printk.devkmsg=off or =ratelimit), lines would be
 * lost again: then the console gets them instead. */
void log_kmsg_unlimit(void)
{
	char cur[32] = "";
	int fd = open(DEVKMSG_SYSCTL, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, cur, sizeof(cur) - 1);
	cur[n > 0 ? n : 0] = 0;
	cur[strcspn(cur, "\n")] = 0;
	if (strcmp(cur, "on") != 0) {
		if (pwrite(fd, "on\n", 3, 0) == 3)
			snprintf(devkmsg_saved, sizeof(devkmsg_saved), "%s", cur);
		else if (log_kmsg) {
			int con = open("/dev/console", O_WRONLY | O_CLOEXEC | O_NOCTTY);
			if (con >= 0) {
				close(log_fd);
				log_open_fd(con);
			}
		}
	}
	close(fd);
}

void log_kmsg_restore(void)
{
	if (!devkmsg_saved[0])
		return;
	int fd = open(DEVKMSG_SYSCTL, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, devkmsg_saved, strlen(devkmsg_saved));
		close(fd);
	}
	devkmsg_saved[0] = 0;
}

void log_set_max_level(enum log_level level)
{
	log_max = level;
}

enum log_level log_get_max_level(void)
{
	return log_max;
}

void log_open_fd(int fd)
{
	log_fd = fd;
	log_kmsg = false;
}

static void log_write(enum log_level level, int err, const char *fmt, va_list ap)
{
	char msg[1024];
	char line[1100];
	int saved = errno;

	if (level > log_max)
		return;
	/* %m prints the error we were given, not whatever errno happens to be. */
	errno = err;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	int n = log_kmsg ? snprintf(line, sizeof(line), "<%d>%s: %s\n", level, log_ident, msg)
			 : snprintf(line, sizeof(line), "%s: %s\n", log_ident, msg);
	if (n < 0)
		goto out;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (!log_kmsg && log_n_consoles) {
		for (size_t i = 0; i < log_n_consoles; i++)
			(void)!write(log_consoles[i], line, (size_t)n);
	} else if (write(log_fd, line, (size_t)n) < 0 && log_kmsg) {
		/* kmsg refused (rate limit, too long): the console is better than nothing. */
		(void)!write(STDERR_FILENO, line, (size_t)n);
	}
out:
	errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write(level, errno, fmt, ap);
	va_end(ap);
}

int log_msg_errno(enum log_level level, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write(level, r < 0 ? -r : r, fmt, ap);
	va_end(ap);
	return r < 0 ? r : -r;
}
