/* Is the mapping that already carries our name our LUKS device? See luks_decide.h.
 *
 * libcryptsetup names every mapping it creates with a dm UUID
 *   CRYPT-<TYPE>-<LUKS UUID without dashes>-<mapping name>
 * (lib/libdevmapper.c, dm_prepare_uuid()), TYPE being LUKS1, LUKS2, PLAIN, TCRYPT, ... and
 * VERITY/INTEGRITY for the non-crypt targets it also manages. Neither a name nor a dm UUID
 * proves anything: both are strings whoever created the mapping chose (a linear table over an
 * unencrypted disk can carry our UUID). The live table does: one crypt target on our device
 * numbers (a cloned disk has the same UUID on another device), at our data offset, with our
 * cipher and, where the kernel shows it, our volume key. The name part of the dm UUID is not
 * compared: `dmsetup rename` keeps the UUID, so a renamed mapping of our device is ours. */
#include "luks_decide.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define UUID_HEX_LEN 32

/* dm-crypt mapping types libcryptsetup writes after "CRYPT-". */
static const char *const crypt_types[] = {"LUKS1",  "LUKS2", "PLAIN",  "LOOPAES",
					  "TCRYPT", "BITLK", "FVAULT2"};

/* Lowercase hex digits of s, dashes dropped; false if anything else is in it or the result
 * is not exactly 32 digits. */
static bool uuid_hex(const char *s, size_t len, char out[UUID_HEX_LEN + 1])
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-')
			continue;
		if (!isxdigit((unsigned char)s[i]) || n == UUID_HEX_LEN)
			return false;
		out[n++] = (char)tolower((unsigned char)s[i]);
	}
	out[n] = 0;
	return n == UUID_HEX_LEN;
}

struct dm_uuid {
	char type[16];		    /* "LUKS2" */
	char hex[UUID_HEX_LEN + 1]; /* "" when the UUID part is missing or malformed */
	const char *name;	    /* name part, or "" */
};

/* Splits "CRYPT-TYPE-HEX-NAME". Returns false when it does not start with "CRYPT-". */
static bool dm_uuid_parse(const char *s, struct dm_uuid *u)
{
	*u = (struct dm_uuid){.name = ""};
	const char *p = s ? startswith(s, "CRYPT-") : NULL;
	if (!p)
		return false;
	size_t n = strcspn(p, "-");
	snprintf(u->type, sizeof(u->type), "%.*s", (int)n, p);
	if (!p[n])
		return true;
	p += n + 1;
	n = strcspn(p, "-");
	if (!uuid_hex(p, n, u->hex))
		u->hex[0] = 0;
	u->name = p[n] ? p + n + 1 : "";
	return true;
}

static bool is_crypt_type(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(crypt_types); i++)
		if (streq(type, crypt_types[i]))
			return true;
	return false;
}

static bool devnum_known(unsigned major, unsigned minor)
{
	return major || minor;
}

/* Is the live table one crypt target reading our device at our offset with our cipher and
 * key? LUKS_ACTIVE_SAME when it is. */
static enum luks_decision judge_table(const struct luks_active_facts *f, char *why, size_t size)
{
	if (!devnum_known(f->backing_major, f->backing_minor) ||
	    !devnum_known(f->device_major, f->device_minor)) {
		snprintf(why, size, "the device numbers of %s are unknown, so it cannot be shown "
				    "to be ours",
			 devnum_known(f->device_major, f->device_minor) ? "the mapping"
									 : "our device");
		return LUKS_ACTIVE_UNVERIFIED;
	}
	if (f->backing_major != f->device_major || f->backing_minor != f->device_minor) {
		snprintf(why, size, "same LUKS UUID but another backing device%s (a copy of the "
				    "disk?)",
			 f->via_integrity ? " under its integrity mapping" : "");
		return LUKS_ACTIVE_OTHER_DEVICE;
	}
	if (f->table_offset != f->want_offset) {
		snprintf(why, size, "its table starts at sector %llu of the device, our header's "
				    "data starts at %llu",
			 f->table_offset, f->want_offset);
		return LUKS_ACTIVE_MISMATCH;
	}
	/* With integrity the kernel cipher is libcryptsetup's capi:authenc(...) spelling of
	 * ours; device, offset and key still have to match. */
	if (f->want_cipher && !f->via_integrity &&
	    (!f->table_cipher || !streq(f->table_cipher, f->want_cipher))) {
		snprintf(why, size, "its table uses cipher %s, our header %s",
			 f->table_cipher ? f->table_cipher : "none", f->want_cipher);
		return LUKS_ACTIVE_MISMATCH;
	}
	if (f->table_iv_offset != f->want_iv_offset) {
		snprintf(why, size, "its table's IV offset is %llu, our header's %llu",
			 f->table_iv_offset, f->want_iv_offset);
		return LUKS_ACTIVE_MISMATCH;
	}
	if (f->want_sector_size && f->table_sector_size != f->want_sector_size) {
		snprintf(why, size, "its table uses %u-byte sectors, our header %u-byte ones",
			 f->table_sector_size, f->want_sector_size);
		return LUKS_ACTIVE_MISMATCH;
	}
	/* Before the key: a suspended mapping's key is wiped from its table. */
	if (f->suspended) {
		snprintf(why, size, "it is ours but suspended (luksSuspend); resume it or remove it");
		return LUKS_ACTIVE_SUSPENDED;
	}
	if (f->key != LUKS_KEY_MATCHES && f->key != LUKS_KEY_IN_KEYRING) {
		snprintf(why, size, "its table's key %s",
			 f->key == LUKS_KEY_DIFFERS	     ? "is not our volume key"
			 : f->key == LUKS_KEY_KEYRING_FOREIGN ? "is a kernel keyring key that is not "
								"named or sized as ours"
							      : "was not checked");
		return LUKS_ACTIVE_MISMATCH;
	}
	return LUKS_ACTIVE_SAME;
}

static enum luks_decision judge(const struct luks_active_facts *f, const struct dm_uuid *u,
				bool is_crypt, char *why, size_t size)
{
	char hex[UUID_HEX_LEN + 1];
	const char *w = NULL;
	enum luks_decision d;

	if (!f->exists) {
		w = "no mapping of that name";
		d = LUKS_NOT_ACTIVE;
	} else if (f->status == LUKS_DM_INVALID || f->status == LUKS_DM_INACTIVE) {
		w = f->status == LUKS_DM_INVALID ? "its status is invalid"
						 : "it exists but has no active table";
		d = LUKS_ACTIVE_BROKEN;
	} else if (!is_crypt) {
		w = !f->dm_uuid || !*f->dm_uuid ? "it has no dm UUID (not made by cryptsetup)"
						: "it is not a crypt mapping";
		d = LUKS_ACTIVE_NOT_CRYPT;
	} else if (f->n_targets != 1 || !f->target_type || !streq(f->target_type, "crypt")) {
		snprintf(why, size, "its table is not one crypt target (%u target%s, %s)",
			 f->n_targets, f->n_targets == 1 ? "" : "s",
			 f->target_type ? f->target_type : "none");
		return LUKS_ACTIVE_NOT_CRYPT;
	} else if (!is_crypt_type(u->type)) {
		w = "it is a device-mapper target cryptsetup manages, but not dm-crypt";
		d = LUKS_ACTIVE_NOT_CRYPT;
	} else if (!startswith(u->type, "LUKS")) {
		w = "it is a non-LUKS crypt mapping";
		d = LUKS_ACTIVE_OTHER_DEVICE;
	} else if (!u->hex[0]) {
		w = "its dm UUID carries no LUKS UUID";
		d = LUKS_ACTIVE_BROKEN;
	} else if (!f->header_uuid || !uuid_hex(f->header_uuid, strlen(f->header_uuid), hex)) {
		w = "our header gave no LUKS UUID to compare with";
		d = LUKS_ACTIVE_UNVERIFIED;
	} else if (!streq(hex, u->hex)) {
		w = "the LUKS UUIDs differ";
		d = LUKS_ACTIVE_OTHER_DEVICE;
	} else if (f->header_type && !streq(f->header_type, u->type)) {
		w = "same UUID but a different LUKS version";
		d = LUKS_ACTIVE_OTHER_DEVICE;
	} else if ((d = judge_table(f, why, size)) != LUKS_ACTIVE_SAME) {
		return d;
	} else {
		snprintf(why, size, "already open%s (crypt table on our device at sector %llu%s, "
				    "key %s)",
			 f->name && *u->name && !streq(u->name, f->name)
				 ? " (created under another name, then renamed)"
				 : "",
			 f->table_offset, f->via_integrity ? " through its integrity mapping" : "",
			 f->key == LUKS_KEY_MATCHES
				 ? "verified against our header"
				 : "in the kernel keyring under our name, its bytes not readable");
		return LUKS_ACTIVE_SAME;
	}
	snprintf(why, size, "%s", w);
	return d;
}

enum luks_decision luks_decide_active(const struct luks_active_facts *f, char *msg, size_t msg_size)
{
	struct dm_uuid u;
	bool is_crypt = dm_uuid_parse(f->dm_uuid, &u);
	char why[256];
	enum luks_decision d = judge(f, &u, is_crypt, why, sizeof(why));
	const char *name = f->name ? f->name : "?";
	const char *dev = f->device ? f->device : "?";

	if (!msg || !msg_size)
		return d;
	if (d == LUKS_NOT_ACTIVE)
		snprintf(msg, msg_size, "/dev/mapper/%s: %s; unlocking %s", name, why, dev);
	else
		snprintf(msg, msg_size,
			 "/dev/mapper/%s (dm uuid %s, backing %u:%u): %s; our device %s "
			 "(LUKS uuid %s, %u:%u)",
			 name, f->dm_uuid && *f->dm_uuid ? f->dm_uuid : "none", f->backing_major,
			 f->backing_minor, why, dev, f->header_uuid ? f->header_uuid : "unknown",
			 f->device_major, f->device_minor);
	return d;
}

const char *luks_decision_name(enum luks_decision d)
{
	switch (d) {
	case LUKS_NOT_ACTIVE:
		return "not-active";
	case LUKS_ACTIVE_SAME:
		return "active-same";
	case LUKS_ACTIVE_OTHER_DEVICE:
		return "active-other-device";
	case LUKS_ACTIVE_NOT_CRYPT:
		return "active-not-crypt";
	case LUKS_ACTIVE_SUSPENDED:
		return "active-suspended";
	case LUKS_ACTIVE_BROKEN:
		return "active-broken";
	case LUKS_ACTIVE_UNVERIFIED:
		return "active-unverified";
	case LUKS_ACTIVE_MISMATCH:
		return "active-mismatch";
	}
	return "unknown";
}

bool luks_decision_is_success(enum luks_decision d)
{
	return d == LUKS_ACTIVE_SAME;
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* "maj:min" (after spaces) followed by a space or the end. */
static const char *parse_devnum(const char *s, unsigned *major, unsigned *minor)
{
	char *end;
	unsigned long a, b;
	s = skip_spaces(s);
	if (!isdigit((unsigned char)*s))
		return NULL;
	a = strtoul(s, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return NULL;
	b = strtoul(end + 1, &end, 10);
	if ((*end && *end != ' ') || a > UINT32_MAX || b > UINT32_MAX)
		return NULL;
	*major = (unsigned)a, *minor = (unsigned)b;
	return end;
}

/* A decimal number (after spaces) followed by a space or the end. */
static const char *parse_u64(const char *s, unsigned long long *v)
{
	char *end;
	s = skip_spaces(s);
	if (!isdigit((unsigned char)*s))
		return NULL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || (*end && *end != ' '))
		return NULL;
	return end;
}

/* The next space-separated word of *s: its start and length; *s moves past it. */
static bool next_word(const char **s, const char **w, size_t *len)
{
	*s = skip_spaces(*s);
	if (!**s)
		return false;
	*w = *s;
	*len = strcspn(*s, " ");
	*s += *len;
	return true;
}

int luks_crypt_params_parse(const char *params, struct luks_crypt_params *p)
{
	const char *s = params, *w;
	size_t len;
	unsigned long long nopt;
	*p = (struct luks_crypt_params){.sector_size = 512};
	if (!s || !next_word(&s, &p->cipher, &p->cipher_len) ||
	    !next_word(&s, &p->key, &p->key_len) || !(s = parse_u64(s, &p->iv_offset)) ||
	    !(s = parse_devnum(s, &p->major, &p->minor)) || !(s = parse_u64(s, &p->offset)))
		return -EINVAL;
	if (!*skip_spaces(s))
		return 0;
	if (!(s = parse_u64(s, &nopt)))
		return -EINVAL;
	for (unsigned long long i = 0; i < nopt; i++) {
		if (!next_word(&s, &w, &len))
			return -EINVAL;
		if (len > 10 && !strncmp(w, "integrity:", 10))
			p->integrity = true;
		else if (len > 12 && !strncmp(w, "sector_size:", 12)) {
			char *end;
			unsigned long v = strtoul(w + 12, &end, 10);
			if (end != w + len || v == 0 || v > 65536)
				return -EINVAL;
			p->sector_size = (unsigned)v;
		}
	}
	return *skip_spaces(s) ? -EINVAL : 0;
}

int luks_integrity_params_parse(const char *params, unsigned *major, unsigned *minor,
				unsigned long long *offset)
{
	const char *s = params;
	if (!s || !(s = parse_devnum(s, major, minor)))
		return -EINVAL;
	return parse_u64(s, offset) ? 0 : -EINVAL;
}
