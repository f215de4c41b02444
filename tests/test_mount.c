#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "../initrd/mount.h"

static const struct {
	const char *opts;
	unsigned long flags;
	const char *data;
} cases[] = {
	{NULL, 0, ""},
	{"", 0, ""},
	{"ro", MS_RDONLY, ""},
	{"ro,rw", 0, ""},
	{"rw,ro", MS_RDONLY, ""},
	{"noatime,errors=remount-ro", MS_NOATIME, "errors=remount-ro"},
	{"data=journal,nosuid,nodev,commit=5", MS_NOSUID | MS_NODEV, "data=journal,commit=5"},
	{"defaults", 0, ""},
	{",,ro,,", MS_RDONLY, ""},
	{"subvol=@root", 0, "subvol=@root"},
	{"nosuid,suid", 0, ""},
};

static void test_options_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long flags = 0;
		char data[128];
		char what[160];
		snprintf(what, sizeof(what), "case %zu: \"%s\"", i,
			 cases[i].opts ? cases[i].opts : "(null)");
		assert_int_equal(mount_options_parse(cases[i].opts, &flags, data, sizeof(data)), 0);
		if (flags != cases[i].flags || strcmp(data, cases[i].data) != 0)
			fail_msg("%s: got flags %#lx data \"%s\", want %#lx \"%s\"", what, flags,
				 data, cases[i].flags, cases[i].data);
	}
}

static void test_options_too_long(void **state)
{
	(void)state;
	unsigned long flags = 0;
	char data[8];
	assert_int_equal(mount_options_parse("errors=remount-ro", &flags, data, sizeof(data)),
			 -ENAMETOOLONG);
}

/* ro unless rw: the kernel's default when neither word is given; the words win over
 * rootflags=, which may ask for rw itself. */
static void test_root_ro_rw(void **state)
{
	(void)state;
	static const struct {
		const char *rootflags;
		int read_only; /* -1 neither ro nor rw, 0 rw, 1 ro */
		bool ro;
	} rw_cases[] = {
		{NULL, -1, true},
		{"", -1, true},
		{"noatime", -1, true},
		{NULL, 0, false},
		{NULL, 1, true},
		{"rw", -1, false},
		{"ro", -1, true},
		{"rw", 1, true},
		{"ro", 0, false},
		{"noexec,rw", -1, false},
		{"errors=remount-ro", -1, true},
	};
	for (size_t i = 0; i < sizeof(rw_cases) / sizeof(rw_cases[0]); i++) {
		unsigned long flags = 0;
		char data[64];
		assert_int_equal(root_mount_options(rw_cases[i].rootflags, rw_cases[i].read_only,
						    &flags, data, sizeof(data)),
				 0);
		if (!!(flags & MS_RDONLY) != rw_cases[i].ro)
			fail_msg("rootflags=%s, ro/rw %d: mounted %s, expected %s",
				 rw_cases[i].rootflags ? rw_cases[i].rootflags : "(none)",
				 rw_cases[i].read_only, flags & MS_RDONLY ? "ro" : "rw",
				 rw_cases[i].ro ? "ro" : "rw");
	}
	unsigned long flags = 0;
	char data[64];
	assert_int_equal(root_mount_options("noexec,commit=5", -1, &flags, data, sizeof(data)), 0);
	assert_int_equal(flags, MS_RDONLY | MS_NOEXEC);
	assert_string_equal(data, "commit=5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_table),
		cmocka_unit_test(test_options_too_long),
		cmocka_unit_test(test_root_ro_rw),
	};
	return cmocka_run_group_tests_name("mount", tests, NULL, NULL);
}
