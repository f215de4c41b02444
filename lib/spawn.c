/* Running a program with its output in pipes; see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
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
		/* Only 0, 1 and 2 may reach the program, so everything here is O_CLOEXEC (an
		 * e2fsck or lvm holding our /dev/null or a pipe end: lvm warns of each). Each
		 * source goes above 2 first: with /init started without a console, a pipe end
		 * can be 0, 1 or 2 itself, and dup2() onto itself keeps O_CLOEXEC (the program
		 * would lose its output) or overwrites a source not yet copied. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int src[3] = {null, po[1], merge ? po[1] : pe[1]};
		int err = fcntl(px[1], F_DUPFD_CLOEXEC, 3);
		err = err < 0 ? px[1] : err; /* no descriptor left: as it is, best effort */
		for (int i = 0; i < 3; i++) {
			int moved = src[i] < 0 ? -1 : fcntl(src[i], F_DUPFD_CLOEXEC, 3);
			src[i] = moved < 0 ? src[i] : moved;
		}
		for (int i = 0; i < 3; i++)
			if (src[i] >= 0)
				dup2(src[i], i);
		execve(path, argv, env);
		int e = errno;
		if (flags & SPAWN_SAY_EXEC_FAILURE)
			dprintf(2, "cannot execute %s: %s\n", path, strerror(e));
		ssize_t k = write(err, &e, sizeof(e)); /* 4 bytes into an empty pipe: one write */
		(void)k;
		_exit(exec_fail_status);
	}
	int fork_errno = errno;
	close(po[1]), close(px[1]);
	if (!merge)
		close(pe[1]);
	if (pid < 0) {
		int r = -fork_errno;
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
	ssize_t k;
	while ((k = read(s->exec_err, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	*exec_errno = k == (ssize_t)sizeof(e) ? e : 0;
	close(s->exec_err);
	while (waitpid(s->pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}
