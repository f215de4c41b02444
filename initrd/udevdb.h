/* Stage 2's udev and the device-mapper devices stage 1 activated without it.
 *
 * initkit runs no udev, and its libcryptsetup and lvm are built without udev sync, so no udev
 * rule ever saw the dm devices it activates. When stage 2's systemd-udev-trigger replays their
 * "add" event, lvm2's dm rules (55-dm.rules in Debian, 10-dm.rules upstream) cannot tell that
 * replay from the kernel's first "add" of a still empty dm device (no DM_COOKIE, nothing in the
 * udev database) and disable the device: SYSTEMD_READY=0, so systemd's .device units for
 * /dev/mapper/... never appear and the swap, fsck and cryptsetup units waiting for them time
 * out after 90 s (lvm2 issue #153). initramfs-tools and dracut run udevd, whose database then
 * holds DM_UDEV_PRIMARY_SOURCE_FLAG=1 for every device it saw activated; the rules import that
 * flag and treat the replayed "add" as the coldplug of a finished activation. initkit writes
 * that one property, for each active dm device that has no database entry yet. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UDEVDB_DIR "/run/udev/data"
/* What udevd would have recorded from libdevmapper's activation event. */
#define UDEVDB_DM_ENTRY "E:DM_UDEV_PRIMARY_SOURCE_FLAG=1\n"

/* Pure: the database file name of block device MAJ:MIN ("b253:0"). 0 or -ENAMETOOLONG. */
int udevdb_entry_name(unsigned maj, unsigned min, char *name, size_t size);

/* Pure: the entry of a dm device as udevd would have recorded it from the activation event:
 * UDEVDB_DM_ENTRY; for a hidden device (an LVM sub-LV such as a raid leg, thin pool data or a
 * layer like "-real"/"-cow"; libcryptsetup's private devices) the three DM_UDEV_DISABLE_*
 * flags lvm and libcryptsetup set, so stage 2 makes no /dev/disk/by-uuid link into them; for a
 * snapshot DM_UDEV_LOW_PRIORITY_FLAG, so by-uuid points at the origin; and "I:usec", the time
 * udev initialized it. 0, or -ENAMETOOLONG when buf is too small. */
int udevdb_dm_entry_text(const char *dm_uuid, const char *dm_name, bool snapshot, uint64_t usec,
			 char *buf, size_t size);

/* Writes entry as the entry of block device maj:min in the directory data_fd (mode 01644, as
 * udev keeps entries across the switch). An existing entry is left as it is: -EEXIST. 0, or a
 * negative errno. */
int udevdb_write_dm_entry(int data_fd, unsigned maj, unsigned min, const char *entry);

/* libdevmapper built without udev makes /dev/mapper/NAME a device node; udev makes it a
 * symlink to ../dm-N and will not replace a node ("Failed to create/update device symlink
 * '/dev/mapper/NAME', ignoring: File exists"). Replaces the entry name in the directory
 * mapper_fd, when it is the block device devno, by the symlink "../kname" (atomically, by a
 * rename). 0 replaced; -ENOENT no such entry; -EEXIST something else there (a symlink, another
 * device, a file), left as it is; other negative errno values on failure. */
int udevdb_mapper_node_to_link(int mapper_fd, const char *name, const char *kname, dev_t devno);

/* For every dm device in /sys/block that is active (not suspended, with a table), writes its
 * entry into UDEVDB_DIR (made if missing) and makes its /dev/mapper node udev's symlink.
 * Logs the devices marked. Returns how many were marked, or a negative errno when the
 * directory cannot be made. */
int udevdb_mark_dm_devices(void);
