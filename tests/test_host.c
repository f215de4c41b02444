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
	/* stacked on /: the top is the mount no other one on / sits on, wherever its line is
	 * (a mount moved on top keeps its place; 6.8+ lists mounts by ID) */
	static const char stacked[] = "19 27 8:2 / / rw - ext4 /dev/sda2 rw\n"
				      "22 19 0:21 / /proc rw - proc proc rw\n"
				      "27 1 254:0 / / rw - ext4 /dev/vda rw\n"
				      "31 27 254:1 / /usr rw - ext4 /dev/vdb rw\n";
	assert_int_equal(host_mountinfo_find(stacked, "/", &m), 0);
	assert_string_equal(m.source, "/dev/sda2");
	assert_int_equal(host_mountinfo_containing(stacked, "/etc/key", &m, mnt, sizeof(mnt)), 0);
	assert_string_equal(m.source, "/dev/sda2");
	assert_int_equal(host_mountinfo_containing(stacked, "/usr/k", &m, mnt, sizeof(mnt)), 0);
	assert_string_equal(m.source, "/dev/vdb");
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
	/* an LVM raid1 / raid6 LV: the md personality, which dm-raid loads by request_module() */
	n = host_dm_table_modules("0 65536 raid raid1 3 0 region_size 1024 2 253:1 253:2 253:3 "
				  "253:4",
				  mods, 16, type, sizeof(type));
	assert_int_equal(n, 2);
	assert_string_equal(mods[0], "dm_raid");
	assert_string_equal(mods[1], "md-raid1");
	assert_int_equal(host_dm_table_modules("0 8 raid raid6_zr 1 4096", mods, 16, type, 64), 2);
	assert_string_equal(mods[1], "md-raid6");
	assert_int_equal(host_dm_table_modules("0 8 cache 253:1 253:2 253:3", mods, 16, type, 64),
			 2);
	assert_string_equal(mods[1], "dm_cache_smq");
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

static bool has_item(const struct host_plan *p, const char *name, const char *why_part);

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
	assert_true(has_item(&p, "root=/dev/vda", "a kernel name, which can change between boots"));
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

/* A copy of a recorded tree in a new directory; returns its path (static buffer). */
static const char *fixture_copy(const char *name)
{
	static char dir[64];
	char cmd[8192];
	snprintf(dir, sizeof(dir), "/tmp/test-host.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a %s/%s/. %s/", HOST_FIXTURES, name, dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

static void fixture_remove(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void add_link(const char *dir, const char *rel, const char *target)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* dm-3 (253:3) in a copied tree: a device-mapper device named name with uuid, on vda. */
static void add_dm3_on_vda(const char *dir, const char *name, const char *uuid)
{
	char line[256];
	write_file(dir, "sys/devices/virtual/block/dm-3/dev", "253:3\n");
	snprintf(line, sizeof(line), "%s\n", name);
	write_file(dir, "sys/devices/virtual/block/dm-3/dm/name", line);
	snprintf(line, sizeof(line), "%s\n", uuid);
	write_file(dir, "sys/devices/virtual/block/dm-3/dm/uuid", line);
	write_file(dir, "sys/devices/virtual/block/dm-3/slaves/.keep", "");
	add_link(dir, "sys/devices/virtual/block/dm-3/slaves/vda",
		 "../../../../pci0000:00/0000:00:03.0/virtio0/block/vda");
	add_link(dir, "sys/class/block/dm-3", "../../devices/virtual/block/dm-3");
	add_link(dir, "sys/dev/block/253:3", "../../devices/virtual/block/dm-3");
}

/* resume= from Debian's conf.d/resume when the command line has none (the swap is found by
 * its UUID among the recorded superblocks), and noresume on the command line. */
static void test_resume_sources(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("nvme-laptop");
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
	fixture_remove(dir);
}

/* The swap Debian's installer makes with "encrypted swap" (crypttab: /dev/urandom, plain
 * dm-crypt, a new key at every boot) is the only swap partition: nobody can resume from it,
 * and it must not stop the build (the root is fine). Same for resume= naming a zram device.
 * The walk's modules are taken out again. */
static void test_resume_unusable(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("luks-lvm");
	add_dm3_on_vda(dir, "cryptswap", "CRYPT-PLAIN-cryptswap");
	write_file(dir, "dmsetup/cryptswap",
		   "0 8192 crypt aes-cbc-essiv:sha256 - 0 254:0 200000\n");
	write_file(dir, "proc/swaps",
		   "Filename Type Size Used Priority\n/dev/dm-3 partition 4096 0 -2\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	for (size_t i = 0; i < p.n_sets; i++)
		assert_false(strncmp(p.sets[i], "resume=", 7) == 0);
	assert_true(has_item(&p, "resume", "stage 1 cannot resume from it"));
	assert_false(has(p.modules, p.n_modules, "essiv"));   /* only the swap's cipher needs it */
	assert_true(has(p.modules, p.n_modules, "dm_crypt")); /* the root's, kept */
	assert_non_null(p.crypttab);
	assert_null(strstr(p.crypttab, "cryptswap"));
	host_plan_free(&p);
	fixture_remove(dir);

	dir = fixture_copy("build-vm");
	write_file(dir, "proc/cmdline", "console=ttyS0 resume=/dev/zram0\n");
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has_item(&p, "resume",
			     "resume=/dev/zram0 on the kernel command line: stage "
			     "1 cannot resume from it"));
	host_plan_free(&p);
	fixture_remove(dir);
}

/* LUKS2 with authenticated encryption (cryptsetup luksFormat --integrity hmac-sha256): the
 * LUKS2 mapping sits on NAME_dif, a dm-integrity device with a CRYPT-INTEGRITY- uuid that
 * cryptsetup sets up itself; its module is needed, the build goes on. */
static void test_luks2_integrity(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("luks-lvm");
	add_dm3_on_vda(dir, "sda3_crypt_dif",
		       "CRYPT-INTEGRITY-7b2d3d6f5b5f4e1c8e6a2a1c8b3f0002-sda3_crypt_dif");
	char rel[4200];
	snprintf(rel, sizeof(rel), "%s/sys/devices/virtual/block/dm-0/slaves/vda", dir);
	assert_int_equal(unlink(rel), 0);
	add_link(dir, "sys/devices/virtual/block/dm-0/slaves/dm-3", "../../dm-3");
	write_file(dir, "dmsetup/sda3_crypt",
		   "0 131072 crypt capi:authenc(hmac(sha256),xts(aes))-random - 0 253:3 0\n");
	write_file(dir, "dmsetup/sda3_crypt_dif", "0 131072 integrity 254:0 32768 32 J 0\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.modules, p.n_modules, "dm_integrity"));
	assert_true(has(p.modules, p.n_modules, "authenc"));
	assert_true(has_item(&p, "sda3_crypt_dif", "a layer of the LUKS2 device above it"));
	assert_true(has(p.modules, p.n_modules, "virtio_blk"));
	host_plan_free(&p);
	fixture_remove(dir);
}

/* An LVM raid1 root LV: dm-raid, and raid1 (md's personality, which dm-raid loads with
 * request_module(), so no dependency of its brings it). */
static void test_lvm_raid1(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("luks-lvm");
	write_file(dir, "dmsetup/debian--vg-root",
		   "0 65536 raid raid1 3 0 region_size 1024 2 - 253:0 - 253:0\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.modules, p.n_modules, "dm_raid"));
	assert_true(has(p.modules, p.n_modules, "raid1"));
	assert_true(has_item(&p, "raid1", "dm device debian--vg-root, target raid"));
	host_plan_free(&p);
	fixture_remove(dir);
}

/* A directory of an ext4 bind-mounted on / (a chroot, a container's root; mountinfo's root
 * field, escaped): stage 1 would mount the filesystem's top instead. Refused on a tree that
 * is otherwise fine. */
static void test_bind_root_refused(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("build-vm");
	write_file(dir, "proc/self/mountinfo",
		   "27 1 254:0 /srv/root\\040fs / rw,relatime - ext4 /dev/vda rw\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), -EOPNOTSUPP);
	host_plan_free(&p);
	fixture_remove(dir);
}

/* NVMe with native multipath (a controller reporting multi-controller capability, as
 * enterprise drives and QEMU's nvme-subsys do), recorded from the Debian kernel: the namespace
 * is a block device of the subsystem, below sys/devices/virtual/nvme-subsystem/, which links
 * to its controllers; the path device nvme0c0n1 is in class/block too. */
static void test_nvme_multipath(void **state)
{
	(void)state;
	NEED_KERNEL();
	struct host_plan p;
	assert_int_equal(detect(HOST_FIXTURES "/nvme-multipath", &p), 0);
	assert_true(has(p.modules, p.n_modules, "nvme"));
	assert_true(has_item(&p, "nvme", "0000:00:03.0 bound to driver nvme"));
	assert_true(has_item(&p, "nvme0", "nvme0n1 is a multipath namespace of nvme-subsys0"));
	assert_true(has(p.modules, p.n_modules, "ext4"));
	bool uuid = false;
	for (size_t i = 0; i < p.n_items; i++) /* a note: the recording's command line has root= */
		uuid |= strncmp(p.items[i].name, "root=UUID=", 10) == 0;
	assert_true(uuid);
	host_plan_free(&p);
}

/* The root's crypttab entry names its device by /dev/disk/by-id/ (stage 1 has no udev: it
 * resolves only by-uuid/label/partuuid/partlabel) and has a detached header: the image's
 * entry names the LUKS UUID, and the header file is copied (an unreadable one is an error:
 * no passphrase opens a volume without its header). */
static void test_crypttab_byid_header(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("luks-lvm");
	write_file(dir, "etc/crypttab",
		   "sda3_crypt /dev/disk/by-id/virtio-disk0-part3 none "
		   "noauto,luks,discard,header=/etc/luks/hdr.img,keyfile-size=64\n"
		   "data_crypt PARTUUID=0a0b0c0d-01 none luks,noauto,initramfs\n");
	write_file(dir, "etc/luks/hdr.img", "LUKS\xba\xbe");
	struct host_plan p;
	char want[4200];
	assert_int_equal(detect(dir, &p), 0);
	assert_non_null(p.crypttab);
	assert_non_null(strstr(p.crypttab,
			       "sda3_crypt\tUUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002\tnone\t"
			       "luks,discard,header=/etc/luks/hdr.img,keyfile-size=64\n"));
	snprintf(want, sizeof(want), "%s/etc/luks/hdr.img:/etc/luks/hdr.img", dir);
	assert_true(has(p.keyfiles, p.n_keyfiles, want));
	assert_true(has_item(&p, "/etc/luks/hdr.img", "detached LUKS header of sda3_crypt"));
	/* noauto: dropped for the root's volume (stage 1 would skip it), kept for the other */
	assert_true(has_item(&p, "noauto", "sda3_crypt: noauto dropped"));
	assert_true(has_item(&p, "/dev/disk/by-id/virtio-disk0-part3",
			     "written as UUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002"));
	assert_non_null(strstr(p.crypttab, "data_crypt\tPARTUUID=0a0b0c0d-01\tnone\t"
					   "luks,noauto,initramfs\n"));
	host_plan_free(&p);
	char rel[4200];
	snprintf(rel, sizeof(rel), "%s/etc/luks/hdr.img", dir);
	assert_int_equal(unlink(rel), 0);
	assert_int_equal(detect(dir, &p), -ENOENT);
	host_plan_free(&p);
	fixture_remove(dir);
}

/* A Bluetooth keyboard (input bus 0005, below a btusb adapter): stage 1 cannot pair or run
 * bluetoothd, so btusb (with its firmware) and the Bluetooth stack stay out; the USB
 * keyboard next to it is still detected. */
static void test_bluetooth_keyboard(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("ahci-usbkbd");
	const char *usb = "sys/devices/pci0000:00/0000:00:03.0/usb1/1-2/1-2:1.0";
	char rel[1024], cmd[8400];
	snprintf(rel, sizeof(rel), "%s/bluetooth/hci0/hci0:256/0005:046D:B342.0002/input/input9",
		 usb);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p %s/capabilities sys/bus/usb/drivers/btusb && cp "
		 "sys/class/input/input3/capabilities/key %s/capabilities/key",
		 dir, rel, rel);
	assert_int_equal(system(cmd), 0);
	char path[1100];
	snprintf(path, sizeof(path), "%s/name", rel);
	write_file(dir, path, "Logitech K380 Keyboard\n");
	snprintf(path, sizeof(path), "%s/modalias", rel);
	write_file(dir, path,
		   "input:b0005v046DpB342e0001-e0,1,4,11,14,k71,72,73,ram4,l0,1,2,sfw\n");
	snprintf(path, sizeof(path), "%s/driver", usb);
	add_link(dir, path, "../../../../../../bus/usb/drivers/btusb");
	add_link(dir, "sys/bus/usb/drivers/btusb/module", "../../../../module/btusb");
	snprintf(path, sizeof(path), "%s/bluetooth/hci0/hci0:256/0005:046D:B342.0002/driver", usb);
	add_link(dir, path, "../../../../../../../../../../bus/hid/drivers/hid-generic");
	snprintf(path, sizeof(path), "../../%s", rel + 4);
	add_link(dir, "sys/class/input/input9", path);
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_false(has(p.modules, p.n_modules, "btusb"));
	assert_true(has_item(&p, "input9", "Bluetooth keyboard: not usable in stage 1"));
	assert_true(has(p.modules, p.n_modules, "usbhid"));
	host_plan_free(&p);
	fixture_remove(dir);
}

/* A real laptop's NVMe sits behind a PCIe root port bound to pcieport (never a module, so
 * not in modules.builtin): no "not in the target kernel" note and no modalias fallback for
 * it (which would match shpchp); the NVMe driver is still found. */
static void test_nvme_behind_root_port(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("nvme-laptop");
	char cmd[8400];
	snprintf(
		cmd, sizeof(cmd),
		"cd %s/sys && mkdir -p devices/pci0000:00/0000:00:1d.0 bus/pci/drivers/pcieport && "
		"mv devices/pci0000:00/0000:00:03.0 devices/pci0000:00/0000:00:1d.0/0000:3d:00.0 "
		"&& "
		"ln -s ../../../bus/pci/drivers/pcieport devices/pci0000:00/0000:00:1d.0/driver && "
		"ln -s ../../../../module/pcieportdrv bus/pci/drivers/pcieport/module && "
		"ln -sfn ../../../../../bus/pci/drivers/nvme "
		"devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/driver && "
		"for l in class/block/* dev/block/*; do t=$(readlink $l); case $t in "
		"*0000:00:03.0*) ln -sfn \"$(echo $t | sed "
		"'s,0000:00:03.0,0000:00:1d.0/0000:3d:00.0,')\" $l;; esac; done",
		dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "sys/devices/pci0000:00/0000:00:1d.0/modalias",
		   "pci:v00008086d0000A0B0sv000017AAsd00002292bc06sc04i00\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.modules, p.n_modules, "nvme"));
	assert_true(has_item(&p, "pcieport", "0000:00:1d.0 is a PCIe port"));
	for (size_t i = 0; i < p.n_items; i++)
		if (strstr(p.items[i].why, "not in the target kernel") ||
		    strstr(p.items[i].why, "0000:00:1d.0 modalias"))
			fail_msg("%s: %s", p.items[i].name, p.items[i].why);
	host_plan_free(&p);
	fixture_remove(dir);
}

/* --kver names a kernel that lacks the root disk controller's driver (bound here, neither a
 * module nor built in there, and its modalias matches nothing): an error naming device and
 * driver, not an image that cannot reach the root. */
static void test_root_driver_missing_in_target(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("nvme-laptop");
	char cmd[8400];
	snprintf(cmd, sizeof(cmd),
		 "cd %s/sys && mkdir -p bus/pci/drivers/vendor_nvme && ln -sfn "
		 "../../../bus/pci/drivers/vendor_nvme devices/pci0000:00/0000:00:03.0/driver && "
		 "ln -s ../../../../module/vendor_nvme bus/pci/drivers/vendor_nvme/module",
		 dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "sys/devices/pci0000:00/0000:00:03.0/modalias",
		   "pci:v0000ABCDd00001234sv00000000sd00000000bc01sc80i00\n");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), -EOPNOTSUPP);
	host_plan_free(&p);
	/* built in here without a module name (no driver/module link): the target may have it
	 * under a module name we cannot know; a note, the build goes on */
	char rel[4200];
	snprintf(rel, sizeof(rel), "%s/sys/bus/pci/drivers/vendor_nvme/module", dir);
	assert_int_equal(unlink(rel), 0);
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has_item(&p, "vendor_nvme", "is not in the target kernel"));
	host_plan_free(&p);
	fixture_remove(dir);
}

/* The superblock is not readable (not root, a sandbox), but udev's /dev/disk/by-uuid link
 * is: root= names the UUID, not the kernel name. */
static void test_root_uuid_from_udev(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("build-vm");
	write_file(dir, "dev/disk/by-uuid/.keep", "");
	add_link(dir, "dev/disk/by-uuid/0e3d1c55-7f7a-4d1b-9d44-2b8c0f1e0a77", "../../vda");
	add_link(dir, "dev/disk/by-uuid/1111-2222", "../../vdb");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_true(has(p.sets, p.n_sets, "root=UUID=0e3d1c55-7f7a-4d1b-9d44-2b8c0f1e0a77"));
	host_plan_free(&p);
	fixture_remove(dir);
}

/* A separate LUKS swap opened with a key file kept on the encrypted root (unlocked in stage 2):
 * the largest swap, so resume would pick it, and stage 1 would ask at every boot for a
 * passphrase the volume may not have. Left out with a warning, as initramfs-tools does. */
static void test_resume_swap_keyfile_on_root(void **state)
{
	(void)state;
	NEED_KERNEL();
	const char *dir = fixture_copy("luks-lvm");
	add_dm3_on_vda(dir, "cryptswap", "CRYPT-LUKS2-9a8b7c6d5e4f40318a2b3c4d5e6f7081-cryptswap");
	write_file(dir, "dmsetup/cryptswap", "0 65536 crypt aes-xts-plain64 - 0 254:0 300000\n");
	write_file(dir, "proc/swaps",
		   "Filename Type Size Used Priority\n"
		   "/dev/mapper/debian--vg-swap_1 partition 16380 0 -2\n"
		   "/dev/dm-3 partition 32764 0 -3\n");
	write_file(dir, "etc/crypttab",
		   "sda3_crypt UUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002 none luks,discard\n"
		   "cryptswap UUID=9a8b7c6d-5e4f-4031-8a2b-3c4d5e6f7081 /etc/keys/swap.key luks\n");
	write_file(dir, "etc/keys/swap.key", "0123456789abcdef");
	struct host_plan p;
	assert_int_equal(detect(dir, &p), 0);
	assert_non_null(p.crypttab);
	assert_null(strstr(p.crypttab, "cryptswap"));
	assert_non_null(strstr(p.crypttab, "sda3_crypt"));
	for (size_t i = 0; i < p.n_sets; i++)
		assert_false(strncmp(p.sets[i], "resume=", 7) == 0);
	assert_true(has_item(&p, "resume", "stage 1 cannot resume from it"));
	host_plan_free(&p);
	/* the key file on an unencrypted filesystem (here: the root is plain): copied, and the
	 * swap is the resume device */
	write_file(dir, "proc/self/mountinfo", "25 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n");
	assert_int_equal(detect(dir, &p), 0);
	assert_non_null(strstr(p.crypttab, "cryptswap"));
	assert_true(has(p.sets, p.n_sets, "resume=/dev/mapper/cryptswap"));
	host_plan_free(&p);
	fixture_remove(dir);
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
		char dir[] = "/tmp/test-host.XXXXXX";
		assert_non_null(mkdtemp(dir));
		write_file(dir, "proc/self/mountinfo", roots[i]);
		struct host_plan p;
		if (detect(dir, &p) != -EOPNOTSUPP)
			fail_msg("%s: not refused", roots[i]);
		host_plan_free(&p);
		fixture_remove(dir);
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
		/* made with `dmsetup create` (no uuid): nothing in stage 1 would set it up */
		{"sys/devices/virtual/block/dm-1/dm/uuid", "\n"},
		/* dm-integrity of integritysetup, not under a LUKS2 device */
		{"sys/devices/virtual/block/dm-1/dm/uuid", "CRYPT-INTEGRITY-debian--vg-root\n"},
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
		cmocka_unit_test(test_resume_unusable),
		cmocka_unit_test(test_luks2_integrity),
		cmocka_unit_test(test_lvm_raid1),
		cmocka_unit_test(test_bind_root_refused),
		cmocka_unit_test(test_nvme_multipath),
		cmocka_unit_test(test_crypttab_byid_header),
		cmocka_unit_test(test_bluetooth_keyboard),
		cmocka_unit_test(test_nvme_behind_root_port),
		cmocka_unit_test(test_root_driver_missing_in_target),
		cmocka_unit_test(test_root_uuid_from_udev),
		cmocka_unit_test(test_resume_swap_keyfile_on_root),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_dm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
