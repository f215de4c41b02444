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

enum switchroot_verdict switchroot_decide(const struct switchroot_facts *f)
{
	if (f->newroot_dev == f->oldroot_dev)
		return SWITCHROOT_NOT_MOUNTPOINT;
	bool ram = f->oldroot_fstype == RAMFS_MAGIC || f->oldroot_fstype == TMPFS_MAGIC;
	return ram && f->oldroot_has_init ? SWITCHROOT_GO : SWITCHROOT_GO_KEEP_OLD;
}

bool switchroot_may_delete(dev_t entry_dev, dev_t oldroot_dev)
{
	return entry_dev == oldroot_dev;
}

void switchroot_remove_tree(int dirfd, dev_t dev)
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
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !switchroot_may_delete(st.st_dev, dev))
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				switchroot_remove_tree(sub, dev);
			unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd, de->d_name, 0);
		}
	}
	closedir(d);
}

static int gather_facts(const char *newroot, struct switchroot_facts *f)
{
	struct stat newst, rootst, initst;
	struct statfs sfs;

	if (stat(newroot, &newst) < 0)
		return log_error_errno(-errno, "switch_root: stat %s: %m", newroot);
	if (stat("/", &rootst) < 0 || statfs("/", &sfs) < 0)
		return log_error_errno(-errno, "switch_root: stat /: %m");
	*f = (struct switchroot_facts){
		.newroot_dev = newst.st_dev,
		.oldroot_dev = rootst.st_dev,
		.oldroot_fstype = (unsigned long)sfs.f_type,
		.oldroot_has_init = lstat("/init", &initst) == 0 && S_ISREG(initst.st_mode),
	};
	return 0;
}

static int move_api_mounts(const char *newroot)
{
	static const char *const moves[] = {"/dev", "/proc", "/sys", "/run"};
	char target[4096];

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
	return 0;
}

int switch_root(const char *newroot)
{
	struct switchroot_facts f;
	int r = gather_facts(newroot, &f);
	if (r < 0)
		return r;
	enum switchroot_verdict v = switchroot_decide(&f);
	if (v == SWITCHROOT_NOT_MOUNTPOINT)
		return log_error_errno(-EINVAL, "switch_root: %s is not a mount point", newroot);
	r = move_api_mounts(newroot);
	if (r < 0)
		return r;
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
	if (v == SWITCHROOT_GO) {
		switchroot_remove_tree(rootfd, f.oldroot_dev);
	} else {
		log_warning("switch_root: old root is not an initramfs; not deleting anything");
		close(rootfd);
	}
	return 0;
}
