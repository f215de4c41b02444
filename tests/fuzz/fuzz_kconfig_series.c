/* libFuzzer target: kconfig-merge's patch series reader (kconfig/series.c): quilt's series file
 * (series_parse) and a patch (patch_scan, plain and reversed), whose Kconfig-fragment: block is
 * then read as a fragment; and the Kconfig tree cache reader (kconfig/kconfig_cache.c) on the
 * same bytes, sealed with a correct checksum half of the time so that its structural checks are
 * reached. Input: the series file up to the first line "#--", the patch after it. */
#include <errno.h>

#include "fuzz.h"
#include "kconfig/fragment.h"
#include "kconfig/kconfig_cache.h"
#include "kconfig/kconfig_read.h"
#include "kconfig/series.h"

static void check_patch(const char *data, size_t len, bool reverse)
{
	struct patch_info p;
	struct kc_diags d = {0};
	int r = patch_scan("p.patch", data, len, 1, reverse, &p, &d);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	FUZZ_CHECK(r != -EINVAL || d.errors > 0);
	unsigned lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	for (size_t i = 0; i < p.n_syms; i++) {
		FUZZ_CHECK(p.syms[i].name && *p.syms[i].name && p.syms[i].kconfig);
		FUZZ_CHECK(p.syms[i].line >= 1 && p.syms[i].line <= lines);
		FUZZ_CHECK(p.syms[i].name[kc_symbol_span(p.syms[i].name)] == '\0');
	}
	if (p.fragment) {
		FUZZ_CHECK(strlen(p.fragment) == p.fragment_len);
		FUZZ_CHECK(p.fragment_line >= 1 && p.fragment_line <= lines);
		/* The block read as a fragment: every value names a line of the patch after the
		 * Kconfig-fragment: line. */
		struct kc_set s;
		kc_set_init(&s);
		if (fragment_is_structured(p.fragment, p.fragment_len))
			fragment_read("p.patch", p.fragment, p.fragment_len, "CONFIG_", &s, &d);
		else
			kconfig_read("p.patch", p.fragment, p.fragment_len, "CONFIG_", NULL, NULL,
				     &s, &d);
		for (size_t i = 0; i < s.n; i++)
			FUZZ_CHECK(s.v[i].src.line > p.fragment_line && s.v[i].src.line <= lines);
		kc_set_free(&s);
	}
	patch_info_free(&p);
	kc_diags_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = NULL;
	for (size_t i = 0; i + 3 <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, "#--", 3) == 0) {
			sep = data + i;
			break;
		}
	size_t slen = sep ? (size_t)(sep - data) : size;
	const uint8_t *patch = sep ? sep + 3 : data + size;
	size_t plen = (size_t)(data + size - patch);

	char *series = malloc(slen ? slen : 1);
	memcpy(series, data, slen);
	struct series s = {0};
	struct kc_diags d = {0};
	int r = series_parse("series", series, slen, &s, &d);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	for (size_t i = 0; i < s.n; i++) {
		FUZZ_CHECK(s.v[i].name && *s.v[i].name && s.v[i].name[0] != '/');
		FUZZ_CHECK(s.v[i].strip >= 0 && s.v[i].line >= 1);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(s.v[i].name, s.v[j].name) != 0);
		char *kcm, *config;
		if (series_sibling_names(s.v[i].name, &kcm, &config) == 0) {
			free(kcm);
			free(config);
		}
	}
	series_free(&s);
	kc_diags_free(&d);
	free(series);

	char *p = malloc(plen ? plen : 1);
	memcpy(p, patch, plen);
	check_patch(p, plen, false);
	check_patch(p, plen, true);
	free(p);

	/* The same bytes as a Kconfig cache. */
	char *c = malloc(size ? size : 1);
	memcpy(c, data, size);
	if (size && (data[size - 1] & 1))
		kcache_seal(c, size);
	struct ktree t;
	struct kcache_key key = {0};
	ktree_init(&t);
	r = kcache_read(c, size, &key, &t);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r == 0) {
		for (size_t i = 0; i < t.n; i++) {
			FUZZ_CHECK(ktree_find(&t, t.v[i].name) == &t.v[i]);
			FUZZ_CHECK(t.v[i].depends && t.v[i].src.file);
		}
		kcache_key_free(&key);
		ktree_free(&t); /* frees c */
	} else {
		FUZZ_CHECK(t.n == 0 && key.n_files == 0);
		free(c);
	}
	return 0;
}
