/* Choosing and checking the real init that stage 2 hands over to. */
#pragma once

#include <stddef.h>

/* The fallbacks, tried after whatever was asked for. */
#define INIT_DEFAULTS                                                                              \
	{                                                                                          \
		"/sbin/init", "/lib/systemd/systemd"                                               \
	}
#define INIT_CANDIDATES_MAX 4

/* 0 when path (absolute) is an executable regular file inside rootfd, following symlinks
 * inside that root — judged by stage 1's own check (initrd/initcheck.c), so both stages accept
 * and refuse the same inits with the same words. Otherwise -ENOENT (missing or dangling),
 * -ELOOP, -ENOEXEC (not a regular file), -EACCES (no execute bit, noexec mount), -EINVAL (not
 * an absolute path) or the error behind it, and why gets stage 1's one-line description
 * ("init /sbin/init: dangling symlink: /sbin/init -> /lib/systemd/systemd ..."). Root-free. */
int init_check(int rootfd, const char *path, char *why, size_t why_size);

/* The candidates in order: the one given as argument (if any), else the one from the kernel
 * command line (if any), then the defaults; no duplicates. Returns their number. */
size_t init_candidates(const char *from_args, const char *from_cmdline,
		       const char *out[INIT_CANDIDATES_MAX]);
