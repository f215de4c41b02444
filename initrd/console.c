/* Console echo for stage 1. See console.h. */
#include "console.h"

#include <fcntl.h>
#include <stdbool.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static bool have_saved;

/* The console: fd 0 as the kernel opened it for /init (usable before /dev is mounted), else
 * /dev/console. Returns an fd the caller closes, or -1. */
static int console_open(void)
{
	if (isatty(STDIN_FILENO))
		return dup(STDIN_FILENO);
	return open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

void console_echo_off(void)
{
	int fd;
	struct termios t;
	if (have_saved || (fd = console_open()) < 0)
		return;
	if (tcgetattr(fd, &saved) == 0) {
		have_saved = true;
		t = saved;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fd, TCSANOW, &t);
	}
	close(fd);
}

void console_restore(void)
{
	int fd;
	if (!have_saved || (fd = console_open()) < 0)
		return;
	/* Whatever was typed and never read (a passphrase typed ahead for a volume a key file
	 * then opened) must not reach the emergency shell or stage 2, which would echo it. */
	tcflush(fd, TCIFLUSH);
	tcsetattr(fd, TCSANOW, &saved);
	close(fd);
}
