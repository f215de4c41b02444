/* Mounting the root: mount(2) flags from rootflags=, type from rootfstype= or libblkid. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Splits mount options into MS_* flags and the filesystem-specific rest ("data"), like
 * mount(8): "ro,noatime,errors=remount-ro" -> MS_RDONLY|MS_NOATIME, "errors=remount-ro".
 * Pure. data gets at most data_size bytes; returns 0 or -ENAMETOOLONG. */
int mount_options_parse(const char *opts, unsigned long *flags, char *data, size_t data_size);

/* The root's flags and data: read-only unless rw is asked for (the kernel's default, and
 * initramfs-tools' and dracut's), then rootflags= (which may say rw or ro), then the ro/rw
 * words of the command line (read_only: -1 neither given, 0 rw, 1 ro), which win. Pure;
 * returns 0 or -ENAMETOOLONG as mount_options_parse(). */
int root_mount_options(const char *rootflags, int read_only, unsigned long *flags, char *data,
		       size_t data_size);

/* Mounts dev on target with root_mount_options(). fstype NULL: probed with libblkid. Logs its
 * own errors with the device and type. */
int root_mount(const char *dev, const char *fstype, const char *rootflags, int read_only,
	       const char *target);
