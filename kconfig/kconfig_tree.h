/* What kconfig-merge needs from a kernel tree's Kconfig files: which symbols exist, their type,
 * and what they depend on (so a lost value can be explained). Parsing one file is pure; the
 * caller follows the `source` statements it returns (kconfig_tree_load in io.c). */
#pragma once

#include "kconfig.h"

struct ksym {
	char *name;
	enum kc_type type;
	char *depends; /* "A && (B || C)", "" when none; definitions in several places are ORed */
	struct kc_src src;     /* first definition */
	bool borrowed;	       /* name and depends belong to someone else (a patch's symbols) */
	struct kc_src removed; /* file set: a patch of the series removes its definition */
};

struct ktree {
	struct ksym *v;
	size_t n, cap;
	/* With each name's hash and the name itself: a probe reads a name only on a hash match,
	 * and then straight from the slot, not through t->v (one cache miss less a lookup). */
	struct ktree_slot {
		const char *name;
		unsigned pos; /* index in v + 1; 0: empty */
		unsigned hash;
	} * index;
	size_t index_cap;
	char **files; /* file names, owned (the ksym sources point into them) */
	size_t n_files;
	/* When set (a tree read from the cache), the symbols' names and depends and the file
	 * names point into this block, which ktree_free frees instead of each string: with free,
	 * or munmap when arena_map_len is set (a cache mapped in place). */
	char *arena;
	size_t arena_map_len;
};

void ktree_init(struct ktree *t);
void ktree_free(struct ktree *t);
const struct ksym *ktree_find(const struct ktree *t, const char *name);
/* The same with the name's hash (kc_name_hash) already known. */
const struct ksym *ktree_find_hashed(const struct ktree *t, const char *name, unsigned hash);
/* Finds or adds the symbol (added: type unknown, no depends, no source). NULL: out of memory. */
struct ksym *ktree_get(struct ktree *t, const char *name);
/* The same for a tree with an arena: name is used as is (it must live in the arena). */
struct ksym *ktree_get_borrowed(struct ktree *t, char *name);
/* The same with the name's hash (kc_name_hash) already known. */
struct ksym *ktree_get_borrowed_hashed(struct ktree *t, char *name, unsigned hash);
/* Makes room for n symbols (no reallocation or rehash up to n); 0 or -ENOMEM. */
int ktree_reserve(struct ktree *t, size_t n);
/* kc_type_fn over a struct ktree. */
enum kc_type ktree_type(const char *name, unsigned hash, void *tree);
const char *kc_type_name(enum kc_type t);

/* Parses one Kconfig file. file must stay valid (use ktree_intern_file). Every `source "path"`
 * found is appended to *sources (malloc'ed strings, $(SRCARCH) replaced by arch); paths with
 * other macros are skipped. Returns 0 or -ENOMEM; malformed lines are skipped. */
int ktree_parse(struct ktree *t, const char *file, const char *data, size_t len, const char *arch,
		char ***sources, size_t *n_sources);
/* The $(SRCARCH) the kernel's top Makefile derives from ARCH (i386 and x86_64 -> x86,
 * sparc64 -> sparc, parisc64 -> parisc, sh64 -> sh; anything else is its own SRCARCH). */
const char *ktree_srcarch(const char *arch);
/* Keeps a copy of the file name for the tree's lifetime and returns it. */
const char *ktree_intern_file(struct ktree *t, const char *file);
