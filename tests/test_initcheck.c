#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../initrd/initcheck.h"

/* A path in the new root that must not exist on the host, so a check that resolves absolute
 * links on the host (nixpkgs #49519) fails the tests. */
#define IN_ROOT_ONLY "/ikt-only-in-root"

struct tree {
	char dir[64]; /* the temp dir; the root is dir/root, a decoy sits next to it */
	char root[80];
	int root_fd;
};

static void make_dirs(const char *root, const char *const *dirs)
{
	char p[256];
	for (; *dirs; dirs++) {
		snprintf(p, sizeof(p), "%s/%s", root, *dirs);
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static void make_file(const char *root, const char *name, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	assert_int_equal(chmod(p, mode), 0); /* umask-proof */
}

static void make_link(const char *root, const char *name, const char *target)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root, name);
	assert_int_equal(symlink(target, p), 0);
}

static void tree_create(struct tree *t)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(t->dir, sizeof(t->dir), "%s/initcheck-XXXXXX", tmp);
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->root, sizeof(t->root), "%s/root", t->dir);
	assert_int_equal(mkdir(t->root, 0755), 0);
	t->root_fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->root_fd >= 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tree_destroy(struct tree *t)
{
	close(t->root_fd);
	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The main tree: every case of the table below resolves in it. */
static int setup_main(void **state)
{
	static const char *const dirs[] = {"sbin", "bin", "etc", IN_ROOT_ONLY + 1, NULL};
	struct tree *t = calloc(1, sizeof(*t));
	char p[256], name[32], target[32];

	tree_create(t);
	make_dirs(t->root, dirs);
	make_file(t->root, IN_ROOT_ONLY "/real-init", 0755);
	make_file(t->root, IN_ROOT_ONLY "/noexec", 0644);
	make_file(t->root, IN_ROOT_ONLY "/other-x", 0601);
	snprintf(p, sizeof(p), "%s" IN_ROOT_ONLY "/fifo", t->root);
	assert_int_equal(mkfifo(p, 0755), 0);
	make_link(t->root, "sbin/init-abs", IN_ROOT_ONLY "/real-init");
	make_link(t->root, "sbin/init-rel", "../" IN_ROOT_ONLY "/real-init");
	make_link(t->root, "bin/chain", "/sbin/init-abs");
	make_link(t->root, "usrbin", IN_ROOT_ONLY + 1); /* a relative directory link */
	make_link(t->root, "sbin/dangling", IN_ROOT_ONLY "/absent");
	make_link(t->root, "sbin/dangling-rel", "../nowhere/x");
	make_link(t->root, "sbin/dangling-chain", "/sbin/dangling");
	make_link(t->root, "sbin/loop-a", "loop-b");
	make_link(t->root, "sbin/loop-b", "loop-a");
	make_link(t->root, "sbin/self", "self");
	make_link(t->root, "sbin/escape", "../../../../.." IN_ROOT_ONLY "/real-init");
	make_link(t->root, "sbin/escape-host", "../../../../../etc/passwd");
	make_link(t->root, "sbin/host-sh", "/bin/sh");
	make_link(t->root, "sbin/dirlink", IN_ROOT_ONLY);
	make_link(t->root, "absdir", IN_ROOT_ONLY "/"); /* an absolute directory link */
	make_link(t->root, "sbin/to-noexec", IN_ROOT_ONLY "/noexec");
	/* c0 -> c1 -> ... -> c39 -> real-init: 40 links, the kernel's limit, still fine;
	 * d0 -> ... -> d40 -> real-init: 41 links, ELOOP */
	for (int i = 0; i < 41; i++) {
		for (int k = 0; k < 2; k++) {
			int last = k ? 40 : 39;
			if (i > last)
				continue;
			snprintf(name, sizeof(name), "sbin/%c%d", "cd"[k], i);
			if (i == last)
				snprintf(target, sizeof(target), IN_ROOT_ONLY "/real-init");
			else
				snprintf(target, sizeof(target), "%c%d", "cd"[k], i + 1);
			make_link(t->root, name, target);
		}
	}
	/* a decoy next to the root: reaching it means ".." escaped */
	make_file(t->dir, "decoy-init", 0755);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tree_destroy(*state);
	free(*state);
	return 0;
}

struct judge_case {
	const char *path;
	enum initcheck_verdict verdict;
	const char *chain;    /* NULL: not checked */
	const char *resolved; /* NULL: not checked */
};

static const struct judge_case judge_cases[] = {
	{"/sbin/init-abs", INITCHECK_OK, "/sbin/init-abs -> " IN_ROOT_ONLY "/real-init",
	 IN_ROOT_ONLY "/real-init"},
	{"/sbin/init-rel", INITCHECK_OK, "/sbin/init-rel -> " IN_ROOT_ONLY "/real-init", NULL},
	{"/bin/chain", INITCHECK_OK, "/bin/chain -> /sbin/init-abs -> " IN_ROOT_ONLY "/real-init",
	 NULL},
	{"/usrbin/real-init", INITCHECK_OK, "/usrbin/real-init -> " IN_ROOT_ONLY "/real-init",
	 IN_ROOT_ONLY "/real-init"},
	{"/absdir/real-init", INITCHECK_OK, "/absdir/real-init -> " IN_ROOT_ONLY "/real-init",
	 IN_ROOT_ONLY "/real-init"},
	{"/absdir/../sbin/init-abs", INITCHECK_OK, NULL, IN_ROOT_ONLY "/real-init"},
	{"sbin/init-abs", INITCHECK_OK, NULL, NULL},
	{"/sbin/./init-abs", INITCHECK_OK, NULL, NULL},
	{"/sbin/c0", INITCHECK_OK, NULL, NULL},
	{IN_ROOT_ONLY "/other-x", INITCHECK_OK, IN_ROOT_ONLY "/other-x", NULL},
	{"/sbin/nope", INITCHECK_MISSING, "/sbin/nope", "/sbin/nope"},
	{"/nodir/init", INITCHECK_MISSING, NULL, "/nodir"},
	{"/usrbin/nope", INITCHECK_MISSING, "/usrbin/nope -> " IN_ROOT_ONLY "/nope", NULL},
	{"", INITCHECK_MISSING, NULL, NULL},
	{IN_ROOT_ONLY "/real-init/x", INITCHECK_MISSING, NULL, IN_ROOT_ONLY "/real-init"},
	{IN_ROOT_ONLY "/real-init/", INITCHECK_MISSING, NULL, NULL},
	{"/sbin/dangling", INITCHECK_DANGLING, "/sbin/dangling -> " IN_ROOT_ONLY "/absent",
	 IN_ROOT_ONLY "/absent"},
	{"/sbin/dangling-rel", INITCHECK_DANGLING, "/sbin/dangling-rel -> /nowhere/x", "/nowhere"},
	{"/sbin/dangling-chain", INITCHECK_DANGLING,
	 "/sbin/dangling-chain -> /sbin/dangling -> " IN_ROOT_ONLY "/absent", NULL},
	{"/sbin/host-sh", INITCHECK_DANGLING, "/sbin/host-sh -> /bin/sh", "/bin/sh"},
	{"/sbin/loop-a", INITCHECK_LOOP, NULL, NULL},
	{"/sbin/self", INITCHECK_LOOP, NULL, NULL},
	{"/sbin/d0", INITCHECK_LOOP, NULL, NULL},
	{"/../../" IN_ROOT_ONLY "/real-init", INITCHECK_OK, NULL, IN_ROOT_ONLY "/real-init"},
	{"/../decoy-init", INITCHECK_MISSING, NULL, "/decoy-init"},
	{"../../../decoy-init", INITCHECK_MISSING, NULL, "/decoy-init"},
	{"/../../etc/passwd", INITCHECK_MISSING, NULL, "/etc/passwd"},
	{"/sbin/escape", INITCHECK_OK, "/sbin/escape -> " IN_ROOT_ONLY "/real-init", NULL},
	{"/sbin/escape-host", INITCHECK_DANGLING, "/sbin/escape-host -> /etc/passwd", NULL},
	{"/", INITCHECK_NOT_REGULAR, NULL, "/"},
	{"/sbin", INITCHECK_NOT_REGULAR, NULL, "/sbin"},
	{"/sbin/dirlink", INITCHECK_NOT_REGULAR, "/sbin/dirlink -> " IN_ROOT_ONLY, NULL},
	{IN_ROOT_ONLY "/fifo", INITCHECK_NOT_REGULAR, NULL, NULL},
	{IN_ROOT_ONLY "/noexec", INITCHECK_NOT_EXECUTABLE, NULL, NULL},
	{"/sbin/to-noexec", INITCHECK_NOT_EXECUTABLE, "/sbin/to-noexec -> " IN_ROOT_ONLY "/noexec",
	 IN_ROOT_ONLY "/noexec"},
};

/* Judges one case with openat2 and with the forced fallback; both must give the expected
 * verdict, the same errno and the same chain. Returns the number of mismatches. */
static int judge_both(int root_fd, const struct judge_case *c)
{
	struct initcheck_result res[2];
	int bad = 0;
	for (int fallback = 0; fallback < 2; fallback++) {
		initcheck_force_fallback(fallback);
		struct initcheck_result *r = &res[fallback];
		assert_int_equal(initcheck_judge(root_fd, c->path, r), 0);
		const char *mode = fallback ? "fallback" : "openat2";
		if (r->verdict != c->verdict || (fallback && r->used_openat2) ||
		    (c->chain && strcmp(r->chain, c->chain) != 0) ||
		    (c->resolved && strcmp(r->resolved, c->resolved) != 0)) {
			print_error("'%s' (%s): expected %s [%s] at %s, got %s [%s] at %s\n",
				    c->path, mode, initcheck_verdict_str(c->verdict),
				    c->chain ? c->chain : "*", c->resolved ? c->resolved : "*",
				    initcheck_verdict_str(r->verdict), r->chain, r->resolved);
			bad++;
		}
	}
	if (res[0].error != res[1].error || strcmp(res[0].chain, res[1].chain) != 0) {
		print_error("'%s': openat2 and fallback differ: %d [%s] vs %d [%s]\n", c->path,
			    res[0].error, res[0].chain, res[1].error, res[1].chain);
		bad++;
	}
	initcheck_result_free(&res[0]);
	initcheck_result_free(&res[1]);
	initcheck_force_fallback(false);
	return bad;
}

static void test_judge_table(void **state)
{
	struct tree *t = *state;
	/* the seed bug needs paths that dangle on the host: make sure they do */
	assert_int_equal(access(IN_ROOT_ONLY, F_OK), -1);
	int bad = 0;
	for (size_t i = 0; i < sizeof(judge_cases) / sizeof(judge_cases[0]); i++)
		bad += judge_both(t->root_fd, &judge_cases[i]);
	assert_int_equal(bad, 0);
}

/* The kernel has openat2 here (5.6+), so the verdict must have come from it. */
static void test_openat2_used(void **state)
{
	struct tree *t = *state;
	struct initcheck_result r;
	assert_int_equal(initcheck_judge(t->root_fd, "/sbin/init-abs", &r), 0);
	if (!r.used_openat2)
		print_message("note: openat2 unavailable here; only the fallback was tested\n");
	initcheck_result_free(&r);
}

/* An O_PATH root fd (what a caller may hold) works too. */
static void test_opath_root(void **state)
{
	struct tree *t = *state;
	int fd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int fallback = 0; fallback < 2; fallback++) {
		struct initcheck_result r;
		initcheck_force_fallback(fallback);
		assert_int_equal(initcheck_judge(fd, "/bin/chain", &r), 0);
		assert_int_equal(r.verdict, INITCHECK_OK);
		initcheck_result_free(&r);
	}
	initcheck_force_fallback(false);
	close(fd);
}

static void test_loop_chain_is_cut(void **state)
{
	struct tree *t = *state;
	struct initcheck_result r;
	assert_int_equal(initcheck_judge(t->root_fd, "/sbin/loop-a", &r), 0);
	assert_string_equal(r.chain, "/sbin/loop-a -> /sbin/loop-b -> /sbin/loop-a -> /sbin/loop-b "
				     "-> /sbin/loop-a -> /sbin/loop-b -> /sbin/loop-a -> "
				     "/sbin/loop-b -> /sbin/loop-a -> ...");
	assert_int_equal(r.error, -ELOOP);
	initcheck_result_free(&r);
}

struct describe_case {
	const char *path;
	const char *expect;
};

static const struct describe_case describe_cases[] = {
	{"/sbin/init-abs", "init /sbin/init-abs: ok (" IN_ROOT_ONLY
			   "/real-init); links: /sbin/init-abs -> " IN_ROOT_ONLY "/real-init"},
	{"/sbin/nope", "init /sbin/nope: missing (/sbin/nope: No such file or directory)"},
	{"/sbin/dangling",
	 "init /sbin/dangling: dangling symlink (" IN_ROOT_ONLY
	 "/absent: No such file or directory); links: /sbin/dangling -> " IN_ROOT_ONLY "/absent"},
	{"/sbin/self", "init /sbin/self: symlink loop (/sbin/self: Too many levels of symbolic "
		       "links); links: /sbin/self -> /sbin/self -> /sbin/self -> /sbin/self -> "
		       "/sbin/self -> /sbin/self -> /sbin/self -> /sbin/self -> /sbin/self -> ..."},
	{"/sbin", "init /sbin: not a regular file (/sbin is a directory)"},
	{IN_ROOT_ONLY "/fifo",
	 "init " IN_ROOT_ONLY "/fifo: not a regular file (" IN_ROOT_ONLY "/fifo is a fifo)"},
	{IN_ROOT_ONLY "/noexec", "init " IN_ROOT_ONLY "/noexec: not executable (" IN_ROOT_ONLY
				 "/noexec has mode 0644, no x bit)"},
	{IN_ROOT_ONLY "/real-init/x", "init " IN_ROOT_ONLY "/real-init/x: missing (" IN_ROOT_ONLY
				      "/real-init: Not a directory)"},
};

static void test_describe_table(void **state)
{
	struct tree *t = *state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(describe_cases) / sizeof(describe_cases[0]); i++) {
		struct initcheck_result r;
		char msg[1024];
		assert_int_equal(initcheck_judge(t->root_fd, describe_cases[i].path, &r), 0);
		assert_true(initcheck_describe(&r, msg, sizeof(msg)) < (int)sizeof(msg));
		if (strcmp(msg, describe_cases[i].expect) != 0) {
			print_error("describe '%s':\n  expected '%s'\n  got      '%s'\n",
				    describe_cases[i].path, describe_cases[i].expect, msg);
			bad++;
		}
		initcheck_result_free(&r);
	}
	assert_int_equal(bad, 0);
}

static void test_bad_paths(void **state)
{
	struct tree *t = *state;
	struct initcheck_result r;
	assert_int_equal(initcheck_judge(t->root_fd, NULL, &r), -EINVAL);
	initcheck_result_free(&r);
	/* a path of PATH_MAX bytes: the kernel refuses it, so must the fallback */
	static char long_path[4097];
	memset(long_path, 'a', 4096);
	long_path[0] = '/';
	for (int fallback = 0; fallback < 2; fallback++) {
		initcheck_force_fallback(fallback);
		assert_int_equal(initcheck_judge(t->root_fd, long_path, &r), 0);
		assert_int_equal(r.verdict, INITCHECK_ERROR);
		assert_int_equal(r.error, -ENAMETOOLONG);
		initcheck_result_free(&r);
	}
	initcheck_force_fallback(false);
}

/* The default list, each tree built for one outcome. */
struct default_case {
	const char *name;
	void (*build)(const char *root);
	int expect; /* index picked or -ENOENT */
	enum initcheck_verdict verdicts[INITCHECK_N_DEFAULTS];
};

static void build_only_sh(const char *root)
{
	static const char *const dirs[] = {"bin", NULL};
	make_dirs(root, dirs);
	make_file(root, "bin/sh", 0755);
}

static void build_systemd(const char *root)
{
	static const char *const dirs[] = {"sbin", "bin", IN_ROOT_ONLY + 1, NULL};
	make_dirs(root, dirs);
	make_file(root, IN_ROOT_ONLY "/systemd", 0755);
	make_file(root, "bin/sh", 0755);
	make_link(root, "sbin/init", IN_ROOT_ONLY "/systemd");
}

static void build_nothing_good(const char *root)
{
	static const char *const dirs[] = {"sbin", "etc", "etc/init", "bin", NULL};
	make_dirs(root, dirs);
	make_link(root, "sbin/init", "/lib/systemd/systemd");
	make_file(root, "bin/init", 0644);
}

static const struct default_case default_cases[] = {
	{"only /bin/sh",
	 build_only_sh,
	 3,
	 {INITCHECK_MISSING, INITCHECK_MISSING, INITCHECK_MISSING, INITCHECK_OK}},
	{"systemd via a link only valid in the root", build_systemd, 0, {INITCHECK_OK}},
	{"nothing usable",
	 build_nothing_good,
	 -ENOENT,
	 {INITCHECK_DANGLING, INITCHECK_NOT_REGULAR, INITCHECK_NOT_EXECUTABLE, INITCHECK_MISSING}},
};

static void test_default_list(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(default_cases) / sizeof(default_cases[0]); i++) {
		const struct default_case *c = &default_cases[i];
		for (int fallback = 0; fallback < 2; fallback++) {
			struct tree t;
			struct initcheck_result res[INITCHECK_N_DEFAULTS];
			tree_create(&t);
			c->build(t.root);
			initcheck_force_fallback(fallback);
			int got = initcheck_pick_default(t.root_fd, res);
			int last = got >= 0 ? got : INITCHECK_N_DEFAULTS - 1;
			if (got != c->expect)
				fail_msg("default list '%s': expected %d, got %d", c->name,
					 c->expect, got);
			for (int k = 0; k <= last; k++)
				if (res[k].verdict != c->verdicts[k])
					fail_msg("default list '%s': %s expected %s, got %s",
						 c->name, initcheck_default_inits[k],
						 initcheck_verdict_str(c->verdicts[k]),
						 initcheck_verdict_str(res[k].verdict));
			for (int k = 0; k < INITCHECK_N_DEFAULTS; k++)
				initcheck_result_free(&res[k]);
			initcheck_force_fallback(false);
			tree_destroy(&t);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_judge_table, setup_main, teardown),
		cmocka_unit_test_setup_teardown(test_openat2_used, setup_main, teardown),
		cmocka_unit_test_setup_teardown(test_opath_root, setup_main, teardown),
		cmocka_unit_test_setup_teardown(test_loop_chain_is_cut, setup_main, teardown),
		cmocka_unit_test_setup_teardown(test_describe_table, setup_main, teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, setup_main, teardown),
		cmocka_unit_test(test_default_list),
	};
	return cmocka_run_group_tests_name("initcheck", tests, NULL, NULL);
}
