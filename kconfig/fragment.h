/* The structured fragment format: what a .config cannot say (optional vs mandatory, freeform vs
 * tristate, priority), one symbol per line. See kconfig/README.md for the whole format.
 *
 *   #%kconfig-merge 1
 *   @defaults optional priority=10
 *   DM_CRYPT=y mandatory
 *   INET_DIAG=n priority=100        # a hardening profile insisting on n
 *   CMDLINE="console=ttyS0" */
#pragma once

#include "kconfig.h"

#define FRAGMENT_MAGIC "#%kconfig-merge"

/* True when data starts with the FRAGMENT_MAGIC line. */
bool fragment_is_structured(const char *data, size_t len);

/* Parses a structured fragment into out. Errors ("file:line: error: ...") go to diags and make
 * the whole file count as failed: returns -EINVAL when any line was wrong, -ENOMEM, or 0. */
int fragment_read(const char *file, const char *data, size_t len, const char *prefix,
		  struct kc_set *out, struct kc_diags *diags);

struct fragment_export_opts {
	int priority;	    /* written on the @defaults line */
	bool mandatory;	    /* @defaults mandatory instead of optional */
	const char *source; /* named in the header comment, may be NULL */
};

/* Writes set (in its order) as a structured fragment that reproduces it when merged. */
void fragment_write(FILE *f, const struct kc_set *set, const struct fragment_export_opts *o);
