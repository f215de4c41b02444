/* Finding block devices with libblkid, and waiting for them: kernel uevents (netlink) wake
 * us when devices appear; each new device's MODALIAS is loaded through libkmod meanwhile. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct modules;
struct uevents;

/* Opens the kernel uevent socket. Open it before coldplug so no device is missed. */
int uevents_open(struct uevents **ret);
void uevents_close(struct uevents *u);
/* The reader of an uevent socket fd already open and bound (uevents_open's second half);
 * takes fd on success. */
int uevents_from_fd(int fd, struct uevents **ret);
/* Handles every queued uevent (the module for its MODALIAS when m). Returns how many were
 * read, or -ENOBUFS when some were lost or cut since the last call (the caller must walk
 * /sys again: what was lost is not known). */
int uevents_more(struct uevents *u, struct modules *m);
/* The boot's first coldplug (modules_coldplug_then): one walk over /sys/devices, then the
 * devices its modules made from their queued uevents rather than from more walks. u NULL:
 * modules_coldplug(). */
int devices_coldplug(struct uevents *u, struct modules *m);

/* udev's /dev/disk/by-uuid/X, by-label, by-partuuid, by-partlabel as a libblkid tag
 * ("UUID=X"), undoing udev's \xHH escaping. 1 and out set; 0 when path is not such a link
 * (by-id, by-path need udev's database); -EINVAL when malformed or too long. Pure. */
int device_tag_from_udev_path(const char *path, char *out, size_t size);

/* Resolves a spec (/dev/..., /dev/disk/by-{uuid,label,partuuid,partlabel}/..., UUID=,
 * LABEL=, PARTUUID=, PARTLABEL=) to a device node path.
 * Returns 0 and *ret (malloc'ed), or -ENODEV when no device matches (yet). */
int device_resolve(const char *spec, char **ret);

/* Waits up to timeout_ms (UINT64_MAX: forever) for spec to resolve, loading modules for
 * devices that appear meanwhile. what names the purpose for messages ("root"). */
int device_wait(const char *spec, uint64_t timeout_ms, struct uevents *u, struct modules *m,
		const char *what, char **ret);
/* device_wait() that also gives the device's type (malloc'ed) when the wait's own libblkid
 * probe found it (a tag spec: the probe that matched the tag read the superblock and judged
 * it unambiguous), else *type = NULL and the caller probes (device_probe_type). */
int device_wait_type(const char *spec, uint64_t timeout_ms, struct uevents *u, struct modules *m,
		     const char *what, char **ret, char **type);

/* How many devices a spec matches: 1 for a path; for a tag (UUID=, LABEL=, ...) every device
 * libblkid finds with it (a cloned disk, a second install, a generic LABEL=swap: more than
 * one), their names space-separated in list. Returns the count or a negative errno. */
int device_matches(const char *spec, char *list, size_t size);

/* Sleeps until a uevent arrives (then loads modules for what appeared) or up to
 * min(max_ms, 500) ms. Returns 1 when the kernel's events were handled, 0 otherwise (a
 * message from any other sender is dropped unread: only the kernel speaks for devices). */
int device_wait_event(struct uevents *u, struct modules *m, uint64_t max_ms);

/* A value that changes when a block device appears or goes (a hash of /sys/class/block). */
uint64_t device_block_generation(void);

/* Logs (at error level) every block device seen and what libblkid says of it, so a user can
 * tell a typo in root= from a missing driver. */
void device_log_seen(void);

/* The filesystem (or other) type libblkid probes on dev ("ext4", "crypto_LUKS"), or NULL. */
char *device_probe_type(const char *dev);
/* device_probe_type() that says why not: 0 and *type (malloc'ed); -ENOENT when nothing is
 * recognised, -ENOTUNIQ when more than one filesystem signature is (libblkid's "ambivalent
 * result": a stale one left beside the real one), -EIO or -errno when dev cannot be read. */
int device_probe(const char *dev, char **type);
