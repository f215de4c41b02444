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

#define H "#%kconfig-merge 1\n"

/* "NAME=value[flags]@line" with flags: ! mandatory, F freeform, pN priority; then messages. */
static char *render(const struct kc_set *s, const struct kc_diags *d)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	for (size_t i = 0; i < s->n; i++) {
		const struct kc_entry *e = &s->v[i];
		fprintf(f, "%s%s=", i ? " " : "", e->name);
		kc_value_write(f, e);
		fprintf(f, "%s%s", e->mandatory ? "!" : "", e->freeform ? "F" : "");
		if (e->priority)
			fprintf(f, "p%d", e->priority);
		fprintf(f, "@%u", e->src.line);
	}
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, " | %s", d->v[i].text);
	fclose(f);
	return buf;
}

struct frag_case {
	const char *name;
	const char *input;
	int ret;
	const char *expect;
};

static const struct frag_case cases[] = {
	{"header only", H, 0, ""},
	{"header with comment", "#%kconfig-merge 1   # v1\n", 0, ""},
	{"defaults: mandatory, tristate, priority 0", H "A=y\nB=m\nC=n\n", 0,
	 "A=y!@2 B=m!@3 C=n!@4"},
	{"with or without the prefix", H "CONFIG_A=y\n", 0, "A=y!@2"},
	{"strings and numbers are freeform", H "S=\"a b # c\"\nI=-3\nX=0x10\n", 0,
	 "S=\"a b # c\"!F@2 I=-3!F@3 X=0x10!F@4"},
	{"escapes", H "S=\"q\\\"x\\\\\"\n", 0, "S=\"q\\\"x\\\\\"!F@2"},
	{"attributes", H "A=y optional\nB=n priority=100\nC=n freeform\nD=y tristate\n", 0,
	 "A=y@2 B=n!p100@3 C=n!F@4 D=y!@5"},
	{"comment after the value", H "A=y # why\nB=m optional# x\n", 0, "A=y!@2 B=m@3"},
	{"blank lines and comments", H "\n  # note\n\t\nA=y\n", 0, "A=y!@5"},
	{"@defaults applies to the lines after it",
	 H "A=y\n@defaults optional priority=-5\nB=y\nC=y mandatory\n", 0,
	 "A=y!@2 B=yp-5@4 C=y!p-5@5"},
	{"@defaults resets what it does not say",
	 H "@defaults optional priority=3\n@defaults freeform\nA=y\n", 0, "A=y!F@4"},
	{"CRLF", "#%kconfig-merge 1\r\nA=y\r\n", 0, "A=y!@2"},
	{"missing header", "A=y\n", -22, " | f.kcm:1: error: missing '#%kconfig-merge 1' header"},
	{"unsupported version", "#%kconfig-merge 2\n", -22,
	 " | f.kcm:1: error: unsupported format version '2'"},
	{"no =", H "A y\n", -22, " | f.kcm:2: error: expected NAME=VALUE [attributes]"},
	{"invalid name", H "A-B=y\n", -22, " | f.kcm:2: error: invalid symbol name 'A-B'"},
	{"empty name", H "=y\n", -22, " | f.kcm:2: error: invalid symbol name ''"},
	{"yes is not y here", H "A=yes\n", -22,
	 " | f.kcm:2: error: invalid value 'yes' for A (y, m, n, \"string\", int or hex)"},
	{"empty value", H "A=\n", -22,
	 " | f.kcm:2: error: invalid value '' for A (y, m, n, \"string\", int or hex)"},
	{"bare word", H "A=abc\n", -22,
	 " | f.kcm:2: error: invalid value 'abc' for A (y, m, n, \"string\", int or hex)"},
	{"hex needs 0x", H "A=0x\nB=ff\n", -22,
	 " | f.kcm:2: error: invalid value '0x' for A (y, m, n, \"string\", int or hex) | f.kcm:3: "
	 "error: invalid value 'ff' for B (y, m, n, \"string\", int or hex)"},
	{"unterminated string", H "S=\"abc\n", -22, " | f.kcm:2: error: unterminated string for S"},
	{"unknown attribute", H "A=y sometimes\n", -22,
	 " | f.kcm:2: error: unknown attribute 'sometimes' (expected optional, mandatory, "
	 "freeform, tristate or priority=N)"},
	{"bad priority", H "A=y priority=high\nB=y priority=\n", -22,
	 " | f.kcm:2: error: invalid priority 'high' | f.kcm:3: error: invalid priority ''"},
	{"tristate string", H "S=\"x\" tristate\n", -22,
	 " | f.kcm:2: error: S: only y/m/n values can be tristate"},
	{"set twice", H "A=y\nA=n\n", -22, "A=y!@2 | f.kcm:3: error: A is already set at line 2"},
	{"unknown directive", H "@include x\n", -22,
	 " | f.kcm:2: error: unknown directive '@include'"},
	{"errors do not hide later good lines", H "A=?\nB=y\n", -22,
	 "B=y!@3 | f.kcm:2: error: invalid value '?' for A (y, m, n, \"string\", int or hex)"},
};

static void test_fragment_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct frag_case *c = &cases[i];
		struct kc_set s;
		struct kc_diags d = {0};
		kc_set_init(&s);
		int r = fragment_read("f.kcm", c->input, strlen(c->input), "CONFIG_", &s, &d);
		char *got = render(&s, &d);
		if (strcmp(got, c->expect) != 0 || r != c->ret)
			fail_msg("case '%s':\n  expected [%s] (%d)\n  got      [%s] (%d)", c->name,
				 c->expect, c->ret, got, r);
		free(got);
		kc_set_free(&s);
		kc_diags_free(&d);
	}
}

static void test_is_structured(void **state)
{
	(void)state;
	assert_true(fragment_is_structured(H, strlen(H)));
	assert_false(fragment_is_structured("CONFIG_A=y\n", 11));
	assert_false(fragment_is_structured("#%kconfig", 9));
}

/* export: a .config becomes a fragment that reads back to the same values, in order. */
static void test_export_roundtrip(void **state)
{
	(void)state;
	const char *config =
		"#\n# Automatically generated\n#\nCONFIG_A=y\n# CONFIG_B is not set\n"
		"CONFIG_C=m\nCONFIG_S=\"a \\\"q\\\" \\\\\"\nCONFIG_I=16\nCONFIG_H=0xff\n";
	struct kc_set in, back;
	struct kc_diags d = {0};
	kc_set_init(&in);
	kc_set_init(&back);
	assert_int_equal(
		kconfig_read(".config", config, strlen(config), "CONFIG_", NULL, NULL, &in, &d), 0);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct fragment_export_opts o = {.priority = 100, .source = ".config"};
	fragment_write(f, &in, &o);
	fclose(f);
	assert_string_equal(buf, "#%kconfig-merge 1\n"
				 "# exported by kconfig-merge from .config\n"
				 "@defaults optional priority=100\n"
				 "A=y\nB=n\nC=m\nS=\"a \\\"q\\\" \\\\\"\nI=16\nH=0xff\n");
	assert_int_equal(fragment_read("x.kcm", buf, size, "CONFIG_", &back, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(back.n, in.n);
	for (size_t i = 0; i < in.n; i++) {
		assert_string_equal(back.v[i].name, in.v[i].name);
		assert_true(kc_entry_same_value(&back.v[i], &in.v[i]));
		assert_int_equal(back.v[i].priority, 100);
		assert_false(back.v[i].mandatory);
	}
	free(buf);
	kc_set_free(&in);
	kc_set_free(&back);
	kc_diags_free(&d);
}

/* A symbol whose own name starts with CONFIG_ keeps it through export and read back. */
static void test_export_prefixed_name(void **state)
{
	(void)state;
	const char *config = "CONFIG_CONFIG_X=y\nCONFIG_X=m\n";
	struct kc_set in, back;
	struct kc_diags d = {0};
	kc_set_init(&in);
	kc_set_init(&back);
	kconfig_read("c", config, strlen(config), "CONFIG_", NULL, NULL, &in, &d);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct fragment_export_opts o = {.priority = 100};
	fragment_write(f, &in, &o);
	fclose(f);
	assert_int_equal(fragment_read("x.kcm", buf, size, "CONFIG_", &back, &d), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].name, "CONFIG_X");
	assert_int_equal(back.v[0].tri, 'y');
	assert_string_equal(back.v[1].name, "X");
	assert_int_equal(back.v[1].tri, 'm');
	free(buf);
	kc_set_free(&in);
	kc_set_free(&back);
	kc_diags_free(&d);
}

static void test_export_mandatory(void **state)
{
	(void)state;
	struct kc_set in;
	struct kc_diags d = {0};
	kc_set_init(&in);
	kconfig_read("c", "CONFIG_A=y\n", 11, "CONFIG_", NULL, NULL, &in, &d);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct fragment_export_opts o = {.priority = -1, .mandatory = true};
	fragment_write(f, &in, &o);
	fclose(f);
	assert_string_equal(buf, "#%kconfig-merge 1\n@defaults mandatory priority=-1\nA=y\n");
	free(buf);
	kc_set_free(&in);
	kc_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragment_table),
		cmocka_unit_test(test_is_structured),
		cmocka_unit_test(test_export_roundtrip),
		cmocka_unit_test(test_export_mandatory),
		cmocka_unit_test(test_export_prefixed_name),
	};
	return cmocka_run_group_tests_name("kconfig_fragment", tests, NULL, NULL);
}
