/* libFuzzer target: a lying TPM. The input is a script of responses ([u16 length][bytes]...,
 * tests/fake_tcti.h) answered to the whole unseal exchange of initrd/tpm2.c (CreatePrimary,
 * StartAuthSession, Load, PolicyPCR, PolicyAuthValue, PolicyGetDigest, Unseal, FlushContext),
 * parsed by tpm2-tss's SYS/MU and ESYS: nothing may crash, and a "secret" that comes back is
 * within bounds. The tss archives are not instrumented: ASan sees our side and the crashes. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/tpm2.h"
#include "tests/fake_tcti.h"

/* systemd-cryptenroll 252's token for PCRs 13+14 with a PIN (tests/fuzz/corpus/tpm2_token/
 * systemd252-pin-pcr13-14.json): the seeds in corpus/tpm2_response/ are swtpm's answers to it
 * (tests/fuzz/record_tpm2.c), with the right PIN and a wrong one. */
static const char token[] =
	"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AJ4AIM3d80qkaFs4a7FWK2OxXh"
	"s5TO/mo+tPKJ0BXB26YfCOABDA3YzubX6tgvNnVuzadmYn0rUbrMxPo+wR8TtnNybIzxKv0bK5oeE6pF99B6vFnB0D"
	"XfuTwMFjdvlrJcmQYxs6htwoucRodqt9hKqYjkXMu3JQIO1TN4femHzyq6thd7s2d+z+sSKeT4fXrECXln//KiMrOx"
	"XZGp5OyQBOAAgACwAAABIAIPxoFMidAC9ZyiqkBWkrQ+JeE630plP0uKOZiZUyoIfZABAAIDLCM15qpucY0l76QRey"
	"uBD13bGhPGsP1ylhlFII5uxT\",\"tpm2-pcrs\":[13,14],\"tpm2-pcr-bank\":\"sha256\",\"tpm2-prima"
	"ry-alg\":\"ecc\",\"tpm2-policy-hash\":\"fc6814c89d002f59ca2aa405692b43e25e13adf4a653f4b8a3"
	"99899532a087d9\",\"tpm2-pin\":true}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpm2_token t;
	static int parsed;
	if (!parsed++)
		FUZZ_CHECK(tpm2_token_parse(token, &t, NULL, 0) == 0);
	struct fake_tcti f;
	fake_tcti_init(&f, data, size);
	uint8_t secret[TPM2_SECRET_MAX];
	char why[256] = "";
	int r = tpm2_unseal_tcti((TSS2_TCTI_CONTEXT *)&f, &t, "4711-tpm-pin", 12, secret, why,
				 sizeof(why));
	FUZZ_CHECK(r <= TPM2_SECRET_MAX && r != 0);
	FUZZ_CHECK(r > 0 || why[0] != 0);
	return 0;
}
