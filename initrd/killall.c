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

int killall_parse_stat(const char *stat, long *pid, char *state, long *ppid, unsigned long *flags)
{
	/* comm may hold spaces and ')': the fields start after the last ')'. */
	const char *p = stat ? strrchr(stat, ')') : NULL;
	if (!p || sscanf(stat, "%ld", pid) != 1)
		return -EINVAL;
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (sscanf(p + 1, " %c %ld %*d %*d %*d %*d %lu", state, ppid, flags) != 3)
		return -EINVAL;
	return 0;
}

bool killall_should_kill(const char *stat, const char *cmdline, size_t cmdline_len, unsigned uid,
			 bool parent_kthread)
{
	long pid, ppid;
	unsigned long flags;
	char state;
	if (killall_parse_stat(stat, &pid, &state, &ppid, &flags) < 0 || pid <= 1)
		return false;
	if ((flags & PF_KTHREAD) || state == 'Z' || parent_kthread)
		return false;
	/* An empty argv is no sign of a kernel thread (PF_KTHREAD is): a process can blank it. */
	return !(uid == 0 && cmdline_len > 0 && cmdline[0] == '@');
}

static size_t read_proc(long pid, const char *what, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, what);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	buf[n] = 0;
	return n;
}

static bool is_kthread(long pid)
{
	char stat[1024];
	long p, pp;
	unsigned long flags;
	char state;
	if (pid <= 0)
		return false;
	return read_proc(pid, "stat", stat, sizeof(stat)) &&
	       killall_parse_stat(stat, &p, &state, &pp, &flags) == 0 && (flags & PF_KTHREAD);
}

static unsigned proc_uid(long pid)
{
	char status[4096];
	const char *u;
	unsigned uid = 0;
	read_proc(pid, "status", status, sizeof(status));
	if ((u = strstr(status, "\nUid:")) && sscanf(u + 5, "%u", &uid) == 1)
		return uid;
	return (unsigned)-1; /* unknown: not root, so never spared */
}

/* The signals killall_signal() sends (glibc's sigabbrev_np() is not in musl). */
static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGTERM:
		return "TERM";
	case SIGKILL:
		return "KILL";
	default:
		return "?";
	}
}

int killall_signal(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;
	/* Everything stands still while we look (kernel threads and PID 1 are not stopped). */
	if (sig)
		kill(-1, SIGSTOP);
	while (d && (de = readdir(d))) {
		char stat[1024], cmd[256];
		long pid = atol(de->d_name), p, ppid;
		unsigned long flags;
		char state;
		if (pid <= 1 || !read_proc(pid, "stat", stat, sizeof(stat)) ||
		    killall_parse_stat(stat, &p, &state, &ppid, &flags) < 0)
			continue;
		/* kernel threads and zombies (most of /proc at this point) are never killed:
		 * spare them the three reads below */
		if ((flags & PF_KTHREAD) || state == 'Z')
			continue;
		size_t len = read_proc(pid, "cmdline", cmd, sizeof(cmd));
		if (!killall_should_kill(stat, cmd, len, proc_uid(pid), is_kthread(ppid)))
			continue;
		if (kill((pid_t)pid, sig) < 0)
			continue;
		n++;
		if (sig)
			log_notice("stopping stage-1 process %ld (%s) with SIG%s", pid,
				   len ? cmd : "no argv", sig_name(sig));
	}
	if (d)
		closedir(d);
	if (sig)
		kill(-1, SIGCONT);
	return n;
}

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Reaps and rescans until nothing is left to kill or the time is up; returns what is left. */
static int wait_gone(uint64_t ms)
{
	uint64_t end = now_ms() + ms;
	int left;
	do {
		struct timespec ts = {0, 20 * 1000 * 1000};
		reap();
		nanosleep(&ts, NULL);
		reap();
		left = killall_signal(0);
	} while (left > 0 && now_ms() < end);
	return left;
}

/* Whether PID 1 has a child, live or a zombie. Every process stage 1 started descends from
 * PID 1 (an orphan, a daemon's double fork included, is re-parented to it; a subreaper is
 * itself a descendant), so none is left when PID 1 has no child; the kernel's usermode
 * helpers are kthreadd's children and spared anyway. */
static bool has_children(void)
{
	siginfo_t info;
	/* __WALL: a child made by clone() without SIGCHLD counts too */
	return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 ||
	       errno != ECHILD;
}

int killall_stage1(unsigned grace_ms)
{
	/* the common boot started no process: no scan of /proc (~60 kernel threads' stat,
	 * ~9 ms under TCG) */
	if (!has_children()) {
		log_debug("killall: stage 1 has no child process; nothing to stop");
		return 0;
	}
	if (killall_signal(SIGTERM) == 0)
		return 0;
	int left = wait_gone(grace_ms);
	if (left == 0)
		return 0;
	log_warning("%d stage-1 process%s did not stop on SIGTERM within %u ms; killing", left,
		    left == 1 ? "" : "es", grace_ms);
	/* Repeated: a process may have forked between two passes. */
	for (int pass = 0; pass < 10 && killall_signal(SIGKILL) > 0;)
		if (wait_gone(100) == 0 || ++pass == 10)
			break;
	reap();
	return left;
}
