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
#include "../kconfig/merge.h"

#define S "#%kconfig-merge 1\n" /* structured fragment header */

struct merge_case {
	const char *name;
	const char *inputs[4]; /* a.config, b.config, c.config, d.config */
	const char *prefer;    /* NULL: y,m,n */
	bool strict;
	int ret;
	/* "NAME=value[!]" (! = mandatory), then " | " and the messages. */
	const char *expect;
};

static const struct merge_case cases[] = {
	{"disjoint symbols, sorted by name",
	 {"CONFIG_B=y\n", "CONFIG_A=m\n"},
	 NULL,
	 false,
	 0,
	 "A=m B=y"},
	{"equal values: no message", {"CONFIG_A=y\n", "CONFIG_A=y\n"}, NULL, false, 0, "A=y"},
	{"y beats n, both sources named",
	 {"CONFIG_A=y\n", "# CONFIG_A is not set\n"},
	 NULL,
	 false,
	 0,
	 "A=y | note: CONFIG_A: y (a.config:1) wins over n (b.config:1) (y>m>n)"},
	{"later n does not beat earlier y either",
	 {"# CONFIG_A is not set\n", "\nCONFIG_A=y\n"},
	 NULL,
	 false,
	 0,
	 "A=y | note: CONFIG_A: y (b.config:2) wins over n (a.config:1) (y>m>n)"},
	{"m beats n, y beats m",
	 {"CONFIG_A=m\nCONFIG_B=m\n", "CONFIG_A=n\nCONFIG_B=y\n"},
	 NULL,
	 false,
	 0,
	 "A=m B=y | note: CONFIG_A: m (a.config:1) wins over n (b.config:1) (y>m>n) | note: "
	 "CONFIG_B: y (b.config:2) wins over m (a.config:2) (y>m>n)"},
	{"--prefer n,m,y",
	 {"CONFIG_A=y\n", "CONFIG_A=m\n", "# CONFIG_A is not set\n"},
	 "n,m,y",
	 false,
	 0,
	 "A=n | note: CONFIG_A: m (b.config:1) wins over y (a.config:1) (n>m>y) | note: "
	 "CONFIG_A: n (c.config:1) wins over m (b.config:1) (n>m>y)"},
	{"--strict makes a tristate disagreement an error",
	 {"CONFIG_A=y\n", "CONFIG_A=m\n"},
	 NULL,
	 true,
	 -22,
	 "A=y | error: CONFIG_A: y (a.config:1) wins over m (b.config:1) (y>m>n)"},
	{"--strict: agreement is fine", {"CONFIG_A=y\n", "CONFIG_A=y\n"}, NULL, true, 0, "A=y"},
	{"freeform equal", {"CONFIG_S=\"x\"\n", "CONFIG_S=\"x\"\n"}, NULL, false, 0, "S=\"x\""},
	{"freeform conflict names both sources",
	 {"CONFIG_S=\"x\"\n", "\nCONFIG_S=\"y\"\n"},
	 NULL,
	 false,
	 -22,
	 "S=\"x\" | error: CONFIG_S: conflict: \"x\" (a.config:1) vs \"y\" (b.config:2) (freeform "
	 "values must be equal)"},
	{"int conflict",
	 {"CONFIG_I=5\n", "CONFIG_I=0\n"},
	 NULL,
	 false,
	 -22,
	 "I=5 | error: CONFIG_I: conflict: 5 (a.config:1) vs 0 (b.config:1) (freeform values "
	 "must be equal)"},
	{"hex with and without 0x is one value (kconfig keeps 1000000 for a hex symbol)",
	 {S "PHYSICAL_START=0x1000000\n", "CONFIG_PHYSICAL_START=1000000\n"},
	 NULL,
	 false,
	 0,
	 "PHYSICAL_START=0x1000000! | note: CONFIG_PHYSICAL_START: mandatory (a.config:2) wins "
	 "over optional (b.config:1)"},
	{"hex: the 0x spelling is kept whatever the input order",
	 {"CONFIG_PHYSICAL_START=1000000\n", "CONFIG_PHYSICAL_START=0x1000000\n"},
	 NULL,
	 false,
	 0,
	 "PHYSICAL_START=0x1000000"},
	{"hex: case and leading zeros do not matter",
	 {"CONFIG_H=0x0ABC\n", "CONFIG_H=0xabc\n", "CONFIG_H=0XAbc\n"},
	 NULL,
	 false,
	 0,
	 "H=0XAbc"},
	{"hex: a different number is a conflict",
	 {"CONFIG_H=0x1000000\n", "CONFIG_H=0x2000000\n"},
	 NULL,
	 false,
	 -22,
	 "H=0x1000000 | error: CONFIG_H: conflict: 0x1000000 (a.config:1) vs 0x2000000 "
	 "(b.config:1) "
	 "(freeform values must be equal)"},
	{"digits next to a 0x value are hex: 16 is 0x16, not 0x10",
	 {"CONFIG_H=16\n", "CONFIG_H=0x10\n"},
	 NULL,
	 false,
	 -22,
	 "H=16 | error: CONFIG_H: conflict: 16 (a.config:1) vs 0x10 (b.config:1) (freeform values "
	 "must be equal)"},
	{"int: -0 is 0", {"CONFIG_I=-0\n", "CONFIG_I=0\n"}, NULL, false, 0, "I=0"},
	{"int: a negative number is not its absolute value",
	 {"CONFIG_I=-5\n", "CONFIG_I=5\n"},
	 NULL,
	 false,
	 -22,
	 "I=-5 | error: CONFIG_I: conflict: -5 (a.config:1) vs 5 (b.config:1) (freeform values "
	 "must be equal)"},
	{"tristate marked freeform must be equal",
	 {S "A=n freeform\n", "CONFIG_A=y\n"},
	 NULL,
	 false,
	 -22,
	 "A=n! | error: CONFIG_A: conflict: n (a.config:2) vs y (b.config:1) (freeform values "
	 "must be equal)"},
	{"type conflict",
	 {"CONFIG_A=y\n", "CONFIG_A=\"y\"\n"},
	 NULL,
	 false,
	 -22,
	 "A=y | error: CONFIG_A: conflicting types: y (a.config:1) vs \"y\" (b.config:1)"},
	{"optional + mandatory -> mandatory",
	 {S "A=y optional\n", S "A=y mandatory\n"},
	 NULL,
	 false,
	 0,
	 "A=y! | note: CONFIG_A: mandatory (b.config:2) wins over optional (a.config:2)"},
	{"mandatory + optional -> mandatory",
	 {S "A=y\n", S "A=y optional\n"},
	 NULL,
	 false,
	 0,
	 "A=y! | note: CONFIG_A: mandatory (a.config:2) wins over optional (b.config:2)"},
	{"mandatory even when the optional value wins",
	 {S "A=y optional\n", S "A=m\n"},
	 NULL,
	 false,
	 0,
	 "A=y! | note: CONFIG_A: mandatory (b.config:2) wins over optional (a.config:2) | note: "
	 "CONFIG_A: y (a.config:2) wins over m (b.config:2) (y>m>n)"},
	{"plain .config values are optional", {"CONFIG_A=y\n"}, NULL, false, 0, "A=y"},
	{"priority beats the preference order",
	 {"CONFIG_A=y\n", S "A=n priority=100\n"},
	 NULL,
	 false,
	 0,
	 "A=n! | note: CONFIG_A: n (b.config:2) overrides y (a.config:1) (priority 100 > 0)"},
	{"priority beats a freeform conflict below it",
	 {"CONFIG_S=\"x\"\n", "CONFIG_S=\"y\"\n", S "S=\"z\" priority=1\n"},
	 NULL,
	 false,
	 0,
	 "S=\"z\"! | note: CONFIG_S: \"z\" (c.config:2) overrides \"x\" (a.config:1) (priority 1 "
	 "> 0) | note: CONFIG_S: \"z\" (c.config:2) overrides \"y\" (b.config:1) (priority 1 > "
	 "0)"},
	{"lower-priority agreement is not reported",
	 {"CONFIG_A=n\n", S "A=n priority=5\n"},
	 NULL,
	 false,
	 0,
	 "A=n!"},
	{"negative priority (a base) loses to plain fragments",
	 {S "@defaults optional priority=-100\nA=y\n", "# CONFIG_A is not set\n"},
	 NULL,
	 false,
	 0,
	 "A=n | note: CONFIG_A: n (b.config:1) overrides y (a.config:3) (priority 0 > -100)"},
	{"tristate rule within the top priority only",
	 {S "A=m priority=2\n", S "A=y priority=1\n", S "A=n priority=2\n"},
	 NULL,
	 false,
	 0,
	 "A=m! | note: CONFIG_A: m (a.config:2) wins over n (c.config:2) (y>m>n) | note: "
	 "CONFIG_A: m (a.config:2) overrides y (b.config:2) (priority 2 > 1)"},
};

static const char *const names[] = {"a.config", "b.config", "c.config", "d.config"};

static void run_case(const struct merge_case *c)
{
	struct merger m = {0};
	struct kc_diags d = {0};
	struct merge_opts o;
	merge_opts_default(&o);
	if (c->prefer)
		assert_int_equal(merge_parse_prefer(c->prefer, o.prefer), 0);
	o.strict = c->strict;
	for (size_t i = 0; i < 4 && c->inputs[i]; i++) {
		struct kc_set s;
		kc_set_init(&s);
		const char *in = c->inputs[i];
		if (fragment_is_structured(in, strlen(in)))
			assert_int_equal(fragment_read(names[i], in, strlen(in), "CONFIG_", &s, &d),
					 0);
		else
			assert_int_equal(kconfig_read(names[i], in, strlen(in), "CONFIG_", NULL,
						      NULL, &s, &d),
					 0);
		assert_int_equal(merge_add(&m, &s), 0);
		kc_set_free(&s);
	}
	struct kc_set out;
	kc_set_init(&out);
	int r = merge_resolve(&m, &o, &out, &d);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	for (size_t i = 0; i < out.n; i++) {
		fprintf(f, "%s%s=", i ? " " : "", out.v[i].name);
		kc_value_write(f, &out.v[i]);
		if (out.v[i].mandatory)
			fputc('!', f);
	}
	for (size_t i = 0; i < d.n; i++)
		fprintf(f, " | %s", d.v[i].text);
	fclose(f);
	if (strcmp(buf, c->expect) != 0 || r != c->ret)
		fail_msg("case '%s':\n  expected [%s] (%d)\n  got      [%s] (%d)", c->name,
			 c->expect, c->ret, buf, r);
	free(buf);
	kc_set_free(&out);
	kc_diags_free(&d);
	merge_free(&m);
}

static void test_merge_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static void test_parse_prefer(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} ok[] = {{"n,m,y", "nmy"}, {"y>m>n", "ymn"}, {"mny", "mny"}};
	static const char *const bad[] = {"", "y,m", "y,m,n,y", "y,y,n", "a,m,n"};
	char p[4];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(merge_parse_prefer(ok[i].in, p), 0);
		assert_string_equal(p, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (merge_parse_prefer(bad[i], p) == 0)
			fail_msg("'%s' accepted", bad[i]);
}

/* Same inputs in another order: same output, same decisions (stable and deterministic). */
static void test_order_independent_result(void **state)
{
	(void)state;
	const char *a = "CONFIG_X=y\nCONFIG_Y=m\n", *b = "# CONFIG_X is not set\nCONFIG_Z=y\n";
	char *outs[2];
	for (int k = 0; k < 2; k++) {
		struct merger m = {0};
		struct kc_diags d = {0};
		struct merge_opts o;
		merge_opts_default(&o);
		const char *in[2] = {k ? b : a, k ? a : b};
		for (int i = 0; i < 2; i++) {
			struct kc_set s;
			kc_set_init(&s);
			kconfig_read("f", in[i], strlen(in[i]), "CONFIG_", NULL, NULL, &s, &d);
			merge_add(&m, &s);
			kc_set_free(&s);
		}
		struct kc_set out;
		kc_set_init(&out);
		assert_int_equal(merge_resolve(&m, &o, &out, &d), 0);
		size_t size;
		FILE *f = open_memstream(&outs[k], &size);
		for (size_t i = 0; i < out.n; i++)
			kc_entry_write_config(f, "CONFIG_", &out.v[i]);
		fclose(f);
		kc_set_free(&out);
		kc_diags_free(&d);
		merge_free(&m);
	}
	assert_string_equal(outs[0], outs[1]);
	assert_string_equal(outs[0], "CONFIG_X=y\nCONFIG_Y=m\nCONFIG_Z=y\n");
	free(outs[0]);
	free(outs[1]);
}

/* The merge sorts symbols by a radix sort on their first 8 bytes, then by the whole name:
 * names that share 8 or more bytes, are prefixes of each other, or differ only in a byte above
 * 0x7f must come out in strcmp order, and every symbol of 3,000 must be found again. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_sorted_like_strcmp(void **state)
{
	(void)state;
	enum { N = 3000 };
	static char names_buf[N][24];
	char *sorted[N];
	char *in = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&in, &size);
	for (unsigned i = 0; i < N; i++) {
		/* Shared prefixes of every length: USB_STORAGE, USB_STORAGE_1, USB_STOR, ... */
		unsigned k = (i * 7919u) % N; /* a fixed shuffle */
		static const char *const stems[] = {"USB_STORAGE",  "USB_STOR", "U",
						    "USB_STORAGE_", "A",	"ZZZZZZZZZ"};
		snprintf(names_buf[i], sizeof(names_buf[i]), "%s%u", stems[k % 6], k / 6);
		if (k % 6 == 2)
			snprintf(names_buf[i], sizeof(names_buf[i]), "%s", stems[0] + (k / 6) % 11);
		sorted[i] = names_buf[i];
		fprintf(f, "CONFIG_%s=y\n", names_buf[i]);
	}
	fclose(f);
	struct kc_diags d = {0};
	struct kc_set s;
	kc_set_init(&s);
	assert_int_equal(kconfig_read("big", in, size, "CONFIG_", NULL, NULL, &s, &d), 0);
	struct merger m = {0};
	assert_int_equal(merge_take(&m, &s), 0);
	struct kc_set out;
	kc_set_init(&out);
	struct merge_opts o;
	merge_opts_default(&o);
	assert_int_equal(merge_resolve(&m, &o, &out, &d), 0);
	/* Duplicate names (the "U" stem repeats) collapse into one symbol. */
	qsort(sorted, N, sizeof(*sorted), cmp_str);
	size_t n = 0;
	for (size_t i = 0; i < N; i++)
		if (!n || strcmp(sorted[n - 1], sorted[i]) != 0)
			sorted[n++] = sorted[i];
	assert_int_equal(out.n, n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(out.v[i].name, sorted[i]) != 0)
			fail_msg("position %zu: expected %s, got %s", i, sorted[i], out.v[i].name);
		/* The index after growing and after the sort finds every entry. */
		assert_ptr_equal(kc_set_find(&out, sorted[i]), &out.v[i]);
	}
	kc_set_sort(&out);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(kc_set_find(&out, sorted[i]), &out.v[i]);
	assert_null(kc_set_find(&out, "USB_STORAGE_X"));
	/* An index that grows entry by entry (no reserve) keeps finding everything. */
	struct kc_set g;
	kc_set_init(&g);
	for (size_t i = 0; i < n; i++) {
		struct kc_entry e = {.name = strdup(sorted[i]), .kind = KC_V_TRI, .tri = 'y'};
		assert_non_null(kc_set_put(&g, &e));
	}
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(kc_set_find(&g, sorted[i]), &g.v[i]);
	kc_set_free(&g);
	free(in);
	kc_set_free(&out);
	kc_diags_free(&d);
	merge_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_table),
		cmocka_unit_test(test_parse_prefer),
		cmocka_unit_test(test_order_independent_result),
		cmocka_unit_test(test_sorted_like_strcmp),
	};
	return cmocka_run_group_tests_name("kconfig_merge", tests, NULL, NULL);
}
