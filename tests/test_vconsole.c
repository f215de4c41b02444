/* Tests for initrd/vconsole.c: which keymap is loaded (rd.vconsole.keymap=, vconsole.keymap=,
 * the image's default) and the one line said when a requested one is not there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../initrd/vconsole.h"

/* The image has de and fr. */
static bool have(const char *name, void *ud)
{
	(void)ud;
	return strcmp(name, "de") == 0 || strcmp(name, "fr") == 0;
}

struct pick_case {
	const char *name, *rd, *plain, *dflt, *want, *want_warn;
};

static const struct pick_case cases[] = {
	{"nothing configured", NULL, NULL, NULL, NULL, ""},
	{"the image's default", NULL, NULL, "de", "de", ""},
	{"vconsole.keymap= picks another", NULL, "fr", "de", "fr", ""},
	{"rd.vconsole.keymap= wins", "de", "fr", "fr", "de", ""},
	{"unknown name: one line, the default kept", "it", NULL, "de", "de",
	 "rd.vconsole.keymap=it: no such keymap in the image; using de, the image's default"},
	{"unknown rd. name falls to vconsole.keymap=", "it", "fr", "de", "fr",
	 "rd.vconsole.keymap=it: no such keymap in the image; using fr"},
	{"us, not in the image: the kernel's own, over the image's default", NULL, "us", "de", "us",
	 ""},
	{"rd. us wins over vconsole.keymap=", "us", "fr", "de", "us", ""},
	{"unknown rd. name, then us: the kernel's keymap", "it", "us", "de", "us",
	 "rd.vconsole.keymap=it: no such keymap in the image; keeping the kernel's keymap (us)"},
	{"not a name", NULL, "../../etc/passwd", "de", "de",
	 "vconsole.keymap=../../etc/passwd: not a keymap name; using de, the image's default"},
	{"unknown and no default", NULL, "it", NULL, NULL,
	 "vconsole.keymap=it: no such keymap in the image; keeping the kernel's keymap"},
	{"a broken image default", NULL, NULL, "gone", NULL,
	 "/etc/vconsole.conf KEYMAP=gone: no such keymap in the image; keeping the kernel's "
	 "keymap"},
};

static void test_pick(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pick_case *c = &cases[i];
		char warn[512];
		const char *got =
			vconsole_pick(c->rd, c->plain, c->dflt, have, NULL, warn, sizeof(warn));
		if ((got == NULL) != (c->want == NULL) || (got && strcmp(got, c->want) != 0) ||
		    strcmp(warn, c->want_warn) != 0)
			fail_msg("%s: got %s '%s', want %s '%s'", c->name, got ? got : "NULL", warn,
				 c->want ? c->want : "NULL", c->want_warn);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
	};
	return cmocka_run_group_tests_name("vconsole", tests, NULL, NULL);
}
