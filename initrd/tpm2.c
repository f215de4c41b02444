/* TPM2 unsealing with tpm2-tss's ESYS. See tpm2.h.
 *
 * As systemd 252 (src/shared/tpm2-util.c, tpm2_unseal): a primary key from the standard SRK
 * template (ECC P-256 or RSA 2048, AES-128-CFB) in the owner hierarchy; a session salted to
 * that primary with AES-128-CFB parameter encryption both ways (so the blob going in and the
 * secret coming out are not in the clear on the bus); the blob loaded under the primary; a
 * policy session (salted the same way) with PolicyPCR over the token's PCRs and bank and
 * PolicyAuthValue when a PIN is set; its digest compared with the token's before Unseal;
 * every handle flushed. */
#include "tpm2.h"
#include "util.h"

#include <errno.h>
#include <mbedtls/sha256.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_sys.h>
#include <tss2/tss2_tcti_device.h>

/* fail(): lib/util.h's fail_why() */
#define fail fail_why

#define SRK_ATTRIBUTES                                                                             \
	(TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |                     \
	 TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH)
#define AES128_CFB                                                                                 \
	{                                                                                          \
		.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB            \
	}

static const TPM2B_PUBLIC srk_ecc = {
	.size = sizeof(TPMT_PUBLIC),
	.publicArea =
		{
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = SRK_ATTRIBUTES,
			.parameters.eccDetail =
				{
					.symmetric = AES128_CFB,
					.scheme.scheme = TPM2_ALG_NULL,
					.curveID = TPM2_ECC_NIST_P256,
					.kdf.scheme = TPM2_ALG_NULL,
				},
		},
};

static const TPM2B_PUBLIC srk_rsa = {
	.size = sizeof(TPMT_PUBLIC),
	.publicArea =
		{
			.type = TPM2_ALG_RSA,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = SRK_ATTRIBUTES,
			.parameters.rsaDetail =
				{
					.symmetric = AES128_CFB,
					.scheme.scheme = TPM2_ALG_NULL,
					.keyBits = 2048,
				},
		},
};

static const TPMT_SYM_DEF session_symmetric = AES128_CFB;

/* The TPM's own response code, without the layer and the handle/session/parameter number. */
static bool rc_is(TSS2_RC rc, TSS2_RC want)
{
	rc &= 0xffff;
	if ((rc & TSS2_RC_LAYER_MASK) != 0)
		return false;
	if (rc & TPM2_RC_FMT1)
		return (rc & 0xbf) == (want & 0xbf);
	return rc == want;
}

struct handles {
	ESYS_CONTEXT *c;
	ESYS_TR primary, blob, hmac, policy;
};

/* tpm2-tss frees its buffers without wiping them: the PIN's auth value sits in the blob's
 * resource object and the decrypted Unseal response in the SYS context's command buffer,
 * and iesys_decrypt_param() decrypts on the stack. Overwrite all three before they are freed
 * or reused (tests/tpm2-residue.sh finds them in freed memory otherwise). */
static void wipe_tss_response(ESYS_CONTEXT *c)
{
	TSS2_SYS_CONTEXT *sys = NULL;
	const uint8_t *rp = NULL;
	size_t n = 0;
	if (Esys_GetSysContext(c, &sys) == TSS2_RC_SUCCESS && sys &&
	    Tss2_Sys_GetRpBuffer(sys, &n, &rp) == TSS2_RC_SUCCESS && rp)
		explicit_bzero((uint8_t *)rp, n);
}

static __attribute__((noinline)) void wipe_stack(void)
{
	uint8_t below[16384];
	explicit_bzero(below, sizeof(below));
	__asm__ volatile("" : : "r"(below) : "memory");
}

static void handles_close(struct handles *h)
{
	ESYS_TR *all[] = {&h->policy, &h->hmac, &h->blob, &h->primary};
	static const TPM2B_AUTH no_auth = {0};
	if (h->c && h->blob != ESYS_TR_NONE)
		Esys_TR_SetAuth(h->c, h->blob, &no_auth); /* copies the whole struct: zeroes */
	for (size_t i = 0; h->c && i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] != ESYS_TR_NONE)
			Esys_FlushContext(h->c, *all[i]);
	if (h->c)
		Esys_Finalize(&h->c);
}

static int split_blob(const struct tpm2_token *t, TPM2B_PRIVATE *priv, TPM2B_PUBLIC *pub)
{
	size_t off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(t->blob, t->blob_len, &off, priv) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(t->blob, t->blob_len, &off, pub) != TSS2_RC_SUCCESS ||
	    off != t->blob_len)
		return -EBADMSG;
	return 0;
}

static int policy_session(struct handles *h, const struct tpm2_token *t, char *why, size_t size)
{
	TSS2_RC rc = Esys_StartAuthSession(h->c, h->primary, ESYS_TR_NONE, h->hmac, ESYS_TR_NONE,
					   ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &session_symmetric,
					   TPM2_ALG_SHA256, &h->policy);
	if (rc != TSS2_RC_SUCCESS)
		return fail(-EIO, why, size, "StartAuthSession (policy) failed: 0x%x", rc);
	if (t->pcr_mask) {
		TPML_PCR_SELECTION sel = {.count = 1};
		sel.pcrSelections[0].hash =
			t->bank == TPM2_BANK_SHA1 ? TPM2_ALG_SHA1 : TPM2_ALG_SHA256;
		sel.pcrSelections[0].sizeofSelect = 3;
		for (int i = 0; i < 3; i++)
			sel.pcrSelections[0].pcrSelect[i] = (uint8_t)(t->pcr_mask >> (8 * i));
		rc = Esys_PolicyPCR(h->c, h->policy, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
				    &sel);
		if (rc != TSS2_RC_SUCCESS)
			return fail(-EIO, why, size, "PolicyPCR failed: 0x%x", rc);
	}
	if (t->pin) {
		rc = Esys_PolicyAuthValue(h->c, h->policy, ESYS_TR_NONE, ESYS_TR_NONE,
					  ESYS_TR_NONE);
		if (rc != TSS2_RC_SUCCESS)
			return fail(-EIO, why, size, "PolicyAuthValue failed: 0x%x", rc);
	}
	TPM2B_DIGEST *digest = NULL;
	rc = Esys_PolicyGetDigest(h->c, h->policy, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				  &digest);
	if (rc != TSS2_RC_SUCCESS)
		return fail(-EIO, why, size, "PolicyGetDigest failed: 0x%x", rc);
	bool same = digest->size == t->policy_hash_len &&
		    memcmp(digest->buffer, t->policy_hash, t->policy_hash_len) == 0;
	Esys_Free(digest);
	if (!same)
		return fail(-EPERM, why, size,
			    "the policy digest differs from the token's (PCR values changed)");
	return 0;
}

static int set_pin(struct handles *h, const char *pin, size_t pin_len)
{
	TPM2B_AUTH auth = {.size = 32};
	/* mbedTLS: the crypto library tpm2-tss links already (cryptsetup's backend differs
	 * between the glibc and the musl build). */
	if (mbedtls_sha256_ret((const unsigned char *)pin, pin_len, auth.buffer, 0) != 0)
		return -EIO;
	TSS2_RC rc = Esys_TR_SetAuth(h->c, h->blob, &auth);
	explicit_bzero(&auth, sizeof(auth));
	return rc == TSS2_RC_SUCCESS ? 0 : -EIO;
}

static int unseal(struct handles *h, const struct tpm2_token *t, const char *pin, size_t pin_len,
		  uint8_t secret[TPM2_SECRET_MAX], char *why, size_t size)
{
	TPM2B_PRIVATE priv = {0};
	TPM2B_PUBLIC pub = {0};
	if (split_blob(t, &priv, &pub) < 0)
		return fail(-EBADMSG, why, size, "tpm2-blob is not a sealed TPM object");
	static const TPM2B_SENSITIVE_CREATE no_sensitive = {0};
	static const TPM2B_DATA no_data = {0};
	static const TPML_PCR_SELECTION no_pcrs = {0};
	TSS2_RC rc = Esys_CreatePrimary(h->c, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
					ESYS_TR_NONE, &no_sensitive,
					t->primary == TPM2_PRIMARY_RSA ? &srk_rsa : &srk_ecc,
					&no_data, &no_pcrs, &h->primary, NULL, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return fail(-EIO, why, size, "CreatePrimary (%s) failed: 0x%x",
			    t->primary == TPM2_PRIMARY_RSA ? "rsa" : "ecc", rc);
	rc = Esys_StartAuthSession(h->c, h->primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &session_symmetric,
				   TPM2_ALG_SHA256, &h->hmac);
	if (rc == TSS2_RC_SUCCESS)
		rc = Esys_TRSess_SetAttributes(h->c, h->hmac,
					       TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT |
						       TPMA_SESSION_CONTINUESESSION,
					       0xff);
	if (rc != TSS2_RC_SUCCESS)
		return fail(-EIO, why, size, "StartAuthSession (salted) failed: 0x%x", rc);
	rc = Esys_Load(h->c, h->primary, h->hmac, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub,
		       &h->blob);
	if (rc != TSS2_RC_SUCCESS)
		return fail(-ENOKEY, why, size,
			    "this TPM cannot load the sealed key (another TPM, or it was cleared; "
			    "Load: 0x%x)",
			    rc);
	if (pin && set_pin(h, pin, pin_len) < 0)
		return fail(-EIO, why, size, "cannot set the PIN");
	int r = policy_session(h, t, why, size);
	if (r < 0)
		return r;
	TPM2B_SENSITIVE_DATA *out = NULL;
	rc = Esys_Unseal(h->c, h->blob, h->policy, h->hmac, ESYS_TR_NONE, &out);
	wipe_tss_response(h->c);
	if (rc_is(rc, TPM2_RC_AUTH_FAIL) || rc_is(rc, TPM2_RC_BAD_AUTH))
		return fail(-EACCES, why, size, "the TPM refused the PIN");
	if (rc_is(rc, TPM2_RC_LOCKOUT))
		return fail(-ENOLCK, why, size, "the TPM is locked out (too many wrong PINs)");
	if (rc_is(rc, TPM2_RC_POLICY_FAIL))
		return fail(-EPERM, why, size, "the TPM refused the policy (PCR values changed)");
	if (rc != TSS2_RC_SUCCESS)
		return fail(-EIO, why, size, "Unseal failed: 0x%x", rc);
	/* ESYS checked size against its buffer; a lying TPM still gets no more than that. */
	size_t n = out->size <= TPM2_SECRET_MAX ? out->size : 0;
	memcpy(secret, out->buffer, n);
	explicit_bzero(out, sizeof(*out));
	Esys_Free(out);
	if (n == 0)
		return fail(-EIO, why, size, "the TPM unsealed an empty secret");
	return (int)n;
}

int tpm2_unseal_tcti(struct TSS2_TCTI_OPAQUE_CONTEXT_BLOB *tcti, const struct tpm2_token *t,
		     const char *pin, size_t pin_len, uint8_t secret[TPM2_SECRET_MAX], char *why,
		     size_t why_size)
{
	struct handles h = {NULL, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE};
	TSS2_RC rc = Esys_Initialize(&h.c, tcti, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return fail(-EIO, why, why_size, "cannot start the TPM context: 0x%x", rc);
	int r = unseal(&h, t, pin, pin_len, secret, why, why_size);
	handles_close(&h);
	wipe_stack();
	return r;
}

int tpm2_unseal(const char *device, const struct tpm2_token *t, const char *pin, size_t pin_len,
		uint8_t secret[TPM2_SECRET_MAX], char *why, size_t why_size)
{
	size_t size = 0;
	if (Tss2_Tcti_Device_Init(NULL, &size, device) != TSS2_RC_SUCCESS)
		return fail(-EIO, why, why_size, "no device TCTI");
	TSS2_TCTI_CONTEXT *tcti = calloc(1, size);
	if (!tcti)
		return -ENOMEM;
	if (Tss2_Tcti_Device_Init(tcti, &size, device) != TSS2_RC_SUCCESS) {
		free(tcti);
		return fail(-ENODEV, why, why_size, "cannot open %s", device);
	}
	int r = tpm2_unseal_tcti(tcti, t, pin, pin_len, secret, why, why_size);
	Tss2_Tcti_Finalize(tcti);
	free(tcti);
	return r;
}
