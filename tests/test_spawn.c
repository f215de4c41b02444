/* Tests for lib/spawn.c: a program run with stdin /dev/null and its output in pipes (what
 * stage 1's fsck and lvm runs rely on), with /bin/sh as the program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/spawn.h"

static char *const env[] = {"PATH=/bin:/usr/bin", NULL};

/* All of fd until EOF into buf (NUL-terminated), then closes it. */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t k;
	while (len + 1 < size && (k = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)k;
	buf[len] = 0;
	close(fd);
}

/* Runs `sh -c SCRIPT` with flags; its output into out / err, returns its exit status. */
static int run_sh(const char *path, const char *script, unsigned flags, char *out, char *err,
		  int *exec_errno)
{
	char *const argv[] = {"sh", "-c", (char *)script, NULL};
	struct spawn s;
	assert_int_equal(spawn_start(&s, path, argv, env, flags, 99), 0);
	read_all(s.out[0], out, 256);
	if (flags & SPAWN_MERGE_STDERR)
		assert_int_equal(s.out[1], -1);
	else
		read_all(s.out[1], err, 256);
	int status;
	assert_int_equal(spawn_wait(&s, &status, exec_errno), 0);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_separate_streams(void **state)
{
	(void)state;
	char out[256], err[256];
	int e;
	assert_int_equal(run_sh("/bin/sh", "echo out; echo err >&2; exit 3", 0, out, err, &e), 3);
	assert_string_equal(out, "out\n");
	assert_string_equal(err, "err\n");
	assert_int_equal(e, 0);
}

static void test_merged_in_order(void **state)
{
	(void)state;
	char out[256];
	int e;
	assert_int_equal(
		run_sh("/bin/sh", "echo 1; echo 2 >&2; echo 3", SPAWN_MERGE_STDERR, out, NULL, &e),
		0);
	assert_string_equal(out, "1\n2\n3\n");
}

static void test_stdin_is_dev_null(void **state)
{
	(void)state;
	char out[256], err[256];
	int e, p[2], saved = dup(0);
	/* our stdin has bytes waiting: the child must not see them */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "input\n", 6), 6);
	close(p[1]);
	dup2(p[0], 0);
	close(p[0]);
	int status = run_sh("/bin/sh", "wc -c; readlink /proc/self/fd/0", 0, out, err, &e);
	dup2(saved, 0);
	close(saved);
	assert_int_equal(status, 0);
	assert_string_equal(out, "0\n/dev/null\n");
}

static void test_exec_fails(void **state)
{
	(void)state;
	char out[256], err[256];
	int e;
	assert_int_equal(run_sh("/nonexistent/sh", "true", 0, out, err, &e), 99);
	assert_int_equal(e, ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(run_sh("/nonexistent/sh", "true", SPAWN_SAY_EXEC_FAILURE, out, err, &e),
			 99);
	assert_int_equal(e, ENOENT);
	assert_string_equal(err, "cannot execute /nonexistent/sh: No such file or directory\n");
	assert_string_equal(out, "");
}

/* Only 0, 1 and 2 reach the program: no pipe end and no /dev/null of ours (e2fsck and lvm
 * would keep them open, and lvm warns about each leaked descriptor). The test's own
 * descriptors are made O_CLOEXEC first: make's jobserver ones must not count. */
static void test_no_fd_leaks(void **state)
{
	(void)state;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	char out[256], err[256];
	int e;
	/* "; true": the shell forks ls (no exec of the last command), so $$ is the shell */
	assert_int_equal(run_sh("/bin/sh", "ls /proc/$$/fd; true", 0, out, err, &e), 0);
	assert_string_equal(out, "0\n1\n2\n");
	assert_int_equal(
		run_sh("/bin/sh", "ls /proc/$$/fd; true", SPAWN_MERGE_STDERR, out, NULL, &e), 0);
	assert_string_equal(out, "0\n1\n2\n");
}

/* /init may start with 0, 1 and 2 closed (no console: the kernel's "unable to open an
 * initial console"); the pipes then get those numbers, and dup2() of a descriptor onto
 * itself keeps its O_CLOEXEC: the program would run without its output. Run in a child so
 * cmocka keeps its stdout. */
static void test_parent_without_stdio(void **state)
{
	(void)state;
	int report[2];
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(0), close(1), close(2);
		char *const argv[] = {"sh", "-c",
				      "echo out; echo err >&2; readlink /proc/self/fd/0", NULL};
		char msg[600] = "spawn_start failed";
		for (unsigned flags = 0; flags <= SPAWN_MERGE_STDERR; flags++) {
			struct spawn s;
			char out[256] = "", err[256] = "";
			int status, e;
			if (spawn_start(&s, "/bin/sh", argv, env, flags, 99) < 0)
				break;
			read_all(s.out[0], out, sizeof(out));
			if (!(flags & SPAWN_MERGE_STDERR))
				read_all(s.out[1], err, sizeof(err));
			spawn_wait(&s, &status, &e);
			snprintf(msg, sizeof(msg), "flags %u: out '%s' err '%s' status %d", flags,
				 out, err, status);
			if (status != 0 ||
			    strcmp(out, flags ? "out\nerr\n/dev/null\n" : "out\n/dev/null\n") ||
			    strcmp(err, flags ? "" : "err\n"))
				break;
			msg[0] = 0;
		}
		(void)!write(report[1], msg, strlen(msg));
		_exit(0);
	}
	close(report[1]);
	char msg[600];
	read_all(report[0], msg, sizeof(msg));
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (msg[0])
		fail_msg("with 0, 1 and 2 closed: %s", msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_separate_streams),
		cmocka_unit_test(test_merged_in_order),
		cmocka_unit_test(test_stdin_is_dev_null),
		cmocka_unit_test(test_exec_fails),
		cmocka_unit_test(test_no_fd_leaks),
		cmocka_unit_test(test_parent_without_stdio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
