/* LUKS volume configuration: /etc/crypttab (systemd's crypttab(5) format) plus the kernel
 * command line's rd.luks.* entries (systemd-cryptsetup-generator semantics), turned into the
 * ordered list of volumes stage 1 unlocks. Pure: bytes in, structs out; no file access, no
 * logging. Problems come back as diagnostic records the caller logs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* INFO: a note worth one log line (a crypttab entry skipped because the command line
 * restricts the volumes); WARNING: ignored input (unknown option); ERROR: input that could not
 * be used (the line or entry is dropped). */
enum luks_diag_level { LUKS_DIAG_WARNING, LUKS_DIAG_ERROR, LUKS_DIAG_INFO };

/* timeout_ms values with a special meaning. */
#define LUKS_TIMEOUT_DEFAULT 0		 /* use the caller's default (rd.timeout) */
#define LUKS_TIMEOUT_INFINITY UINT64_MAX /* "0" or "infinity" in the input: wait forever */

/* One problem found in the input. message names the input ("/etc/crypttab:3: unknown option
 * 'foo' ignored", "rd.luks.name=abc: expected UUID=NAME") and is ready to log as is. */
struct luks_diag {
	enum luks_diag_level level;
	char *message;
};

struct luks_volume {
	char *name;    /* mapping name (/dev/mapper/<name>) */
	char *device;  /* device spec as written: "UUID=...", "LABEL=...", "PARTUUID=...",
			  "PARTLABEL=...", "/dev/..." */
	char *keyfile; /* path inside the image, or NULL: ask for a passphrase */
	char *header;  /* detached header path inside the image, or NULL: on the device */
	uint64_t keyfile_offset;
	uint64_t keyfile_size; /* 0: read the whole key file */
	unsigned tries;	       /* passphrase attempts; 0 = unlimited; default 3 */
	bool discard;	       /* allow discards (dm-crypt allow_discards) */
	bool no_read_wq;       /* CRYPT_ACTIVATE_NO_READ_WORKQUEUE */
	bool no_write_wq;      /* CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE */
	bool readonly;
	bool nofail;	     /* failing to unlock this one is not fatal to the boot */
	bool noauto;	     /* only between crypttab_parse() and luks_config_apply_cmdline():
				afterwards noauto volumes not named on the command line are gone */
	uint64_t timeout_ms; /* how long to wait for the device: LUKS_TIMEOUT_DEFAULT (the
				caller's default, rd.timeout), LUKS_TIMEOUT_INFINITY or
				milliseconds. From x-systemd.device-timeout= or rd.luks.timeout= */
	char *source;	     /* where it came from, for messages: "/etc/crypttab:3",
				"rd.luks.uuid=..." */
	char *tpm2_device;	   /* tpm2-device=PATH; NULL: auto (/dev/tpmrm0, /dev/tpm0) */
	uint32_t tpm2_pcrs;	   /* tpm2-pcrs= (PCR bit mask), when tpm2_pcrs_set */
	bool tpm2_pcrs_set;
	uint64_t token_timeout_ms; /* token-timeout=: how long to wait for the TPM device */
};

/* One rd.luks.* command line entry, in command line order. key includes the prefix
 * ("rd.luks.uuid"); value is NULL for a bare key. source names it for messages (may be NULL:
 * then "key=value" is used). */
struct luks_cmdline_entry {
	const char *key;
	const char *value;
	const char *source;
};

struct luks_config {
	struct luks_volume *volumes; /* final order: crypttab order, then command-line-only ones */
	size_t n_volumes;
	struct luks_diag *diags;
	size_t n_diags;
	bool disabled; /* rd.luks=0 (or rd.luks=no): volumes is empty */
};

/* Parses crypttab text into cfg (appending volumes and diags). A malformed line, or a volume
 * that cannot be unlocked as written (non-LUKS type, key or header on another device), yields
 * an error diag and is skipped; an option with a bad value yields an error diag and only that
 * option is ignored; an unknown option yields a warning diag. Returns 0, or -ENOMEM (cfg then
 * holds what was parsed so far; free it). source_name: "/etc/crypttab" when NULL. */
int crypttab_parse(const char *text, size_t len, const char *source_name, struct luks_config *cfg);

/* Applies the rd.luks.* entries to the crypttab volumes already in cfg (see crypttab.c for
 * the rules, which follow systemd-cryptsetup-generator). Entries whose key does not start
 * with "rd.luks" are ignored. Returns 0 or -ENOMEM. */
int luks_config_apply_cmdline(struct luks_config *cfg, const struct luks_cmdline_entry *entries,
			      size_t n_entries);

/* Both steps in one call: crypttab may be NULL (no /etc/crypttab in the image). This is the
 * entry point stage 1 uses; it always applies the command line step (which also drops noauto
 * entries), even with no entries. */
int luks_config_build(const char *crypttab, size_t len, const char *source_name,
		      const struct luks_cmdline_entry *entries, size_t n_entries,
		      struct luks_config *cfg);

/* True when some diag has level LUKS_DIAG_ERROR. */
bool luks_config_has_errors(const struct luks_config *cfg);

void luks_config_free(struct luks_config *cfg);
