/* The decision for a mapping name that already exists when stage 1 wants to unlock (after
 * kexec, or a hook/remote-unlock script got there first). Pure: the caller gathers the facts
 * from libcryptsetup/device-mapper; this only judges them.
 *
 * "Same" is judged from the mapping's dm UUID (CRYPT-LUKS1-/CRYPT-LUKS2-<uuid without
 * dashes>-<name>, as libcryptsetup writes it) against the LUKS UUID in the device's header,
 * and from the backing device numbers when both sides know them. */
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
	unsigned backing_major, backing_minor; /* backing device as the mapping reports it; 0:0
						  unknown */
	unsigned device_major, device_minor;   /* the device we resolved; 0:0 unknown */
};

enum luks_decision {
	LUKS_NOT_ACTIVE,	  /* no such mapping: go unlock */
	LUKS_ACTIVE_SAME,	  /* our LUKS device is already open under that name: success */
	LUKS_ACTIVE_OTHER_DEVICE, /* refuse: the name maps a different device */
	LUKS_ACTIVE_NOT_CRYPT,	  /* refuse: not a crypt mapping (linear, verity, no dm UUID) */
	LUKS_ACTIVE_SUSPENDED,	  /* refuse: ours, but suspended (luksSuspend) */
	LUKS_ACTIVE_BROKEN,	  /* refuse: exists but no usable table / status invalid */
	LUKS_ACTIVE_UNVERIFIED,	  /* refuse: a LUKS mapping, but our header gave no UUID to
				     compare with, so sameness cannot be shown */
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
