/* Kernel command line splitting, as the kernel's next_arg() does it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../stage2/cmdline.h"

static void test_split(void **state)
{
	(void)state;
	static const struct {
		const char *cmdline;
		const char *expect; /* "key=value|key|..." */
	} cases[] = {
		{"", ""},
		{"quiet", "quiet|"},
		{"  root=/dev/vda  rw\n", "root=/dev/vda|rw|"},
		{"a=b=c", "a=b=c|"},
		{"x=\"1h 30min\" y", "x=1h 30min|y|"},
		{"\"x=1h 30min\" y", "x=1h 30min|y|"},
		{"initkit.logind.KillExcludeUsers=\"root alice\"",
		 "initkit.logind.KillExcludeUsers=root alice|"},
		{"empty= z", "empty=|z|"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256] = "", key[64], value[64];
		const char *p = cases[i].cmdline;
		bool has_value;
		int r;
		while ((r = cmdline_next(&p, key, sizeof(key), value, sizeof(value), &has_value)) >
		       0) {
			strcat(out, key);
			if (has_value) {
				strcat(out, "=");
				strcat(out, value);
			}
			strcat(out, "|");
		}
		assert_int_equal(r, 0);
		if (strcmp(out, cases[i].expect) != 0)
			fail_msg("'%s' split as '%s', expected '%s'", cases[i].cmdline, out,
				 cases[i].expect);
	}
}

static void test_get_last_wins(void **state)
{
	(void)state;
	char v[64];
	assert_int_equal(cmdline_get("initkit.stage2.init=/a quiet initkit.stage2.init=/b",
				     "initkit.stage2.init", v, sizeof(v)),
			 1);
	assert_string_equal(v, "/b");
	assert_int_equal(cmdline_get("quiet init=/x", "initkit.stage2.init", v, sizeof(v)), 0);
	assert_int_equal(cmdline_get("k=0123456789", "k", v, 4), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_get_last_wins),
	};
	return cmocka_run_group_tests_name("stage2_cmdline", tests, NULL, NULL);
}
