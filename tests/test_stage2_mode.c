/* Which way in initkit-stage2 takes (PID 1, generator, CLI), and the generator's initrd test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../stage2/mode.h"

static void test_mode(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		pid_t pid;
		int argc;
		char *argv[5];
		const char *scope;
		enum stage2_mode expect;
	} cases[] = {
		{"PID 1, no arguments", 1, 1, {"/sbin/initkit-stage2"}, NULL, STAGE2_PID1},
		{"PID 1 with an init path looks like a generator call but is PID 1",
		 1,
		 2,
		 {"/sbin/initkit-stage2", "/sbin/init"},
		 "system",
		 STAGE2_PID1},
		{"generator link, 3 directories",
		 42,
		 4,
		 {"/usr/lib/systemd/system-generators/initkit-logind-defaults",
		  "/run/systemd/generator", "/run/systemd/generator.early",
		  "/run/systemd/generator.late"},
		 NULL,
		 STAGE2_GENERATOR},
		{"any name, 1 directory, $SYSTEMD_SCOPE set",
		 42,
		 2,
		 {"initkit-stage2", "/run/systemd/generator"},
		 "system",
		 STAGE2_GENERATOR},
		{"1 directory without $SYSTEMD_SCOPE or a generator name",
		 42,
		 2,
		 {"initkit-stage2", "/tmp/x"},
		 NULL,
		 STAGE2_CLI},
		{"2 arguments are never a generator",
		 42,
		 3,
		 {"x-generator", "/a", "/b"},
		 "system",
		 STAGE2_CLI},
		{"a relative argument is an option, not a directory",
		 42,
		 2,
		 {"x-generator", "--help"},
		 "system",
		 STAGE2_CLI},
		{"CLI", 42, 3, {"initkit-stage2", "--root", "/srv"}, NULL, STAGE2_CLI},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum stage2_mode m =
			stage2_mode(cases[i].pid, cases[i].argc, cases[i].argv, cases[i].scope);
		if (m != cases[i].expect)
			fail_msg("%s: mode %d, expected %d", cases[i].name, m, cases[i].expect);
	}
}

static void test_generator_in_initrd(void **state)
{
	(void)state;
	assert_true(stage2_generator_in_initrd("1", false));
	assert_true(stage2_generator_in_initrd("yes", false));
	assert_false(stage2_generator_in_initrd("0", true)); /* the variable wins */
	assert_true(stage2_generator_in_initrd(NULL, true));
	assert_false(stage2_generator_in_initrd(NULL, false));
	assert_true(stage2_generator_in_initrd("garbage", true)); /* malformed: ignored */
	assert_false(stage2_generator_in_initrd("garbage", false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_generator_in_initrd),
	};
	return cmocka_run_group_tests_name("stage2_mode", tests, NULL, NULL);
}
