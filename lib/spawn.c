/* Running a program with its output in pipes; see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void close_pair(int p[2])
{
	close(p[0]), close(p[1]);
}

int spawn_start(struct spawn *s, const char *path, char *const argv[], char *const env[],
		unsigned flags, int exec_fail_status)
{
	bool merge = flags & SPAWN_MERGE_STDERR;
	int po[2], pe[2] = {-1, -1}, px[2];
	if (pipe2(po, O_CLOEXEC) < 0)
		return -errno;
	if ((!merge && pipe2(pe, O_CLOEXEC) < 0) || pipe2(px, O_CLOEXEC) < 0) {
		int r = -errno;
		close_pair(po);
		if (pe[0] >= 0)
			close_pair(pe);
		return r;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(po[1], 1);
		dup2(merge ? po[1] : pe[1], 2);
		execve(path, argv, env);
		int e = errno;
		if (flags & SPAWN_SAY_EXEC_FAILURE)
			dprintf(2, "cannot execute %s: %m\n", path);
		ssize_t k = write(px[1], &e, sizeof(e)); /* 4 bytes into an empty pipe: one write */
		(void)k;
		_exit(exec_fail_status);
	}
	close(po[1]), close(px[1]);
	if (!merge)
		close(pe[1]);
	if (pid < 0) {
		int r = -errno;
		close(po[0]), close(px[0]);
		if (!merge)
			close(pe[0]);
		return r;
	}
	*s = (struct spawn){.pid = pid, .out = {po[0], pe[0]}, .exec_err = px[0]};
	return 0;
}

int spawn_wait(struct spawn *s, int *status, int *exec_errno)
{
	int e = 0;
	*exec_errno = read(s->exec_err, &e, sizeof(e)) == (ssize_t)sizeof(e) ? e : 0;
	close(s->exec_err);
	while (waitpid(s->pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}
