/* A table-driven cmocka test of the deliberately buggy parser, like the real ones: every case
 * "passes" its assertion, but the 16-character key writes one byte past the buffer, and only
 * ASan makes that a failure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buggy_split.h"

static void test_keys(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *key;
	} cases[] = {
		{"root=/dev/vda", "root"},
		{"quiet", "quiet"},
		{"0123456789abcdef=x", "0123456789abcdef"}, /* exactly the buffer size */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char key[16]; /* without ASan the 17th byte lands in whatever is next, silently */
		int r = buggy_split_key(cases[i].in, strlen(cases[i].in), key, sizeof(key));
		assert_int_equal(r, 0);
		assert_string_equal(key, cases[i].key);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_keys)};
	return cmocka_run_group_tests_name("selftest", tests, NULL, NULL);
}
