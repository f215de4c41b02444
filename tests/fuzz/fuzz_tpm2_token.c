/* libFuzzer target: the systemd-tpm2 token JSON as read from a LUKS2 header (an attacker who can
 * write the header controls it) and the base64 codec (initrd/tpm2_token.c). */
#include <errno.h>

#include "fuzz.h"
#include "initrd/tpm2_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strdup(data, size);
	struct tpm2_token *t = malloc(sizeof(*t));
	char why[256];
	if (!t)
		abort();
	int r = tpm2_token_parse(buf, t, why, sizeof(why));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOPNOTSUPP || r == -ENOMEM);
	FUZZ_CHECK(memchr(why, 0, sizeof(why)));
	if (r == 0) {
		FUZZ_CHECK(t->blob_len > 0 && t->blob_len <= sizeof(t->blob));
		FUZZ_CHECK(t->policy_hash_len > 0 && t->policy_hash_len <= sizeof(t->policy_hash));
		FUZZ_CHECK(t->keyslot >= -1 && t->keyslot < 100);
		FUZZ_CHECK(t->pcr_mask < 1u << TPM2_TOKEN_PCR_MAX);
	} else
		FUZZ_CHECK(why[0] != 0 || r == -ENOMEM);
	/* base64: whatever decodes re-encodes to the same text (canonical input only). */
	uint8_t *bin = malloc(size + 1);
	char *text = malloc(2 * size + 8);
	if (!bin || !text)
		abort();
	long n = tpm2_base64_decode(buf, bin, size + 1);
	FUZZ_CHECK(n >= -ENOBUFS);
	if (n >= 0) {
		size_t len = tpm2_base64_encode(bin, (size_t)n, text);
		FUZZ_CHECK(len == strlen(buf) && memcmp(text, buf, len) == 0);
	}
	free(text);
	free(bin);
	free(t);
	free(buf);
	return 0;
}
