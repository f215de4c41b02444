/* initrd/fsck.c: which checker serves a type, the checker's arguments for each fsck.mode= /
 * fsck.repair=, what an exit status means and whether the boot goes on, and the paths where
 * fsck_root() decides not to run anything. Running the real e2fsck is the QEMU scenarios'
 * job (qemu/scenarios/fsck-*.scn). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/bootconf.h"
#include "../initrd/fsck.h"

static void test_checker_for_type(void **state)
{
	(void)state;
	assert_string_equal(fsck_checker_for_type("ext2"), FSCK_E2FSCK);
	assert_string_equal(fsck_checker_for_type("ext3"), FSCK_E2FSCK);
	assert_string_equal(fsck_checker_for_type("ext4"), FSCK_E2FSCK);
	assert_null(fsck_checker_for_type("xfs"));
	assert_null(fsck_checker_for_type("btrfs"));
	assert_null(fsck_checker_for_type("jbd")); /* an external ext journal is no filesystem */
	assert_null(fsck_checker_for_type("ext4dev"));
	assert_null(fsck_checker_for_type(""));
	assert_null(fsck_checker_for_type(NULL));
}

struct argv_case {
	enum boot_fsck_mode mode;
	enum boot_fsck_repair repair;
	const char *expect;
};

/* systemd-fsck: preen -a, yes -y, no -n, force adds -f; auto adds nothing (e2fsck then checks
 * only a filesystem not marked clean, or one its mount count or interval says is due). */
static const struct argv_case argv_cases[] = {
	{BOOT_FSCK_AUTO, BOOT_FSCK_PREEN, "e2fsck -a /dev/vda"},
	{BOOT_FSCK_AUTO, BOOT_FSCK_YES, "e2fsck -y /dev/vda"},
	{BOOT_FSCK_AUTO, BOOT_FSCK_NO, "e2fsck -n /dev/vda"},
	{BOOT_FSCK_FORCE, BOOT_FSCK_PREEN, "e2fsck -a -f /dev/vda"},
	{BOOT_FSCK_FORCE, BOOT_FSCK_YES, "e2fsck -y -f /dev/vda"},
	{BOOT_FSCK_FORCE, BOOT_FSCK_NO, "e2fsck -n -f /dev/vda"},
};

static void test_argv(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(argv_cases) / sizeof(argv_cases[0]); i++) {
		const char *argv[FSCK_ARGV_MAX];
		char got[256] = "";
		size_t n = fsck_argv(argv_cases[i].mode, argv_cases[i].repair, "/dev/vda", argv);
		assert_true(n < FSCK_ARGV_MAX);
		assert_null(argv[n]);
		for (size_t k = 0, len = 0; k < n; k++)
			len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", k ? " " : "",
						argv[k]);
		if (strcmp(got, argv_cases[i].expect) != 0)
			fail_msg("mode %s repair %s: expected '%s', got '%s'",
				 boot_fsck_mode_name(argv_cases[i].mode),
				 boot_fsck_repair_name(argv_cases[i].repair), argv_cases[i].expect,
				 got);
	}
}

struct exit_case {
	int status;
	bool ok;
	const char *meaning;
};

/* e2fsck(8): 0 no errors, 1 corrected, 2 corrected + reboot, 4 uncorrected, 8 operational
 * error, 16 usage, 32 cancelled, 128 shared-library error; bits are or-ed. */
static const struct exit_case exit_cases[] = {
	{0, true, "no errors"},
	{1, true, "errors corrected"},
	{2, true, "system should be rebooted"},
	{3, true, "errors corrected, system should be rebooted"},
	{4, false, "errors left uncorrected"},
	{5, false, "errors corrected, errors left uncorrected"},
	{8, false, "operational error"},
	{12, false, "errors left uncorrected, operational error"},
	{16, false, "usage or syntax error"},
	{32, false, "cancelled by the user"},
	{128, false, "shared-library error"},
	{255, false,
	 "errors corrected, system should be rebooted, errors left "
	 "uncorrected, operational error, usage or syntax error, cancelled by the user, "
	 "unknown bit 64, shared-library error"},
};

static void test_exit_status(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(exit_cases) / sizeof(exit_cases[0]); i++) {
		char buf[512];
		const struct exit_case *t = &exit_cases[i];
		int n = fsck_exit_describe(t->status, buf, sizeof(buf));
		assert_int_equal(n, (int)strlen(buf));
		if (fsck_exit_ok(t->status) != t->ok || strcmp(buf, t->meaning) != 0)
			fail_msg("status %d: expected %s '%s', got %s '%s'", t->status,
				 t->ok ? "go on" : "stop", t->meaning,
				 fsck_exit_ok(t->status) ? "go on" : "stop", buf);
	}
	assert_false(fsck_exit_ok(-1));
}

/* A short buffer is truncated, NUL-terminated, and the full length is returned. */
static void test_exit_describe_truncates(void **state)
{
	(void)state;
	char full[256], small[10];
	int n = fsck_exit_describe(12, full, sizeof(full));
	assert_int_equal(fsck_exit_describe(12, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
}

/* Nothing runs (and nothing stops the boot) for fsck.mode=skip and for types initkit has no
 * checker for; rootfstype= is taken as given, so no device is probed. */
static void test_root_not_checked(void **state)
{
	(void)state;
	struct boot_config bc;
	char why[256] = "";
	assert_int_equal(boot_config_init(&bc), 0);
	bc.fsck_mode = BOOT_FSCK_SKIP;
	assert_int_equal(fsck_root(&bc, "/nonexistent/dev", why, sizeof(why)), 0);
	bc.fsck_mode = BOOT_FSCK_FORCE;
	bc.rootfstype = strdup("xfs");
	assert_int_equal(fsck_root(&bc, "/nonexistent/dev", why, sizeof(why)), 0);
	assert_string_equal(why, "");
	boot_config_free(&bc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker_for_type),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_exit_describe_truncates),
		cmocka_unit_test(test_root_not_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
