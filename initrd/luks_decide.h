/* The decision for a mapping name that already exists when stage 1 wants to unlock (after
 * kexec, or a hook/remote-unlock script got there first). Pure: the caller gathers the facts
 * from libcryptsetup/device-mapper; this only judges them.
 *
 * A dm UUID (CRYPT-LUKS2-<uuid without dashes>-<name>) is only a label whoever created the
 * mapping chose, so it is never the proof. "Same" needs the live table: exactly one crypt
 * target, reading our device (major:minor, directly or through the NAME_dif integrity
 * mapping of a LUKS2 --integrity volume), at our header's data offset, with our cipher, and
 * a key that our header's digest accepts (unless the key sits in the kernel keyring, where
 * nobody can read it back). The dm UUID still names the LUKS UUID and version for the
 * message and catches the common mistake early. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Mirrors libcryptsetup's crypt_status_info, so callers map CRYPT_INACTIVE.. one to one and
 * tests need no libcryptsetup. */
enum luks_dm_status {
	LUKS_DM_INACTIVE, /* CRYPT_INACTIVE */
	LUKS_DM_ACTIVE,	  /* CRYPT_ACTIVE */
	LUKS_DM_BUSY,	  /* CRYPT_BUSY: active and open */
	LUKS_DM_INVALID,  /* CRYPT_INVALID (or crypt_status failed) */
};

/* What the table's key says about the volume key (crypt_volume_key_verify). */
enum luks_key_check {
	LUKS_KEY_UNCHECKED,  /* not compared (no table read) */
	LUKS_KEY_MATCHES,    /* our header's digest accepts the table's key */
	LUKS_KEY_DIFFERS,    /* it does not: not our volume key */
	LUKS_KEY_IN_KEYRING, /* a logon key named and sized as libcryptsetup names ours: its
				bytes cannot be read back, so this is a label, not proof */
	LUKS_KEY_KEYRING_FOREIGN, /* a keyring key of another name, type or size */
};

/* One dm-crypt target's parameters as the kernel reports them:
 *   <cipher> <key> <iv_offset> <major:minor> <offset> [<#opts> <opt>...]
 * Pointers point into the parsed string. */
struct luks_crypt_params {
	const char *cipher;
	size_t cipher_len;
	const char *key; /* hex digits, or ":<size>:<type>:<description>" (keyring), or "-" */
	size_t key_len;
	unsigned long long iv_offset, offset;
	unsigned major, minor;
	unsigned sector_size; /* the "sector_size:N" option; 512 without it */
	bool integrity;	      /* an "integrity:..." option: the device is a dm-integrity mapping */
};

/* Parses a crypt target's parameter string. 0, or -EINVAL when it is not of that shape. */
int luks_crypt_params_parse(const char *params, struct luks_crypt_params *p);

/* Parses a dm-integrity target's "<major:minor> <offset> ..." into its device and offset. */
int luks_integrity_params_parse(const char *params, unsigned *major, unsigned *minor,
				unsigned long long *offset);

struct luks_active_facts {
	const char *name;    /* the mapping name we want */
	bool exists;	     /* a dm device with that name exists */
	const char *dm_uuid; /* its dm UUID; NULL or "" when it has none */
	enum luks_dm_status status;
	bool suspended;
	const char *header_uuid; /* LUKS UUID from our device's header (with dashes); NULL if
				    it could not be read */
	const char *header_type; /* "LUKS1"/"LUKS2" (crypt_get_type) or NULL: not checked */
	const char *device;	 /* our device, for messages ("/dev/vda2" or the spec) */
	unsigned backing_major, backing_minor; /* the device the crypt target reads (through
						  NAME_dif for integrity); 0:0 unknown */
	unsigned device_major, device_minor;   /* the device we resolved; 0:0 unknown */
	/* The live table. */
	unsigned n_targets;	      /* number of targets */
	const char *target_type;      /* type of the first ("crypt", "linear", "error", ...) */
	const char *table_cipher;     /* the crypt target's cipher ("aes-xts-plain64") */
	const char *want_cipher;      /* ours from the header (cipher-mode); NULL: not checked */
	unsigned long long table_offset, want_offset; /* data offset, 512-byte sectors */
	unsigned long long table_iv_offset, want_iv_offset;
	unsigned table_sector_size, want_sector_size; /* 0: not compared */
	bool via_integrity;	      /* the crypt target sits on NAME_dif (LUKS2 --integrity) */
	enum luks_key_check key;
};

enum luks_decision {
	LUKS_NOT_ACTIVE,	  /* no such mapping: go unlock */
	LUKS_ACTIVE_SAME,	  /* our LUKS device is already open under that name: success */
	LUKS_ACTIVE_OTHER_DEVICE, /* refuse: the name maps a different device */
	LUKS_ACTIVE_NOT_CRYPT,	  /* refuse: not a crypt mapping (linear, verity, no dm UUID) */
	LUKS_ACTIVE_SUSPENDED,	  /* refuse: ours, but suspended (luksSuspend) */
	LUKS_ACTIVE_BROKEN,	  /* refuse: exists but no usable table / status invalid */
	LUKS_ACTIVE_UNVERIFIED,	  /* refuse: a LUKS mapping, but our header gave no UUID to
				     compare with, or a device number is unknown, so sameness
				     cannot be shown */
	LUKS_ACTIVE_MISMATCH,	  /* refuse: a crypt table on our device that does not match our
				     header (offset, cipher or key): forged or stale */
};

/* Judges the facts. Writes a one-line message naming both sides (mapping name, its dm UUID
 * and backing device vs our device, its UUID and numbers) into msg (always NUL-terminated,
 * truncated to msg_size). */
enum luks_decision luks_decide_active(const struct luks_active_facts *facts, char *msg,
				      size_t msg_size);

/* Short stable name of a decision ("not-active", "active-same", ...). */
const char *luks_decision_name(enum luks_decision d);
/* True only for LUKS_ACTIVE_SAME. */
bool luks_decision_is_success(enum luks_decision d);
