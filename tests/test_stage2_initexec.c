/* Which init stage 2 hands over to, and the check before exec, on a temp tree. */
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

#include "../stage2/initexec.h"

static void test_check(void **state)
{
	(void)state;
	char dir[] = "/tmp/initkit-init-XXXXXX", cmd[64];
	assert_non_null(mkdtemp(dir));
	int r = open(dir, O_RDONLY | O_DIRECTORY);
	mkdirat(r, "sbin", 0755);
	mkdirat(r, "lib", 0755);
	mkdirat(r, "lib/systemd", 0755);
	close(openat(r, "lib/systemd/systemd", O_CREAT | O_WRONLY, 0755));
	close(openat(r, "sbin/noexec", O_CREAT | O_WRONLY, 0644));
	symlinkat("/lib/systemd/systemd", r, "sbin/init"); /* absolute: resolved inside root */
	symlinkat("/nowhere", r, "sbin/dangling");
	symlinkat("loop2", r, "sbin/loop1");
	symlinkat("loop1", r, "sbin/loop2");
	static const struct {
		const char *path;
		int expect;
	} cases[] = {
		{"/sbin/init", 0},
		{"/lib/systemd/systemd", 0},
		{"/sbin/noexec", -EACCES},
		{"/sbin/dangling", -ENOENT},
		{"/sbin", -ENOEXEC},
		{"/sbin/missing", -ENOENT},
		{"sbin/init", -EINVAL},
		{"/sbin/loop1", -ELOOP},
		{"/../../lib/systemd/systemd", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[512] = "";
		int got = init_check(r, cases[i].path, why, sizeof(why));
		if (got != cases[i].expect)
			fail_msg("init_check(%s) = %d (%s), expected %d", cases[i].path, got, why,
				 cases[i].expect);
		if (got < 0 && !strstr(why, cases[i].path))
			fail_msg("init_check(%s): message '%s' does not name the path",
				 cases[i].path, why);
	}
	close(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_candidates(void **state)
{
	(void)state;
	const char *c[INIT_CANDIDATES_MAX];
	assert_int_equal(init_candidates(NULL, NULL, c), 2);
	assert_string_equal(c[0], "/sbin/init");
	assert_string_equal(c[1], "/lib/systemd/systemd");
	assert_int_equal(init_candidates("/usr/bin/runit", "/bin/sh", c), 3);
	assert_string_equal(c[0], "/usr/bin/runit"); /* an argument beats the command line */
	assert_int_equal(init_candidates(NULL, "/bin/sh", c), 3);
	assert_string_equal(c[0], "/bin/sh");
	assert_int_equal(init_candidates(NULL, "/sbin/init", c), 2); /* no duplicates */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_candidates),
	};
	return cmocka_run_group_tests_name("stage2_initexec", tests, NULL, NULL);
}
