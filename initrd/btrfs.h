/* Multi-device btrfs roots. The kernel mounts a btrfs filesystem only when it knows every
 * member device; without udev (whose btrfs rule does this in stage 2) nothing tells it, so
 * stage 1 registers each btrfs member libblkid finds (BTRFS_IOC_SCAN_DEV on
 * /dev/btrfs-control) and waits, within rd.timeout=, until BTRFS_IOC_DEVICES_READY says the
 * root's filesystem is complete. The superblock parser (btrfs_super.c) is pure; the rest
 * (btrfs.c) is the edge. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct modules;
struct uevents;

/* The primary superblock: 4 KiB at 64 KiB on every member. */
#define BTRFS_SUPER_OFFSET 65536
#define BTRFS_SUPER_SIZE 4096
#define BTRFS_LABEL_SIZE 256
#define BTRFS_UUID_STRING_SIZE 37

struct btrfs_super {
	uint8_t fsid[16];	      /* the filesystem UUID (libblkid's UUID=) */
	uint8_t dev_uuid[16];	      /* this member's UUID (libblkid's UUID_SUB=) */
	uint64_t devid;		      /* this member's device id */
	uint64_t num_devices;	      /* how many members the filesystem has */
	uint64_t generation;	      /* transaction id of this superblock */
	char label[BTRFS_LABEL_SIZE]; /* NUL-terminated */
	bool csum_verified;	      /* crc32c checked (other checksum types are not) */
};

/* Parses the primary superblock (buf holds BTRFS_SUPER_SIZE bytes read at BTRFS_SUPER_OFFSET).
 * Pure. Returns 0 with out filled; -EINVAL when len is short, the magic is not "_BHRfS_M" or
 * the superblock does not say it is the one at 64 KiB; -EBADMSG when its crc32c checksum is
 * wrong; -ERANGE when num_devices or devid is 0, or the fsid in its device item differs from
 * the filesystem's (metadata) UUID, as the kernel checks. */
int btrfs_super_parse(const void *buf, size_t len, struct btrfs_super *out);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into out. Pure. */
void btrfs_uuid_format(const uint8_t uuid[16], char out[BTRFS_UUID_STRING_SIZE]);

/* Whether rootflags= asks for a degraded mount (the option "degraded" among its words). Pure. */
bool btrfs_rootflags_degraded(const char *rootflags);

/* CRC-32C (Castagnoli) as btrfs uses it for crc32c superblock checksums. Pure. */
uint32_t btrfs_crc32c(const void *buf, size_t len);

/* Before mounting rootdev: when it is btrfs (rootfstype=btrfs, or libblkid's TYPE=btrfs
 * without rootfstype=), loads the btrfs module, registers every btrfs member on the system and
 * waits up to timeout_ms (UINT64_MAX: forever) until the root's filesystem has all its
 * devices, woken by uevents. Returns 0 (also when the root is not btrfs, and when members are
 * missing but rootflags= says "degraded": the mount is then tried degraded, with a warning);
 * -ENODEV when members are still missing (logged: the filesystem UUID, how many of how many
 * devices are present, which devids are missing); other negative errnos when btrfs cannot be
 * set up (logged). */
int btrfs_root_wait(const char *rootdev, const char *rootfstype, const char *rootflags,
		    uint64_t timeout_ms, struct uevents *u, struct modules *m);
