/* Mounting the root: mount(2) flags from rootflags=, type from rootfstype= or libblkid. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Splits mount options into MS_* flags and the filesystem-specific rest ("data"), like
 * mount(8): "ro,noatime,errors=remount-ro" -> MS_RDONLY|MS_NOATIME, "errors=remount-ro".
 * Pure. data gets at most data_size bytes; returns 0 or -ENAMETOOLONG. */
int mount_options_parse(const char *opts, unsigned long *flags, char *data, size_t data_size);

/* Mounts dev on target. fstype NULL: probed with libblkid. read_only: -1 unset (rootflags
 * decide; default rw as the kernel's own default for an initramfs root is ro=no), 0 rw,
 * 1 ro. Logs its own errors with the device and type. */
int root_mount(const char *dev, const char *fstype, const char *rootflags, int read_only,
	       const char *target);
