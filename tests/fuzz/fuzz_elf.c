/* libFuzzer target: the ELF reader (stage2/elf.c). The input is a whole file; every string it
 * returns must lie inside the input and be terminated. */
#include <errno.h>

#include "fuzz.h"
#include "stage2/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so ASan sees a read past the end */
	uint8_t *b = (uint8_t *)fuzz_memdup(data, size);
	struct elf_info e;
	const char *msg = NULL;
	int r = elf_parse(b, size, &e, &msg);
	FUZZ_CHECK(r == 0 || r == -ENOEXEC || r == -EBADMSG || r == -E2BIG);
	FUZZ_CHECK(msg != NULL);
	if (r == 0) {
		FUZZ_CHECK(e.n_needed <= ELF_NEEDED_MAX);
		for (size_t i = 0; i < e.n_needed; i++)
			FUZZ_CHECK(e.needed[i] && strlen(e.needed[i]) < size);
		FUZZ_CHECK(!e.interp || strlen(e.interp) < size);
		elf_info_free(&e);
	} else
		FUZZ_CHECK(msg[0]);
	free(b);
	return 0;
}
