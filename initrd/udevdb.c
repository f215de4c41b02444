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
#include <unistd.h>

#include "log.h"
#include "udevdb.h"
#include "util.h"

int udevdb_entry_name(unsigned maj, unsigned min, char *name, size_t size)
{
	return path_printf(name, size, "b%u:%u", maj, min);
}

int udevdb_write_dm_entry(int data_fd, unsigned maj, unsigned min)
{
	char name[32];
	int r = udevdb_entry_name(maj, min, name, sizeof(name));
	if (r < 0)
		return r;
	_cleanup_close_ int fd =
		openat(data_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	const char *entry = UDEVDB_DM_ENTRY;
	size_t len = strlen(entry);
	ssize_t n = write(fd, entry, len);
	if (n != (ssize_t)len) {
		r = n < 0 ? -errno : -EIO;
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
		int r = udevdb_write_dm_entry(data_fd, major(devno), minor(devno));
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
