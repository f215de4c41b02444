/* The edge of kconfig-merge: reading files, loading a kernel tree's Kconfig files, running
 * make. Everything else is pure. */
#pragma once

#include <stddef.h>

#include "kconfig_tree.h"

/* Reads path (relative to dirfd) whole; *data is NUL-terminated. Returns 0 or -errno. */
int io_read_file(int dirfd, const char *path, char **data, size_t *len);
/* Writes data to path atomically (temp file + rename). Returns 0 or -errno. */
int io_write_file(const char *path, const char *data, size_t len);
/* Reads Kconfig and every file it sources (arch: SRCARCH) from the tree at srcdir. */
int io_load_tree(const char *srcdir, const char *arch, struct ktree *t);
/* Runs argv (PATH lookup) with stdout sent to out_fd (-1: inherited); returns its exit status,
 * or -errno when it could not run. */
int io_run(char *const argv[], int out_fd);
