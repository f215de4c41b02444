/* libFuzzer target: the KEY=VALUE reader (envfile_get in initrd/envfile.c) on an exact-size
 * buffer, for the keys the keymap code asks for, into a small and a large output buffer. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/envfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"KEYMAP", "XKBLAYOUT", "XKBVARIANT", "XKBOPTIONS", "A"};
	char *text = fuzz_memdup(data, size);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char small[4], big[256];
		unsigned line = 0;
		int r = envfile_get(text, size, keys[i], big, sizeof(big), &line);
		FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL || r == -ENAMETOOLONG);
		if (r == 1)
			FUZZ_CHECK(strlen(big) < sizeof(big));
		if (r == -EINVAL)
			FUZZ_CHECK(line >= 1);
		r = envfile_get(text, size, keys[i], small, sizeof(small), NULL);
		if (r == 1)
			FUZZ_CHECK(strlen(small) < sizeof(small));
	}
	free(text);
	return 0;
}
