/* The merge rules. For each symbol, over every file that sets it:
 *  1. the highest priority wins; lower-priority values that differ are reported as overridden;
 *  2. among the highest-priority values: freeform values (strings, numbers, values marked
 *     freeform) must be equal, else a conflict error naming both sources; y/m/n values take the
 *     best by the preference order (default y > m > n), reported with both sources (an error
 *     with strict);
 *  3. the symbol is mandatory if any of its highest-priority values is (optional + mandatory ->
 *     mandatory).
 * The result is ordered by symbol name, so the output is deterministic. */
#pragma once

#include "kconfig.h"

struct merge_opts {
	char prefer[4];	    /* best first, e.g. "ymn" (the default) or "nmy" */
	bool strict;	    /* tristate disagreements are errors */
	const char *prefix; /* CONFIG_ prefix used in messages */
};

struct merger {
	struct kc_entry *v;
	size_t n, cap;
};

/* Parses "n,m,y" (or "nmy", "n>m>y") into prefer; -EINVAL unless a permutation of y, m, n. */
int merge_parse_prefer(const char *s, char prefer[4]);
void merge_opts_default(struct merge_opts *o);

/* Adds a copy of every entry of one file (in file order; later files come later). */
int merge_add(struct merger *m, const struct kc_set *file);
/* The same, moving the entries out of file (left empty) instead of copying them. */
int merge_take(struct merger *m, struct kc_set *file);
void merge_free(struct merger *m);

/* Resolves into out (sorted by name); the merger's strings move to out, so resolve once. Returns 0,
 * -EINVAL when there were conflict errors (out still holds a value for every symbol: the first one
 * seen of a conflicting pair), -ENOMEM. */
int merge_resolve(struct merger *m, const struct merge_opts *o, struct kc_set *out,
		  struct kc_diags *d);
