/* switch_root's guards on given facts, and the initramfs deletion on a temporary tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../initrd/switchroot.h"

#define EXT4_MAGIC 0xEF53

static void test_decide_table(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		struct switchroot_facts f;
		enum switchroot_verdict expect;
	} cases[] = {
		{"initramfs (ramfs) with /init, new root mounted",
		 {0x801, 1, RAMFS_MAGIC, true},
		 SWITCHROOT_GO},
		{"initramfs (tmpfs) with /init", {0x801, 1, TMPFS_MAGIC, true}, SWITCHROOT_GO},
		{"new root is a directory of the initramfs (not mounted)",
		 {1, 1, RAMFS_MAGIC, true},
		 SWITCHROOT_NOT_MOUNTPOINT},
		{"new root not mounted, old root a real disk",
		 {0x801, 0x801, EXT4_MAGIC, true},
		 SWITCHROOT_NOT_MOUNTPOINT},
		{"old root is a real filesystem",
		 {0x802, 0x801, EXT4_MAGIC, true},
		 SWITCHROOT_GO_KEEP_OLD},
		{"old root is a tmpfs without our /init",
		 {0x801, 1, TMPFS_MAGIC, false},
		 SWITCHROOT_GO_KEEP_OLD},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum switchroot_verdict v = switchroot_decide(&cases[i].f);
		if (v != cases[i].expect)
			fail_msg("%s: verdict %d, expected %d", cases[i].what, v, cases[i].expect);
	}
}

static void test_may_delete(void **state)
{
	(void)state;
	assert_true(switchroot_may_delete(1, 1));
	assert_false(switchroot_may_delete(0x801, 1)); /* the new root, /dev, ... */
}

struct tree {
	char dir[64], old[96], outside[96];
};

static void put(const char *dir, const char *name, bool is_dir)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (is_dir) {
		assert_int_equal(mkdir(p, 0755), 0);
	} else {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fclose(f);
	}
}

static bool exists(const char *dir, const char *name)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

/* dir/old: a stand-in for the initramfs, with a link to dir/outside (another tree that must
 * survive, as the new root does). */
static void tree_make(struct tree *t)
{
	snprintf(t->dir, sizeof(t->dir), "%s/switchroot-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->old, sizeof(t->old), "%s/old", t->dir);
	snprintf(t->outside, sizeof(t->outside), "%s/outside", t->dir);
	put(t->dir, "old", true);
	put(t->dir, "outside", true);
	put(t->outside, "keep", false);
	put(t->old, "init", false);
	put(t->old, "etc", true);
	put(t->old, "etc/initkit.conf", false);
	put(t->old, "lib", true);
	put(t->old, "lib/modules", true);
	put(t->old, "lib/modules/x.ko", false);
	char p[256];
	snprintf(p, sizeof(p), "%s/link-to-outside", t->old);
	assert_int_equal(symlink(t->outside, p), 0);
	snprintf(p, sizeof(p), "%s/abs-link", t->old);
	assert_int_equal(symlink("/", p), 0);
}

static void tree_free(struct tree *t)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

/* switchroot_remove_tree() on the tree's old root, told that the old root's filesystem is
 * st_dev + dev_offset (1: another one than the tree's). */
static void remove_old_tree(const struct tree *t, dev_t dev_offset)
{
	struct stat st;
	assert_int_equal(stat(t->old, &st), 0);
	int fd = open(t->old, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	switchroot_remove_tree(fd, st.st_dev + dev_offset);
}

static void test_remove_tree(void **state)
{
	(void)state;
	struct tree t;
	tree_make(&t);
	remove_old_tree(&t, 0);
	static const char *const gone[] = {"init", "etc", "lib", "link-to-outside", "abs-link"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (exists(t.old, gone[i]))
			fail_msg("old/%s survived", gone[i]);
	/* links are removed, never followed */
	assert_true(exists(t.outside, "keep"));
	tree_free(&t);
}

/* Entries on another filesystem than the old root's are never touched. */
static void test_remove_tree_other_fs(void **state)
{
	(void)state;
	struct tree t;
	tree_make(&t);
	remove_old_tree(&t, 1);
	assert_true(exists(t.old, "init"));
	assert_true(exists(t.old, "lib/modules/x.ko"));
	assert_true(exists(t.outside, "keep"));
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_may_delete),
		cmocka_unit_test(test_remove_tree),
		cmocka_unit_test(test_remove_tree_other_fs),
	};
	return cmocka_run_group_tests_name("switchroot", tests, NULL, NULL);
}
