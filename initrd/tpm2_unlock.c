/* TPM2 unlock of a LUKS2 volume enrolled with systemd-cryptenroll. See tpm2_unlock.h.
 * The token comes from the header through libcryptsetup (crypt_token_json_get), is parsed by
 * tpm2_token.c and unsealed by tpm2.c; the keyslot passphrase is the base64 of the secret. */
#include "tpm2_unlock.h"

#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "crypttab.h"
#include "log.h"
#include "passphrase.h"
#include "tpm2.h"
#include "tpm2_token.h"
#include "util.h"

/* Where the PIN and the secret go inside the locked scratch slot (PASSPHRASE_MAX bytes):
 * [0, PIN_MAX) the PIN as typed, later the base64 passphrase; [SECRET_AT, +TPM2_SECRET_MAX)
 * the unsealed bytes. */
#define PIN_MAX 256
#define SECRET_AT (PASSPHRASE_MAX - TPM2_SECRET_MAX)
_Static_assert(SECRET_AT >= PIN_MAX, "PIN and secret overlap in the scratch slot");
_Static_assert(4 * ((TPM2_SECRET_MAX + 2) / 3) + 1 <= SECRET_AT, "base64 overlaps the secret");

/* The ids of the header's systemd-tpm2 tokens, in order (a machine can carry several: two
 * TPMs, or a new one enrolled before the old one was removed). Returns how many. */
static int find_tokens(struct crypt_device *cd, int ids[32])
{
	int n = 0;
	for (int i = 0; i < 32; i++) {
		const char *type = NULL;
		crypt_token_info ti = crypt_token_status(cd, i, &type);
		if (ti == CRYPT_TOKEN_INVALID || ti == CRYPT_TOKEN_INACTIVE || !type ||
		    strcmp(type, "systemd-tpm2") != 0)
			continue;
		ids[n++] = i;
	}
	return n;
}

/* The configured device, else /dev/tpmrm0 (the kernel's resource manager), else /dev/tpm0;
 * waited for up to token-timeout= (default 0: built-in drivers make the node before /init). */
static const char *find_device(const struct luks_volume *vol)
{
	const char *candidates[] = {vol->tpm2_device ? vol->tpm2_device : "/dev/tpmrm0",
				    vol->tpm2_device ? NULL : "/dev/tpm0"};
	uint64_t deadline = now_ms() + vol->token_timeout_ms;
	for (;;) {
		for (size_t i = 0; i < 2; i++)
			if (candidates[i] && access(candidates[i], F_OK) == 0)
				return candidates[i];
		if (now_ms() >= deadline)
			return NULL;
		usleep(50 * 1000);
	}
}

static ssize_t prompt_pin(const struct luks_volume *vol, const char *uuid, char *buf, size_t size,
			  uint64_t *prompt_ms)
{
	/* as the passphrase prompt: on every console, in the image's keymap, no echo */
	char prompt[512], from[CONSOLE_NAME_MAX] = "";
	snprintf(prompt, sizeof(prompt), "TPM2 PIN for %s (UUID %s): ", vol->name,
		 uuid ? uuid : "?");
	uint64_t t0 = now_ms();
	ssize_t len = console_prompt(prompt, buf, size, from, sizeof(from));
	*prompt_ms += now_ms() - t0;
	if (len >= 0)
		log_info("luks: %s: TPM2 PIN typed on %s", vol->name, from);
	return len;
}

/* Unseals (asking for the PIN when the token has one) into the scratch slot's secret area.
 * Returns the secret's length or a negative errno, logged. */
static int unseal_with_pin(const struct luks_volume *vol, const char *uuid, const char *dev,
			   const struct tpm2_token *t, char *scratch, uint64_t *prompt_ms,
			   const char *next)
{
	uint8_t *secret = (uint8_t *)scratch + SECRET_AT;
	char why[256];
	if (!t->pin) {
		int r = tpm2_unseal(dev, t, NULL, 0, secret, why, sizeof(why));
		if (r < 0)
			log_error("luks: %s: TPM2 unlock with %s failed: %s; %s", vol->name, dev,
				  why, next);
		return r;
	}
	for (unsigned attempt = 1; vol->tries == 0 || attempt <= vol->tries; attempt++) {
		ssize_t len = prompt_pin(vol, uuid, scratch, PIN_MAX, prompt_ms);
		if (len <= 0) {
			explicit_bzero(scratch, PIN_MAX);
			log_error("luks: %s: no TPM2 PIN given; %s", vol->name, next);
			return -ENOKEY;
		}
		int r = tpm2_unseal(dev, t, scratch, (size_t)len, secret, why, sizeof(why));
		explicit_bzero(scratch, PIN_MAX);
		if (r != -EACCES) {
			if (r < 0)
				log_error("luks: %s: TPM2 unlock with %s failed: %s; %s", vol->name,
					  dev, why, next);
			return r;
		}
		log_error("luks: %s (%s): wrong TPM2 PIN (attempt %u of %u)", vol->name,
			  uuid ? uuid : "?", attempt, vol->tries);
	}
	log_error("luks: %s: TPM2 PIN wrong %u times; %s", vol->name, vol->tries, next);
	return -EACCES;
}

/* One token: parse, unseal, activate. 0 active, else a negative errno, logged with next. */
static int unlock_with_token(struct crypt_device *cd, const struct luks_volume *vol, uint32_t flags,
			     struct passphrase_store *s, uint64_t *prompt_ms, int id,
			     const char *dev, const char *next)
{
	uint64_t t0 = now_ms(), prompt0 = *prompt_ms;
	const char *json = NULL, *uuid = crypt_get_uuid(cd);
	char why[256];
	int r = crypt_token_json_get(cd, id, &json);
	if (r < 0) {
		log_error("luks: %s: TPM2 token %d cannot be read (%d); %s", vol->name, id, r,
			  next);
		return r;
	}
	struct tpm2_token *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = tpm2_token_parse(json, t, why, sizeof(why));
	if (r < 0) {
		log_error("luks: %s: TPM2 token %d %s: %s; %s", vol->name, id,
			  r == -EOPNOTSUPP ? "not supported" : "unusable", why, next);
		goto out;
	}
	char *scratch = passphrase_store_scratch(s);
	uint64_t t_tpm = now_ms(), prompt_tpm = *prompt_ms;
	r = unseal_with_pin(vol, uuid, dev, t, scratch, prompt_ms, next);
	t_tpm = now_ms() - t_tpm - (*prompt_ms - prompt_tpm);
	if (r < 0)
		goto out;
	size_t len = tpm2_base64_encode((uint8_t *)scratch + SECRET_AT, (size_t)r, scratch);
	explicit_bzero(scratch + SECRET_AT, TPM2_SECRET_MAX);
	r = crypt_activate_by_passphrase(
		cd, vol->name, t->keyslot >= 0 ? t->keyslot : CRYPT_ANY_SLOT, scratch, len, flags);
	if (r >= 0) {
		passphrase_store_keep(s, len);
		log_info("luks: %s opened with TPM2 token %d on %s (%llu ms from token read to "
			 "active, %llu ms of it with the TPM)",
			 vol->name, id, dev,
			 (unsigned long long)(now_ms() - t0 - (*prompt_ms - prompt0)),
			 (unsigned long long)t_tpm);
		r = 0;
	} else if (r != -EEXIST)
		log_error_errno(r, "luks: %s: the TPM2 secret did not open keyslot %d (%m); %s",
				vol->name, t->keyslot, next);
out:
	passphrase_store_drop(s);
	explicit_bzero(t, sizeof(*t));
	free(t);
	return r;
}

int tpm2_unlock_volume(struct crypt_device *cd, const struct luks_volume *vol, uint32_t flags,
		       struct passphrase_store *s, uint64_t *prompt_ms)
{
	int ids[32];
	int n = find_tokens(cd, ids);
	if (n == 0)
		return -ENOENT;
	const char *dev = find_device(vol);
	if (!dev) {
		log_error("luks: %s: no TPM2 device (%s); asking for the passphrase", vol->name,
			  vol->tpm2_device ? vol->tpm2_device : "/dev/tpmrm0, /dev/tpm0");
		return -ENODEV;
	}
	int r = -ENOENT;
	for (int i = 0; i < n; i++) {
		char next[64] = "asking for the passphrase";
		if (i + 1 < n)
			snprintf(next, sizeof(next), "trying TPM2 token %d", ids[i + 1]);
		r = unlock_with_token(cd, vol, flags, s, prompt_ms, ids[i], dev, next);
		if (r == 0 || r == -EEXIST || r == -ENOMEM)
			break;
	}
	return r;
}
