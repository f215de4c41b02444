/* Tests for initrd/tpm2_token.c: the systemd-tpm2 token JSON and base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/tpm2_token.h"

/* What systemd-cryptenroll 252 (Debian 12) wrote for --tpm2-pcrs=13 against swtpm. */
static char *fixture(void)
{
	FILE *f = fopen(FIXTURES_DIR "/token-pcr13.json", "re");
	assert_non_null(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static void test_real_token(void **state)
{
	(void)state;
	struct tpm2_token t;
	char why[256];
	assert_int_equal(tpm2_token_parse(fixture(), &t, why, sizeof(why)), 0);
	assert_int_equal(t.keyslot, 1);
	assert_int_equal(t.pcr_mask, 1u << 13);
	assert_int_equal(t.bank, TPM2_BANK_SHA256);
	assert_int_equal(t.primary, TPM2_PRIMARY_ECC);
	assert_false(t.pin);
	assert_int_equal(t.policy_hash_len, 32);
	assert_int_equal(t.policy_hash[0], 0xea);
	assert_int_equal(t.policy_hash[31], 0x14);
	/* TPM2B_PRIVATE's size (0x009e) + 2, then TPM2B_PUBLIC's (0x004e) + 2. */
	assert_int_equal(t.blob_len, 0x9e + 2 + 0x4e + 2);
	assert_int_equal(t.blob[0], 0x00);
	assert_int_equal(t.blob[1], 0x9e);
}

#define BASE "\"type\":\"systemd-tpm2\",\"keyslots\":[\"2\"],\"tpm2-blob\":\"AAEC\","
/* The minimal token with one more key (or a changed one: JSON's last wins) */
#define WITH(key) "{" BASE "\"tpm2-policy-hash\":\"00\"," key "}"
/* A token bound to the keyslots given ("keyslots":[...]) */
#define KEYSLOTS(list)                                                                             \
	"{\"type\":\"systemd-tpm2\",\"keyslots\":[" list "],\"tpm2-blob\":\"AAEC\","               \
	"\"tpm2-policy-hash\":\"00\"}"

struct token_case {
	const char *name, *json;
	int want;
	const char *why; /* substring of the message */
};

static const struct token_case cases[] = {
	{"minimal 252 token, no PCRs", "{" BASE "\"tpm2-policy-hash\":\"00ff\"}", 0, ""},
	{"pin, rsa, sha1",
	 "{" BASE "\"tpm2-policy-hash\":\"00ff\",\"tpm2-pin\":true,\"tpm2-primary-alg\":\"rsa\","
	 "\"tpm2-pcr-bank\":\"sha1\",\"tpm2-pcrs\":[0,7,23]}",
	 0, ""},
	{"empty tpm2_pubkey_pcrs (252 writes it)", WITH("\"tpm2_pubkey_pcrs\":[]"), 0, ""},
	{"tpm2_pcrlock false (255 writes it)", WITH("\"tpm2_pcrlock\":false"), 0, ""},
	{"salt (253)", WITH("\"tpm2_salt\":\"AAAA\""), -EOPNOTSUPP, "tpm2_salt"},
	{"srk (254)", WITH("\"tpm2_srk\":\"AAAA\""), -EOPNOTSUPP, "tpm2_srk"},
	{"pcrlock true", WITH("\"tpm2_pcrlock\":true"), -EOPNOTSUPP, "tpm2_pcrlock"},
	{"signed policy", WITH("\"tpm2_pubkey_pcrs\":[11]"), -EOPNOTSUPP, "tpm2_pubkey_pcrs"},
	{"PCR 24", WITH("\"tpm2-pcrs\":[24]"), -EINVAL, "24 is not a PCR"},
	{"negative PCR", WITH("\"tpm2-pcrs\":[-1]"), -EINVAL, "tpm2-pcrs"},
	{"PCR as string", WITH("\"tpm2-pcrs\":[\"7\"]"), -EINVAL, "tpm2-pcrs"},
	{"unknown bank", WITH("\"tpm2-pcr-bank\":\"sm3\""), -EINVAL, "tpm2-pcr-bank"},
	{"unknown primary", WITH("\"tpm2-primary-alg\":\"dsa\""), -EINVAL, "tpm2-primary-alg"},
	{"no policy hash", "{" BASE "\"tpm2-pin\":false}", -EINVAL, "tpm2-policy-hash"},
	{"odd hex", "{" BASE "\"tpm2-policy-hash\":\"0\"}", -EINVAL, "tpm2-policy-hash"},
	{"bad hex", "{" BASE "\"tpm2-policy-hash\":\"zz\"}", -EINVAL, "tpm2-policy-hash"},
	{"pin not bool", WITH("\"tpm2-pin\":1"), -EINVAL, "tpm2-pin"},
	{"other token type",
	 "{\"type\":\"systemd-fido2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AAEC\"}", -EINVAL,
	 "type"},
	{"blob not base64",
	 "{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"A!==\","
	 "\"tpm2-policy-hash\":\"00\"}",
	 -EINVAL, "tpm2-blob"},
	{"no keyslots", "{\"type\":\"systemd-tpm2\",\"tpm2-blob\":\"AAEC\"}", -EINVAL, "keyslots"},
	{"keyslot not a number", KEYSLOTS("\"x\""), -EINVAL, "keyslots"},
	/* cryptsetup luksKillSlot leaves the token with "keyslots":[]: nothing to unlock (and
	 * no PIN to ask for); systemd 252 skips tokens without exactly one keyslot too. */
	{"keyslot removed", KEYSLOTS(""), -EINVAL,
	 "keyslots: bound to no keyslot (was it removed?)"},
	{"two keyslots", KEYSLOTS("\"1\",\"2\""), -EINVAL, "keyslots: more than one keyslot"},
	{"not JSON", "{\"type\":", -EINVAL, "JSON"},
	{"trailing garbage", "{" BASE "\"tpm2-policy-hash\":\"00\"} x", -EINVAL, "JSON"},
	{"array", "[]", -EINVAL, "JSON"},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct token_case *c = &cases[i];
		struct tpm2_token t;
		char why[256];
		int r = tpm2_token_parse(c->json, &t, why, sizeof(why));
		if (r != c->want)
			fail_msg("case '%s': expected %d, got %d (%s)", c->name, c->want, r, why);
		if (!strstr(why, c->why))
			fail_msg("case '%s': message '%s' lacks '%s'", c->name, why, c->why);
	}
	struct tpm2_token t;
	assert_int_equal(tpm2_token_parse(cases[1].json, &t, NULL, 0), 0);
	assert_true(t.pin);
	assert_int_equal(t.primary, TPM2_PRIMARY_RSA);
	assert_int_equal(t.bank, TPM2_BANK_SHA1);
	assert_int_equal(t.pcr_mask, 1u | 1u << 7 | 1u << 23);
	assert_int_equal(t.keyslot, 2);
	assert_int_equal(t.blob_len, 3);
}

static void test_base64(void **state)
{
	(void)state;
	static const struct {
		const char *plain, *b64;
	} v[] = {{"", ""},
		 {"f", "Zg=="},
		 {"fo", "Zm8="},
		 {"foo", "Zm9v"},
		 {"foob", "Zm9vYg=="},
		 {"fooba", "Zm9vYmE="},
		 {"foobar", "Zm9vYmFy"}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char out[32];
		uint8_t back[32];
		tpm2_base64_encode((const uint8_t *)v[i].plain, strlen(v[i].plain), out);
		assert_string_equal(out, v[i].b64);
		long n = tpm2_base64_decode(v[i].b64, back, sizeof(back));
		assert_int_equal(n, (long)strlen(v[i].plain));
		assert_memory_equal(back, v[i].plain, (size_t)n);
	}
	uint8_t b[8];
	assert_int_equal(tpm2_base64_decode("Zg=", b, sizeof(b)), -EINVAL);
	assert_int_equal(tpm2_base64_decode("Zh==", b, sizeof(b)), -EINVAL); /* non-zero bits */
	assert_int_equal(tpm2_base64_decode("=Zg=", b, sizeof(b)), -EINVAL);
	assert_int_equal(tpm2_base64_decode("Zg==Zg==", b, sizeof(b)), -EINVAL);
	assert_int_equal(tpm2_base64_decode("Zm9vYmFy", b, 5), -ENOBUFS);
	/* 32 random bytes (what systemd seals) are 44 characters, the keyslot passphrase. */
	uint8_t key[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	char out[64];
	assert_int_equal(tpm2_base64_encode(key, 32, out), 44);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_token),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
