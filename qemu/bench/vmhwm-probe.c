/* Peak memory of initkit's /init, measured from outside (initkit's code is not changed):
 * installed as an initkit hook (/etc/initkit/hooks.d, run before unlocking), it forks a
 * watcher and returns at once. The watcher samples /proc/1/status every 2 ms through a
 * directory fd opened now (it keeps working after /init moves /proc into the new root) and,
 * when PID 1 has exec()ed something that is not /init (the switch to stage 2), writes PID 1's
 * last VmHWM and VmRSS of /init to the console (writes to /dev/kmsg fail at that point):
 *   bench-probe: /init VmHWM=<kB> kB VmRSS=<kB> kB samples=<n>
 * VmHWM is the mm's high-water mark, so the last sample before exec holds the peak up to
 * then; what /init allocates in its last 2 ms is missed. Used only in untimed boots.
 * initkit stops every process stage 1 left before switching (initrd/killall.c) except root's
 * whose argv[0] starts with '@' (systemd's mark for storage daemons that must outlive the
 * initramfs): the watcher marks itself so, or it would be stopped before it can report. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int main(int argc, char **argv)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0;
	setsid();
	if (argc > 0 && argv[0][0])
		argv[0][0] = '@'; /* /proc/self/cmdline reads this memory */
	int dir = open("/proc/1", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int con = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int st = openat(dir, "status", O_RDONLY | O_CLOEXEC);
	char first[256] = "", exe[256], buf[4096];
	ssize_t n = readlinkat(dir, "exe", first, sizeof(first) - 1);
	if (dir < 0 || con < 0 || st < 0 || n <= 0) {
		dprintf(con, "bench-probe: cannot watch PID 1: %m\n");
		return 1;
	}
	first[n] = 0;
	long hwm = -1, rss = -1, samples = 0;
	const struct timespec tick = {0, 2000000};
	for (int i = 0; i < 60 * 500; i++) {
		n = readlinkat(dir, "exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = 0;
		if (n <= 0 || strncmp(exe, first, strlen(first)) != 0)
			break;
		n = pread(st, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			break;
		buf[n] = 0;
		hwm = field(buf, "VmHWM:");
		rss = field(buf, "VmRSS:");
		samples++;
		nanosleep(&tick, NULL);
	}
	dprintf(con, "bench-probe: %s VmHWM=%ld kB VmRSS=%ld kB samples=%ld\n", first, hwm, rss,
		samples);
	return 0;
}
