/* initrd/udevdb.c: the udev database entry stage 1 leaves for each dm device it activated,
 * written into a temporary directory standing for /run/udev/data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../initrd/udevdb.h"

static void test_entry_name(void **state)
{
	(void)state;
	char name[16];
	assert_int_equal(udevdb_entry_name(253, 0, name, sizeof(name)), 0);
	assert_string_equal(name, "b253:0");
	assert_int_equal(udevdb_entry_name(254, 17, name, sizeof(name)), 0);
	assert_string_equal(name, "b254:17");
	assert_int_equal(udevdb_entry_name(4095, 1048575, name, 8), -ENAMETOOLONG);
}

static int read_entry(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The entry holds exactly the flag the dm rules import (DM_UDEV_PRIMARY_SOURCE_FLAG=1, the
 * one that makes a replayed "add" count as a finished activation), in udev's "E:" format. */
static void test_write_entry(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-udevdb.XXXXXX", buf[256];
	assert_non_null(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(udevdb_write_dm_entry(dfd, 253, 2, UDEVDB_DM_ENTRY), 0);
	assert_int_equal(read_entry(dfd, "b253:2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "E:DM_UDEV_PRIMARY_SOURCE_FLAG=1\n");
	struct stat st;
	assert_int_equal(fstatat(dfd, "b253:2", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 01644);
	unlinkat(dfd, "b253:2", 0);
	close(dfd);
	rmdir(dir);
}

/* An entry that exists (udevd run by a hook, a kexec from a booted system) is not touched. */
static void test_existing_entry_kept(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-udevdb.XXXXXX", buf[256];
	assert_non_null(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	int fd = openat(dfd, "b253:0", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	const char *udevd = "S:mapper/root\nE:DM_NAME=root\nG:systemd\n";
	assert_int_equal(write(fd, udevd, strlen(udevd)), (ssize_t)strlen(udevd));
	close(fd);
	assert_int_equal(udevdb_write_dm_entry(dfd, 253, 0, UDEVDB_DM_ENTRY), -EEXIST);
	assert_int_equal(read_entry(dfd, "b253:0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, udevd);
	/* a symlink in its place is not followed */
	assert_int_equal(symlinkat("/nonexistent/x", dfd, "b253:1"), 0);
	assert_int_equal(udevdb_write_dm_entry(dfd, 253, 1, UDEVDB_DM_ENTRY), -EEXIST);
	unlinkat(dfd, "b253:0", 0);
	unlinkat(dfd, "b253:1", 0);
	close(dfd);
	rmdir(dir);
}

/* /dev/mapper/NAME: only a block node of that very device becomes the symlink "../dm-N";
 * anything else is left alone. Device nodes need CAP_MKNOD: without it that part is skipped. */
static void test_mapper_node_to_link(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-udevdb.XXXXXX", target[64];
	assert_non_null(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	dev_t dm0 = makedev(253, 0);
	assert_int_equal(udevdb_mapper_node_to_link(dfd, "none", "dm-0", dm0), -ENOENT);
	int fd = openat(dfd, "file", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(udevdb_mapper_node_to_link(dfd, "file", "dm-0", dm0), -EEXIST);
	assert_int_equal(symlinkat("../dm-7", dfd, "link"), 0);
	assert_int_equal(udevdb_mapper_node_to_link(dfd, "link", "dm-0", dm0), -EEXIST);
	ssize_t n = readlinkat(dfd, "link", target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../dm-7");
	bool nodes = mknodat(dfd, "debian--vg-root", S_IFBLK | 0600, dm0) == 0;
	if (nodes) {
		assert_int_equal(mknodat(dfd, "other", S_IFBLK | 0600, makedev(253, 1)), 0);
		assert_int_equal(udevdb_mapper_node_to_link(dfd, "other", "dm-0", dm0), -EEXIST);
		assert_int_equal(udevdb_mapper_node_to_link(dfd, "debian--vg-root", "dm-0", dm0),
				 0);
		n = readlinkat(dfd, "debian--vg-root", target, sizeof(target) - 1);
		assert_true(n > 0);
		target[n] = '\0';
		assert_string_equal(target, "../dm-0");
		assert_int_equal(
			faccessat(dfd, ".#initkit.debian--vg-root", F_OK, AT_SYMLINK_NOFOLLOW), -1);
		unlinkat(dfd, "debian--vg-root", 0);
		unlinkat(dfd, "other", 0);
	}
	unlinkat(dfd, "file", 0);
	unlinkat(dfd, "link", 0);
	close(dfd);
	rmdir(dir);
	if (!nodes)
		skip(); /* visible: no CAP_MKNOD here */
}

/* What udevd would have stored: hidden LVM sub-LVs and layers get the disable flags (no
 * by-uuid link into a raid leg or an uncached origin), a snapshot the low priority flag, every
 * entry its initialization time. */
static void test_entry_text(void **state)
{
	(void)state;
	char buf[512];
	assert_int_equal(udevdb_dm_entry_text("LVM-abcdef", "debian--vg-root", false, 1234567, buf,
					      sizeof(buf)),
			 0);
	assert_string_equal(buf, "E:DM_UDEV_PRIMARY_SOURCE_FLAG=1\nI:1234567\n");
	const char *hidden[] = {"vg-root_rimage_0", "vg-root_rmeta_1", "vg-pool_tdata",
				"vg-root-real",	    "vg-snap-cow",     "vg-root_corig"};
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		assert_int_equal(
			udevdb_dm_entry_text("LVM-x", hidden[i], false, 1, buf, sizeof(buf)), 0);
		assert_non_null(strstr(buf, "E:DM_UDEV_DISABLE_DISK_RULES_FLAG=1\n"));
		assert_non_null(strstr(buf, "E:DM_UDEV_DISABLE_OTHER_RULES_FLAG=1\n"));
		assert_non_null(strstr(buf, "E:DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG=1\n"));
	}
	assert_int_equal(udevdb_dm_entry_text("LVM-x", "vg-snap", true, 1, buf, sizeof(buf)), 0);
	assert_string_equal(
		buf, "E:DM_UDEV_PRIMARY_SOURCE_FLAG=1\nE:DM_UDEV_LOW_PRIORITY_FLAG=1\nI:1\n");
	/* a LUKS mapping is no LVM device, whatever its name looks like */
	assert_int_equal(udevdb_dm_entry_text("CRYPT-LUKS2-abc-sda3_crypt", "sda3_crypt", false, 1,
					      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "E:DM_UDEV_PRIMARY_SOURCE_FLAG=1\nI:1\n");
	assert_int_equal(
		udevdb_dm_entry_text("CRYPT-SUBDEV-abc", "croot_dif", false, 1, buf, sizeof(buf)),
		0);
	assert_non_null(strstr(buf, "DISABLE_DISK_RULES"));
	assert_int_equal(udevdb_dm_entry_text("LVM-x", "vg-lv", false, 1, buf, 10), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_text),
		cmocka_unit_test(test_entry_name),
		cmocka_unit_test(test_write_entry),
		cmocka_unit_test(test_existing_entry_kept),
		cmocka_unit_test(test_mapper_node_to_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
