#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static void write_file(const char *root, const char *name, mode_t mode, const void *data,
		       size_t len)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(p, mode), 0); /* umask-proof */
}

/* Our own ELF identity, read from the test binary itself. */
static void our_abi(unsigned *cls, unsigned *data, unsigned *machine)
{
	unsigned char b[EI_NIDENT + 4];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, b, sizeof(b)), (ssize_t)sizeof(b));
	close(fd);
	*cls = b[EI_CLASS];
	*data = b[EI_DATA];
	*machine = b[EI_NIDENT + 2] | (unsigned)b[EI_NIDENT + 3] << 8; /* LSB hosts */
}

/* A small ELF of our class: one PT_NOTE header, or PT_INTERP naming interp. machine 0: ours.
 * cut: write only the ELF header (program headers beyond the end of the file). */
struct fake_elf {
	unsigned machine, data, type;
	const char *interp;
	bool cut;
	unsigned phnum; /* program headers (PT_NOTE after the first); 0 means 1 */
};

static void make_elf(const char *root, const char *name, const struct fake_elf *f)
{
	static unsigned char buf[8192];
	ElfW(Ehdr) *eh = (ElfW(Ehdr) *)buf;
	ElfW(Phdr) *ph = (ElfW(Phdr) *)(buf + sizeof(*eh));
	unsigned cls, data, machine, phnum = f->phnum ? f->phnum : 1;
	size_t len = sizeof(*eh) + phnum * sizeof(*ph);

	memset(buf, 0, sizeof(buf));
	assert_true(len + 256 < sizeof(buf));

	our_abi(&cls, &data, &machine);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = (unsigned char)cls;
	eh->e_ident[EI_DATA] = (unsigned char)(f->data ? f->data : data);
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = (uint16_t)(f->type ? f->type : ET_EXEC);
	eh->e_machine = (uint16_t)(f->machine ? f->machine : machine);
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = (uint16_t)phnum;
	for (unsigned i = 0; i < phnum; i++)
		ph[i].p_type = PT_NOTE;
	if (f->interp) {
		ph->p_type = PT_INTERP;
		ph->p_offset = len;
		ph->p_filesz = strlen(f->interp) + 1;
		memcpy(buf + len, f->interp, ph->p_filesz);
		len += ph->p_filesz;
	}
	write_file(root, name, 0755, buf, f->cut ? sizeof(*eh) : len);
}

/* An executable of ours (a static ELF as far as the check can tell). */
static void make_file(const char *root, const char *name, mode_t mode)
{
	char p[256];
	make_elf(root, name, &(struct fake_elf){0});
	snprintf(p, sizeof(p), "%s/%s", root, name);
	assert_int_equal(chmod(p, mode), 0);
}

static void make_script(const char *root, const char *name, const char *text)
{
	write_file(root, name, 0755, text, strlen(text));
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

/* ---- What the file holds: `#!` and ELF interpreters, architecture ---- */

static unsigned foreign_machine(void)
{
	unsigned cls, data, machine;
	our_abi(&cls, &data, &machine);
	return machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64;
}

static int setup_content(void **state)
{
	static const char *const dirs[] = {"bin", "lib", "opt", IN_ROOT_ONLY + 1, NULL};
	struct tree *t = calloc(1, sizeof(*t));
	unsigned cls, data, machine;

	our_abi(&cls, &data, &machine);
	tree_create(t);
	make_dirs(t->root, dirs);
	/* no /bin/sh in this root: the host's must not make "#!/bin/sh" pass */
	make_file(t->root, "opt/sh", 0755);
	make_file(t->root, IN_ROOT_ONLY "/ld.so", 0755);
	make_link(t->root, "lib/ld.so", IN_ROOT_ONLY "/ld.so"); /* resolves only in the root */
	make_link(t->root, "lib/sh-link", IN_ROOT_ONLY "/sh");
	make_file(t->root, IN_ROOT_ONLY "/sh", 0755);
	make_link(t->root, "lib/dangling", "/nowhere");
	make_file(t->root, "opt/sh-noexec", 0644);
	make_script(t->root, "script-ok", "#!/opt/sh -e\necho\n");
	make_script(t->root, "script-tab", "#!\t/opt/sh\n");
	make_script(t->root, "script-no-newline", "#!/opt/sh");
	make_script(t->root, "script-relative", "#! opt/sh\n");
	make_script(t->root, "script-in-root-link", "#!/lib/sh-link\n");
	make_script(t->root, "script-host-sh", "#!/bin/sh\n");
	make_script(t->root, "script-missing", "#!/opt/ikt-python9\n");
	make_script(t->root, "script-dangling", "#!/lib/dangling\n");
	make_script(t->root, "script-noexec", "#!/opt/sh-noexec\n");
	make_script(t->root, "script-empty", "#!\n");
	make_script(t->root, "script-spaces", "#!   \t \n");
	make_script(t->root, "script-chain", "#!/script-ok\n");
	make_script(t->root, "script-self", "#!/script-self\n");
	make_script(t->root, "plain-text", "echo hello\n");
	make_script(t->root, "empty", "");
	make_script(t->root, "script-to-elf", "#!/elf-interp-missing\n");
	make_elf(t->root, "elf-static", &(struct fake_elf){0});
	make_elf(t->root, "elf-dyn", &(struct fake_elf){.type = ET_DYN, .interp = "/lib/ld.so"});
	make_elf(t->root, "elf-foreign", &(struct fake_elf){.machine = foreign_machine()});
	make_elf(t->root, "elf-other-order",
		 &(struct fake_elf){.data = data == ELFDATA2LSB ? ELFDATA2MSB : ELFDATA2LSB});
	make_elf(t->root, "elf-rel", &(struct fake_elf){.type = ET_REL});
	make_elf(t->root, "elf-cut", &(struct fake_elf){.interp = "/lib/ld.so", .cut = true});
	make_elf(t->root, "elf-interp-missing", &(struct fake_elf){.interp = "/lib/ld-missing.so"});
	make_elf(t->root, "elf-interp-script", &(struct fake_elf){.interp = "/script-ok"});
	make_elf(t->root, "elf-foreign-interp", &(struct fake_elf){.machine = foreign_machine()});
	make_elf(t->root, "elf-interp-foreign",
		 &(struct fake_elf){.interp = "/elf-foreign-interp"});
	/* only the header: the loader finds the rest missing, the check does not look */
	make_elf(t->root, "lib/ld-cut.so", &(struct fake_elf){.interp = "/x", .cut = true});
	make_elf(t->root, "elf-interp-cut", &(struct fake_elf){.interp = "/lib/ld-cut.so"});
	/* fs/exec.c allows 5 #! rewrites (depth > 5 fails); the ELF loader is no rewrite:
	 * s5-1 -> ... -> s5-5 -> a static ELF runs, s6-1 -> ... -> s6-6 -> it does not,
	 * s4-1 -> ... -> s4-4 and s5d-1 -> ... -> s5d-5 -> a dynamic ELF (and its loader) run */
	static const struct {
		const char *prefix, *end;
		int n;
	} chains[] = {{"s5", "/elf-static", 5},
		      {"s6", "/elf-static", 6},
		      {"s4", "/elf-dyn", 4},
		      {"s5d", "/elf-dyn", 5}};
	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++)
		for (int i = 1; i <= chains[c].n; i++) {
			char name[16], text[64];
			snprintf(name, sizeof(name), "%s-%d", chains[c].prefix, i);
			if (i == chains[c].n)
				snprintf(text, sizeof(text), "#!%s\n", chains[c].end);
			else
				snprintf(text, sizeof(text), "#!/%s-%d\n", chains[c].prefix, i + 1);
			make_script(t->root, name, text);
		}
	/* 6.1's load_elf_phdrs(): the table may not be larger than ELF_MIN_ALIGN (a page) */
	size_t per_page = (size_t)sysconf(_SC_PAGESIZE) / sizeof(ElfW(Phdr));
	make_elf(t->root, "elf-phdrs-page", &(struct fake_elf){.phnum = (unsigned)per_page});
	make_elf(t->root, "elf-phdrs-over", &(struct fake_elf){.phnum = (unsigned)per_page + 1});
	*state = t;
	return 0;
}

static const struct {
	const char *path;
	enum initcheck_verdict verdict;
	int error;
} content_cases[] = {
	{"/elf-static", INITCHECK_OK, 0},
	{"/elf-dyn", INITCHECK_OK, 0},
	{"/script-ok", INITCHECK_OK, 0},
	{"/script-tab", INITCHECK_OK, 0},
	{"/script-no-newline", INITCHECK_OK, 0},
	{"/script-relative", INITCHECK_OK, 0},
	{"/script-in-root-link", INITCHECK_OK, 0},
	{"/script-chain", INITCHECK_OK, 0},
	{"/elf-interp-cut", INITCHECK_OK, 0},
	{"/script-host-sh", INITCHECK_BAD_INTERPRETER, -ENOENT},
	{"/script-missing", INITCHECK_BAD_INTERPRETER, -ENOENT},
	{"/script-dangling", INITCHECK_BAD_INTERPRETER, -ENOENT},
	{"/script-noexec", INITCHECK_BAD_INTERPRETER, -EACCES},
	{"/script-self", INITCHECK_BAD_INTERPRETER, -ELOOP},
	{"/script-to-elf", INITCHECK_BAD_INTERPRETER, -ENOENT},
	{"/script-empty", INITCHECK_BAD_FORMAT, -ENOEXEC},
	{"/script-spaces", INITCHECK_BAD_FORMAT, -ENOEXEC},
	{"/plain-text", INITCHECK_BAD_FORMAT, -ENOEXEC},
	{"/empty", INITCHECK_BAD_FORMAT, -ENOEXEC},
	{"/elf-foreign", INITCHECK_WRONG_ARCH, -ENOEXEC},
	{"/elf-other-order", INITCHECK_WRONG_ARCH, -ENOEXEC},
	{"/elf-rel", INITCHECK_BAD_FORMAT, -ENOEXEC},
	{"/elf-cut", INITCHECK_BAD_FORMAT, -ENOEXEC},
	{"/elf-interp-missing", INITCHECK_BAD_INTERPRETER, -ENOENT},
	{"/elf-interp-script", INITCHECK_BAD_INTERPRETER, -ELIBBAD},
	{"/elf-interp-foreign", INITCHECK_BAD_INTERPRETER, -ENOEXEC},
	{"/s5-1", INITCHECK_OK, 0},
	{"/s6-1", INITCHECK_BAD_INTERPRETER, -ELOOP},
	{"/s4-1", INITCHECK_OK, 0},
	{"/s5d-1", INITCHECK_OK, 0},
	{"/elf-phdrs-page", INITCHECK_OK, 0},
	{"/elf-phdrs-over", INITCHECK_BAD_FORMAT, -ENOEXEC},
};

static void test_content_table(void **state)
{
	struct tree *t = *state;
	int bad = 0;
	assert_int_equal(access("/bin/sh", X_OK), 0); /* the host has one; the root has not */
	for (size_t i = 0; i < sizeof(content_cases) / sizeof(content_cases[0]); i++) {
		for (int fallback = 0; fallback < 2; fallback++) {
			struct initcheck_result r;
			char msg[2048];
			initcheck_force_fallback(fallback);
			assert_int_equal(initcheck_judge(t->root_fd, content_cases[i].path, &r), 0);
			initcheck_describe(&r, msg, sizeof(msg));
			if (r.verdict != content_cases[i].verdict ||
			    r.error != content_cases[i].error) {
				print_error("'%s': expected %s (%d), got %s (%d): %s\n",
					    content_cases[i].path,
					    initcheck_verdict_str(content_cases[i].verdict),
					    content_cases[i].error,
					    initcheck_verdict_str(r.verdict), r.error, msg);
				bad++;
			}
			initcheck_result_free(&r);
		}
	}
	initcheck_force_fallback(false);
	assert_int_equal(bad, 0);
}

static void expect_describe(struct tree *t, const char *path, const char *expect)
{
	struct initcheck_result r;
	char msg[2048];
	assert_int_equal(initcheck_judge(t->root_fd, path, &r), 0);
	initcheck_describe(&r, msg, sizeof(msg));
	if (strcmp(msg, expect) != 0)
		fail_msg("describe '%s':\n  expected '%s'\n  got      '%s'", path, expect, msg);
	initcheck_result_free(&r);
}

static void test_content_describe(void **state)
{
	struct tree *t = *state;
	char expect[1024];
	const char *foreign =
		foreign_machine() == EM_AARCH64 ? "AArch64 (machine 183)" : "x86-64 (machine 62)";
	expect_describe(t, "/script-missing",
			"init /script-missing: bad interpreter (/script-missing: #! interpreter "
			"/opt/ikt-python9: missing (/opt/ikt-python9: No such file or "
			"directory))");
	expect_describe(t, "/script-dangling",
			"init /script-dangling: bad interpreter (/script-dangling: #! interpreter "
			"/lib/dangling: dangling symlink (/nowhere: No such file or directory); "
			"links: /lib/dangling -> /nowhere)");
	expect_describe(t, "/elf-interp-missing",
			"init /elf-interp-missing: bad interpreter (/elf-interp-missing: ELF "
			"interpreter (PT_INTERP) /lib/ld-missing.so: missing (/lib/ld-missing.so: "
			"No such file or directory))");
	expect_describe(t, "/plain-text",
			"init /plain-text: not an executable format (/plain-text is neither an ELF "
			"binary nor a #! script)");
	snprintf(expect, sizeof(expect),
		 "init /elf-foreign: wrong architecture (/elf-foreign is "
		 "an ELF for %s, 64-bit LSB; this system runs ",
		 foreign);
	struct initcheck_result r;
	char msg[2048];
	assert_int_equal(initcheck_judge(t->root_fd, "/elf-foreign", &r), 0);
	initcheck_describe(&r, msg, sizeof(msg));
	if (strncmp(msg, expect, strlen(expect)) != 0)
		fail_msg("describe '/elf-foreign':\n  expected '%s...'\n  got      '%s'", expect,
			 msg);
	initcheck_result_free(&r);
}

/* The parser alone, on the kernel's own edge cases of binfmt_script. */
static void test_parse_header(void **state)
{
	(void)state;
	static char long_line[300];
	memset(long_line, 'a', sizeof(long_line) - 1);
	memcpy(long_line, "#!/", 3);
	static const struct {
		const char *text;
		int ret;
		const char *interp;
	} cases[] = {
		{"#!/bin/sh\n", 0, "/bin/sh"},
		{"#! /bin/sh -e\n", 0, "/bin/sh"},
		{"#!/usr/bin/env python3\n", 0, "/usr/bin/env"},
		{"#!/bin/sh  \t\n", 0, "/bin/sh"},
		{"#!/bin/sh", 0, "/bin/sh"},
		{"#!\n", -ENOEXEC, NULL},
		{"#!", 0, ""}, /* the kernel then looks for "" and says ENOENT */
		{"# !/bin/sh\n", -ENOEXEC, NULL},
		{"", -ENOEXEC, NULL},
		{"\x7f"
		 "ELF",
		 -ENOEXEC, NULL},
		{long_line, -ENOEXEC, NULL}, /* the interpreter is cut at 256 bytes */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct initcheck_header h;
		const char *why = NULL;
		int r = initcheck_parse_header((const unsigned char *)cases[i].text,
					       strlen(cases[i].text), &h, &why);
		if (r != cases[i].ret)
			fail_msg("case %zu '%.20s': returned %d, expected %d", i, cases[i].text, r,
				 cases[i].ret);
		if (r < 0 && !why)
			fail_msg("case %zu: no reason given", i);
		if (cases[i].interp && strcmp(h.interp, cases[i].interp) != 0)
			fail_msg("case %zu: interpreter '%s', expected '%s'", i, h.interp,
				 cases[i].interp);
	}
}

static void test_runs_here(void **state)
{
	(void)state;
	unsigned cls, data, machine;
	our_abi(&cls, &data, &machine);
	struct initcheck_header h = {.format = INITCHECK_FMT_ELF,
				     .elf_class = cls,
				     .elf_data = data,
				     .e_machine = machine};
	assert_true(initcheck_elf_runs_here(&h));
	h.e_machine = foreign_machine();
	assert_false(initcheck_elf_runs_here(&h));
	h.e_machine = machine;
	h.elf_data = data == ELFDATA2LSB ? ELFDATA2MSB : ELFDATA2LSB;
	assert_false(initcheck_elf_runs_here(&h));
#if defined(__x86_64__)
	/* an i386 userland on an amd64 kernel (IA32 emulation) */
	h = (struct initcheck_header){
		.elf_class = ELFCLASS32, .elf_data = ELFDATA2LSB, .e_machine = EM_386};
	assert_true(initcheck_elf_runs_here(&h));
#endif
}

/* init= alone (the kernel never falls back from it), else the default list in order. */
static void test_candidates(void **state)
{
	(void)state;
	const char *c[INITCHECK_N_DEFAULTS];
	assert_int_equal(initcheck_candidates("/usr/bin/runit", c), 1);
	assert_string_equal(c[0], "/usr/bin/runit");
	assert_int_equal(initcheck_candidates(NULL, c), 4);
	assert_string_equal(c[0], "/sbin/init");
	assert_string_equal(c[1], "/etc/init");
	assert_string_equal(c[2], "/bin/init");
	assert_string_equal(c[3], "/bin/sh");
}

/* ---- Reading the file: no /proc needed, unreadable content left to execve() ---- */

/* Runs fn in a child; its exit status: 0 pass, 77 skip (it said why), anything else fails. */
static void in_child(void (*fn)(struct tree *), struct tree *t, const char *what)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn(t);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	if (WEXITSTATUS(st) != 0)
		fail_msg("%s: the child failed (%d)", what, WEXITSTATUS(st));
}

static int judge_ok_quiet(int root_fd, const char *path, int expect_content_error)
{
	int bad = 0;
	for (int fallback = 0; fallback < 2; fallback++) {
		struct initcheck_result r;
		char msg[2048];
		initcheck_force_fallback(fallback);
		if (initcheck_judge(root_fd, path, &r) < 0)
			return 1;
		initcheck_describe(&r, msg, sizeof(msg));
		if (r.verdict != INITCHECK_OK || r.content_error != expect_content_error) {
			fprintf(stderr, "'%s' (%s): %s, content_error %d (expected %d)\n", path,
				fallback ? "walk" : "openat2", msg, r.content_error,
				expect_content_error);
			bad++;
		}
		initcheck_result_free(&r);
	}
	return bad;
}

/* In a mount namespace of its own, /proc is covered by an empty tmpfs: the check must still
 * read the init (stage 2 and the exec fallback judge roots that may lack /proc). */
static void no_proc_child(struct tree *t)
{
	int r = geteuid() == 0 ? unshare(CLONE_NEWNS) : unshare(CLONE_NEWUSER | CLONE_NEWNS);
	if (r < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/proc", "tmpfs", 0, NULL) < 0) {
		fprintf(stderr, "skipped: cannot hide /proc here: %s\n", strerror(errno));
		_exit(77);
	}
	if (access("/proc/self/fd", F_OK) == 0)
		_exit(2);
	int bad = judge_ok_quiet(t->root_fd, "/elf-dyn", 0) +
		  judge_ok_quiet(t->root_fd, "/script-ok", 0) +
		  judge_ok_quiet(t->root_fd, "/s4-1", 0);
	_exit(bad ? 1 : 0);
}

static void test_no_proc(void **state)
{
	in_child(no_proc_child, *state, "no /proc");
}

/* An init with an x bit that cannot be read (0711, not root): execve() may still run it, so
 * the verdict is left to execve(), with content_error set. */
static void unreadable_child(struct tree *t)
{
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			       setresuid(65534, 65534, 65534) < 0)) {
		fprintf(stderr, "skipped: cannot become nobody: %s\n", strerror(errno));
		_exit(77);
	}
	_exit(judge_ok_quiet(t->root_fd, "/elf-unreadable", -EACCES) ? 1 : 0);
}

static void test_unreadable(void **state)
{
	struct tree *t = *state;
	char p[256];
	make_elf(t->root, "elf-unreadable", &(struct fake_elf){0});
	snprintf(p, sizeof(p), "%s/elf-unreadable", t->root);
	assert_int_equal(chmod(p, 0711), 0);
	in_child(unreadable_child, t, "unreadable init");
}

/* ---- x32: only when the kernel's switch says Y (Debian: CONFIG_X86_X32_DISABLED=y) ---- */

#if defined(__x86_64__)
static void make_elf32(const char *root, const char *name, unsigned machine)
{
	unsigned char buf[sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr)] = {0};
	Elf32_Ehdr *eh = (Elf32_Ehdr *)buf;
	Elf32_Phdr *ph = (Elf32_Phdr *)(buf + sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = (uint16_t)machine;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_NOTE;
	write_file(root, name, 0755, buf, sizeof(buf));
}
#endif

static void test_x32(void **state)
{
	(void)state;
#if defined(__x86_64__)
	struct tree t;
	char on[128], off[128], none[128];
	tree_create(&t);
	make_elf32(t.root, "x32", EM_X86_64);
	make_elf32(t.root, "i386", EM_386);
	write_file(t.dir, "x32-on", 0644, "Y\n", 2);
	write_file(t.dir, "x32-off", 0644, "N\n", 2);
	snprintf(on, sizeof(on), "%s/x32-on", t.dir);
	snprintf(off, sizeof(off), "%s/x32-off", t.dir);
	snprintf(none, sizeof(none), "%s/x32-absent", t.dir);
	static const struct {
		int param; /* 0 on, 1 off, 2 absent */
		const char *path;
		enum initcheck_verdict v;
	} cases[] = {
		{0, "/x32", INITCHECK_OK},	   {1, "/x32", INITCHECK_WRONG_ARCH},
		{2, "/x32", INITCHECK_WRONG_ARCH}, {1, "/i386", INITCHECK_OK},
		{2, "/i386", INITCHECK_OK},
	};
	const char *params[] = {on, off, none};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct initcheck_result r;
		char msg[2048];
		initcheck_set_x32_param_path(params[cases[i].param]);
		assert_int_equal(initcheck_judge(t.root_fd, cases[i].path, &r), 0);
		initcheck_describe(&r, msg, sizeof(msg));
		if (r.verdict != cases[i].v)
			fail_msg("x32 case %zu (%s, switch %s): %s", i, cases[i].path,
				 params[cases[i].param], msg);
		if (r.verdict == INITCHECK_WRONG_ARCH && !strstr(msg, "x32"))
			fail_msg("x32 case %zu: the message does not say x32: %s", i, msg);
		initcheck_result_free(&r);
	}
	initcheck_set_x32_param_path(NULL);
	tree_destroy(&t);
#else
	skip();
#endif
}

/* ---- Shared libraries: glibc's loader asked inside the root ---- */

static void test_loader_parse(void **state)
{
	(void)state;
	static const struct {
		const char *out, *lib;
	} cases[] = {
		{"/bin/true: error while loading shared libraries: libc.so.6: cannot open shared "
		 "object file: No such file or directory\n",
		 "libc.so.6"},
		{"\tlinux-vdso.so.1 (0x00007ffd)\n\tlibfoo.so.1 => not found\n"
		 "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n",
		 "libfoo.so.1"},
		{"\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n", NULL},
		{"", NULL},
		{"Inconsistency detected by ld.so: dl-version.c: 205\n", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char lib[64] = "";
		bool got = initcheck_loader_missing_lib(cases[i].out, lib, sizeof(lib));
		if (got != (cases[i].lib != NULL) || (got && strcmp(lib, cases[i].lib) != 0))
			fail_msg("loader output case %zu: got %d '%s', expected '%s'", i, got, lib,
				 cases[i].lib ? cases[i].lib : "(none)");
	}
	assert_true(initcheck_is_glibc_loader("/lib64/ld-linux-x86-64.so.2"));
	assert_true(initcheck_is_glibc_loader("/lib/ld-linux-aarch64.so.1"));
	assert_true(initcheck_is_glibc_loader("/lib/ld-linux.so.2"));
	assert_false(initcheck_is_glibc_loader("/lib/ld-musl-x86_64.so.1"));
	assert_false(initcheck_is_glibc_loader("/lib/ld.so"));
	assert_false(initcheck_is_glibc_loader("/opt/ld-linux-x86-64"));
}

static void copy_into(const char *root, const char *from, const char *to)
{
	char p[512], buf[65536];
	snprintf(p, sizeof(p), "%s%s", root, to);
	for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(in >= 0 && out >= 0);
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libc.so.6"))
		snprintf(data, PATH_MAX, "%s", info->dlpi_name);
	return 0;
}

/* A copy of the host's /bin/true with its loader, with or without libc.so.6, as the init and
 * as a script's interpreter (needs root for the chroot; a skip says so otherwise). */
static void test_libraries(void **state)
{
	(void)state;
	static char libc[PATH_MAX], loader[PATH_MAX], tru[PATH_MAX];
	struct initcheck_header h;
	const char *why;
	unsigned char buf[INITCHECK_HEADER_SIZE];
	static unsigned char phdrs[4096];
	uint64_t off, size;

	if (geteuid() != 0) {
		print_message("skipped: the loader runs chrooted, which needs root\n");
		skip();
	}
	dl_iterate_phdr(find_libc, libc);
	if (!realpath("/bin/true", tru) || !libc[0])
		skip();
	int fd = open(tru, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	assert_int_equal(initcheck_parse_header(buf, sizeof(buf), &h, &why), 0);
	ssize_t n = pread(fd, phdrs, sizeof(phdrs), (off_t)h.phoff);
	assert_true(n > 0);
	if (initcheck_elf_find_interp(&h, phdrs, (size_t)n, &off, &size, &why) != 1)
		skip(); /* a static /bin/true */
	assert_true(size < sizeof(loader));
	assert_int_equal(pread(fd, loader, size, (off_t)off), (ssize_t)size);
	close(fd);
	if (!initcheck_is_glibc_loader(loader))
		skip();

	for (int with_libc = 0; with_libc < 2; with_libc++) {
		struct tree t;
		tree_create(&t);
		copy_into(t.root, tru, "/bin/true");
		copy_into(t.root, loader, loader);
		make_script(t.root, "script-true", "#!/bin/true\n");
		if (with_libc)
			copy_into(t.root, libc, libc);
		for (int k = 0; k < 2; k++) {
			const char *path = k ? "/script-true" : "/bin/true";
			struct initcheck_result r;
			char msg[2048];
			assert_int_equal(initcheck_judge(t.root_fd, path, &r), 0);
			assert_int_equal(r.verdict, INITCHECK_OK);
			assert_non_null(r.dyn_loader);
			assert_string_equal(r.dyn_elf, "/bin/true");
			assert_int_equal(initcheck_libraries(t.root_fd, &r), 0);
			initcheck_describe(&r, msg, sizeof(msg));
			if (with_libc && (r.verdict != INITCHECK_OK || r.content_error))
				fail_msg("%s with libc: %s (content_error %d)", path, msg,
					 r.content_error);
			if (!with_libc &&
			    (r.verdict != INITCHECK_UNLOADABLE || !strstr(msg, "needs libc.so.6")))
				fail_msg("%s without libc: %s", path, msg);
			initcheck_result_free(&r);
		}
		tree_destroy(&t);
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
		cmocka_unit_test_setup_teardown(test_content_table, setup_content, teardown),
		cmocka_unit_test_setup_teardown(test_content_describe, setup_content, teardown),
		cmocka_unit_test(test_parse_header),
		cmocka_unit_test(test_runs_here),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test_setup_teardown(test_no_proc, setup_content, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup_content, teardown),
		cmocka_unit_test(test_x32),
		cmocka_unit_test(test_loader_parse),
		cmocka_unit_test(test_libraries),
	};
	return cmocka_run_group_tests_name("initcheck", tests, NULL, NULL);
}
