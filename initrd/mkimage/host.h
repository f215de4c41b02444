/* initkit-mkimage --host: what this machine's boot needs, for a given target kernel, and why.
 *
 * The detection reads a root directory ("/" on the machine itself, or a recorded tree given
 * with --host-root DIR): DIR/proc/self/mountinfo, DIR/proc/cmdline, DIR/proc/swaps,
 * DIR/sys/..., DIR/etc/crypttab, DIR/etc/lvm/lvm.conf, DIR/etc/initramfs-tools/conf.d/resume.
 * Superblocks are probed with libblkid on DIR/dev/block/MAJ:MIN (in a recorded tree: a regular
 * file with the device's first bytes), else on /dev/KERNELNAME (the machine itself). A dm
 * device's table comes from libdevmapper on the machine itself, and from DIR/dmsetup/NAME
 * (`dmsetup table NAME` output) in a recorded tree. Modules are resolved with libkmod against
 * the TARGET kernel's modules directory, never the running one's.
 *
 * The pure helpers (mountinfo, cmdline, key bitmaps, dm tables, crypttab fields, swaps) are
 * declared here for the unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum host_kind {
	HOST_MODULE,  /* a loadable module of the target kernel, included */
	HOST_BUILTIN, /* built into the target kernel: nothing to include */
	HOST_FILE,    /* a file in the image (crypttab, a key file, lvm.conf, e2fsck) */
	HOST_SETTING, /* a line of the image config /etc/initkit.conf */
	HOST_NOTE,    /* something detected that needs nothing, or a warning */
};

struct host_item {
	enum host_kind kind;
	char *name; /* module name, file path in the image, KEY=VALUE */
	char *why;  /* the device or setting that needed it */
};

struct host_plan {
	struct host_item *items;
	size_t n_items;
	char **modules; /* loadable modules to include (names), no duplicates */
	size_t n_modules;
	char **sets; /* KEY=VALUE for /etc/initkit.conf */
	size_t n_sets;
	char *crypttab;	 /* the image's /etc/crypttab, NULL when no LUKS volume is needed */
	char **keyfiles; /* SRC:DEST for the image, as --keyfile takes them */
	size_t n_keyfiles;
	char *lvm_config; /* DIR/etc/lvm/lvm.conf when an LV is needed and it exists */
	bool luks, lvm, fsck;
};

struct host_options {
	const char *root;	 /* "/" or the recorded tree */
	const char *moddir;	 /* the target kernel's /lib/modules/KVER */
	const char *fsck_binary; /* the static e2fsck --fsck would take (exists or not) */
};

/* Detects the root, /usr, resume and keyboards of the machine under opts->root. Returns 0, or
 * a negative errno after logging one line naming the device or filesystem it cannot handle
 * (-EOPNOTSUPP: root on NFS, ZFS, overlay, tmpfs, md RAID, a loop device, an unknown dm
 * target, ...). */
int host_detect(const struct host_options *opts, struct host_plan *plan);
/* A broad set for a portable image, without detection: the modules of the list that the
 * target kernel has. */
int host_universal(const char *moddir, struct host_plan *plan);
/* The table: one line per item, "  KIND NAME  WHY". */
void host_plan_print(const struct host_plan *plan);
void host_plan_free(struct host_plan *plan);

/* --- pure helpers --- */

struct host_mount {
	unsigned major, minor;
	char root[512]; /* the mounted directory of the filesystem ("/", "/@" for a subvolume) */
	char fstype[64];
	char source[512];  /* "/dev/vda1", "server:/export" */
	char options[512]; /* per-superblock options */
};
/* The mount at mountpoint (the last one: a later mount hides an earlier one) in mountinfo
 * text. Returns 0, -ENOENT when nothing is mounted there, -EINVAL for a malformed line. */
int host_mountinfo_find(const char *text, const char *mountpoint, struct host_mount *m);
/* The mount containing path (the longest mount point prefix). */
int host_mountinfo_containing(const char *text, const char *path, struct host_mount *m,
			      char *mountpoint, size_t size);
/* The value of key= on a kernel command line (before "--"); 1 found (value copied, "" for a
 * bare key), 0 not there. */
int host_cmdline_get(const char *cmdline, const char *key, char *value, size_t size);
/* True when bit is set in a sysfs input capability bitmap ("120013 0 fffffffffffffffe ...",
 * hex words of 64 bits, most significant first). */
bool host_keybits_has(const char *text, unsigned bit);
/* The module aliases one dm table line ("0 2048 crypt aes-xts-plain64 ...") needs: the
 * target's module, and for crypt the cipher's ("crypto-aes", "crypto-xts", ...). Fills out
 * with up to max names (each < 64 bytes); returns the number, or -EOPNOTSUPP for a target
 * type we do not know (type copied to type_out). */
int host_dm_table_modules(const char *line, char (*out)[64], size_t max, char *type_out,
			  size_t type_size);
/* Splits a crypttab line into its 4 fields (missing ones ""). Returns the number of fields
 * present, 0 for a blank or comment line. Modifies line. */
int host_crypttab_fields(char *line, char *fields[4]);
/* True when a crypttab options field has the option word opt. */
bool host_crypttab_has_option(const char *options, const char *opt);
/* The largest swap partition in /proc/swaps text (files and zram are skipped); copies its
 * path. Returns 1 found, 0 none. */
int host_swaps_pick(const char *text, char *path, size_t size);
/* RESUME= of Debian's /etc/initramfs-tools/conf.d/resume ("none"/"auto"/empty: 0). */
int host_resume_conf(const char *text, char *value, size_t size);
