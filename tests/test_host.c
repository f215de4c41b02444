/* Tests for initrd/mkimage/host.c: the pure helpers, and host_detect() on the recorded trees
 * of tests/host-fixtures/ (this build VM, an NVMe laptop layout, AHCI + a USB keyboard, LUKS
 * under LVM: recorded from real kernels, see tests/host-fixtures/README), resolved with the
 * real libkmod against the QEMU harness' Debian kernel (build/kernel; skipped, and said so,
 * when it is not there). No root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../initrd/mkimage/host.h"

#ifndef HOST_FIXTURES
#define HOST_FIXTURES "../tests/host-fixtures"
#endif

static char moddir[4096];

static const char mountinfo[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
	"28 27 254:16 / /usr rw,relatime shared:5 - xfs /dev/vdb1 rw\n"
	"29 27 0:40 /@home /home\\040dir rw - btrfs /dev/vdc rw,subvol=/@home\n"
	"30 27 8:1 / /usr rw - ext4 /dev/sda1 rw\n";

static void test_mountinfo(void **state)
{
	(void)state;
	struct host_mount m;
	char mnt[512];
	assert_int_equal(host_mountinfo_find(mountinfo, "/", &m), 0);
	assert_int_equal(m.major, 254);
	assert_string_equal(m.fstype, "ext4");
	assert_string_equal(m.source, "/dev/vda");
	/* a later mount on the same point hides the earlier one */
	assert_int_equal(host_mountinfo_find(mountinfo, "/usr", &m), 0);
	assert_string_equal(m.source, "/dev/sda1");
	/* optional fields before "-", escaped mount points, subvolume roots */
	assert_int_equal(host_mountinfo_find(mountinfo, "/home dir", &m), 0);
	assert_string_equal(m.root, "/@home");
	assert_string_equal(m.fstype, "btrfs");
	assert_int_equal(host_mountinfo_find(mountinfo, "/boot", &m), -ENOENT);
	assert_int_equal(host_mountinfo_containing(mountinfo, "/usr/lib/x", &m, mnt, sizeof(mnt)),
			 0);
	assert_string_equal(mnt, "/usr");
	assert_int_equal(host_mountinfo_containing(mountinfo, "/usrx/k", &m, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/");
	assert_int_equal(host_mountinfo_find("garbage line\n", "/", &m), -EINVAL);
}

static void test_cmdline(void **state)
{
	(void)state;
	static const struct {
		const char *cmdline, *key;
		int found;
		const char *value;
	} cases[] = {
		{"console=ttyS0 root=/dev/vda ro", "root", 1, "/dev/vda"},
		{"rootfstype=ext4 ro", "root", 0, NULL},
		{"root=/dev/a root=UUID=x", "root", 1, "UUID=x"}, /* the last one wins */
		{"quiet -- root=/dev/vda", "root", 0, NULL},	  /* init's arguments */
		{"noresume", "noresume", 1, ""},
		{"resume=\"UUID=a b\" x", "resume", 1, "UUID=a b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char v[128] = "";
		int r = host_cmdline_get(cases[i].cmdline, cases[i].key, v, sizeof(v));
		if (r != cases[i].found)
			fail_msg("%s: %s: got %d", cases[i].cmdline, cases[i].key, r);
		if (r)
			assert_string_equal(v, cases[i].value);
	}
}

static void test_keybits(void **state)
{
	(void)state;
	/* an AT keyboard's capabilities/key as the 6.1 kernel prints it in the nvme-laptop
	 * fixture; a power button (KEY_POWER 116 only) has no Enter */
	const char *kbd = "402000002 3803078f800d001 feffffdfffefffff fffffffffffffffe";
	assert_true(host_keybits_has(kbd, 28));
	assert_true(host_keybits_has(kbd, 30));
	assert_false(host_keybits_has(kbd, 0));
	assert_false(host_keybits_has("10000000000000 0", 28));
	assert_true(host_keybits_has("10000000000000 0", 116));
	assert_false(host_keybits_has("", 28));
}

static void test_dm_table(void **state)
{
	(void)state;
	char mods[16][64], type[64];
	int n = host_dm_table_modules("0 131072 crypt aes-xts-plain64 - 0 254:0 32768", mods, 16,
				      type, sizeof(type));
	assert_int_equal(n, 4);
	assert_string_equal(mods[0], "dm_crypt");
	assert_string_equal(mods[1], "crypto-aes");
	assert_string_equal(mods[2], "crypto-xts");
	assert_string_equal(mods[3], "crypto-xts(aes)");
	n = host_dm_table_modules("0 8 crypt aes-cbc-essiv:sha256 - 0 8:2 4096", mods, 16, type,
				  sizeof(type));
	assert_int_equal(n, 6);
	assert_string_equal(mods[4], "crypto-essiv");
	assert_string_equal(mods[5], "crypto-sha256");
	n = host_dm_table_modules("0 8 crypt capi:xts(aes)-plain64 - 0 8:2 4096", mods, 16, type,
				  sizeof(type));
	assert_int_equal(n, 4);
	assert_string_equal(mods[1], "crypto-xts(aes)");
	assert_string_equal(mods[2], "crypto-aes");
	assert_string_equal(mods[3], "crypto-xts");
	assert_int_equal(host_dm_table_modules("0 65536 linear 253:0 2048", mods, 16, type, 64), 1);
	assert_string_equal(mods[0], "dm_mod");
	assert_int_equal(host_dm_table_modules("0 65536 multipath 0 0 1 1", mods, 16, type, 64),
			 -EOPNOTSUPP);
	assert_string_equal(type, "multipath");
}

static void test_crypttab_swaps_resume(void **state)
{
	(void)state;
	char line[] = "  sda3_crypt UUID=7b2d none luks,discard,initramfs\n", *f[4], v[128];
	assert_int_equal(host_crypttab_fields(line, f), 4);
	assert_string_equal(f[0], "sda3_crypt");
	assert_string_equal(f[3], "luks,discard,initramfs");
	assert_true(host_crypttab_has_option(f[3], "initramfs"));
	assert_false(host_crypttab_has_option(f[3], "initram"));
	char comment[] = "# x y z";
	assert_int_equal(host_crypttab_fields(comment, f), 0);
	const char *swaps = "Filename\tType\tSize\tUsed\tPriority\n"
			    "/swapfile  file  900000  0  -2\n"
			    "/dev/zram0 partition 800000 0 100\n"
			    "/dev/vda2  partition 16380  0  -3\n"
			    "/dev/vdb1  partition 32760  0  -4\n";
	assert_int_equal(host_swaps_pick(swaps, v, sizeof(v)), 1);
	assert_string_equal(v, "/dev/vdb1");
	assert_int_equal(host_swaps_pick("Filename Type\n/swapfile file 9 0 -2\n", v, sizeof(v)),
			 0);
	assert_int_equal(host_resume_conf("# x\nRESUME=UUID=abc\n", v, sizeof(v)), 1);
	assert_string_equal(v, "UUID=abc");
	assert_int_equal(host_resume_conf("RESUME=none\n", v, sizeof(v)), 0);
	assert_int_equal(host_resume_conf("RESUME=\"/dev/vda2\"\n", v, sizeof(v)), 1);
	assert_string_equal(v, "/dev/vda2");
}

/* --- detection on recorded trees --- */

static bool has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int detect(const char *root, struct host_plan *p)
{
	struct host_options o = {.root = root, .moddir = moddir, .fsck_binary = "/nonexistent"};
	*p = (struct host_plan){0};
	return host_detect(&o, p);
}

#define NEED_KERNEL()                                                                              \
	do {                                                                                       \
		if (!moddir[0]) {                                                                  \
			print_message("SKIP: no build/kernel modules (make the QEMU "              \
				      "harness' kernel); detection not tested\n");                 \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static void test_build_vm(void **state)
{
	(void)state;
	NEED_KERNEL();
	struct host_plan p;
	assert_int_equal(detect(HOST_FIXTURES "/build-vm", &p), 0);
	/* virtio-pci: a built-in driver on the build VM, whose name is not the module's */
	assert_true(has(p.modules, p.n_modules, "virtio_pci"));
	assert_true(has(p.modules, p.n_modules, "virtio_blk"));
	assert_true(has(p.modules, p.n_modules, "ext4"));
	assert_true(has(p.sets, p.n_sets, "root=/dev/vda"));
	assert_false(p.luks || p.lvm || p.crypttab);
	/* the safe set: modules where the target kernel has them as modules */
	assert_true(has(p.modules, p.n_modules, "usbhid"));
	assert_true(has(p.modules, p.n_modules, "xhci_pci"));
	assert_true(has(p.modules, p.n_modules, "i2c_hid_acpi"));
	assert_false(has(p.modules, p.n_modules, "i8042")); /* built into Debian's kernel */
	host_plan_free(&p);
}

static void test_nvme_laptop(void **state)
{
	(void)state;
	NEED_KERNEL();
	struct host_plan p;
	assert_int_equal(detect(HOST_FIXTURES "/nvme-laptop", &p), 0);
	assert_true(has(p.modules, p.n_modules, "nvme"));
	assert_true(has(p.modules, p.n_modules, "ext4"));
	assert_false(has(p.modules, p.n_modules, "virtio_pci"));
	/* the recording boot's command line had root=: not written again */
	for (size_t i = 0; i < p.n_sets; i++)
		assert_false(strncmp(p.sets[i], "root=", 5) == 0);
	/* the active swap partition (second namespace), by its swap UUID */
	assert_true(has(p.sets, p.n_sets, "resume=UUID=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004"));
	host_plan_free(&p);
}

/* The same tree with a command line without root=: root= comes from the superblock. */
static void test_nvme_root_from_superblock(void **state)
{
	(void)state;
	NEED_KERNEL();
	char dir[] = "/tmp/test-host.XXXXXX", cmd[8192], path[4200];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a %s/nvme-laptop/. %s/", HOST_FIXTURES, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/proc/cmdline", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("BOOT_IMAGE=/vmlinuz ro quiet resume=/dev/nvme1n1\n", f);
	fclose(f);
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.sets, p.n_sets, "root=UUID=6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001"));
	for (size_t i = 0; i < p.n_sets; i++) /* resume= is on the command line */
		assert_false(strncmp(p.sets[i], "resume=", 7) == 0);
	assert_true(has(p.modules, p.n_modules, "nvme"));
	host_plan_free(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_ahci_usbkbd(void **state)
{
	(void)state;
	NEED_KERNEL();
	struct host_plan p;
	assert_int_equal(detect(HOST_FIXTURES "/ahci-usbkbd", &p), 0);
	assert_true(has(p.modules, p.n_modules, "ahci"));
	assert_true(has(p.modules, p.n_modules, "sd_mod")); /* driver "sd", module sd_mod */
	/* the USB keyboard walked up: hid-generic, usbhid, usbcore, xhci_hcd -> xhci_pci */
	assert_true(has(p.modules, p.n_modules, "hid_generic"));
	assert_true(has(p.modules, p.n_modules, "usbcore"));
	assert_true(has(p.modules, p.n_modules, "xhci_pci"));
	bool why = false;
	for (size_t i = 0; i < p.n_items; i++)
		why |= strcmp(p.items[i].name, "hid_generic") == 0 &&
		       strstr(p.items[i].why, "QEMU USB Keyboard") != NULL;
	assert_true(why);
	host_plan_free(&p);
}

static void test_luks_lvm(void **state)
{
	(void)state;
	NEED_KERNEL();
	struct host_plan p;
	assert_int_equal(detect(HOST_FIXTURES "/luks-lvm", &p), 0);
	assert_true(p.luks);
	assert_true(p.lvm);
	assert_true(has(p.modules, p.n_modules, "dm_crypt"));
	assert_true(has(p.modules, p.n_modules, "dm_mod"));
	assert_true(has(p.modules, p.n_modules, "xts"));
	assert_true(has(p.modules, p.n_modules, "virtio_blk"));
	assert_non_null(p.crypttab);
	/* the root's volume as written, the initramfs one without its key (on the encrypted
	 * root), and not the one nothing needs */
	assert_non_null(strstr(p.crypttab, "sda3_crypt\tUUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002"
					   "\tnone\tluks,discard\n"));
	assert_non_null(strstr(p.crypttab, "srv_crypt\tUUID=11111111-2222-4333-8444-555555555555"
					   "\tnone\tluks,initramfs\n"));
	assert_null(strstr(p.crypttab, "home_crypt"));
	assert_int_equal(p.n_keyfiles, 0);
	assert_true(has(p.sets, p.n_sets, "resume=/dev/mapper/debian--vg-swap_1"));
	host_plan_free(&p);
}

static bool has_item(const struct host_plan *p, const char *name, const char *why_part)
{
	for (size_t i = 0; i < p->n_items; i++)
		if (strcmp(p->items[i].name, name) == 0 && strstr(p->items[i].why, why_part))
			return true;
	return false;
}

/* btrfs RAID1: an anonymous device number in mountinfo; every member from
 * /sys/fs/btrfs/UUID/devices; the subvolume as rootflags=. */
static void test_btrfs_raid1(void **state)
{
	(void)state;
	NEED_KERNEL();
	struct host_plan p;
	assert_int_equal(detect(HOST_FIXTURES "/btrfs-raid1", &p), 0);
	assert_true(has(p.modules, p.n_modules, "btrfs"));
	assert_true(has(p.modules, p.n_modules, "virtio_blk"));
	assert_true(has_item(&p, "vda", "member of btrfs 0c5e8f2a-9b1d-4c3e-8f7a-4d3e0a5b0005"));
	assert_true(has_item(&p, "vdb", "member of btrfs 0c5e8f2a-9b1d-4c3e-8f7a-4d3e0a5b0005"));
	assert_true(has_item(&p, "root=UUID=0c5e8f2a-9b1d-4c3e-8f7a-4d3e0a5b0005", "not written"));
	assert_true(has(p.sets, p.n_sets, "rootflags=subvol=root"));
	host_plan_free(&p);
}

/* A tree made here: files relative to dir. */
static void write_file(const char *dir, const char *rel, const char *text);

/* A separate /usr: its device chain is walked too (here on the second NVMe controller). */
static void test_separate_usr(void **state)
{
	(void)state;
	NEED_KERNEL();
	char dir[] = "/tmp/test-host.XXXXXX", cmd[8192];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a %s/nvme-laptop/. %s/", HOST_FIXTURES, dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "proc/self/mountinfo",
		   "25 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p1 rw\n"
		   "26 25 259:1 / /usr rw,relatime - xfs /dev/nvme1n1 rw\n");
	write_file(dir, "proc/swaps", "Filename Type Size Used Priority\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.modules, p.n_modules, "xfs"));
	assert_true(has_item(&p, "xfs", "/usr /dev/nvme1n1: filesystem xfs"));
	assert_true(has_item(&p, "/usr", "stage 2 mounts it"));
	host_plan_free(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A key file on an unencrypted filesystem is copied (and named in the table); an entry
 * nothing needs and not marked initramfs stays out. */
static void test_keyfile_copied(void **state)
{
	(void)state;
	NEED_KERNEL();
	char dir[] = "/tmp/test-host.XXXXXX", cmd[8192], want[8300];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a %s/build-vm/. %s/", HOST_FIXTURES, dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "etc/crypttab",
		   "data UUID=0a0b0c0d-1111-4222-8333-444455556666 /etc/keys/data.key "
		   "luks,initramfs\nother /dev/vdz none luks\n");
	write_file(dir, "etc/keys/data.key", "not a real key\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_non_null(p.crypttab);
	assert_non_null(strstr(p.crypttab, "data\tUUID=0a0b0c0d-1111-4222-8333-444455556666"
					   "\t/etc/keys/data.key\tluks,initramfs\n"));
	assert_null(strstr(p.crypttab, "other"));
	assert_true(p.luks);
	snprintf(want, sizeof(want), "%s/etc/keys/data.key:/etc/keys/data.key", dir);
	assert_true(has(p.keyfiles, p.n_keyfiles, want));
	host_plan_free(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A tree made here: files relative to dir. */
static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[4200], cmd[8400];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* resume= from Debian's conf.d/resume when the command line has none (the swap is found by
 * its UUID among the recorded superblocks), and noresume on the command line. */
static void test_resume_sources(void **state)
{
	(void)state;
	NEED_KERNEL();
	char dir[] = "/tmp/test-host.XXXXXX", cmd[8192];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a %s/nvme-laptop/. %s/", HOST_FIXTURES, dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "proc/swaps", "Filename Type Size Used Priority\n");
	write_file(dir, "etc/initramfs-tools/conf.d/resume",
		   "RESUME=UUID=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.sets, p.n_sets, "resume=UUID=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004"));
	assert_true(has_item(&p, "resume=UUID=5e1f2a3b-0c4d-4e5f-8a9b-0c1d2e3f0004",
			     "in /etc/initramfs-tools/conf.d/resume"));
	host_plan_free(&p);
	write_file(dir, "proc/cmdline", "root=/dev/nvme0n1p1 noresume\n");
	assert_int_equal(detect(dir, &p), 0);
	for (size_t i = 0; i < p.n_sets; i++)
		assert_false(strncmp(p.sets[i], "resume=", 7) == 0);
	assert_true(has_item(&p, "resume", "noresume on the kernel command line"));
	host_plan_free(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_refused(void **state)
{
	(void)state;
	NEED_KERNEL();
	static const char *const roots[] = {
		"27 1 0:52 / / rw - nfs4 10.0.0.1:/export/root rw\n",
		"27 1 0:52 / / rw - zfs rpool/ROOT/debian rw\n",
		"27 1 0:52 / / rw - overlay overlay rw,lowerdir=/a\n",
		"27 1 0:52 / / rw - tmpfs tmpfs rw\n",
	};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char dir[] = "/tmp/test-host.XXXXXX", cmd[64];
		assert_non_null(mkdtemp(dir));
		write_file(dir, "proc/self/mountinfo", roots[i]);
		struct host_plan p;
		if (detect(dir, &p) != -EOPNOTSUPP)
			fail_msg("%s: not refused", roots[i]);
		host_plan_free(&p);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* An LV whose table uses a target --host does not know, and plain dm-crypt: refused. */
static void test_refused_dm(void **state)
{
	(void)state;
	NEED_KERNEL();
	static const struct {
		const char *rel, *text;
	} edits[] = {
		{"dmsetup/debian--vg-root",
		 "0 65536 multipath 0 0 1 1 round-robin 0 1 1 253:0 1\n"},
		{"sys/devices/virtual/block/dm-0/dm/uuid", "CRYPT-PLAIN-sda3_crypt\n"},
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char dir[] = "/tmp/test-host.XXXXXX", cmd[8192];
		assert_non_null(mkdtemp(dir));
		snprintf(cmd, sizeof(cmd), "cp -a %s/luks-lvm/. %s/", HOST_FIXTURES, dir);
		assert_int_equal(system(cmd), 0);
		write_file(dir, edits[i].rel, edits[i].text);
		struct host_plan p;
		if (detect(dir, &p) != -EOPNOTSUPP)
			fail_msg("%s: not refused", edits[i].rel);
		host_plan_free(&p);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	FILE *f = fopen("kernel/kver", "r");
	char kver[128] = "";
	if (f && fgets(kver, sizeof(kver), f)) {
		kver[strcspn(kver, "\n")] = 0;
		snprintf(moddir, sizeof(moddir), "kernel/root/lib/modules/%s", kver);
		if (access(moddir, R_OK) < 0)
			moddir[0] = 0;
	}
	if (f)
		fclose(f);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_keybits),
		cmocka_unit_test(test_dm_table),
		cmocka_unit_test(test_crypttab_swaps_resume),
		cmocka_unit_test(test_build_vm),
		cmocka_unit_test(test_nvme_laptop),
		cmocka_unit_test(test_nvme_root_from_superblock),
		cmocka_unit_test(test_ahci_usbkbd),
		cmocka_unit_test(test_luks_lvm),
		cmocka_unit_test(test_keyfile_copied),
		cmocka_unit_test(test_btrfs_raid1),
		cmocka_unit_test(test_separate_usr),
		cmocka_unit_test(test_resume_sources),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_dm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
