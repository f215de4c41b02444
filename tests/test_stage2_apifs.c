/* The mount points stage 2 creates as PID 1 when the new root lacks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../stage2/apifs.h"

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A root without /proc: both mount points appear with systemd's modes (the mount of /proc
 * failed with ENOENT before, and with it the command line and rd.emergency=). */
static void test_bare_root(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		mode_t mode;
	} want[] = {{"proc", 0555}, {"run", 0755}};
	char dir[] = "/tmp/initkit-apifs-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	mode_t old = umask(022);
	for (size_t i = 0; i < stage2_api_dirs_count; i++)
		assert_int_equal(stage2_api_dir_make(rootfd, &stage2_api_dirs[i]), 0);
	umask(old);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct stat st;
		if (fstatat(rootfd, want[i].name, &st, 0) < 0)
			fail_msg("/%s not created: %s", want[i].name, strerror(errno));
		assert_true(S_ISDIR(st.st_mode));
		if ((st.st_mode & 07777) != want[i].mode)
			fail_msg("/%s has mode %04o, expected %04o", want[i].name,
				 (unsigned)(st.st_mode & 07777), (unsigned)want[i].mode);
	}
	/* /proc is the first mount: the command line comes from it. */
	assert_string_equal(stage2_api_dirs[0].name, "proc");
	close(rootfd);
	rm_rf(dir);
}

/* What is there already is kept; a file where a directory belongs is reported. */
static void test_existing(void **state)
{
	(void)state;
	char dir[] = "/tmp/initkit-apifs-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	assert_int_equal(mkdirat(rootfd, "proc", 0700), 0);
	int fd = openat(rootfd, "run", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	const struct stage2_api_dir proc = {"proc", 0555}, run = {"run", 0755};
	assert_int_equal(stage2_api_dir_make(rootfd, &proc), 0);
	assert_int_equal(stage2_api_dir_make(rootfd, &run), -ENOTDIR);
	struct stat st;
	assert_int_equal(fstatat(rootfd, "proc", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	close(rootfd);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_root),
		cmocka_unit_test(test_existing),
	};
	return cmocka_run_group_tests_name("stage2_apifs", tests, NULL, NULL);
}
