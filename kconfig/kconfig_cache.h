/* A cache of a parsed Kconfig tree (struct ktree), so that `verify -k TREE` does not parse the
 * tree's ~1,400 Kconfig files on every run. Pure: serialising and reading back bytes; where the
 * cache lives and when it is trusted is io.c's business (kconfig/README.md, "The Kconfig cache").
 *
 * The cache is keyed by the tree's files: every file the parse opened, or tried to open, with
 * its identity and change stamps (device, inode, size, mtime, ctime; or "absent"). It is used
 * only when each of those files still has exactly those stamps and is still absent where it
 * was; the tree's path and the SRCARCH are part of the key too.
 *
 * Layout (native byte order; a cache is not portable between machines and need not be):
 *   "KCMTREE\n" u32 version u32 0x01020304 u64 payload-length u64 checksum(payload)
 *   (kcache_checksum: FNV-1a-style, 64 bits, four lanes)
 *   payload: str tree, str srcarch, u32 n_files, n_files x file, u32 n_syms, n_syms x sym
 *   file: str path, u8 present, 7 x u64 (dev, ino, size, mtime s/ns, ctime s/ns)
 *   sym:  str name, u8 type, str depends, u32 file (index among the present files), u32 line
 *   str:  u32 length, the bytes, a NUL (so that a cache is used in place, without copies)
 * Anything else (a short read, a wrong checksum, a count or an index out of range, a type that
 * does not exist, trailing bytes) makes the reader refuse the whole cache. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kconfig_tree.h"

#define KCACHE_VERSION 2

/* What identifies one file's content without reading it. */
struct kcache_stamp {
	uint64_t dev, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct kcache_file {
	char *path; /* relative to the tree */
	bool present;
	struct kcache_stamp st;
};

struct kcache_key {
	char *tree;    /* the tree's real path */
	char *srcarch; /* arch/$(SRCARCH) the files were read for */
	struct kcache_file *files;
	size_t n_files, cap;
	bool borrowed; /* the paths point into a cache's data (kcache_read): not freed */
};

void kcache_key_free(struct kcache_key *k);
/* Appends a file (path copied); returns 0 or -ENOMEM. */
int kcache_key_add(struct kcache_key *k, const char *path, bool present,
		   const struct kcache_stamp *st);

/* Serialises key and tree (whose files[] are exactly the key's present files, in order) into a
 * malloc'ed buffer. Returns 0, -EINVAL when a symbol's file is not among the tree's files,
 * -ENOMEM. */
int kcache_write(const struct kcache_key *key, const struct ktree *t, char **data, size_t *len);

/* The payload checksum the header carries (exposed for tests and the fuzz target). */
uint64_t kcache_checksum(const char *p, size_t n);
/* Puts the right length and checksum into a cache's header (tests and fuzzing: to reach the
 * reader's structural checks behind the checksum). No-op when len is below the header's. */
void kcache_seal(char *data, size_t len);

/* Reads a cache (malloc'ed data, or a mapping: see ktree.arena_map_len) back into key and t
 * (both empty). On success t owns data (t->arena: the symbols' names and depends, the file
 * names and key's paths point into it). Returns 0, -EBADMSG for anything
 * that is not a complete, intact cache of this version, -ENOMEM; then key and t are left empty
 * and data is still the caller's. */
int kcache_read(char *data, size_t len, struct kcache_key *key, struct ktree *t);

/* Pruning the cache directory: one cache file per tree and architecture accumulates for every
 * tree ever verified (each ~1 MB). A file's mtime is when it was last used (a cache hit
 * refreshes it once a day: KCACHE_TOUCH_SECONDS). */
#define KCACHE_MAX_AGE_DAYS 30
#define KCACHE_MAX_FILES 8
#define KCACHE_TOUCH_SECONDS (24 * 3600)

/* What a name in the cache directory is: one of the cache files this program writes,
 * tree-<16 hex digits>-<SRCARCH>.kct (KCACHE_NAME_CACHE), a temporary one of them, that name
 * followed by .tmp and mkstemp's 6 letters or digits (KCACHE_NAME_TMP, left behind by a run
 * that was killed), or anything else (KCACHE_NAME_OTHER: never pruned). */
enum kcache_name_kind { KCACHE_NAME_OTHER, KCACHE_NAME_CACHE, KCACHE_NAME_TMP };
enum kcache_name_kind kcache_name_kind(const char *name);

struct kcache_dirent {
	const char *name;
	int64_t mtime;
	bool remove; /* set by kcache_prune_select */
};

/* Marks the cache files to delete: those not used for max_age seconds before now, and all but
 * the max_keep most recently used (the newest first; equal times by name, so the choice does
 * not depend on the directory's order). Returns how many were marked. */
size_t kcache_prune_select(struct kcache_dirent *v, size_t n, int64_t now, int64_t max_age,
			   size_t max_keep);
