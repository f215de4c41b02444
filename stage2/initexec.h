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
 * inside that root; -ENOENT, -ENOEXEC (not a regular file), -EACCES (no execute bit), or
 * -EINVAL (not an absolute path). Root-free. */
int init_check(int rootfd, const char *path);

/* The candidates in order: the one given as argument (if any), else the one from the kernel
 * command line (if any), then the defaults; no duplicates. Returns their number. */
size_t init_candidates(const char *from_args, const char *from_cmdline,
		       const char *out[INIT_CANDIDATES_MAX]);
