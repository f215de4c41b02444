#include "mount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "devices.h"
#include "log.h"
#include "util.h"

static const struct {
	const char *name;
	unsigned long set, clear;
} mount_flag_table[] = {
	{"ro", MS_RDONLY, 0},
	{"rw", 0, MS_RDONLY},
	{"nosuid", MS_NOSUID, 0},
	{"suid", 0, MS_NOSUID},
	{"nodev", MS_NODEV, 0},
	{"dev", 0, MS_NODEV},
	{"noexec", MS_NOEXEC, 0},
	{"exec", 0, MS_NOEXEC},
	{"sync", MS_SYNCHRONOUS, 0},
	{"async", 0, MS_SYNCHRONOUS},
	{"noatime", MS_NOATIME, 0},
	{"atime", 0, MS_NOATIME},
	{"nodiratime", MS_NODIRATIME, 0},
	{"relatime", MS_RELATIME, 0},
	{"norelatime", 0, MS_RELATIME},
	{"strictatime", MS_STRICTATIME, 0},
	{"lazytime", MS_LAZYTIME, 0},
	{"dirsync", MS_DIRSYNC, 0},
	{"defaults", 0, 0},
};

int mount_options_parse(const char *opts, unsigned long *flags, char *data, size_t data_size)
{
	size_t used = 0;
	if (data_size)
		data[0] = 0;
	while (opts && *opts) {
		size_t len = strcspn(opts, ",");
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(mount_flag_table); i++)
			if (strlen(mount_flag_table[i].name) == len &&
			    strncmp(opts, mount_flag_table[i].name, len) == 0) {
				*flags = (*flags | mount_flag_table[i].set) &
					 ~mount_flag_table[i].clear;
				known = true;
				break;
			}
		if (!known && len > 0) {
			if (used + (used ? 1 : 0) + len + 1 > data_size)
				return -ENAMETOOLONG;
			if (used)
				data[used++] = ',';
			memcpy(data + used, opts, len);
			used += len;
			data[used] = 0;
		}
		opts += len;
		if (*opts == ',')
			opts++;
	}
	return 0;
}

int root_mount_options(const char *rootflags, int read_only, unsigned long *flags, char *data,
		       size_t data_size)
{
	/* The kernel's own default for the root (root_mountflags = MS_RDONLY), as
	 * initramfs-tools and dracut do: read-only unless asked otherwise, so that systemd's
	 * root fsck can run before the root is remounted read-write. */
	*flags = MS_RDONLY;
	int r = mount_options_parse(rootflags, flags, data, data_size);
	if (r < 0)
		return r;
	if (read_only == 1)
		*flags |= MS_RDONLY;
	else if (read_only == 0)
		*flags &= ~(unsigned long)MS_RDONLY;
	return 0;
}

int root_mount(const char *dev, const char *fstype, const char *rootflags, int read_only,
	       const char *target)
{
	unsigned long flags = 0;
	char data[1024];
	_cleanup_free_ char *probed = NULL;

	if (root_mount_options(rootflags, read_only, &flags, data, sizeof(data)) < 0)
		return log_error_errno(-ENAMETOOLONG, "rootflags=%s: too long", rootflags);
	if (!fstype) {
		int r = device_probe(dev, &probed);
		if (r == -ENOTUNIQ)
			return log_error_errno(
				r,
				"root %s: more than one filesystem signature on it "
				"(libblkid: ambivalent; `wipefs -n %s` lists them): set "
				"rootfstype= to the one to mount, or wipe the stale one",
				dev, dev);
		if (r < 0)
			return log_error_errno(-EINVAL,
					       "root %s: no filesystem libblkid recognises "
					       "(set rootfstype= if it is there)",
					       dev);
		fstype = probed;
	}
	mkdir(target, 0755);
	if (mount(dev, target, fstype, flags, data[0] ? data : NULL) < 0)
		return log_error_errno(
			-errno, "mounting root %s (type %s, options %s%s%s) on %s: %m", dev, fstype,
			flags & MS_RDONLY ? "ro" : "rw", data[0] ? "," : "", data, target);
	log_info("mounted root %s (%s, %s) on %s", dev, fstype, flags & MS_RDONLY ? "ro" : "rw",
		 target);
	return 0;
}
