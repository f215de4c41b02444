/* Tests for initrd/modclosure.c's pure part: where a module file lands below
 * /lib/modules/<kver> in the image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/modclosure.h"

static const struct {
	const char *path, *moddir, *rel; /* rel NULL: not inside moddir */
} cases[] = {
	{"/lib/modules/6.1.0-57-amd64/kernel/fs/ext4/ext4.ko", "/lib/modules/6.1.0-57-amd64",
	 "kernel/fs/ext4/ext4.ko"},
	{"/lib/modules/6.1.0-57-amd64/kernel/fs/ext4/ext4.ko", "/lib/modules/6.1.0-57-amd64/",
	 "kernel/fs/ext4/ext4.ko"},
	{"/lib/modules/6.1.0-57-amd64//extra/m.ko", "/lib/modules/6.1.0-57-amd64", "extra/m.ko"},
	/* a path shorter than moddir: must not be read past its end */
	{"/m.ko", "/lib/modules/6.1.0-57-amd64", NULL},
	{"/lib", "/lib/modules/6.1.0-57-amd64", NULL},
	/* moddir is a prefix of the string but not of the path's components */
	{"/lib/modules/6.1x/kernel/m.ko", "/lib/modules/6.1", NULL},
	{"/lib/modules/6.1.0-57-amd64", "/lib/modules/6.1.0-57-amd64", NULL},
	{"/opt/extmods/m.ko", "/lib/modules/6.1.0-57-amd64", NULL},
	{"/x.ko", "/", "x.ko"},
};

static void test_relpath(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* exact-size heap copies, so AddressSanitizer sees any read past the end */
		char *path = strdup(cases[i].path), *moddir = strdup(cases[i].moddir);
		const char *rel = modclosure_relpath(path, moddir);
		if (!cases[i].rel && rel)
			fail_msg("%s in %s: expected outside, got '%s'", path, moddir, rel);
		if (cases[i].rel && (!rel || strcmp(rel, cases[i].rel) != 0))
			fail_msg("%s in %s: expected '%s', got '%s'", path, moddir, cases[i].rel,
				 rel ? rel : "(outside)");
		free(path);
		free(moddir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relpath),
	};
	return cmocka_run_group_tests_name("modclosure", tests, NULL, NULL);
}
