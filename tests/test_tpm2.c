/* Tests for initrd/tpm2.c against a scripted TPM (tests/fake_tcti.h): failures of the TPM and
 * lies in its responses end in a negative errno and a message, never in a crash. The real
 * exchange is proven against swtpm in QEMU (qemu/scenarios/tpm2-*.scn). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../initrd/tpm2.h"
#include "fake_tcti.h"

static const char token_json[] =
	"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AAEAAAEC\","
	"\"tpm2-policy-hash\":\"00\"}";

static int run(const uint8_t *script, size_t len, char *why, const char *json)
{
	struct tpm2_token t;
	assert_int_equal(tpm2_token_parse(json, &t, NULL, 0), 0);
	struct fake_tcti f;
	fake_tcti_init(&f, script, len);
	uint8_t secret[TPM2_SECRET_MAX];
	return tpm2_unseal_tcti((TSS2_TCTI_CONTEXT *)&f, &t, NULL, 0, secret, why, 256);
}

/* tpm2-blob "AAEAAAEC" is 00 01 00 | 00 01 02: a TPM2B_PRIVATE of one byte, then a
 * TPM2B_PUBLIC whose size says 1 but holds a truncated TPMT_PUBLIC. */
static void test_bad_blob(void **state)
{
	(void)state;
	char why[256] = "";
	assert_int_equal(run(NULL, 0, why, token_json), -EBADMSG);
	assert_non_null(strstr(why, "tpm2-blob"));
}

static const char real_token_json[] =
	"{\"type\":\"systemd-tpm2\",\"keyslots\":[\"1\"],\"tpm2-blob\":\"AJ4AIPzKsBSJNeOHzRODcZIm"
	"DNfGT9U4clAGIwdZifY0D3MjABAD+gw0KerkUiMPsxWanIn4Jr6AusGWoCl0pDafROuGjrrIpqKimObwFeKl8xQL"
	"GaLebbBaeZyTa1b3QEwqcm9fXC8pluPX5UUGDbV2EekTQTVphXtEXGFuKs8GmT9q8Gr/YEszoQ9LsVHKDi2Zn11"
	"BgXKGykoHe2qUrABOAAgACwAAABIAIOoHut8WLyxFS99apeSXa29xifICPt+jFv31jBXSbsgUABAAIMCa3Ykgydy"
	"N+UvYbOmb3vkd5wLob80SjDAK00P/6P0S\",\"tpm2-pcrs\":[13],\"tpm2-policy-hash\":\"00\"}";

struct lie_case {
	const char *name;
	uint8_t script[64];
	size_t len;
	const char *why;
};

/* Responses to the first command (CreatePrimary). */
static const struct lie_case lies[] = {
	{"no answer at all", {0}, 0, "CreatePrimary"},
	{"TPM_RC_FAILURE", {0, 10, 0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x01}, 12, "0x101"},
	{"size field larger than the response",
	 {0, 10, 0x80, 0x01, 0, 0, 0x10, 0, 0, 0, 0, 0},
	 12,
	 "CreatePrimary"},
	{"size field smaller than a header",
	 {0, 10, 0x80, 0x01, 0, 0, 0, 4, 0, 0, 0, 0},
	 12,
	 "CreatePrimary"},
	{"success with no body", {0, 10, 0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0}, 12, "CreatePrimary"},
	{"success with a bad tag",
	 {0, 10, 0x12, 0x34, 0, 0, 0, 10, 0, 0, 0, 0},
	 12,
	 "CreatePrimary"},
	{"truncated header", {0, 3, 0x80, 0x01, 0}, 5, "CreatePrimary"},
};

static void test_lying_tpm(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		char why[256] = "";
		int r = run(lies[i].script, lies[i].len, why, real_token_json);
		if (r != -EIO)
			fail_msg("case '%s': expected -EIO, got %d (%s)", lies[i].name, r, why);
		if (!strstr(why, lies[i].why))
			fail_msg("case '%s': message '%s' lacks '%s'", lies[i].name, why,
				 lies[i].why);
	}
}

static void test_no_device(void **state)
{
	(void)state;
	struct tpm2_token t;
	assert_int_equal(tpm2_token_parse(real_token_json, &t, NULL, 0), 0);
	uint8_t secret[TPM2_SECRET_MAX];
	char why[256] = "";
	assert_int_equal(tpm2_unseal("/nonexistent/tpmrm0", &t, NULL, 0, secret, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "/nonexistent/tpmrm0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_blob),
		cmocka_unit_test(test_lying_tpm),
		cmocka_unit_test(test_no_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
