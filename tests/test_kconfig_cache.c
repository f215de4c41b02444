/* The Kconfig tree cache (kconfig/kconfig_cache.c): a tree written and read back is the same
 * tree; a damaged cache (any byte changed, any truncation, a wrong version, counts, indexes,
 * types, duplicate symbols behind a correct checksum) is refused as a whole, never half used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kconfig/kconfig_cache.h"

static const char top[] = "source \"sub/Kconfig\"\n"
			  "config A\n\tbool \"a\"\n\tdepends on B || C\n"
			  "config NUM\n\thex \"n\"\n";
static const char sub[] = "menu \"m\"\n\tdepends on X\n"
			  "config B\n\ttristate \"b\"\n"
			  "config S\n\tstring \"s\"\n"
			  "endmenu\n";

static void build(struct ktree *t, struct kcache_key *k)
{
	ktree_init(t);
	memset(k, 0, sizeof(*k));
	k->tree = strdup("/src/linux");
	k->srcarch = strdup("x86");
	const char *files[] = {"Kconfig", "sub/Kconfig"}, *texts[] = {top, sub};
	for (int i = 0; i < 2; i++) {
		const char *f = ktree_intern_file(t, files[i]);
		char **src = NULL;
		size_t n = 0;
		assert_int_equal(ktree_parse(t, f, texts[i], strlen(texts[i]), "x86", &src, &n), 0);
		for (size_t j = 0; j < n; j++)
			free(src[j]);
		free(src);
		struct kcache_stamp st = {
			1, 100u + (unsigned)i, strlen(texts[i]), 1700000000, 5, 1700000000, 6};
		assert_int_equal(kcache_key_add(k, files[i], true, &st), 0);
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	struct ktree t, r;
	struct kcache_key k, rk = {0};
	build(&t, &k);
	char *data;
	size_t len;
	assert_int_equal(kcache_write(&k, &t, &data, &len), 0);
	ktree_init(&r);
	assert_int_equal(kcache_read(data, len, &rk, &r), 0); /* r owns data now */
	assert_string_equal(rk.tree, "/src/linux");
	assert_string_equal(rk.srcarch, "x86");
	assert_int_equal(rk.n_files, 2);
	assert_string_equal(rk.files[1].path, "sub/Kconfig");
	assert_true(rk.files[1].present);
	assert_memory_equal(&rk.files[1].st, &k.files[1].st, sizeof(k.files[1].st));
	assert_int_equal(r.n, t.n);
	assert_int_equal(r.n_files, 2);
	for (size_t i = 0; i < t.n; i++) {
		const struct ksym *a = &t.v[i], *b = ktree_find(&r, a->name);
		if (!b)
			fail_msg("%s lost", a->name);
		assert_int_equal(a->type, b->type);
		assert_string_equal(a->depends, b->depends);
		assert_string_equal(a->src.file, b->src.file);
		assert_int_equal(a->src.line, b->src.line);
	}
	const struct ksym *b = ktree_find(&r, "B");
	assert_string_equal(b->depends, "X");
	assert_string_equal(b->src.file, "sub/Kconfig");
	assert_int_equal(ktree_find(&r, "NUM")->type, KC_TYPE_HEX);
	assert_null(ktree_find(&r, "NOPE"));
	kcache_key_free(&rk);
	ktree_free(&r);
	kcache_key_free(&k);
	ktree_free(&t);
}

static int try_read(const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	struct ktree r;
	struct kcache_key rk = {0};
	ktree_init(&r);
	int ret = kcache_read(copy, len, &rk, &r);
	if (ret == 0) {
		kcache_key_free(&rk);
		ktree_free(&r); /* frees copy */
	} else {
		assert_int_equal(r.n, 0);
		assert_null(rk.files);
		free(copy);
	}
	return ret;
}

static void test_damage_refused(void **state)
{
	(void)state;
	struct ktree t;
	struct kcache_key k;
	build(&t, &k);
	char *data;
	size_t len;
	assert_int_equal(kcache_write(&k, &t, &data, &len), 0);
	assert_int_equal(try_read(data, len), 0);
	/* Every truncation, every changed byte. */
	for (size_t n = 0; n < len; n++)
		if (try_read(data, n) != -EBADMSG)
			fail_msg("cut to %zu bytes: accepted", n);
	for (size_t i = 0; i < len; i++) {
		data[i] ^= 0x20;
		if (try_read(data, len) != -EBADMSG)
			fail_msg("byte %zu changed: accepted", i);
		data[i] ^= 0x20;
	}
	/* A trailing byte. */
	char *longer = malloc(len + 1);
	memcpy(longer, data, len);
	longer[len] = 0;
	kcache_seal(longer, len + 1);
	assert_int_equal(try_read(longer, len + 1), -EBADMSG);
	free(longer);
	free(data);
	kcache_key_free(&k);
	ktree_free(&t);
}

/* Damage behind a correct checksum (a bug, or a fuzzer): the structure is checked too. */
static void test_structure_checked(void **state)
{
	(void)state;
	struct ktree t;
	struct kcache_key k;
	build(&t, &k);
	char *data;
	size_t len;
	assert_int_equal(kcache_write(&k, &t, &data, &len), 0);
	/* Find the first symbol record: after the files. Its name is "A" (u32 1, 'A', NUL). */
	const char pat[] = {1, 0, 0, 0, 'A', 0};
	char *a = memmem(data, len, pat, sizeof(pat));
	assert_non_null(a);
	char *type = a + sizeof(pat), *depends_len = type + 1;
	uint32_t dl;
	memcpy(&dl, depends_len, 4);
	char *file = depends_len + 4 + dl + 1;
	static const struct {
		const char *what;
		size_t off; /* from a */
		char byte;
	} cases[] = {{"type 6", 0, 6},
		     {"file index 7", 1, 7},
		     {"name not a symbol", 2, '-'},
		     {"name with a NUL", 3, 0},
		     {"duplicate name (A -> B)", 4, 'B'}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = cases[i].off == 0 ? type : cases[i].off == 1 ? file : a + 4;
		char old = *p;
		*p = cases[i].byte;
		/* "A" renamed "B": B is defined later in sub/Kconfig, so B comes twice. */
		kcache_seal(data, len);
		if (try_read(data, len) != -EBADMSG)
			fail_msg("%s: accepted", cases[i].what);
		*p = old;
	}
	kcache_seal(data, len);
	assert_int_equal(try_read(data, len), 0);
	free(data);
	kcache_key_free(&k);
	ktree_free(&t);
}

/* Pruning: caches unused for longer than the maximum age go, and all but the most recently
 * used ones; the choice does not depend on the directory's order. */
static void test_prune_select(void **state)
{
	(void)state;
	enum { DAY = 24 * 3600, NOW = 1800000000 };
	static const struct {
		const char *what;
		size_t n, keep;
		int64_t age_days[6]; /* last use, days before NOW */
		const char *removed; /* by index, in the input's order: "x" removed, "." kept */
	} cases[] = {
		{"none old, under the count", 3, 8, {0, 1, 29}, "..."},
		{"older than 30 days", 4, 8, {0, 31, 30, 400}, ".x.x"},
		{"over the count: the least recently used go", 5, 3, {5, 1, 3, 2, 4}, "x...x"},
		{"old ones go even under the count", 6, 4, {40, 0, 1, 2, 50, 0}, "x...x."},
		{"both rules", 6, 2, {40, 0, 1, 2, 50, 0}, "x.xxx."},
		{"equal times: by name", 3, 2, {1, 1, 1}, "..x"},
		{"keep none", 2, 0, {0, 0}, "xx"},
		{"empty directory", 0, 8, {0}, ""},
	};
	static const char *const names[] = {"tree-a", "tree-b", "tree-c",
					    "tree-d", "tree-e", "tree-f"};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct kcache_dirent v[6];
		for (size_t i = 0; i < cases[c].n; i++)
			v[i] = (struct kcache_dirent){names[i], NOW - cases[c].age_days[i] * DAY,
						      false};
		/* In reverse: the result must not depend on the order given. */
		for (size_t i = 0; i < cases[c].n / 2; i++) {
			struct kcache_dirent x = v[i];
			v[i] = v[cases[c].n - 1 - i];
			v[cases[c].n - 1 - i] = x;
		}
		size_t marked = kcache_prune_select(v, cases[c].n, NOW, 30 * DAY, cases[c].keep);
		char got[7] = "";
		size_t want_marked = 0;
		for (size_t i = 0; i < cases[c].n; i++) {
			want_marked += cases[c].removed[i] == 'x';
			for (size_t j = 0; j < cases[c].n; j++)
				if (strcmp(v[j].name, names[i]) == 0)
					got[i] = v[j].remove ? 'x' : '.';
		}
		if (strcmp(got, cases[c].removed) != 0 || marked != want_marked)
			fail_msg("%s: removed %s (%zu), expected %s", cases[c].what, got, marked,
				 cases[c].removed);
	}
}

/* Pruning touches only the names this program writes (the cache directory may be shared, or
 * hold the user's own files): a cache, or a temporary one with mkstemp's 6 characters. */
static void test_name_kind(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum kcache_name_kind kind;
	} cases[] = {
		{"tree-0123456789abcdef-x86.kct", KCACHE_NAME_CACHE},
		{"tree-0123456789abcdef-arm64.kct", KCACHE_NAME_CACHE},
		{"tree-0123456789abcdef-x86.kct.tmpAb3dEf", KCACHE_NAME_TMP},
		{"tree-0123456789abcdef-x86.kct.tmp", KCACHE_NAME_OTHER},
		{"tree-0123456789abcdef-x86.kct.tmpAbCdEfG", KCACHE_NAME_OTHER},
		{"tree-0123456789abcdef-x86.kct.tmp-old!", KCACHE_NAME_OTHER},
		{"tree-backup.kct.tmp-before-upgrade", KCACHE_NAME_OTHER},
		{"tree-mine.kct.tmp", KCACHE_NAME_OTHER},
		{"tree-mine.kct", KCACHE_NAME_OTHER},
		{"tree-0123456789ABCDEF-x86.kct", KCACHE_NAME_OTHER},
		{"tree-0123456789abcde-x86.kct", KCACHE_NAME_OTHER},
		{"tree-0123456789abcdef-.kct", KCACHE_NAME_OTHER},
		{"tree-0123456789abcdef-x86.kct.bak", KCACHE_NAME_OTHER},
		{"tree-0123456789abcdef-x86.kctx", KCACHE_NAME_OTHER},
		{"tree-0123456789abcdef-x86.kct ", KCACHE_NAME_OTHER},
		{"xtree-0123456789abcdef-x86.kct", KCACHE_NAME_OTHER},
		{"notes.txt", KCACHE_NAME_OTHER},
		{"", KCACHE_NAME_OTHER},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (kcache_name_kind(cases[i].name) != cases[i].kind)
			fail_msg("'%s': kind %d, expected %d", cases[i].name,
				 kcache_name_kind(cases[i].name), cases[i].kind);
}

/* A tree the size of a real one (the index starts at 4,096 slots and grows several times,
 * reusing the stored hashes): every symbol is found with its line, parsed and read back from a
 * cache. */
static void test_index_growth(void **state)
{
	(void)state;
	enum { N = 20000 };
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	for (unsigned i = 0; i < N; i++)
		fprintf(f, "config SYM_%u\n\tbool \"s\"\n", (i * 7919u) % N);
	fclose(f);
	struct ktree t, r;
	struct kcache_key k = {0}, rk = {0};
	ktree_init(&t);
	k.tree = strdup("/t");
	k.srcarch = strdup("x86");
	const char *file = ktree_intern_file(&t, "Kconfig");
	char **src = NULL;
	size_t n_src = 0;
	assert_int_equal(ktree_parse(&t, file, text, size, "x86", &src, &n_src), 0);
	struct kcache_stamp st = {1, 2, size, 3, 4, 5, 6};
	assert_int_equal(kcache_key_add(&k, "Kconfig", true, &st), 0);
	char *data;
	size_t len;
	assert_int_equal(kcache_write(&k, &t, &data, &len), 0);
	ktree_init(&r);
	assert_int_equal(kcache_read(data, len, &rk, &r), 0);
	assert_int_equal(t.n, N);
	assert_int_equal(r.n, N);
	for (unsigned i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof(name), "SYM_%u", (i * 7919u) % N);
		const struct ksym *a = ktree_find(&t, name), *b = ktree_find(&r, name);
		if (!a || !b || a->src.line != 2 * i + 1 || b->src.line != 2 * i + 1)
			fail_msg("%s: not found or wrong line after growth", name);
	}
	assert_null(ktree_find(&t, "SYM_20000"));
	free(text);
	kcache_key_free(&k);
	kcache_key_free(&rk);
	ktree_free(&t);
	ktree_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),	  cmocka_unit_test(test_damage_refused),
		cmocka_unit_test(test_structure_checked), cmocka_unit_test(test_index_growth),
		cmocka_unit_test(test_prune_select),	  cmocka_unit_test(test_name_kind),
	};
	return cmocka_run_group_tests_name("kconfig_cache", tests, NULL, NULL);
}
