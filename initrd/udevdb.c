/* udev database entries for the device-mapper devices stage 1 activated: see udevdb.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "lvm.h"
#include "udevdb.h"
#include "util.h"

int udevdb_entry_name(unsigned maj, unsigned min, char *name, size_t size)
{
	return path_printf(name, size, "b%u:%u", maj, min);
}

/* LVM's reserved LV name parts: its hidden sub-LVs (raid legs and metadata, mirror images and
 * logs, thin pool data and metadata, cache pieces, ...), which lvm activates with udev's
 * disk and other rules off, so no /dev/disk/by-uuid link points into a raid leg or an uncached
 * origin (lvm2 lib/activate/dev_manager.c, lib/metadata/lv_manip.c). */
static const char *const lvm_hidden_parts[] = {
	"_cdata", "_cmeta",   "_corig", "_cpool", "_cvol",  "_wcorig",	"_mimage",
	"_mlog",  "_rimage",  "_rmeta", "_tdata", "_tmeta", "_vorigin", "_vdata",
	"_vpool", "_pmspare", "_imeta", "_iorig", "pvmove"};

int udevdb_dm_entry_text(const char *dm_uuid, const char *dm_name, bool snapshot, uint64_t usec,
			 char *buf, size_t size)
{
	bool hidden = false;
	if (dm_uuid && startswith(dm_uuid, "LVM-")) {
		/* a name with a layer ("vg-root-real", "vg-snap-cow", "vg-pool-tpool") does not
		 * split into VG-LV: a layer is hidden too */
		char vg[128], lv[128];
		if (!dm_name || lvm_dm_name_split(dm_name, vg, sizeof(vg), lv, sizeof(lv)) < 0)
			hidden = true;
		for (size_t i = 0; !hidden && i < ARRAY_SIZE(lvm_hidden_parts); i++)
			hidden = strstr(lv, lvm_hidden_parts[i]) != NULL;
	} else if (dm_uuid && startswith(dm_uuid, "CRYPT-SUBDEV")) {
		hidden = true; /* libcryptsetup's private devices (the dm-integrity under LUKS) */
	}
	int n = snprintf(buf, size, "%s%s%sI:%llu\n", UDEVDB_DM_ENTRY,
			 hidden ? "E:DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG=1\n"
				  "E:DM_UDEV_DISABLE_DISK_RULES_FLAG=1\n"
				  "E:DM_UDEV_DISABLE_OTHER_RULES_FLAG=1\n"
				: "",
			 snapshot ? "E:DM_UDEV_LOW_PRIORITY_FLAG=1\n" : "",
			 (unsigned long long)usec);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int udevdb_write_dm_entry(int data_fd, unsigned maj, unsigned min, const char *entry)
{
	char name[32];
	int r = udevdb_entry_name(maj, min, name, sizeof(name));
	if (r < 0)
		return r;
	/* 01644: udev's mode for entries kept across the switch ("db_persist", which the dm
	 * rules ask for); udevadm info --cleanup-db keeps only those */
	_cleanup_close_ int fd =
		openat(data_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 01644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(entry);
	ssize_t n = write(fd, entry, len);
	if (n != (ssize_t)len || fchmod(fd, 01644) < 0) {
		r = n < 0 || n == (ssize_t)len ? -errno : -EIO;
		unlinkat(data_fd, name, 0);
		return r;
	}
	return 0;
}

int udevdb_mapper_node_to_link(int mapper_fd, const char *name, const char *kname, dev_t devno)
{
	char target[300], tmp[300];
	struct stat st;
	if (fstatat(mapper_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode) || st.st_rdev != devno)
		return -EEXIST;
	if (path_printf(target, sizeof(target), "../%s", kname) < 0 ||
	    path_printf(tmp, sizeof(tmp), ".#initkit.%s", name) < 0)
		return -ENAMETOOLONG;
	if (symlinkat(target, mapper_fd, tmp) < 0)
		return -errno;
	if (renameat(mapper_fd, tmp, mapper_fd, name) < 0) {
		int r = -errno;
		unlinkat(mapper_fd, tmp, 0);
		return r;
	}
	return 0;
}

/* A dm device that udev should take as activated: not suspended, and with a table (a device
 * created but never loaded has size 0). */
static bool dm_device_active(const char *name, dev_t *devno)
{
	char path[64], state = '1';
	struct stat st;
	if (path_printf(path, sizeof(path), "/sys/block/%s/dm/suspended", name) < 0)
		return false;
	_cleanup_close_ int sfd = open(path, O_RDONLY | O_CLOEXEC);
	if (sfd < 0 || read(sfd, &state, 1) != 1 || state != '0')
		return false;
	if (path_printf(path, sizeof(path), "/dev/%s", name) < 0)
		return false;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	uint64_t size = 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) ||
	    ioctl(fd, BLKGETSIZE64, &size) < 0 || size == 0)
		return false;
	*devno = st.st_rdev;
	return true;
}

/* /dev/mapper/NAME of kernel device kname (dm-N), as udev would have made it. */
static void mapper_node_to_link(const char *kname, dev_t devno)
{
	char path[64], name[256];
	if (path_printf(path, sizeof(path), "/sys/block/%s/dm/name", kname) < 0)
		return;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, name, sizeof(name) - 1);
	if (n <= 0)
		return;
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
	_cleanup_close_ int mapper_fd = open("/dev/mapper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!name[0] || mapper_fd < 0)
		return;
	int r = udevdb_mapper_node_to_link(mapper_fd, name, kname, devno);
	if (r < 0 && r != -ENOENT && r != -EEXIST)
		log_warning("udev: cannot make /dev/mapper/%s a symlink to ../%s: %s", name, kname,
			    strerror(-r));
}

/* A classic LVM snapshot: one of its slaves is the COW store, dm name "...-cow". */
static bool dm_is_snapshot(const char *kname)
{
	char path[300], name[256];
	snprintf(path, sizeof(path), "/sys/block/%s/slaves", kname);
	DIR *d = opendir(path);
	bool snap = false;
	for (struct dirent *e; d && !snap && (e = readdir(d));) {
		if (!startswith(e->d_name, "dm-"))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", e->d_name);
		snap = read_line(path, name, sizeof(name)) == 0 && strlen(name) > 4 &&
		       streq(name + strlen(name) - 4, "-cow");
	}
	if (d)
		closedir(d);
	return snap;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

int udevdb_mark_dm_devices(void)
{
	if (mkdir("/run/udev", 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "udev: cannot make /run/udev: %m");
	if (mkdir(UDEVDB_DIR, 0755) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "udev: cannot make " UDEVDB_DIR ": %m");
	_cleanup_close_ int data_fd = open(UDEVDB_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_(closedirp) DIR *d = opendir("/sys/block");
	if (data_fd < 0 || !d)
		return log_error_errno(-errno,
				       "udev: cannot open " UDEVDB_DIR " or /sys/block: %m");
	char marked[512] = "";
	size_t used = 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		dev_t devno;
		if (!startswith(de->d_name, "dm-") || !dm_device_active(de->d_name, &devno))
			continue;
		mapper_node_to_link(de->d_name, devno);
		char entry[512], uuid[160] = "", dmname[256] = "", path[300];
		snprintf(path, sizeof(path), "/sys/block/%s/dm/uuid", de->d_name);
		read_line(path, uuid, sizeof(uuid));
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
		read_line(path, dmname, sizeof(dmname));
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int r = udevdb_dm_entry_text(uuid, dmname, dm_is_snapshot(de->d_name),
					     (uint64_t)ts.tv_sec * 1000000 +
						     (uint64_t)ts.tv_nsec / 1000,
					     entry, sizeof(entry));
		r = r ?: udevdb_write_dm_entry(data_fd, major(devno), minor(devno), entry);
		if (r == -EEXIST)
			continue; /* udevd (a hook's) already recorded it */
		if (r < 0) {
			log_warning(
				"udev: cannot write the database entry of %s: %s; stage 2's udev "
				"may ignore it",
				de->d_name, strerror(-r));
			continue;
		}
		n++;
		int w = snprintf(marked + used, sizeof(marked) - used, " %s", de->d_name);
		if (w > 0 && (size_t)w < sizeof(marked) - used)
			used += (size_t)w;
	}
	if (n > 0)
		log_info(
			"udev: %d device-mapper device(s) recorded as activated for stage 2's udev "
			"(" UDEVDB_DIR ", /dev/mapper links):%s",
			n, marked);
	return n;
}
