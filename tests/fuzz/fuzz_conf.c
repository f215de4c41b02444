/* libFuzzer target: the image config parser, /etc/initkit.conf (initrd/conf.c). */
#include <errno.h>

#include "fuzz.h"
#include "initrd/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_memdup(data, size);
	struct conf c = {0};
	int r = conf_parse(buf, size, &c);
	FUZZ_CHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		for (size_t i = 0; i < c.n_settings; i++) {
			FUZZ_CHECK(c.settings[i].key != NULL && c.settings[i].key[0] != '\0');
			FUZZ_CHECK(c.settings[i].line >= 1 && c.settings[i].line <= lines);
			FUZZ_CHECK(strlen(c.settings[i].key) <= size);
			FUZZ_CHECK(!c.settings[i].value || strlen(c.settings[i].value) <= size);
		}
		for (size_t i = 0; i < c.n_errors; i++) {
			FUZZ_CHECK(c.errors[i].message != NULL);
			FUZZ_CHECK(c.errors[i].line >= 1 && c.errors[i].line <= lines);
		}
		conf_free(&c);
	}
	free(buf);
	return 0;
}
