/* libFuzzer target: stage 2's kernel command line reader (stage2/cmdline.c). The first byte
 * picks the key and value buffer sizes (exactly allocated, so an overflow is caught). */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "stage2/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t key_size = (size_t)(data[0] & 0x0f) + 1,
	       value_size = (size_t)(data[0] >> 4) * 16 + 1;
	char *line = fuzz_strndup(data + 1, size - 1);
	char *key = malloc(key_size), *value = malloc(value_size);
	if (!key || !value)
		abort();

	const char *p = line;
	bool has_value;
	int r;
	while ((r = cmdline_next(&p, key, key_size, value, value_size, &has_value)) != 0) {
		FUZZ_CHECK(r == 1 || r == -ENAMETOOLONG);
		FUZZ_CHECK(p > line && p <= line + strlen(line));
		if (r == 1) {
			FUZZ_CHECK(strnlen(key, key_size) < key_size);
			FUZZ_CHECK(strnlen(value, value_size) < value_size);
			FUZZ_CHECK(has_value || value[0] == '\0');
		}
	}
	FUZZ_CHECK(*p == '\0');

	r = cmdline_get(line, "initkit.stage2.init", value, value_size);
	FUZZ_CHECK(r == 0 || r == 1 || r == -ENAMETOOLONG);
	if (r == 1)
		FUZZ_CHECK(strnlen(value, value_size) < value_size);

	free(key);
	free(value);
	free(line);
	return 0;
}
