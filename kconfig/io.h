/* The edge of kconfig-merge: reading files, loading a kernel tree's Kconfig files, running
 * make. Everything else is pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kconfig_tree.h"

/* Reads path (relative to dirfd) whole; *data is NUL-terminated. Returns 0 or -errno. */
int io_read_file(int dirfd, const char *path, char **data, size_t *len);
/* The same, also giving the file's stat (of the descriptor that was read). */
int io_read_file_stat(int dirfd, const char *path, char **data, size_t *len, struct stat *st);
/* Writes data to path atomically and durably (temp file, fsync, rename, fsync of the
 * directory). A path that exists and is not a regular file (a symlink, a device, a FIFO, a
 * directory) is refused. Logs every failure itself, naming the path; returns 0 or -errno. */
int io_write_file(const char *path, const char *data, size_t len);
/* Writes data to stdout and flushes it; returns 0 or -errno (ENOSPC for /dev/full), for the
 * caller to report. */
int io_write_stdout(const char *data, size_t len);
/* Closes stdout at exit; returns 0, or -errno when anything written to it was lost. */
int io_close_stdout(void);
/* Creates path and any missing parents (mkdir -p, as the kernel's `make O=DIR`); a path that
 * exists must be a directory. Returns 0 or -errno. */
int io_mkdir_parents(const char *path, mode_t mode);
struct io_tree_check;
/* Reads Kconfig and every file it sources (arch: SRCARCH) from the tree at srcdir. With
 * cache_dir, the parsed tree is taken from (and else stored in) a cache there, used only while
 * every file it was parsed from is unchanged (kconfig_cache.h; kconfig/README.md).
 * With pending, a tree taken from the cache may be returned before that is known: *pending is
 * then the check of its files, running in a second thread; nothing that depends on the tree may
 * be shown or acted upon before io_tree_check_finish says it was fresh (and t must not be freed
 * before it is called). */
int io_load_tree(const char *srcdir, const char *arch, const char *cache_dir, struct ktree *t,
		 struct io_tree_check **pending);
/* Waits for the check (taking part in it) and frees it; true when every file was unchanged.
 * When false, the tree is stale: free it and load it again (without pending). */
bool io_tree_check_finish(struct io_tree_check *check);
/* Runs argv (PATH lookup) with stdout sent to out_fd (-1: inherited); returns its exit status,
 * or -errno when it could not run. */
int io_run(char *const argv[], int out_fd);
