/* systemd-tpm2 token parser. See tpm2_token.h. Field names and meanings follow systemd 252's
 * src/cryptenroll/cryptenroll-tpm2.c and src/shared/tpm2-util.c; the later fields are
 * recognised only to be refused by name. */
#include "tpm2_token.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* fail(): lib/util.h's fail_why() */
#define fail fail_why

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long tpm2_base64_decode(const char *in, uint8_t *out, size_t size)
{
	size_t len = strlen(in), n = 0;
	if (len % 4)
		return -EINVAL;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad || (v[k] = b64_value(in[i + k])) < 0)
				return -EINVAL;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		/* The bits a padded group drops must be zero (canonical encoding). */
		if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
			return -EINVAL;
		for (int k = 0; k < 3 - pad; k++) {
			if (n >= size)
				return -ENOBUFS;
			out[n++] = (uint8_t)(w >> (16 - 8 * k));
		}
	}
	return (long)n;
}

size_t tpm2_base64_encode(const uint8_t *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			w |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			w |= in[i + 2];
		out[n++] = alphabet[w >> 18 & 63];
		out[n++] = alphabet[w >> 12 & 63];
		out[n++] = i + 1 < len ? alphabet[w >> 6 & 63] : '=';
		out[n++] = i + 2 < len ? alphabet[w & 63] : '=';
	}
	out[n] = '\0';
	return n;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Fields of later systemd versions that change how the secret is sealed: refused by name. */
static int refuse_later_fields(struct json_object *o, char *why, size_t size)
{
	static const struct {
		const char *key, *what;
	} later[] = {
		{"tpm2_salt", "a salted PIN (systemd 253+)"},
		{"tpm2_srk", "a stored SRK (systemd 254+)"},
		{"tpm2_pubkey", "a signed PCR policy"},
		{"tpm2_pcrlock", "a pcrlock policy (systemd 255+)"},
		{"tpm2_policy_hash", "several policy hashes (systemd 256+)"},
	};
	struct json_object *v;
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		if (!json_object_object_get_ex(o, later[i].key, &v))
			continue;
		/* 255 writes "tpm2_pcrlock": false for tokens without pcrlock. */
		if (json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v))
			continue;
		return fail(-EOPNOTSUPP, why, size, "%s: %s is not supported", later[i].key,
			    later[i].what);
	}
	/* 252 writes "tpm2_pubkey_pcrs": [] when no signed policy is used. */
	if (json_object_object_get_ex(o, "tpm2_pubkey_pcrs", &v) &&
	    !(json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0))
		return fail(-EOPNOTSUPP, why, size,
			    "tpm2_pubkey_pcrs: a signed PCR policy is not supported");
	return 0;
}

static int parse_pcrs(struct json_object *o, uint32_t *mask, char *why, size_t size)
{
	struct json_object *v;
	*mask = 0;
	if (!json_object_object_get_ex(o, "tpm2-pcrs", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return fail(-EINVAL, why, size, "tpm2-pcrs: not an array");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_int))
			return fail(-EINVAL, why, size, "tpm2-pcrs: entry %zu is not a number", i);
		int64_t n = json_object_get_int64(e);
		if (n < 0 || n >= TPM2_TOKEN_PCR_MAX)
			return fail(-EINVAL, why, size, "tpm2-pcrs: %lld is not a PCR (0-23)",
				    (long long)n);
		*mask |= 1u << n;
	}
	return 0;
}

static int parse_keyslot(struct json_object *o, int *keyslot, char *why, size_t size)
{
	struct json_object *v;
	*keyslot = -1;
	if (!json_object_object_get_ex(o, "keyslots", &v) ||
	    !json_object_is_type(v, json_type_array))
		return fail(-EINVAL, why, size, "keyslots: missing or not an array");
	/* luksKillSlot leaves "keyslots": [] behind; systemd writes exactly one and skips others.
	 */
	if (json_object_array_length(v) == 0)
		return fail(-EINVAL, why, size, "keyslots: bound to no keyslot (was it removed?)");
	if (json_object_array_length(v) > 1)
		return fail(-EINVAL, why, size, "keyslots: more than one keyslot");
	struct json_object *e = json_object_array_get_idx(v, 0);
	const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
	if (!s || !*s || strlen(s) > 2 || strspn(s, "0123456789") != strlen(s))
		return fail(-EINVAL, why, size, "keyslots: not a keyslot number");
	*keyslot = (int)strtol(s, NULL, 10);
	return 0;
}

static const char *opt_string(struct json_object *o, const char *key, bool *bad)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = true;
		return NULL;
	}
	return json_object_get_string(v);
}

static int parse_fields(struct json_object *o, struct tpm2_token *t, char *why, size_t size)
{
	struct json_object *v;
	bool bad = false;
	const char *type = opt_string(o, "type", &bad);
	if (!type || strcmp(type, "systemd-tpm2") != 0)
		return fail(-EINVAL, why, size, "type: not systemd-tpm2");
	int r = refuse_later_fields(o, why, size);
	if (r < 0)
		return r;
	if ((r = parse_keyslot(o, &t->keyslot, why, size)) < 0 ||
	    (r = parse_pcrs(o, &t->pcr_mask, why, size)) < 0)
		return r;

	const char *blob = opt_string(o, "tpm2-blob", &bad);
	long n = blob ? tpm2_base64_decode(blob, t->blob, sizeof(t->blob)) : -EINVAL;
	if (n <= 0)
		return fail(-EINVAL, why, size, "tpm2-blob: missing or not base64");
	t->blob_len = (size_t)n;

	const char *bank = opt_string(o, "tpm2-pcr-bank", &bad);
	if (bad || (bank && strcmp(bank, "sha256") && strcmp(bank, "sha1")))
		return fail(-EINVAL, why, size, "tpm2-pcr-bank: '%s' is not sha256 or sha1",
			    bank ? bank : "?");
	t->bank = bank && !strcmp(bank, "sha1") ? TPM2_BANK_SHA1 : TPM2_BANK_SHA256;

	/* Missing: systemd before 250 always made an ECC primary. */
	const char *alg = opt_string(o, "tpm2-primary-alg", &bad);
	if (bad || (alg && strcmp(alg, "ecc") && strcmp(alg, "rsa")))
		return fail(-EINVAL, why, size, "tpm2-primary-alg: '%s' is not ecc or rsa",
			    alg ? alg : "?");
	t->primary = alg && !strcmp(alg, "rsa") ? TPM2_PRIMARY_RSA : TPM2_PRIMARY_ECC;

	const char *hash = opt_string(o, "tpm2-policy-hash", &bad);
	size_t hl = hash ? strlen(hash) : 0;
	if (!hash || hl == 0 || hl % 2 || hl / 2 > sizeof(t->policy_hash))
		return fail(-EINVAL, why, size, "tpm2-policy-hash: missing or not a digest");
	for (size_t i = 0; i < hl; i += 2) {
		int hi = hex_value(hash[i]), lo = hex_value(hash[i + 1]);
		if (hi < 0 || lo < 0)
			return fail(-EINVAL, why, size, "tpm2-policy-hash: not hex");
		t->policy_hash[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	t->policy_hash_len = hl / 2;

	if (json_object_object_get_ex(o, "tpm2-pin", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(-EINVAL, why, size, "tpm2-pin: not a boolean");
		t->pin = json_object_get_boolean(v);
	}
	return 0;
}

int tpm2_token_parse(const char *json, struct tpm2_token *t, char *why, size_t why_size)
{
	memset(t, 0, sizeof(*t));
	if (why && why_size)
		why[0] = '\0';
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	size_t len = strnlen(json, 1 << 20);
	struct json_object *o = json_tokener_parse_ex(tok, json, (int)len);
	bool complete = json_tokener_get_error(tok) == json_tokener_success;
	/* Nothing but white space may follow the object. */
	for (size_t i = complete ? json_tokener_get_parse_end(tok) : len; i < len; i++)
		if (!strchr(" \t\r\n", json[i]))
			complete = false;
	json_tokener_free(tok);
	int r;
	if (!o || !complete || !json_object_is_type(o, json_type_object))
		r = fail(-EINVAL, why, why_size, "not a JSON object");
	else
		r = parse_fields(o, t, why, why_size);
	json_object_put(o);
	return r;
}
