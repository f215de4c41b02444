#include "switchroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* Deletes everything under dirfd that lives on device dev; never follows links or crosses
 * into other filesystems (the new root, /dev, ... are mounted elsewhere by then). */
static void remove_tree(int dirfd, dev_t dev)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				remove_tree(sub, dev);
			unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd, de->d_name, 0);
		}
	}
	closedir(d);
}

static bool is_initramfs(int rootfd)
{
	struct statfs sfs;
	struct stat st;
	/* The initramfs is a ramfs or tmpfs holding our /init; anything else means we are
	 * not where we think we are, and deleting would destroy a real system. */
	if (fstatfs(rootfd, &sfs) < 0 ||
	    (sfs.f_type != RAMFS_MAGIC && sfs.f_type != (__typeof__(sfs.f_type))TMPFS_MAGIC))
		return false;
	return fstatat(rootfd, "init", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int switch_root(const char *newroot, const char *init, char *const argv[])
{
	static const char *const moves[] = {"/dev", "/proc", "/sys", "/run"};
	struct stat newst, rootst;
	char target[4096];

	if (stat(newroot, &newst) < 0 || stat("/", &rootst) < 0)
		return log_error_errno(-errno, "switch_root: stat %s: %m", newroot);
	if (newst.st_dev == rootst.st_dev)
		return log_error_errno(-EINVAL, "switch_root: %s is not a mount point", newroot);
	for (size_t i = 0; i < ARRAY_SIZE(moves); i++) {
		int n = snprintf(target, sizeof(target), "%s%s", newroot, moves[i]);
		if (n < 0 || (size_t)n >= sizeof(target))
			return -ENAMETOOLONG;
		struct stat st;
		if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode)) {
			/* The new root has no such directory: better unmounted than left behind
			 * under a deleted initramfs. */
			log_warning("switch_root: %s missing in the new root, unmounting %s",
				    target, moves[i]);
			umount2(moves[i], MNT_DETACH);
			continue;
		}
		if (mount(moves[i], target, NULL, MS_MOVE, NULL) < 0) {
			log_warning("switch_root: moving %s to %s: %m; unmounting it", moves[i],
				    target);
			umount2(moves[i], MNT_DETACH);
		}
	}
	if (chdir(newroot) < 0)
		return log_error_errno(-errno, "switch_root: chdir %s: %m", newroot);
	int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "switch_root: open /: %m");
	if (mount(newroot, "/", NULL, MS_MOVE, NULL) < 0) {
		close(rootfd);
		return log_error_errno(-errno, "switch_root: moving %s to /: %m", newroot);
	}
	if (chroot(".") < 0 || chdir("/") < 0) {
		close(rootfd);
		return log_error_errno(-errno, "switch_root: chroot: %m");
	}
	/* Free the initramfs' RAM: it cannot be unmounted, only emptied. */
	if (is_initramfs(rootfd))
		remove_tree(rootfd, rootst.st_dev);
	else {
		log_warning("switch_root: old root is not an initramfs; not deleting anything");
		close(rootfd);
	}
	execv(init, argv);
	return log_error_errno(-errno, "switch_root: executing %s: %m", init);
}
