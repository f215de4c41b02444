/* libFuzzer target: logind's value rules (stage2/logind_values.c): the input is one value,
 * checked for every key type and by each individual parser. */
#include <errno.h>

#include "fuzz.h"
#include "stage2/logind_values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = fuzz_strndup(data, size);
	for (int t = LOGIND_BOOL; t <= LOGIND_N_AUTOVTS; t++) {
		const char *why = NULL;
		int r = logind_value_check((enum logind_type)t, v, &why);
		FUZZ_CHECK(r <= 0);
		FUZZ_CHECK(r == 0 || why != NULL);
	}
	uint64_t u;
	int r = logind_parse_boolean(v);
	FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
	(void)logind_parse_sec(v, &u);
	(void)logind_parse_size(v, 1000, &u);
	(void)logind_parse_size(v, 1024, &u);
	r = logind_parse_permyriad(v);
	FUZZ_CHECK(r <= 10000);
	(void)logind_parse_uint64(v, &u);
	r = logind_parse_action(v);
	FUZZ_CHECK(r < 0 || logind_actions[r] != NULL);
	size_t n_before = 0;
	r = logind_split_words(v, &n_before);
	FUZZ_CHECK(r >= 0 || r == -EINVAL);
	FUZZ_CHECK(r < 0 || (size_t)r <= size);
	free(v);
	return 0;
}
