/* The runtime closure of programs, computed from the files themselves inside a root given as
 * a directory fd — never by running ldd or the program: #! interpreters (recursively), ELF
 * PT_INTERP and DT_NEEDED resolved by glibc's rules on a multiarch system (DT_RPATH of the
 * object and its loaders when it has no DT_RUNPATH, DT_RUNPATH, with $ORIGIN/$LIB/$PLATFORM;
 * ld.so.conf with its includes; the default multiarch directories; glibc-hwcaps
 * subdirectories), with every symbolic link on the way recorded as a link and its target
 * added. Each path remembers why it is there. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum closure_kind { CLOSURE_FILE, CLOSURE_LINK, CLOSURE_DIR };

struct closure_entry {
	char *path;   /* absolute, as found */
	char *target; /* CLOSURE_LINK: the link's text */
	char *reason; /* "needed by /usr/bin/ls (DT_NEEDED libc.so.6)" */
	enum closure_kind kind;
	bool bind; /* a path a program opens by this name: bind it into the root */
};

/* What a candidate library path is to the loader, remembered across units (the generator
 * looks up the same libc for every service): keyed by path and the requester's ELF kind. */
struct closure_probe {
	struct closure_probe *next;
	unsigned kind; /* machine << 2 | is64 << 1 | big_endian */
	bool compatible;
	char path[];
};

#define CLOSURE_PROBE_BUCKETS 4096

struct closure_cache {
	struct closure_probe *bucket[CLOSURE_PROBE_BUCKETS];
	size_t n;
};

struct closure {
	int rootfd;
	struct closure_cache *cache; /* optional, owned by the caller (closure_cache_new) */
	struct closure_entry *v;
	size_t n, cap;
	char **ldconf_dirs; /* from /etc/ld.so.conf (read once) */
	size_t n_ldconf;
	bool ldconf_loaded;
	/* DT_NEEDED names already found: the loader does not search again for a name it has
	 * loaded (a loop, or a library found through another object's RUNPATH) */
	char **loaded_names, **loaded_paths;
	size_t n_loaded;
	char error[1024]; /* the first error, naming the file and who needs it */
};

void closure_init(struct closure *c, int rootfd);
/* A cache for several closures of the same root (or NULL when out of memory: then none). */
struct closure_cache *closure_cache_new(void);
void closure_cache_free(struct closure_cache *cache);
void closure_free(struct closure *c);
/* Adds path (absolute; for an ELF or #! file with everything it needs; a directory with its
 * whole tree). why: the reason shown for path itself. 0, or -errno with c->error set
 * (-ENOENT: a file or library is missing). */
int closure_add(struct closure *c, const char *path, const char *why);
/* Adds path only when it exists (presets); returns 0 either way unless out of memory. */
int closure_add_optional(struct closure *c, const char *path, const char *why);
/* Finds a library by name as the loader would for requester (an absolute path in the root,
 * or NULL); on success *found (malloc'd) is the path. -ENOENT when nowhere. */
int closure_find_library(struct closure *c, const char *name, const char *requester, char **found);

/* Pure: the directories named by an ld.so.conf text (comments, "include" patterns returned
 * through include_fn, "hwcap" lines skipped). */
int ldconf_parse(const char *text, int (*dir_fn)(const char *dir, void *data),
		 int (*include_fn)(const char *pattern, void *data), void *data);
/* Pure: expands $ORIGIN, ${ORIGIN}, $LIB, $PLATFORM in one search-path element. */
int closure_expand_dst(const char *elem, const char *origin, const char *lib, const char *platform,
		       char *out, size_t size);
/* Pure: the multiarch triplet for an ELF machine/class ("x86_64-linux-gnu") or NULL. */
const char *closure_multiarch(unsigned machine, bool is64);
