/* Tests for initrd/mkimage/modclosure.c's pure part: where a module file lands below
 * /lib/modules/<kver> in the image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/mkimage/modclosure.h"

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

static void collect(unsigned line, const char *command, const char *module, void *userdata)
{
	char *buf = userdata;
	size_t o = strlen(buf);
	snprintf(buf + o, 1024 - o, "%s%u %s %s", o ? "; " : "", line, command, module);
}

/* The host's modprobe.d lines that concern the image's modules (for the warning that they are
 * not in the image): real Debian lines, '-' and '_' alike, continuation lines, comments. */
static void test_conf_commands(void **state)
{
	(void)state;
	char *names[] = {"nvme_core", "nvme", "dm_crypt", "snd_hda_intel"};
	struct modclosure c = {.names = names, .n = 4};
	const char *text = "# /etc/modprobe.d/nvme.conf\n"
			   "options nvme_core default_ps_max_latency_us=0\n"
			   "install nvme /bin/false\n"
			   "\n"
			   "  softdep dm-crypt pre: \\\n"
			   "     aesni_intel\n"
			   "blacklist snd-hda-intel\n"
			   "options snd_hda_codec power_save=1\n"
			   "alias nvme nvme_core\n"
			   "remove\tnvme /bin/true\n"
			   "# options nvme_core x=1\n"
			   "options nvme_core_x y=1\n"
			   "options";
	char got[1024] = "";
	assert_int_equal(modclosure_conf_commands(&c, text, strlen(text), collect, got), 5);
	assert_string_equal(got, "2 options nvme_core; 3 install nvme; 5 softdep dm_crypt; "
				 "7 blacklist snd_hda_intel; 10 remove nvme");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relpath),
		cmocka_unit_test(test_conf_commands),
	};
	return cmocka_run_group_tests_name("modclosure", tests, NULL, NULL);
}
