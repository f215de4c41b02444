/* libFuzzer target: rootflags= splitting into MS_* flags and fs data (mount_options_parse in
 * initrd/mount.c). The first byte picks the size of the data buffer (1..256), which is
 * allocated exactly, so a write past it is caught. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/mount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t data_size = (size_t)data[0] + 1;
	char *opts = fuzz_strndup(data + 1, size - 1);
	char *out = malloc(data_size);
	if (!out)
		abort();
	unsigned long flags = 0;
	int r = mount_options_parse(opts, &flags, out, data_size);
	FUZZ_CHECK(r == 0 || r == -ENAMETOOLONG);
	if (r == 0)
		FUZZ_CHECK(strnlen(out, data_size) < data_size && strlen(out) <= strlen(opts));
	free(out);
	free(opts);
	return 0;
}
