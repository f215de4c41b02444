/* Ending what stage 1 started before the switch. See killall.h. */
#include "killall.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define PF_KTHREAD 0x00200000u /* include/linux/sched.h */

bool killall_should_kill(const char *stat, const char *cmdline, size_t cmdline_len)
{
	/* comm may hold spaces and ')': the fields start after the last ')'. */
	const char *p = stat ? strrchr(stat, ')') : NULL;
	long pid, ppid;
	unsigned long flags;
	char state;
	if (!p || sscanf(stat, "%ld", &pid) != 1 || pid <= 1)
		return false;
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (sscanf(p + 1, " %c %ld %*d %*d %*d %*d %lu", &state, &ppid, &flags) != 3)
		return false;
	if ((flags & PF_KTHREAD) || pid == 2 || ppid == 2 || state == 'Z')
		return false;
	if (cmdline_len == 0) /* no argv: a kernel thread, or already exiting */
		return false;
	return cmdline[0] != '@';
}

static size_t read_proc(const char *pid, const char *what, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, what);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	buf[n] = 0;
	return n;
}

int killall_signal(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d))) {
		char stat[1024], cmd[256];
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (!read_proc(de->d_name, "stat", stat, sizeof(stat)))
			continue;
		size_t len = read_proc(de->d_name, "cmdline", cmd, sizeof(cmd));
		if (!killall_should_kill(stat, cmd, len))
			continue;
		if (kill((pid_t)atol(de->d_name), sig) < 0)
			continue;
		n++;
		if (sig)
			log_notice("stopping stage-1 process %s (%s) with SIG%s", de->d_name, cmd,
				   sigabbrev_np(sig));
	}
	if (d)
		closedir(d);
	return n;
}

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int killall_stage1(unsigned grace_ms)
{
	if (killall_signal(SIGTERM) == 0)
		return 0;
	uint64_t end = now_ms() + grace_ms;
	int left;
	do {
		struct timespec ts = {0, 20 * 1000 * 1000};
		reap();
		nanosleep(&ts, NULL);
		reap();
		left = killall_signal(0);
	} while (left > 0 && now_ms() < end);
	if (left > 0) {
		left = killall_signal(SIGKILL);
		log_warning("%d stage-1 process%s did not stop on SIGTERM within %u ms; killed", left,
			    left == 1 ? "" : "es", grace_ms);
		for (uint64_t e2 = now_ms() + 1000; killall_signal(0) > 0 && now_ms() < e2;) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			reap();
			nanosleep(&ts, NULL);
		}
	}
	reap();
	return left;
}
