/* switch_root: hand the machine to the new root, keeping PID 1. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* What switch_root() looks at before it touches anything. */
struct switchroot_facts {
	dev_t newroot_dev;	      /* st_dev of the new root directory */
	dev_t oldroot_dev;	      /* st_dev of "/" */
	unsigned long oldroot_fstype; /* statfs f_type of "/" */
	bool oldroot_has_init;	      /* "/init" is a regular file (not a link) */
};

enum switchroot_verdict {
	SWITCHROOT_GO,		   /* switch, then empty the initramfs */
	SWITCHROOT_GO_KEEP_OLD,	   /* switch, delete nothing: "/" is not an initramfs */
	SWITCHROOT_NOT_MOUNTPOINT, /* refuse: the new root is not a mount point */
};

/* The guards, pure: the new root must be another filesystem than "/" (else we would chroot
 * into a directory of the initramfs and then delete it); "/" is emptied only when it is a
 * ramfs or tmpfs holding our /init — anything else means we are not where we think we are,
 * and deleting would destroy a real system. */
enum switchroot_verdict switchroot_decide(const struct switchroot_facts *f);

/* Whether an entry found under the old root may be deleted: only when it lives on the old
 * root's own filesystem (the new root, /dev, ... are other filesystems, never crossed). */
bool switchroot_may_delete(dev_t entry_dev, dev_t oldroot_dev);

/* Deletes everything under dirfd (consumed) that lives on device dev; never follows links. */
void switchroot_remove_tree(int dirfd, dev_t dev);

/* Moves /dev, /proc, /sys, /run into newroot, makes newroot "/" and (after the guards
 * above) deletes the initramfs contents. Returns 0 when the new root is "/" (the caller
 * execs the init), or a negative errno (logged) — before anything was moved when the guards
 * refuse. */
int switch_root(const char *newroot);
