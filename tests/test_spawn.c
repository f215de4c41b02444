/* Tests for lib/spawn.c: a program run with stdin /dev/null and its output in pipes (what
 * stage 1's fsck and lvm runs rely on), with /bin/sh as the program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_separate_streams),
		cmocka_unit_test(test_merged_in_order),
		cmocka_unit_test(test_stdin_is_dev_null),
		cmocka_unit_test(test_exec_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
