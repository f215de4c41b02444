/* The pure parts of initrd/lvm.c: device-mapper name splitting (as `dmsetup splitname`) and
 * which VG a root= names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../initrd/lvm.h"

struct split_case {
	const char *dmname;
	int ret;
	const char *vg, *lv;
};

/* Expected values checked against `dmsetup splitname NAME` (libdm's dm_split_lvm_name). */
static const struct split_case split_cases[] = {
	{"debian--vg-root", 0, "debian-vg", "root"},
	{"debian--vg-swap_1", 0, "debian-vg", "swap_1"},
	{"vg-lv", 0, "vg", "lv"},
	{"a--b--c-d--e", 0, "a-b-c", "d-e"},
	{"fedora_host-root", 0, "fedora_host", "root"},
	{"vg-lv-", 0, "vg", "lv-"},	     /* a trailing '-' is kept, as libdm does */
	{"vg-lv-real", -EINVAL, NULL, NULL}, /* a layer: not an LV to mount */
	{"vg-thin_tdata-tpool", -EINVAL, NULL, NULL},
	{"croot", -EINVAL, NULL, NULL}, /* no '-': a LUKS name, not VG-LV */
	{"sda3_crypt", -EINVAL, NULL, NULL},
	{"vg-", -EINVAL, NULL, NULL},
	{"-lv", -EINVAL, NULL, NULL},
	{"", -EINVAL, NULL, NULL},
	{"a--vg--name--longer--than--16-lv", -ENAMETOOLONG, NULL, NULL}, /* vg buffer of 16 below */
};

static void test_split_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *t = &split_cases[i];
		char vg[16], lv[64];
		int r = lvm_dm_name_split(t->dmname, vg, sizeof(vg), lv, sizeof(lv));
		if (r != t->ret || (r == 0 && (strcmp(vg, t->vg) || strcmp(lv, t->lv)))) {
			print_error("split '%s': expected %d %s/%s, got %d %s/%s\n", t->dmname,
				    t->ret, t->vg ? t->vg : "-", t->lv ? t->lv : "-", r,
				    r == 0 ? vg : "-", r == 0 ? lv : "-");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

struct root_case {
	const char *root;
	int ret;
	const char *vg;
};

static const struct root_case root_cases[] = {
	{"/dev/mapper/debian--vg-root", 0, "debian-vg"},
	{"/dev/debian-vg/root", 0, "debian-vg"},
	{"/dev/fedora/root", 0, "fedora"},
	{"/dev/mapper/croot", -EINVAL, NULL},
	{"/dev/mapper/vg-lv-real", -EINVAL, NULL},
	{"/dev/vda", -EINVAL, NULL},
	{"/dev/disk/by-uuid", -EINVAL, NULL}, /* a /dev directory that is never a VG */
	{"/dev/md/root", -EINVAL, NULL},
	{"/dev/disk/by-uuid/6a1c2c5e", -EINVAL, NULL},
	{"/dev/a/b/c", -EINVAL, NULL},
	{"/dev/-x/root", -EINVAL, NULL},
	{"UUID=6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001", -EINVAL, NULL},
	{"LABEL=debian-vg-root", -EINVAL, NULL},
};

static void test_root_vg_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(root_cases) / sizeof(root_cases[0]); i++) {
		const struct root_case *t = &root_cases[i];
		char vg[128];
		int r = lvm_root_vg(t->root, vg, sizeof(vg));
		if (r != t->ret || (r == 0 && strcmp(vg, t->vg))) {
			print_error("root '%s': expected %d %s, got %d %s\n", t->root, t->ret,
				    t->vg ? t->vg : "-", r, r == 0 ? vg : "-");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* `lvm pvs --noheadings --separator , -o pv_uuid,pv_missing -S vg_name=VG`, as lvm2 2.03.16
 * prints it (two leading spaces; the flag empty or "missing"). */
static void test_pvs_missing(void **state)
{
	(void)state;
	char missing[128];
	unsigned n_missing = 9, n_pvs = 9;
	assert_int_equal(lvm_pvs_missing_parse("  KCCwbb-ftw2-Wykb-Jg9L-m4IC-LOie-Up41eV,\n"
					       "  0dgpqD-nrNk-secq-Cfmq-9qTJ-p3no-ZV2ZqO,missing\n",
					       missing, sizeof(missing), &n_missing, &n_pvs),
			 0);
	assert_int_equal(n_pvs, 2);
	assert_int_equal(n_missing, 1);
	assert_string_equal(missing, "0dgpqD-nrNk-secq-Cfmq-9qTJ-p3no-ZV2ZqO");

	assert_int_equal(lvm_pvs_missing_parse("  a,missing\n  b,missing  \n  c,\n", missing,
					       sizeof(missing), &n_missing, &n_pvs),
			 0);
	assert_int_equal(n_pvs, 3);
	assert_int_equal(n_missing, 2);
	assert_string_equal(missing, "a b");

	/* no PV of that VG at all: not found, nothing missing */
	assert_int_equal(lvm_pvs_missing_parse("", missing, sizeof(missing), &n_missing, &n_pvs),
			 0);
	assert_int_equal(n_pvs, 0);
	assert_int_equal(n_missing, 0);
	assert_string_equal(missing, "");
	assert_int_equal(lvm_pvs_missing_parse(NULL, missing, sizeof(missing), &n_missing, &n_pvs),
			 0);
	assert_int_equal(n_pvs, 0);

	/* anything else is not this report */
	assert_int_equal(
		lvm_pvs_missing_parse("  a,gone\n", missing, sizeof(missing), &n_missing, &n_pvs),
		-EINVAL);
	assert_int_equal(lvm_pvs_missing_parse("  no separator\n", missing, sizeof(missing),
					       &n_missing, &n_pvs),
			 -EINVAL);
	assert_int_equal(lvm_pvs_missing_parse("  a,missingx\n", missing, sizeof(missing),
					       &n_missing, &n_pvs),
			 -EINVAL);
	char tiny[4];
	assert_int_equal(
		lvm_pvs_missing_parse("  abcd,missing\n", tiny, sizeof(tiny), &n_missing, &n_pvs),
		-ENAMETOOLONG);
	assert_int_equal(
		lvm_pvs_missing_parse("  abc,missing\n", tiny, sizeof(tiny), &n_missing, &n_pvs),
		0); /* exactly fits with its NUL */
	assert_string_equal(tiny, "abc");
	assert_int_equal(lvm_pvs_missing_parse("  a,missing\n  b,missing\n  c,missing\n", tiny,
					       sizeof(tiny), &n_missing, &n_pvs),
			 -ENAMETOOLONG); /* "a b" fits, "a b c" does not */
}

/* lvm_path_split: the LV that root=/resume=/a crypttab device names; lvm_dm_name is the
 * inverse of the dm name split (libdm doubles each '-' inside a name). */
static void test_path_split_and_dm_name(void **state)
{
	(void)state;
	char vg[64], lv[64], dm[64];
	assert_int_equal(
		lvm_path_split("/dev/mapper/debian--vg-swap_1", vg, sizeof(vg), lv, sizeof(lv)), 0);
	assert_string_equal(vg, "debian-vg");
	assert_string_equal(lv, "swap_1");
	assert_int_equal(lvm_path_split("/dev/fedora/root", vg, sizeof(vg), lv, sizeof(lv)), 0);
	assert_string_equal(vg, "fedora");
	assert_string_equal(lv, "root");
	assert_int_equal(lvm_path_split("/dev/md/root", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_path_split("UUID=abc", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_path_split("/dev/vg/a-long-lv-name", vg, sizeof(vg), lv, 8),
			 -ENAMETOOLONG);
	assert_int_equal(lvm_dm_name("debian-vg", "swap_1", dm, sizeof(dm)), 0);
	assert_string_equal(dm, "debian--vg-swap_1");
	assert_int_equal(lvm_dm_name("a-b-c", "d-e", dm, sizeof(dm)), 0);
	assert_string_equal(dm, "a--b--c-d--e");
	assert_int_equal(lvm_dm_name("vg", "lv", dm, 6), 0); /* "vg-lv" + NUL */
	assert_int_equal(lvm_dm_name("vg", "lv", dm, 5), -ENAMETOOLONG);
	assert_int_equal(lvm_dm_name("v-", "lv", dm, 6), -ENAMETOOLONG); /* "v---lv" + NUL = 7 */
	assert_int_equal(lvm_dm_name("v-", "lv", dm, 7), 0);
	assert_string_equal(dm, "v---lv");
	/* round trip */
	assert_int_equal(lvm_dm_name_split("a--b--c-d--e", vg, sizeof(vg), lv, sizeof(lv)), 0);
	assert_int_equal(lvm_dm_name(vg, lv, dm, sizeof(dm)), 0);
	assert_string_equal(dm, "a--b--c-d--e");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_root_vg_table),
		cmocka_unit_test(test_pvs_missing),
		cmocka_unit_test(test_path_split_and_dm_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
