/* Multi-device btrfs roots: register the members, wait for the filesystem to be complete
 * (see btrfs.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "btrfs.h"
#include "devices.h"
#include "kmod.h"
#include "log.h"
#include "util.h"

#define BTRFS_CONTROL "/dev/btrfs-control"
/* The misc device the btrfs module registers (MISC_MAJOR, BTRFS_MINOR). */
#define BTRFS_CONTROL_MAJOR 10
#define BTRFS_CONTROL_MINOR 234
/* Block devices remembered per boot (btrfs members and devices with a bad superblock). */
#define MAX_SEEN 64

struct member {
	dev_t rdev;
	char path[64];
	bool bad; /* btrfs by libblkid, but its superblock did not parse: reported once */
	struct btrfs_super sb;
};

struct scan {
	struct member m[MAX_SEEN];
	size_t n;
};

static int super_read(const char *dev, struct btrfs_super *sb)
{
	uint8_t buf[BTRFS_SUPER_SIZE];
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, buf, sizeof(buf), BTRFS_SUPER_OFFSET);
	if (n < 0)
		return -errno;
	return btrfs_super_parse(buf, (size_t)n, sb);
}

static int vol_ioctl(int ctl, unsigned long req, const char *dev)
{
	struct btrfs_ioctl_vol_args args = {0};
	if (path_printf(args.name, sizeof(args.name), "%s", dev) < 0)
		return -ENAMETOOLONG;
	int r = ioctl(ctl, req, &args);
	return r < 0 ? -errno : r;
}

/* Adds and registers the btrfs member at path unless it was seen already. */
static void scan_one(struct scan *s, int ctl, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode) || strlen(path) >= sizeof(s->m[0].path))
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].rdev == st.st_rdev)
			return;
	if (s->n >= MAX_SEEN) {
		static bool said;
		if (!said)
			log_warning("btrfs: more than %d btrfs devices; %s and later ones are not "
				    "registered",
				    MAX_SEEN, path);
		said = true;
		return;
	}
	_cleanup_free_ char *type = device_probe_type(path);
	if (!type || !streq(type, "btrfs"))
		return;
	struct member *m = &s->m[s->n++];
	char uuid[BTRFS_UUID_STRING_SIZE];
	*m = (struct member){.rdev = st.st_rdev};
	memcpy(m->path, path, strlen(path) + 1);
	int r = super_read(path, &m->sb);
	if (r < 0) {
		m->bad = true;
		log_warning_errno(r,
				  "btrfs: %s: libblkid says btrfs, but its superblock at 64 KiB "
				  "cannot be used (%m); not registering it",
				  path);
		return;
	}
	btrfs_uuid_format(m->sb.fsid, uuid);
	r = vol_ioctl(ctl, BTRFS_IOC_SCAN_DEV, path);
	if (r < 0)
		log_warning_errno(r, "btrfs %s: registering %s (devid %llu) failed: %m", uuid, path,
				  (unsigned long long)m->sb.devid);
	else
		log_info("btrfs %s: registered %s (devid %llu of %llu devices)", uuid, path,
			 (unsigned long long)m->sb.devid, (unsigned long long)m->sb.num_devices);
}

/* Every block device the kernel lists, as libblkid finds them (no udev in stage 1). */
static void scan_all(struct scan *s, int ctl)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[300];
		if (de->d_name[0] != '.' &&
		    path_printf(path, sizeof(path), "/dev/%s", de->d_name) == 0)
			scan_one(s, ctl, path);
	}
	if (d)
		closedir(d);
}

/* The members of fsid seen, one per devid, listed into buf ("devid 1 on /dev/vda, ..."). */
static size_t members_present(const struct scan *s, const uint8_t fsid[16], char *buf, size_t size)
{
	size_t count = 0, len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < s->n; i++) {
		bool dup = false;
		if (s->m[i].bad || memcmp(s->m[i].sb.fsid, fsid, 16) != 0)
			continue;
		for (size_t k = 0; k < i; k++)
			dup = dup || (!s->m[k].bad && memcmp(s->m[k].sb.fsid, fsid, 16) == 0 &&
				      s->m[k].sb.devid == s->m[i].sb.devid);
		if (dup)
			continue;
		count++;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%sdevid %llu on %s",
						len ? ", " : "",
						(unsigned long long)s->m[i].sb.devid, s->m[i].path);
	}
	return count;
}

/* Loads btrfs (its control device appears with it) and opens /dev/btrfs-control. */
static int control_open(struct modules *mods)
{
	uint64_t t = now_ms();
	const char *asker = modules_asked_by(mods, "btrfs");
	int r = mods ? modules_load(mods, "btrfs", true) : -ENOENT;
	modules_asked_by(mods, asker);
	if (r < 0 && r != -ENOENT)
		log_warning_errno(r, "btrfs: loading the btrfs module: %m");
	else if (r > 0)
		log_info("btrfs: module loaded in %llu ms", (unsigned long long)(now_ms() - t));
	struct stat st;
	/* devtmpfs makes the node when the module registers it; create it if it did not. */
	if (stat(BTRFS_CONTROL, &st) < 0 &&
	    mknod(BTRFS_CONTROL, S_IFCHR | 0600,
		  makedev(BTRFS_CONTROL_MAJOR, BTRFS_CONTROL_MINOR)) < 0)
		log_warning_errno(-errno, "btrfs: creating %s: %m", BTRFS_CONTROL);
	int fd = open(BTRFS_CONTROL, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno,
				       "btrfs: cannot open %s: %m (btrfs module %s; add it to the "
				       "image with initkit-mkimage --module btrfs)",
				       BTRFS_CONTROL,
				       r == -ENOENT ? "not in the image" : "not loaded");
	return fd;
}

static bool root_is_btrfs(const char *rootdev, const char *rootfstype)
{
	if (rootfstype)
		return streq(rootfstype, "btrfs");
	_cleanup_free_ char *type = device_probe_type(rootdev);
	return type && streq(type, "btrfs");
}

static int report_missing(const struct scan *s, const struct btrfs_super *root, uint64_t waited_ms,
			  const char *rootflags)
{
	char uuid[BTRFS_UUID_STRING_SIZE], present[512];
	btrfs_uuid_format(root->fsid, uuid);
	size_t n = members_present(s, root->fsid, present, sizeof(present));
	bool degraded = btrfs_rootflags_degraded(rootflags);
	log_msg(degraded ? LOG_WARNING : LOG_ERR,
		"btrfs %s: %zu of %llu devices present after %llu ms (%s); %s", uuid, n,
		(unsigned long long)root->num_devices, (unsigned long long)waited_ms,
		n ? present : "none",
		degraded ? "mounting degraded, as rootflags= says"
			 : "not mounting it degraded (rootflags=degraded would)");
	return degraded ? 0 : -ENODEV;
}

int btrfs_root_wait(const char *rootdev, const char *rootfstype, const char *rootflags,
		    uint64_t timeout_ms, struct uevents *u, struct modules *m)
{
	if (!root_is_btrfs(rootdev, rootfstype))
		return 0;
	uint64_t start = now_ms();
	struct btrfs_super root;
	char uuid[BTRFS_UUID_STRING_SIZE];
	int r = super_read(rootdev, &root);
	if (r < 0) {
		log_warning_errno(r,
				  "btrfs: root %s: no usable btrfs superblock (%m); mounting "
				  "without waiting for other members",
				  rootdev);
		return 0;
	}
	btrfs_uuid_format(root.fsid, uuid);
	_cleanup_close_ int ctl = control_open(m);
	if (ctl < 0)
		return 0; /* logged; the mount says what follows */
	_cleanup_free_ struct scan *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	bool announced = false;
	uint64_t first = 0; /* when the first member of the root's filesystem was registered */
	for (;;) {
		char present[512];
		scan_all(s, ctl);
		if (!first && members_present(s, root.fsid, present, sizeof(present)) > 0)
			first = now_ms();
		r = vol_ioctl(ctl, BTRFS_IOC_DEVICES_READY, rootdev);
		uint64_t elapsed = now_ms() - start;
		if (r == 0) {
			log_info("btrfs %s: all %llu devices present after %llu ms (%llu ms after "
				 "the first was registered)",
				 uuid, (unsigned long long)root.num_devices,
				 (unsigned long long)elapsed,
				 (unsigned long long)(first ? now_ms() - first : 0));
			return 0;
		}
		if (r < 0)
			return log_error_errno(r, "btrfs %s: asking whether %s is complete: %m",
					       uuid, rootdev);
		if (timeout_ms != UINT64_MAX && elapsed >= timeout_ms)
			return report_missing(s, &root, elapsed, rootflags);
		if (!announced && elapsed >= 1000) {
			size_t n = members_present(s, root.fsid, present, sizeof(present));
			log_notice("btrfs %s: waiting for its other devices: %zu of %llu present "
				   "(%s; timeout rd.timeout)",
				   uuid, n, (unsigned long long)root.num_devices, present);
			announced = true;
		}
		device_wait_event(u, m, timeout_ms == UINT64_MAX ? 500 : timeout_ms - elapsed);
	}
}
