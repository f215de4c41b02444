/* libFuzzer target: the live dm-crypt / dm-integrity table parameters that the already-open
 * identity check parses (initrd/luks_decide.c). */
#include <errno.h>

#include "fuzz.h"
#include "initrd/luks_decide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strdup(data, size); /* as libdevmapper and pipes hand them out */
	struct luks_crypt_params p;
	int r = luks_crypt_params_parse(buf, &p);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		/* Every piece points inside the input and is non-empty. */
		FUZZ_CHECK(p.cipher >= buf && p.cipher + p.cipher_len <= buf + strlen(buf));
		FUZZ_CHECK(p.key >= buf && p.key + p.key_len <= buf + strlen(buf));
		FUZZ_CHECK(p.cipher_len > 0 && p.key_len > 0);
		FUZZ_CHECK(!memchr(p.cipher, ' ', p.cipher_len) && !memchr(p.key, ' ', p.key_len));
	}
	unsigned maj, min;
	unsigned long long off;
	r = luks_integrity_params_parse(buf, &maj, &min, &off);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	free(buf);
	return 0;
}
