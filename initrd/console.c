/* Console echo for stage 1. See console.h. */
#include "console.h"

#include <fcntl.h>
#include <stdbool.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static bool have_saved;

void console_echo_off(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (fd < 0)
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
	if (!have_saved || (fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return;
	tcsetattr(fd, TCSANOW, &saved);
	close(fd);
}
