/* libFuzzer target: the kernel command line splitter (initrd/cmdline.c). */
#include <errno.h>

#include "fuzz.h"
#include "initrd/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_memdup(data, size);
	struct cmdline c = {0};
	int r = cmdline_parse(buf, size, &c);
	FUZZ_CHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		FUZZ_CHECK(c.init_args != NULL);
		FUZZ_CHECK(c.init_args[c.n_init_args] == NULL);
		for (size_t i = 0; i < c.n_init_args; i++)
			FUZZ_CHECK(strlen(c.init_args[i]) <= size);
		for (size_t i = 0; i < c.n_params; i++) {
			FUZZ_CHECK(c.params[i].key != NULL);
			/* Nothing is invented: a word is never longer than the line. */
			FUZZ_CHECK(strlen(c.params[i].key) <= size);
			FUZZ_CHECK(!c.params[i].value || strlen(c.params[i].value) <= size);
		}
		cmdline_free(&c);
	}
	free(buf);
	return 0;
}
