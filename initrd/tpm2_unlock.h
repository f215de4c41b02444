/* Stage 1's TPM2 step: a volume's systemd-tpm2 token, tried before the passphrase prompt. */
#pragma once

#include <stdint.h>

struct crypt_device;
struct luks_volume;
struct passphrase_store;

/* Unlocks vol with its systemd-tpm2 token (PIN prompt when the token has one; tries= applies).
 * 0: active. -ENOENT: the header has no systemd-tpm2 token (nothing logged). Any other
 * negative errno: one line was logged saying why (no TPM, PCRs changed, wrong PIN, unsupported
 * token, …) and the caller goes on to the passphrase prompt. The PIN and the secret live only
 * in the store's locked scratch slot; *prompt_ms grows by the time spent at the PIN prompt. */
int tpm2_unlock_volume(struct crypt_device *cd, const struct luks_volume *vol, uint32_t flags,
		       struct passphrase_store *s, uint64_t *prompt_ms);
