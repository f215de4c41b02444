/* Tests for initrd/bkeymap.c: the binary keymap (loadkeys -b) parser and keymap names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/bkeymap.h"

#define HEAD (BKEYMAP_MAGIC_LEN + BKEYMAP_TABLES)
#define TABLE_BYTES (BKEYMAP_KEYS * 2)

/* A map with the given tables flagged; entry (n, key) = n * 1000 + key. */
static uint8_t *make_map(const int *tables, size_t n, size_t *len)
{
	*len = HEAD + n * TABLE_BYTES;
	uint8_t *m = calloc(1, *len + 16);
	assert_non_null(m);
	memcpy(m, BKEYMAP_MAGIC, BKEYMAP_MAGIC_LEN);
	for (size_t i = 0; i < n; i++) {
		m[BKEYMAP_MAGIC_LEN + tables[i]] = 1;
		for (size_t k = 0; k < BKEYMAP_KEYS; k++) {
			uint16_t v = (uint16_t)(i * 1000 + k);
			memcpy(m + HEAD + (i * BKEYMAP_KEYS + k) * 2, &v, 2);
		}
	}
	return m;
}

static void test_valid(void **state)
{
	(void)state;
	static const int tables[] = {0, 1, 2, 12};
	size_t len;
	uint8_t *m = make_map(tables, 4, &len);
	struct bkeymap km;
	char why[256] = "";
	assert_int_equal(bkeymap_parse(m, len, &km, why, sizeof(why)), 0);
	assert_int_equal(km.n_tables, 4);
	assert_int_equal(km.tables[3], 12);
	assert_int_equal(bkeymap_value(&km, 0, 0), 0);
	assert_int_equal(bkeymap_value(&km, 3, 127), 3127);
	assert_int_equal(bkeymap_value(&km, 1, 44), 1044);
	free(m);
}

struct bad_case {
	const char *name;
	size_t cut;	/* bytes removed from the end (or added, with extra) */
	size_t extra;	/* trailing bytes added */
	int flag_table; /* a table whose flag is set to flag_value, -1 none */
	uint8_t flag_value;
	bool bad_magic;
	const char *want; /* substring of why */
};

static const struct bad_case bad_cases[] = {
	{"wrong magic", 0, 0, -1, 0, true, "does not start with \"bkeymap\""},
	{"cut in the flags", HEAD + 2 * TABLE_BYTES - 100, 0, -1, 0, false, "cut short: 100 bytes"},
	{"cut in the entries", 1, 0, -1, 0, false, "cut short"},
	{"trailing data", 0, 2, -1, 0, false, "trailing data"},
	{"flag byte 2", 0, 0, 5, 2, false, "offset 12: flag of table 5 is 2"},
	{"no plain table", 0, 0, 0, 0, false, "no plain table"},
};

static void test_bad(void **state)
{
	(void)state;
	static const int tables[] = {0, 1};
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len;
		uint8_t *m = make_map(tables, 2, &len);
		if (c->bad_magic)
			m[0] = 'B';
		if (c->flag_table >= 0)
			m[BKEYMAP_MAGIC_LEN + c->flag_table] = c->flag_value;
		len = len - c->cut + c->extra;
		struct bkeymap km;
		char why[256] = "";
		int r = bkeymap_parse(m, len, &km, why, sizeof(why));
		if (r != -EINVAL || !strstr(why, c->want))
			fail_msg("%s: got %d '%s', want -EINVAL '%s'", c->name, r, why, c->want);
		free(m);
	}
	struct bkeymap km;
	char why[256];
	assert_int_equal(bkeymap_parse("", 0, &km, why, sizeof(why)), -EINVAL);
	assert_int_equal(bkeymap_parse("bkeymap", 7, &km, why, sizeof(why)), -EINVAL);
}

/* The real thing: `ckbcomp de | loadkeys -u -b`, when the build host has both (a skip is
 * printed otherwise). On de, the key with keycode 21 (Y on a US keyboard) gives z. */
static void test_real_de(void **state)
{
	(void)state;
	FILE *p = popen("ckbcomp de 2>/dev/null | loadkeys -u -b 2>/dev/null", "r");
	static uint8_t buf[65536];
	size_t len = p ? fread(buf, 1, sizeof(buf), p) : 0;
	if (p)
		pclose(p);
	if (len == 0) {
		printf("SKIP: ckbcomp/loadkeys not installed (console-setup, kbd)\n");
		return;
	}
	struct bkeymap km;
	char why[256] = "";
	assert_int_equal(bkeymap_parse(buf, len, &km, why, sizeof(why)), 0);
	assert_int_equal(km.tables[0], 0);
	/* KT_LETTER (0x0b) << 8 | 'z' */
	assert_int_equal(bkeymap_value(&km, 0, 21) & 0xff, 'z');
	assert_int_equal(bkeymap_value(&km, 0, 44) & 0xff, 'y');
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"de", true},
		{"de-latin1-nodeadkeys", true},
		{"us+intl", true},
		{"fr_CH", true},
		{"", false},
		{".hidden", false},
		{"../etc", false},
		{"a/b", false},
		{"de latin", false},
		{"de\n", false},
		{"0123456789012345678901234567890123456789012345678901234567890123", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (bkeymap_name_valid(cases[i].name) != cases[i].ok)
			fail_msg("'%s': want %s", cases[i].name, cases[i].ok ? "valid" : "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_real_de),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("bkeymap", tests, NULL, NULL);
}
