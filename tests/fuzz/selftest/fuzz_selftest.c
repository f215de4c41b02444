/* libFuzzer target for the deliberately buggy parser: must crash (heap-buffer-overflow). */
#include <stdint.h>
#include <stdlib.h>

#include "buggy_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *key = malloc(16);
	if (!key)
		abort();
	(void)buggy_split_key((const char *)data, size, key, 16);
	free(key);
	return 0;
}
