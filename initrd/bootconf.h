/* The stage-1 boot configuration: settings from the image config (/etc/initkit.conf) and the
 * kernel command line applied in that order onto one struct, so the command line wins.
 * Pure: no logging; malformed values of our keys become error records the caller logs.
 *
 * Keys (a '-' and a '_' in a key are the same character, as in the kernel and systemd):
 *   root=SPEC            /dev/..., UUID=, LABEL=, PARTUUID=, PARTLABEL= (kept as given)
 *   rootfstype=TYPE      filesystem type (default: probed)
 *   rootflags=OPTS       mount options, last one wins
 *   ro | rw              mount the root read-only / read-write (last one wins; default unset)
 *   init=PATH            absolute path of the stage-2 init inside the new root; default: the
 *                        first of /sbin/init, /etc/init, /bin/init, /bin/sh that passes the
 *                        check. Words after "--" on the command line are its arguments.
 *   rd.modules-load=M,M  modules to load (comma list; repeats accumulate)
 *   module_blacklist=M,M, rd.driver.blacklist=M,M   modules never to load (accumulate)
 *   rd.timeout=SPAN      how long to wait for the root device; systemd time span: `30`
 *                        (seconds), `10s`, `500ms`, `2min`, `1min 30s`, `1.5s`; `0` or
 *                        `infinity` wait forever. Default 30 s.
 *   rd.emergency=ACTION  what to do when the boot fails (after a shell, if one ran):
 *                        reboot | poweroff | halt | wait (sleep forever, message stays on the
 *                        console). Default: wait — like systemd's and dracut's emergency mode,
 *                        which keep the failure on screen.
 *   rd.shell[=BOOL]      allow an emergency shell on failure, used only if /bin/sh exists in
 *                        the image; rd.shell=0 forbids it. Default: not allowed (a root shell
 *                        without a password on a LUKS machine is a hole).
 *   quiet[=BOOL]         log only notices and worse
 *   rd.debug[=BOOL]      log debug messages
 *   rd.luks=BOOL, luks=BOOL   LUKS handling on/off (default on)
 *   rd.luks.*=, luks.*=  kept verbatim, in order, for the LUKS parser
 *   rd.lvm=BOOL          LVM activation on/off (default on; used when the image has lvm)
 *   rd.lvm.vg=VG         activate this volume group (repeatable, dracut's name)
 *   rd.lvm.lv=VG/LV      activate this logical volume (repeatable, dracut's name)
 *                        LVM names: A-Z a-z 0-9 + _ . -, not starting with '-' (lvm(8))
 *   fsck.mode=MODE       root filesystem check (systemd-fsck@.service(8)): auto (default: the
 *                        checker decides, e.g. e2fsck -a checks a filesystem not marked clean),
 *                        force (check even when clean: -f), skip (no check)
 *   fsck.repair=REPAIR   preen (default: fix what is safe, -a), yes (fix everything, -y),
 *                        no (fix nothing, -n); a boolean means yes / no, as in systemd
 *   fastboot, forcefsck  bare keys, as systemd and initramfs-tools: fsck.mode=skip / force
 *   resume=SPEC          the swap device holding a hibernation image: a spec as for root=
 *                        (an LV: /dev/mapper/VG-LV or /dev/VG/LV)
 *   resume_offset=N      page offset of the swap header in a swap file (unsigned decimal)
 *   noresume[=BOOL]      never resume (wins over resume=, whatever the order)
 *   vconsole.keymap=NAME, rd.vconsole.keymap=NAME   the keymap for the prompt, one of the
 *                        image's (systemd's names; rd. wins; default: the image's
 *                        /etc/vconsole.conf KEYMAP=)
 * BOOL: 1 yes y true on / 0 no n false off (a bare key means yes).
 * Anything else is ignored: it belongs to the kernel or to stage 2.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmdline;
struct conf;

#define BOOT_TIMEOUT_DEFAULT_MS UINT64_C(30000)
#define BOOT_TIMEOUT_INFINITY UINT64_MAX
#define BOOT_SOURCE_CMDLINE "kernel command line"

enum boot_rw { BOOT_RW_UNSET, BOOT_RW_RO, BOOT_RW_RW };

enum boot_fsck_mode { BOOT_FSCK_AUTO, BOOT_FSCK_FORCE, BOOT_FSCK_SKIP };
enum boot_fsck_repair { BOOT_FSCK_PREEN, BOOT_FSCK_YES, BOOT_FSCK_NO };

enum boot_emergency {
	BOOT_EMERGENCY_WAIT, /* the default */
	BOOT_EMERGENCY_REBOOT,
	BOOT_EMERGENCY_POWEROFF,
	BOOT_EMERGENCY_HALT,
};

/* One setting as it came in. source: "kernel command line" or "/etc/initkit.conf:7". */
struct boot_setting {
	const char *key;
	const char *value; /* NULL for a bare key */
	const char *source;
};

/* An owned copy of a setting (the rd.luks.* entries). */
struct boot_entry {
	char *key;
	char *value; /* NULL for a bare key */
	char *source;
};

/* A malformed value of one of our keys, or a syntax error of the config file (key NULL). */
struct boot_error {
	char *key;    /* NULL for a config file syntax error */
	char *value;  /* NULL for a bare key */
	char *source; /* "kernel command line", "/etc/initkit.conf:7" */
	char *reason; /* "not a time span (e.g. 30, 10s, 500ms, 2min)" */
};

struct boot_config {
	char *root, *rootfstype, *rootflags; /* NULL when not set */
	enum boot_rw read_only;
	char *init;	  /* NULL: try the default list (initcheck.h) */
	char **init_args; /* arguments after "--"; NULL-terminated, never NULL after init */
	size_t n_init_args;
	char **modules; /* NULL-terminated, never NULL after init; in order, duplicates dropped */
	size_t n_modules;
	char **blacklist; /* NULL-terminated, never NULL after init; duplicates dropped */
	size_t n_blacklist;
	uint64_t timeout_ms; /* BOOT_TIMEOUT_INFINITY: wait forever */
	enum boot_emergency emergency;
	bool shell_allowed, quiet, debug, luks_enabled, lvm_enabled;
	char **lvm_vgs; /* rd.lvm.vg=, NULL-terminated, never NULL after init; no duplicates */
	size_t n_lvm_vgs;
	char **lvm_lvs; /* rd.lvm.lv= as "VG/LV", NULL-terminated, never NULL after init */
	size_t n_lvm_lvs;
	/* fsck.mode= (default auto), fsck.repair= (default preen) */
	enum boot_fsck_mode fsck_mode;
	enum boot_fsck_repair fsck_repair;
	char *resume;		/* resume=, NULL when not set */
	uint64_t resume_offset; /* resume_offset=, valid when resume_offset_set */
	bool resume_offset_set, noresume;
	char *vconsole_keymap, *rd_vconsole_keymap; /* NULL when not set; checked by vconsole.c */
	struct boot_entry *luks;		    /* rd.luks.* / luks.* entries, in order */
	size_t n_luks;
	struct boot_error *errors; /* in order of occurrence; the caller logs them */
	size_t n_errors;
};

/* Sets the defaults. Returns 0 or -ENOMEM. */
int boot_config_init(struct boot_config *bc);
void boot_config_free(struct boot_config *bc);

/* Applies one setting / an ordered list. A malformed value of our keys adds an error record
 * and leaves the field as it was; unknown keys are ignored. Returns 0 or -ENOMEM. */
int boot_config_apply(struct boot_config *bc, const struct boot_setting *s);
int boot_config_apply_list(struct boot_config *bc, const struct boot_setting *s, size_t n);

/* Applies a parsed config file; its syntax errors are copied into bc->errors with source
 * "path:line". path is the name to report ("/etc/initkit.conf"). Returns 0 or -ENOMEM. */
int boot_config_apply_conf(struct boot_config *bc, const struct conf *c, const char *path);
/* Applies a parsed command line (source "kernel command line") and takes its init
 * arguments (the words after "--"). Returns 0 or -ENOMEM. */
int boot_config_apply_cmdline(struct boot_config *bc, const struct cmdline *c);

/* One line for the log: "kernel command line: rd.timeout=abc: not a time span (...)".
 * Returns the snprintf() length (>= size means truncated). */
int boot_error_format(const struct boot_error *e, char *buf, size_t size);

/* Parsers for single values, exposed for the tests and for other keys that need them. */
/* systemd-style time span, in milliseconds (rounded up). 0 -> 0; "infinity" -> INFINITY.
 * Returns 0 or -EINVAL / -ERANGE. */
int boot_parse_timespan_ms(const char *s, uint64_t *ret);
/* A device spec as root= and resume= take: /dev/... (more than "/"), or a non-empty UUID=,
 * LABEL=, PARTUUID=, PARTLABEL= tag. */
bool boot_device_spec_valid(const char *s);
/* 1 for yes, 0 for no, -EINVAL otherwise. NULL (bare key) is yes. */
int boot_parse_bool(const char *s);
/* An LVM VG or LV name of len bytes as lvm(8) accepts it: 1..127 of A-Z a-z 0-9 + _ . -, not
 * starting with '-', not "." or "..". */
bool boot_lvm_name_valid(const char *s, size_t len);
const char *boot_emergency_name(enum boot_emergency e);
/* "auto"/"force"/"skip" and "preen"/"yes"/"no"; "?" for a value out of range. */
const char *boot_fsck_mode_name(enum boot_fsck_mode m);
const char *boot_fsck_repair_name(enum boot_fsck_repair r);
