/* libFuzzer target: the Kconfig file parser (kconfig/kconfig_tree.c ktree_parse): symbols,
 * types, dependencies and the `source` statements it returns. */
#include <errno.h>

#include "fuzz.h"
#include "kconfig/kconfig_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_memdup(data, size);
	struct ktree t;
	ktree_init(&t);
	const char *file = ktree_intern_file(&t, "drivers/fuzz/Kconfig");
	char **sources = NULL;
	size_t n_sources = 0;
	if (file) {
		int r = ktree_parse(&t, file, buf, size, "x86", &sources, &n_sources);
		FUZZ_CHECK(r == 0 || r == -ENOMEM);
		for (size_t i = 0; i < t.n; i++) {
			FUZZ_CHECK(t.v[i].name != NULL && t.v[i].depends != NULL);
			FUZZ_CHECK(ktree_find(&t, t.v[i].name) == &t.v[i]);
			FUZZ_CHECK(kc_type_name(t.v[i].type) != NULL);
			(void)ktree_type(t.v[i].name, kc_name_hash(t.v[i].name), &t);
		}
		for (size_t i = 0; i < n_sources; i++) {
			FUZZ_CHECK(sources[i] != NULL);
			free(sources[i]);
		}
		free(sources);
	}
	ktree_free(&t);
	free(buf);
	return 0;
}
