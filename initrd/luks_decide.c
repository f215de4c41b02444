/* Is the mapping that already carries our name our LUKS device? See luks_decide.h.
 *
 * libcryptsetup names every mapping it creates with a dm UUID
 *   CRYPT-<TYPE>-<LUKS UUID without dashes>-<mapping name>
 * (lib/libdevmapper.c, dm_prepare_uuid()), TYPE being LUKS1, LUKS2, PLAIN, TCRYPT, ... and
 * VERITY/INTEGRITY for the non-crypt targets it also manages. A name-only match proves
 * nothing (a hook may have opened another disk under "croot"); the UUID part against our
 * header's UUID does, and the backing device numbers catch a cloned disk (same UUID, other
 * device). The name part of the dm UUID is not compared: `dmsetup rename` keeps the UUID, so
 * a renamed mapping of our device is still ours. */
#include "luks_decide.h"

#include <ctype.h>
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

static enum luks_decision judge(const struct luks_active_facts *f, const struct dm_uuid *u,
				bool is_crypt, const char **why)
{
	char hex[UUID_HEX_LEN + 1];

	if (!f->exists) {
		*why = "no mapping of that name";
		return LUKS_NOT_ACTIVE;
	}
	if (f->status == LUKS_DM_INVALID || f->status == LUKS_DM_INACTIVE) {
		*why = f->status == LUKS_DM_INVALID ? "its status is invalid"
						    : "it exists but has no active table";
		return LUKS_ACTIVE_BROKEN;
	}
	if (!is_crypt) {
		*why = !f->dm_uuid || !*f->dm_uuid ? "it has no dm UUID (not made by cryptsetup)"
						   : "it is not a crypt mapping";
		return LUKS_ACTIVE_NOT_CRYPT;
	}
	if (!is_crypt_type(u->type)) {
		*why = "it is a device-mapper target cryptsetup manages, but not dm-crypt";
		return LUKS_ACTIVE_NOT_CRYPT;
	}
	if (!startswith(u->type, "LUKS")) {
		*why = "it is a non-LUKS crypt mapping";
		return LUKS_ACTIVE_OTHER_DEVICE;
	}
	if (!u->hex[0]) {
		*why = "its dm UUID carries no LUKS UUID";
		return LUKS_ACTIVE_BROKEN;
	}
	if (!f->header_uuid || !uuid_hex(f->header_uuid, strlen(f->header_uuid), hex)) {
		*why = "our header gave no LUKS UUID to compare with";
		return LUKS_ACTIVE_UNVERIFIED;
	}
	if (!streq(hex, u->hex)) {
		*why = "the LUKS UUIDs differ";
		return LUKS_ACTIVE_OTHER_DEVICE;
	}
	if (f->header_type && !streq(f->header_type, u->type)) {
		*why = "same UUID but a different LUKS version";
		return LUKS_ACTIVE_OTHER_DEVICE;
	}
	if (devnum_known(f->backing_major, f->backing_minor) &&
	    devnum_known(f->device_major, f->device_minor) &&
	    (f->backing_major != f->device_major || f->backing_minor != f->device_minor)) {
		*why = "same LUKS UUID but another backing device (a copy of the disk?)";
		return LUKS_ACTIVE_OTHER_DEVICE;
	}
	if (f->suspended) {
		*why = "it is ours but suspended (luksSuspend); resume it or remove it";
		return LUKS_ACTIVE_SUSPENDED;
	}
	*why = f->name && *u->name && !streq(u->name, f->name)
		       ? "already open (created under another name, then renamed)"
		       : "already open";
	return LUKS_ACTIVE_SAME;
}

enum luks_decision luks_decide_active(const struct luks_active_facts *f, char *msg, size_t msg_size)
{
	struct dm_uuid u;
	bool is_crypt = dm_uuid_parse(f->dm_uuid, &u);
	const char *why = "";
	enum luks_decision d = judge(f, &u, is_crypt, &why);
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
	}
	return "unknown";
}

bool luks_decision_is_success(enum luks_decision d)
{
	return d == LUKS_ACTIVE_SAME;
}
