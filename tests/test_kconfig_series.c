/* Patch series (kconfig/series.c): quilt's series file, the symbols a patch adds to Kconfig
 * files, its Kconfig-fragment: block, and every error message with file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kconfig/fragment.h"
#include "../kconfig/kconfig_read.h"
#include "../kconfig/kconfig_tree.h"
#include "../kconfig/series.h"
#include "../kconfig/verify.h"

static char *diags_text(const struct kc_diags *d)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s%s", i ? " | " : "", d->v[i].text);
	fclose(f);
	return buf;
}

struct series_case {
	const char *name, *in;
	int ret;
	const char *expect; /* "name:line:strip[R] ..." then " || " and the messages */
};

static const struct series_case series_cases[] = {
	{"comments, blanks, options, trailing comments",
	 "# top comment\n\n  a.patch\nb.patch -p0 # old-style\n\tc.diff -p 2 -R\n#d.patch\n", 0,
	 "a.patch:3:1 b.patch:4:0 c.diff:5:2R || "},
	{"CRLF and no final newline", "a.patch -p1\r\nb.patch", 0, "a.patch:1:1 b.patch:2:1 || "},
	{"empty series", "# nothing yet\n", 0, " || "},
	{"unknown option", "a.patch -x\n", -22,
	 " || series:1: error: a.patch: unknown patch option '-x' (a series line is PATCH [-pN] "
	 "[-R] "
	 "[# comment])"},
	{"-p without a number", "ok.patch\na.patch -p\n", -22,
	 "ok.patch:1:1 || series:2: error: a.patch: unknown patch option '-p' (a series line is "
	 "PATCH [-pN] [-R] [# comment])"},
	{"-p with a word", "a.patch -p ab\n", -22,
	 " || series:1: error: a.patch: unknown patch option '-p ab' (a series line is PATCH [-pN] "
	 "[-R] [# comment])"},
	{"absolute name", "/tmp/a.patch\n", -22,
	 " || series:1: error: /tmp/a.patch: an absolute patch name (names are relative to the "
	 "series file's directory)"},
	{"compressed patches (quilt reads them decompressed)",
	 "a.patch\nb.patch.gz\nc.diff.xz -p0\nd.patch.zst\ne.patch.bz2\n", -22,
	 "a.patch:1:1 || series:2: error: b.patch.gz: a compressed patch (kconfig-merge reads "
	 "plain patches only: list it decompressed) | series:3: error: c.diff.xz: a compressed "
	 "patch (kconfig-merge reads plain patches only: list it decompressed) | series:4: error: "
	 "d.patch.zst: a compressed patch (kconfig-merge reads plain patches only: list it "
	 "decompressed) | series:5: error: e.patch.bz2: a compressed patch (kconfig-merge reads "
	 "plain patches only: list it decompressed)"},
	{"listed twice", "a.patch\nb.patch\n  a.patch -p1\n", -22,
	 "a.patch:1:1 b.patch:2:1 || series:3: error: a.patch is listed twice (first at line 1)"},
};

static void test_series(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(series_cases) / sizeof(series_cases[0]); i++) {
		const struct series_case *c = &series_cases[i];
		struct series s = {0};
		struct kc_diags d = {0};
		int r = series_parse("series", c->in, strlen(c->in), &s, &d);
		char *buf = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&buf, &size);
		for (size_t j = 0; j < s.n; j++)
			fprintf(f, "%s%s:%u:%d%s", j ? " " : "", s.v[j].name, s.v[j].line,
				s.v[j].strip, s.v[j].reverse ? "R" : "");
		char *msgs = diags_text(&d);
		fprintf(f, " || %s", msgs);
		fclose(f);
		if (strcmp(buf, c->expect) != 0 || r != c->ret)
			fail_msg("case '%s':\n  expected [%s] (%d)\n  got      [%s] (%d)", c->name,
				 c->expect, c->ret, buf, r);
		free(buf);
		free(msgs);
		series_free(&s);
		kc_diags_free(&d);
	}
}

/* A git format-patch patch: description with a block, a diffstat, two files. */
static const char git_patch[] =
	"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n" /* 1 */
	"Subject: [PATCH] foo: add FOO\n"
	"\n"
	"config NOT_A_DIFF_LINE\n" /* the description is not a diff */
	"+config NOR_THIS\n"	   /* 5 */
	"Kconfig-fragment:\n"
	"\tCONFIG_FOO=y\n"
	"  # CONFIG_BAR is not set\n"
	"\n"
	"  CONFIG_AFTER_BLANK=y\n" /* 10: not in the block any more */
	"Signed-off-by: A <a@b>\n"
	"---\n"
	" drivers/foo/Kconfig | 9 +++++++++\n"
	"\n"
	"diff --git a/drivers/foo/Kconfig b/drivers/foo/Kconfig\n" /* 15 */
	"index 1111111..2222222 100644\n"
	"--- a/drivers/foo/Kconfig\n"
	"+++ b/drivers/foo/Kconfig\n"
	"@@ -1,3 +1,12 @@\n"
	" config OLD\n" /* 20: context, not added */
	" \tbool \"old\"\n"
	"\n" /* an empty context line, as some mailers leave it */
	"+config FOO\n"
	"+\tbool \"foo\"\n"
	"+\tdepends on OLD\n" /* 25 */
	"+\n"
	"+menuconfig BAR\n"
	"+\ttristate \"bar\"\n"
	"+config NUM # a comment\n"
	"+\tint \"num\"\n" /* 30 */
	"+\n"
	"diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c\n"
	"--- a/drivers/foo/foo.c\n"
	"+++ b/drivers/foo/foo.c\n"
	"@@ -1 +1,2 @@\n" /* 35 */
	" int x;\n"
	"+config NOT_KCONFIG\n"
	"-- \n"
	"2.39.2\n";

static char *syms_text(const struct patch_info *p)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	for (size_t i = 0; i < p->n_syms; i++)
		fprintf(f, "%s%s:%s:%u:%s", i ? " " : "", p->syms[i].name,
			kc_type_name(p->syms[i].type), p->syms[i].line, p->syms[i].kconfig);
	fclose(f);
	return buf;
}

static void test_git_patch(void **state)
{
	(void)state;
	struct patch_info p;
	struct kc_diags d = {0};
	assert_int_equal(patch_scan("p.patch", git_patch, strlen(git_patch), 1, false, &p, &d), 0);
	assert_int_equal(d.n, 0);
	char *syms = syms_text(&p);
	assert_string_equal(syms,
			    "FOO:bool:23:drivers/foo/Kconfig BAR:tristate:27:drivers/foo/Kconfig "
			    "NUM:int:29:drivers/foo/Kconfig");
	free(syms);
	assert_int_equal(p.fragment_line, 6);
	assert_non_null(p.fragment);
	/* Read as a fragment, its values name the patch's lines. */
	struct kc_set s;
	kc_set_init(&s);
	assert_int_equal(
		kconfig_read("p.patch", p.fragment, p.fragment_len, "CONFIG_", NULL, NULL, &s, &d),
		0);
	assert_int_equal(d.n, 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].name, "FOO");
	assert_int_equal(s.v[0].src.line, 7);
	assert_string_equal(s.v[1].name, "BAR");
	assert_int_equal(s.v[1].tri, 'n');
	assert_int_equal(s.v[1].src.line, 8);
	kc_set_free(&s);
	patch_info_free(&p);
	kc_diags_free(&d);
}

static void test_structured_block_and_reverse(void **state)
{
	(void)state;
	static const char patch[] = "Revert \"foo\"\n"
				    "\n"
				    "Kconfig-fragment:\n"
				    "    #%kconfig-merge 1\n"
				    "    FOO=y priority=5\n"
				    "    BAR=m optional\n"
				    "--- a/Kconfig.debug\n"
				    "+++ b/Kconfig.debug\n"
				    "@@ -1,3 +1,1 @@\n"
				    "-config FOO\n"
				    "-\tbool\n"
				    " config KEEP\n";
	struct patch_info p;
	struct kc_diags d = {0};
	/* -R: the patch is applied reversed, its '-' lines are the added ones. -p0: the path as
	 * written. */
	assert_int_equal(patch_scan("r.patch", patch, strlen(patch), 0, true, &p, &d), 0);
	char *syms = syms_text(&p);
	assert_string_equal(syms, "FOO:bool:10:b/Kconfig.debug");
	free(syms);
	struct kc_set s;
	kc_set_init(&s);
	assert_true(fragment_is_structured(p.fragment, p.fragment_len));
	assert_int_equal(fragment_read("r.patch", p.fragment, p.fragment_len, "CONFIG_", &s, &d),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].priority, 5);
	assert_int_equal(s.v[0].src.line, 5);
	assert_false(s.v[1].mandatory);
	assert_int_equal(s.v[1].src.line, 6);
	kc_set_free(&s);
	patch_info_free(&p);
	/* Not reversed: nothing is added. */
	assert_int_equal(patch_scan("r.patch", patch, strlen(patch), 1, false, &p, &d), 0);
	assert_int_equal(p.n_syms, 0);
	patch_info_free(&p);
	kc_diags_free(&d);
}

struct bad_case {
	const char *name, *in, *expect;
};

static const struct bad_case bad_cases[] = {
	{"malformed hunk header", "--- a/Kconfig\n+++ b/Kconfig\n@@ -1,x +1 @@\n+config A\n",
	 "b.patch:3: error: malformed hunk header (expected @@ -A,B +C,D @@)"},
	{"hunk ends early",
	 "--- a/Kconfig\n+++ b/Kconfig\n@@ -1,2 +1,3 @@\n+config A\n x\nnot a hunk line\n",
	 "b.patch:6: error: the hunk at line 3 ends early: 1 old and 1 new lines missing"},
	{"patch ends inside a hunk", "--- a/Kconfig\n+++ b/Kconfig\n@@ -1 +1,3 @@\n+config A\n",
	 "b.patch:4: error: the patch ends inside the hunk at line 3 (1 old and 2 new lines "
	 "missing)"},
	{"hunk without a file header", "diff --git a/K b/K\n@@ -1 +1 @@\n-a\n+b\n",
	 "b.patch:2: error: a hunk without a file header (--- and +++ lines)"},
	{"second block", "Kconfig-fragment:\n\tCONFIG_A=y\nKconfig-fragment:\n\tCONFIG_B=y\n",
	 "b.patch:3: error: a second Kconfig-fragment: block (the first is at line 1)"},
	{"config on the header's line (it would be lost)",
	 "x\nKconfig-fragment: CONFIG_A=y\n\n--- a/K\n+++ b/K\n@@ -0,0 +1 @@\n+config A\n",
	 "b.patch:2: error: text after Kconfig-fragment: (the block's lines go below it, each "
	 "indented by a space or a tab)"},
	{"empty block", "x\nKconfig-fragment:\n\nCONFIG_A=y\n",
	 "b.patch:2: error: empty Kconfig-fragment: block (its lines are indented by a space or a "
	 "tab)"},
};

static void test_bad_patches(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct patch_info p;
		struct kc_diags d = {0};
		int r = patch_scan("b.patch", c->in, strlen(c->in), 1, false, &p, &d);
		char *msgs = diags_text(&d);
		if (r != -22 || strcmp(msgs, c->expect) != 0)
			fail_msg("case '%s':\n  expected [%s] (-22)\n  got      [%s] (%d)", c->name,
				 c->expect, msgs, r);
		free(msgs);
		patch_info_free(&p);
		kc_diags_free(&d);
	}
}

static void test_sibling_names(void **state)
{
	(void)state;
	static const char *const in[][3] = {
		{"p/0001-a.patch", "p/0001-a.kcm", "p/0001-a.config"},
		{"p/b.diff", "p/b.kcm", "p/b.config"},
		{"p/c", "p/c.kcm", "p/c.config"},
		{"p.d/c.txt", "p.d/c.txt.kcm", "p.d/c.txt.config"},
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *kcm, *config;
		assert_int_equal(series_sibling_names(in[i][0], &kcm, &config), 0);
		assert_string_equal(kcm, in[i][1]);
		assert_string_equal(config, in[i][2]);
		free(kcm);
		free(config);
	}
}

/* verify with a symbol only a patch defines (main.c adds them to the tree as borrowed): not a
 * typo, its type applies, a lost value says the series may not be applied; a symbol of the
 * tree lost beside it keeps the plain message. */
static void test_verify_patch_symbol(void **state)
{
	(void)state;
	struct ktree t;
	ktree_init(&t);
	const char *kfile = ktree_intern_file(&t, "Kconfig");
	char **src = NULL;
	size_t n_src = 0;
	static const char kc[] = "config TREE_SYM\n\tbool \"t\"\n";
	assert_int_equal(ktree_parse(&t, kfile, kc, strlen(kc), "x86", &src, &n_src), 0);
	char name[] = "PATCH_SYM", empty[] = "";
	struct ksym *k = ktree_get_borrowed(&t, name);
	k->type = KC_TYPE_INT;
	k->depends = empty;
	k->borrowed = true;
	k->src = (struct kc_src){"p/0001.patch", 12};
	struct kc_diags d = {0};
	struct kc_set req, act;
	kc_set_init(&req);
	kc_set_init(&act);
	static const char in[] = "CONFIG_PATCH_SYM=5\nCONFIG_TREE_SYM=y\nCONFIG_TYPO=y\n";
	assert_int_equal(
		kconfig_read("r.config", in, strlen(in), "CONFIG_", ktree_type, &t, &req, &d), 0);
	assert_int_equal(req.n, 3);
	assert_int_equal(req.v[0].kind, KC_V_INT); /* typed by the patch */
	struct verify_result v;
	verify_config(&req, &act, &t, "CONFIG_", &v, &d);
	char *msgs = diags_text(&d);
	assert_string_equal(
		msgs,
		"r.config:1: warning: CONFIG_PATCH_SYM=5 (optional) is not in the final config: "
		"absent; defined by p/0001.patch:12 only (is the series applied to the tree?) | "
		"r.config:2: warning: CONFIG_TREE_SYM=y (optional) is not in the final config: "
		"absent | r.config:3: warning: CONFIG_TYPO is not defined by any Kconfig file "
		"(typo?)");
	assert_int_equal(v.undefined, 1);
	free(msgs);
	kc_set_free(&req);
	kc_set_free(&act);
	kc_diags_free(&d);
	ktree_free(&t);
}

/* A patch that removes a symbol's definition (and one that only moves another): verify on the
 * unpatched tree warns that the series removes it, naming the patch and line; a symbol a later
 * patch adds back, or one moved within a patch, is not reported; non-Kconfig files and -R. */
static void test_removed_symbols(void **state)
{
	(void)state;
	static const char rm_patch[] = "drop FOO, move BAR, drop BAZ\n" /* 1 */
				       "\n"
				       "--- a/drivers/Kconfig\n"
				       "+++ b/drivers/Kconfig\n"
				       "@@ -1,7 +1,1 @@\n" /* 5 */
				       "-config FOO\n"
				       "-\tbool \"foo\"\n"
				       "-menuconfig BAR\n"
				       "-\tbool \"bar\"\n"
				       "-config BAZ\n" /* 10 */
				       "-\tbool \"baz\"\n"
				       " \n"
				       "--- a/lib/Kconfig.debug\n"
				       "+++ b/lib/Kconfig.debug\n"
				       "@@ -1 +1,3 @@\n" /* 15 */
				       " \n"
				       "+menuconfig BAR\n"
				       "+\tbool \"bar\"\n"
				       "--- a/drivers/foo.c\n"
				       "+++ b/drivers/foo.c\n" /* 20 */
				       "@@ -1 +0,0 @@\n"
				       "-config NOT_KCONFIG\n";
	static const char back_patch[] = "--- a/drivers/Kconfig\n"
					 "+++ b/drivers/Kconfig\n"
					 "@@ -0,0 +1,2 @@\n"
					 "+config BAZ\n"
					 "+\tbool \"baz\"\n";
	struct patch_info p[2];
	struct kc_diags d = {0};
	assert_int_equal(patch_scan("p/1.patch", rm_patch, strlen(rm_patch), 1, false, &p[0], &d),
			 0);
	assert_int_equal(
		patch_scan("p/2.patch", back_patch, strlen(back_patch), 1, false, &p[1], &d), 0);
	assert_int_equal(p[0].n_removed, 2);
	assert_string_equal(p[0].removed[0].name, "FOO");
	assert_int_equal(p[0].removed[0].line, 6);
	assert_string_equal(p[0].removed[0].kconfig, "drivers/Kconfig");
	assert_string_equal(p[0].removed[1].name, "BAZ");
	/* Reversed, the back patch removes BAZ and adds nothing. */
	struct patch_info rev;
	assert_int_equal(patch_scan("p/2.patch", back_patch, strlen(back_patch), 1, true, &rev, &d),
			 0);
	assert_int_equal(rev.n_syms, 0);
	assert_int_equal(rev.n_removed, 1);
	assert_string_equal(rev.removed[0].name, "BAZ");
	patch_info_free(&rev);

	struct ktree t;
	ktree_init(&t);
	const char *kfile = ktree_intern_file(&t, "drivers/Kconfig");
	char **src = NULL;
	size_t n_src = 0;
	static const char kc[] = "config FOO\n\tbool \"f\"\nmenuconfig BAR\n\tbool \"b\"\n"
				 "config BAZ\n\tbool \"z\"\n";
	assert_int_equal(ktree_parse(&t, kfile, kc, strlen(kc), "x86", &src, &n_src), 0);
	char *paths[] = {"p/1.patch", "p/2.patch"};
	assert_int_equal(series_apply_symbols(&t, p, paths, 2, "x86"), 0);
	struct kc_set req, act;
	kc_set_init(&req);
	kc_set_init(&act);
	static const char in[] = "CONFIG_FOO=y\nCONFIG_BAR=y\nCONFIG_BAZ=y\n";
	assert_int_equal(
		kconfig_read("r.config", in, strlen(in), "CONFIG_", ktree_type, &t, &req, &d), 0);
	assert_int_equal(
		kconfig_read("a.config", in, strlen(in), "CONFIG_", ktree_type, &t, &act, &d), 0);
	struct verify_result v;
	assert_int_equal(verify_config(&req, &act, &t, "CONFIG_", &v, &d), 0);
	char *msgs = diags_text(&d);
	assert_string_equal(msgs, "r.config:1: warning: CONFIG_FOO: its definition is removed by "
				  "p/1.patch:6 (no Kconfig file may define it once the series is "
				  "applied)");
	assert_int_equal(v.matched, 3);
	free(msgs);
	kc_set_free(&req);
	kc_set_free(&act);
	kc_diags_free(&d);
	ktree_free(&t);
	patch_info_free(&p[0]);
	patch_info_free(&p[1]);
}

/* A patch for several architectures: verify for x86 knows the symbols it adds to x86's and
 * the common Kconfig files (arch/Kconfig too), not those of arm64's, which the x86 tree never
 * reads (a value for one of them is a typo there); for arm64 the other way round. */
static void test_other_arch_symbols(void **state)
{
	(void)state;
	static const char patch[] = "--- a/arch/x86/Kconfig\n"
				    "+++ b/arch/x86/Kconfig\n"
				    "@@ -0,0 +1 @@\n"
				    "+config X86_NEW\n"
				    "--- a/arch/arm64/Kconfig.platforms\n"
				    "+++ b/arch/arm64/Kconfig.platforms\n"
				    "@@ -0,0 +1 @@\n"
				    "+config ARM64_NEW\n"
				    "--- a/arch/Kconfig\n"
				    "+++ b/arch/Kconfig\n"
				    "@@ -0,0 +1 @@\n"
				    "+config ARCH_NEW\n"
				    "--- a/arch/x86_64/Kconfig\n"
				    "+++ b/arch/x86_64/Kconfig\n"
				    "@@ -0,0 +1 @@\n"
				    "+config X86_64_DIR_NEW\n";
	struct patch_info p;
	struct kc_diags d = {0};
	assert_int_equal(patch_scan("p/1.patch", patch, strlen(patch), 1, false, &p, &d), 0);
	assert_int_equal(p.n_syms, 4);
	char *paths[] = {"p/1.patch"};
	static const char *const archs[] = {"x86", "arm64"};
	static const bool known[2][4] = {{true, false, true, false}, {false, true, true, false}};
	static const char *const names[] = {"X86_NEW", "ARM64_NEW", "ARCH_NEW", "X86_64_DIR_NEW"};
	for (int a = 0; a < 2; a++) {
		struct ktree t;
		ktree_init(&t);
		assert_int_equal(series_apply_symbols(&t, &p, paths, 1, archs[a]), 0);
		for (int i = 0; i < 4; i++)
			if ((ktree_find(&t, names[i]) != NULL) != known[a][i])
				fail_msg("%s for %s: %s", names[i], archs[a],
					 known[a][i] ? "not known" : "known");
		ktree_free(&t);
	}
	patch_info_free(&p);
	kc_diags_free(&d);
}

/* A patch that changes an existing symbol's type (bool -> tristate): on the unpatched tree the
 * patch's type applies, so CONFIG_OLD=m is a value, not "invalid for a bool". Only an added type
 * line in the block of a `config NAME` context line counts: a hunk that starts inside a block
 * gives no type, and after an added `config NEW` the type is NEW's. */
static void test_retyped_symbols(void **state)
{
	(void)state;
	static const char patch[] = "--- a/drivers/Kconfig\n"
				    "+++ b/drivers/Kconfig\n"
				    "@@ -1,4 +1,8 @@\n"
				    " config OLD\n"
				    "-\tbool \"old\"\n"
				    "+\ttristate \"old\"\n" /* 6 */
				    " \tdefault y\n"
				    "+config NEW\n"
				    "+\tint \"new\"\n"
				    "+\n"
				    " config NEXT\n"
				    "+\tdepends on OLD\n"
				    "@@ -20,2 +24,2 @@\n"
				    "-\tbool \"mid\"\n" /* a block whose config line is not shown */
				    "+\ttristate \"mid\"\n"
				    " \tdefault n\n";
	struct patch_info p;
	struct kc_diags d = {0};
	assert_int_equal(patch_scan("p/1.patch", patch, strlen(patch), 1, false, &p, &d), 0);
	assert_int_equal(p.n_syms, 1);
	assert_string_equal(p.syms[0].name, "NEW");
	assert_int_equal(p.syms[0].type, KC_TYPE_INT);
	assert_int_equal(p.n_retyped, 1);
	assert_string_equal(p.retyped[0].name, "OLD");
	assert_int_equal(p.retyped[0].type, KC_TYPE_TRISTATE);
	assert_int_equal(p.retyped[0].line, 6);
	struct ktree t;
	ktree_init(&t);
	const char *kfile = ktree_intern_file(&t, "drivers/Kconfig");
	char **src = NULL;
	size_t n_src = 0;
	static const char kc[] = "config OLD\n\tbool \"o\"\nconfig NEXT\n\tbool \"n\"\n";
	assert_int_equal(ktree_parse(&t, kfile, kc, strlen(kc), "x86", &src, &n_src), 0);
	char *paths[] = {"p/1.patch"};
	assert_int_equal(series_apply_symbols(&t, &p, paths, 1, "x86"), 0);
	assert_int_equal(ktree_find(&t, "OLD")->type, KC_TYPE_TRISTATE);
	assert_int_equal(ktree_find(&t, "NEXT")->type, KC_TYPE_BOOL);
	struct kc_set req;
	kc_set_init(&req);
	static const char in[] = "CONFIG_OLD=m\n";
	assert_int_equal(
		kconfig_read("r.config", in, strlen(in), "CONFIG_", ktree_type, &t, &req, &d), 0);
	assert_int_equal(req.n, 1);
	assert_int_equal(d.n, 0);
	kc_set_free(&req);
	kc_diags_free(&d);
	ktree_free(&t);
	patch_info_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_git_patch),
		cmocka_unit_test(test_structured_block_and_reverse),
		cmocka_unit_test(test_bad_patches),
		cmocka_unit_test(test_sibling_names),
		cmocka_unit_test(test_verify_patch_symbol),
		cmocka_unit_test(test_removed_symbols),
		cmocka_unit_test(test_other_arch_symbols),
		cmocka_unit_test(test_retyped_symbols),
	};
	return cmocka_run_group_tests_name("kconfig_series", tests, NULL, NULL);
}
