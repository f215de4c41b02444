/* libFuzzer target: the binary keymap parser (bkeymap_parse in initrd/bkeymap.c). The input is
 * the keymap file in an exact-size buffer. Inputs that do not start with the magic get it, and
 * (on odd last byte) flags cut to 0/1 and a length rounded to whole tables, so the fuzzer
 * reaches the entry reads, which are then all read back. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/bkeymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = (uint8_t *)fuzz_memdup(data, size);
	size_t len = size;
	if (size >= BKEYMAP_MAGIC_LEN && (data[size - 1] & 1)) {
		memcpy(buf, BKEYMAP_MAGIC, BKEYMAP_MAGIC_LEN);
		size_t flagged = 0;
		for (size_t i = BKEYMAP_MAGIC_LEN;
		     i < size && i < BKEYMAP_MAGIC_LEN + BKEYMAP_TABLES; i++) {
			buf[i] &= 1;
			flagged += buf[i];
		}
		size_t whole = BKEYMAP_MAGIC_LEN + BKEYMAP_TABLES + flagged * BKEYMAP_KEYS * 2;
		if (whole <= size && (data[size - 1] & 2))
			len = whole;
	}
	struct bkeymap km;
	char why[256];
	int r = bkeymap_parse(buf, len, &km, why, sizeof(why));
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		FUZZ_CHECK(km.n_tables > 0 && km.tables[0] == 0);
		FUZZ_CHECK(len ==
			   BKEYMAP_MAGIC_LEN + BKEYMAP_TABLES + km.n_tables * BKEYMAP_KEYS * 2);
		unsigned sum = 0;
		for (size_t n = 0; n < km.n_tables; n++) {
			FUZZ_CHECK(n == 0 || km.tables[n] > km.tables[n - 1]);
			for (size_t k = 0; k < BKEYMAP_KEYS; k++)
				sum += bkeymap_value(&km, n, k);
		}
		(void)sum;
	} else {
		FUZZ_CHECK(strlen(why) > 0);
	}
	char *name = fuzz_strndup(data, size < 80 ? size : 80);
	if (bkeymap_name_valid(name))
		FUZZ_CHECK(!strchr(name, '/') && name[0] != '.' && strlen(name) < BKEYMAP_NAME_MAX);
	free(name);
	free(buf);
	return 0;
}
