/* The stage-2 init check: judge an init path *inside the new root*, given a directory fd of
 * that root, before switch_root commits to it.
 *
 * Why: nixpkgs #49519 — NixOS's old check passed when the init did not exist at all and failed
 * when the init was a symlink that resolves only inside the new root (an absolute link that
 * dangles from the initramfs' point of view). Here absolute symlinks restart at the new root
 * and ".." at the root stays at the root, exactly as after chroot: openat2(RESOLVE_IN_ROOT)
 * gives the verdict when the kernel has it (5.6+), otherwise a component-by-component walk
 * (openat(O_PATH|O_NOFOLLOW) + readlinkat, 40 links at most, like the kernel) does. The walk
 * always runs too, to record the chain of links for the message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum initcheck_verdict {
	INITCHECK_OK,
	INITCHECK_MISSING,	  /* the path does not exist (no symlink involved) */
	INITCHECK_DANGLING,	  /* a symlink on the way points to nothing */
	INITCHECK_LOOP,		  /* too many levels of symlinks (ELOOP) */
	INITCHECK_NOT_REGULAR,	  /* a directory, device, fifo, socket */
	INITCHECK_NOT_EXECUTABLE, /* no x bit in any class, or on a noexec mount */
	INITCHECK_ERROR,	  /* anything else: see error */
};

struct initcheck_result {
	enum initcheck_verdict verdict;
	int error;	   /* negative errno behind the verdict, 0 for OK */
	char *path;	   /* the path as asked */
	char *chain;	   /* "/sbin/init -> /lib/systemd/systemd" (printable; just the path
			    * when no link was followed) */
	char *resolved;	   /* the last component looked at, inside the root: the final file
			    * ("/lib/systemd/systemd"), or the one that could not be reached
			    * ("/lib" when it is missing) */
	mode_t mode;	   /* of the final file when it was reached, else 0 */
	bool noexec_mount; /* NOT_EXECUTABLE because the filesystem is mounted noexec */
	bool used_openat2; /* the verdict came from openat2(RESOLVE_IN_ROOT) */
};

/* Default inits tried in order when no init= is given (NULL-terminated). */
extern const char *const initcheck_default_inits[];
#define INITCHECK_N_DEFAULTS 4

/* Judges path inside root_fd. Fills *r (free with initcheck_result_free) and returns 0 when a
 * verdict was reached (any verdict), -ENOMEM or -EINVAL (NULL path) otherwise. */
int initcheck_judge(int root_fd, const char *path, struct initcheck_result *r);
void initcheck_result_free(struct initcheck_result *r);

/* Tries initcheck_default_inits in order; results[i] gets the verdict of each one tried.
 * Returns the index of the first OK one, -ENOENT when none passed (all results filled, the
 * caller reports each), or -ENOMEM. Free every results[i] in either case (free of a zeroed
 * result is a no-op). */
int initcheck_pick_default(int root_fd, struct initcheck_result results[INITCHECK_N_DEFAULTS]);

/* "missing", "dangling symlink", "symlink loop", ... */
const char *initcheck_verdict_str(enum initcheck_verdict v);
/* One line naming the case and the chain, e.g.
 *   "init /sbin/init: dangling symlink: /sbin/init -> /lib/systemd/systemd (No such file or
 *    directory)"
 * Returns the snprintf() length (>= size means truncated). */
int initcheck_describe(const struct initcheck_result *r, char *buf, size_t size);

/* Test switch: true makes initcheck_judge skip openat2 and use the walk alone. */
void initcheck_force_fallback(bool force);
