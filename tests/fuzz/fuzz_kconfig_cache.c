/* libFuzzer target: the Kconfig tree cache reader (kconfig/kconfig_cache.c kcache_read) as
 * kconfig-merge uses it since cache format 2: on a read-only mapping, which it must never write
 * to, and whose last byte is followed by an inaccessible page (ASan does not see mappings: an
 * index or length pointing past the end faults there). The input is sealed (a correct length
 * and checksum) unless its last byte is odd, so that the structural checks behind the checksum
 * are what is fuzzed. Seeds: real caches of small trees (tests/fuzz/corpus/kconfig_cache/). */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "kconfig/kconfig.h"
#include "kconfig/kconfig_cache.h"

/* Whether s is a NUL-terminated string inside [lo, hi). */
static int inside(const char *s, const char *lo, const char *hi)
{
	if (s < lo || s >= hi)
		return 0;
	return memchr(s, '\0', (size_t)(hi - s)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (size + page - 1) / page;
	char *map = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FUZZ_CHECK(map != MAP_FAILED);
	char *c = map + pages * page - size; /* ends where the guard page begins */
	memcpy(c, data, size);
	if (!(data[size - 1] & 1))
		kcache_seal(c, size);
	FUZZ_CHECK(mprotect(map, pages * page, PROT_READ) == 0);
	FUZZ_CHECK(mprotect(map + pages * page, page, PROT_NONE) == 0);

	struct ktree t;
	struct kcache_key key = {0};
	ktree_init(&t);
	int r = kcache_read(c, size, &key, &t);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	if (r == 0) {
		const char *end = c + size;
		FUZZ_CHECK(t.arena == c && key.tree && key.srcarch);
		FUZZ_CHECK(t.n_files <= key.n_files);
		for (size_t i = 0; i < key.n_files; i++)
			FUZZ_CHECK(inside(key.files[i].path, c, end) && *key.files[i].path);
		for (size_t i = 0; i < t.n_files; i++)
			FUZZ_CHECK(inside(t.files[i], c, end));
		for (size_t i = 0; i < t.n; i++) {
			const struct ksym *k = &t.v[i];
			FUZZ_CHECK(inside(k->name, c, end) && inside(k->depends, c, end));
			FUZZ_CHECK(*k->name && k->name[kc_symbol_span(k->name)] == '\0');
			/* The hash the reader computed while checking the name is kc_name_hash's.
			 */
			FUZZ_CHECK(ktree_find(&t, k->name) == k);
			FUZZ_CHECK(kc_type_name(k->type) != NULL);
			int known = 0;
			for (size_t j = 0; j < t.n_files && !known; j++)
				known = k->src.file == t.files[j];
			FUZZ_CHECK(known);
		}
		/* Taken over as kconfig-merge does (io.c cache_load): ktree_free unmaps it. */
		t.arena = map;
		t.arena_map_len = (pages + 1) * page;
		kcache_key_free(&key);
		ktree_free(&t);
	} else {
		FUZZ_CHECK(t.n == 0 && t.n_files == 0 && key.n_files == 0);
		FUZZ_CHECK(munmap(map, (pages + 1) * page) == 0);
	}
	return 0;
}
