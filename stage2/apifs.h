/* The mount points PID 1 needs in the new root. A root built without /proc (a minimal image,
 * a container tree) still has to give stage 2 the kernel command line, and systemd's own
 * mount_setup() creates its mount points the same way when they are missing. */
#pragma once

#include <sys/types.h>

struct stage2_api_dir {
	const char *name; /* relative to the root */
	mode_t mode;	  /* as systemd creates it: /proc 0555, /run 0755 */
};

/* What stage 2 mounts as PID 1 (proc on /proc, a tmpfs on /run), in mount order. */
extern const struct stage2_api_dir stage2_api_dirs[];
extern const size_t stage2_api_dirs_count;

/* Creates dir inside rootfd unless something is there already. Returns 0 (created or already
 * a directory), -ENOTDIR (something else is there) or the mkdirat() error (EROFS, ...). */
int stage2_api_dir_make(int rootfd, const struct stage2_api_dir *dir);
