/* Unsealing a systemd-tpm2 token's secret with the TPM (tpm2-tss ESYS, linked statically).
 * The TPM commands and their order follow systemd 252's tpm2_unseal(). No logging: failures
 * come back as -errno plus a sentence in why. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "tpm2_token.h"

#define TPM2_SECRET_MAX 128 /* TPM2B_SENSITIVE_DATA holds at most 128 bytes */

struct TSS2_TCTI_OPAQUE_CONTEXT_BLOB;

/* Unseals t's secret through device (/dev/tpmrm0 …). pin/pin_len: what was typed (hashed
 * with SHA-256 here, as systemd 252 does), pin NULL when the token has no PIN.
 * Returns the secret's length in secret, or:
 *   -ENODEV  the device cannot be opened
 *   -ENOKEY  the TPM cannot load the sealed object (another TPM, or a cleared one)
 *   -EPERM   the policy digest differs from the token's (PCR values changed)
 *   -EACCES  the TPM refused the PIN
 *   -ENOLCK  the TPM is in dictionary-attack lockout
 *   -EBADMSG the token's blob is not a TPM2B_PRIVATE + TPM2B_PUBLIC
 *   -EIO     any other TPM or transport failure. */
int tpm2_unseal(const char *device, const struct tpm2_token *t, const char *pin, size_t pin_len,
		uint8_t secret[TPM2_SECRET_MAX], char *why, size_t why_size);
/* The same over a TCTI the caller made (the fuzz target's lying TPM). */
int tpm2_unseal_tcti(struct TSS2_TCTI_OPAQUE_CONTEXT_BLOB *tcti, const struct tpm2_token *t,
		     const char *pin, size_t pin_len, uint8_t secret[TPM2_SECRET_MAX], char *why,
		     size_t why_size);
