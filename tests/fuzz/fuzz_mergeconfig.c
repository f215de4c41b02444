/* libFuzzer target: the merge_config.sh-compatible text merge (kconfig/mergeconfig.c): a base
 * .config, a fragment merged into it with every option on and with none, the rendered result,
 * and the final requested-vs-actual check against the base.
 * Input: the base, a line "#--", the fragment (without that line: the input is both). */
#include <errno.h>

#include "fuzz.h"
#include "kconfig/mergeconfig.h"

static FILE *devnull;

static void merge(const char *base, size_t base_len, const char *frag, size_t frag_len,
		  const struct mc_opts *o)
{
	struct mc_text t;
	bool strict = false;
	if (mc_text_from(&t, base, base_len) == 0 &&
	    mc_merge_fragment(&t, "fuzz.config", frag, frag_len, o, devnull, &strict) == 0) {
		FUZZ_CHECK(!strict || o->strict);
		char *out = NULL;
		size_t len = 0;
		if (mc_text_render(&t, &out, &len) == 0) {
			FUZZ_CHECK(len <= base_len + frag_len + 2 * (t.n + 1));
			int r = mc_check(&t, out, len, o->prefix, devnull);
			FUZZ_CHECK(r >= 0 || r == -ENOMEM);
			r = mc_check(&t, base, base_len, o->prefix, devnull);
			FUZZ_CHECK(r >= 0 || r == -ENOMEM);
		}
		free(out);
	}
	mc_text_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	const uint8_t *a, *b;
	size_t a_len, b_len;
	fuzz_split_marker(data, size, "\n#--\n", &a, &a_len, &b, &b_len);
	char *base = fuzz_memdup(a, a_len), *frag = fuzz_memdup(b, b_len);
	merge(base, a_len, frag, b_len, &(struct mc_opts){.prefix = "CONFIG_"});
	merge(base, a_len, frag, b_len,
	      &(struct mc_opts){.builtin = true,
				.warn_redundant = true,
				.strict = true,
				.prefix = "CONFIG_"});
	free(base);
	free(frag);
	return 0;
}
