/* The systemd-tpm2 LUKS2 token (what systemd-cryptenroll 252 writes) and the small encodings
 * around it. Pure: JSON text in, a struct out; no TPM, no files, no logging. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPM2_TOKEN_BLOB_MAX 4096 /* TPM2B_PRIVATE + TPM2B_PUBLIC, far above a real blob */
#define TPM2_TOKEN_PCR_MAX 24

enum tpm2_bank { TPM2_BANK_SHA256, TPM2_BANK_SHA1 };
enum tpm2_primary { TPM2_PRIMARY_ECC, TPM2_PRIMARY_RSA };

struct tpm2_token {
	int keyslot;	   /* the one in "keyslots" (exactly one: else -EINVAL) */
	uint32_t pcr_mask; /* bit n: PCR n is in the policy */
	enum tpm2_bank bank;
	enum tpm2_primary primary;
	bool pin;
	uint8_t policy_hash[64];
	size_t policy_hash_len;
	uint8_t blob[TPM2_TOKEN_BLOB_MAX]; /* marshalled TPM2B_PRIVATE then TPM2B_PUBLIC */
	size_t blob_len;
};

/* Parses one token's JSON. 0; -EINVAL for a malformed token (not JSON, wrong types, bad base64
 * or hex, PCR out of range, unknown bank or algorithm); -EOPNOTSUPP for a well-formed token
 * that uses what we do not implement (tpm2_salt, tpm2_srk, tpm2_pcrlock, signed PCR policies).
 * why gets a message naming the field ("tpm2-pcrs: 24 is not a PCR (0-23)"). */
int tpm2_token_parse(const char *json, struct tpm2_token *t, char *why, size_t why_size);

/* RFC 4648 base64 with padding into out (size at least 4 * ceil(len / 3) + 1, NUL-terminated).
 * Returns the length without the NUL. */
size_t tpm2_base64_encode(const uint8_t *in, size_t len, char *out);
/* Decodes padded base64 (whitespace not allowed). Returns the length, or -EINVAL, or -ENOBUFS
 * when it does not fit in size bytes. */
long tpm2_base64_decode(const char *in, uint8_t *out, size_t size);
