/* The kernel's uevent messages (NETLINK_KOBJECT_UEVENT), parsed, and what a device wait does
 * with one. Pure: no sockets, no sysfs; devices.c reads the socket and acts on the decision. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* One message, "ACTION@DEVPATH\0KEY=VALUE\0...". The pointers point into the caller's
 * buffer; a key the message lacks is NULL. */
struct uevent {
	const char *action;    /* "add", "remove", "change", "bind", ... (ACTION=) */
	const char *devpath;   /* "/devices/pci0000:00/0000:00:08.0/virtio0" (DEVPATH=) */
	const char *subsystem; /* "virtio", "block", ... */
	const char *devtype;   /* "disk", "partition", ... */
	const char *modalias;  /* "virtio:d00000002v00001AF4", ... */
	const char *devname;   /* "vda1", "dm-0": its node under /dev (DEVNAME=) */
};

/* Parses the len bytes of buf (one datagram as recv() returned it; NUL-separated, the last
 * field may lack its NUL). Fields of the header and ACTION=/DEVPATH= must agree. Returns 0,
 * or -EINVAL for a message that is not a kernel uevent (no "@" header, empty action or
 * devpath, a devpath not under /, a libudev message, a field without '=' or a header that
 * ACTION=/DEVPATH= contradict). buf is modified: the last field is NUL-terminated in place,
 * so it needs len + 1 bytes. */
int uevent_parse(char *buf, size_t len, struct uevent *ev);

/* What a device wait does with a message. */
enum uevent_todo {
	UEVENT_NOTHING = 0,
	UEVENT_LOAD = 1 << 0,	       /* load the module for ev->modalias */
	UEVENT_BLOCK_CHANGED = 1 << 1, /* a block device changed (a medium, a size) or went:
					* what libblkid knew of it is stale */
	UEVENT_BLOCK_ADDED = 1 << 2,   /* a block device appeared: probe /dev/ev->devname (a
					* kept libblkid cache looks at no new device by itself) */
};

/* Pure decision: a device that is added or changes (add, change, move, online, bind) gets its
 * MODALIAS loaded; a device that goes (remove, unbind, offline) never does; a block device's
 * "change" or "remove" makes cached probes stale; a block device's "add" with a DEVNAME (a
 * relative name without "..") is a device to probe. */
unsigned uevent_decide(const struct uevent *ev);
