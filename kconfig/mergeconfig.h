/* merge_config.sh compatibility: the same text-level merge as scripts/kconfig/merge_config.sh
 * (6.1), byte for byte: the base file is kept, every line of a later fragment that sets a
 * symbol already present deletes the earlier lines matching /SYMBOL[ =]/ (sed's rule, quirks
 * included), the fragment is appended whole. -y keeps y over a later m, -r reports redundant
 * entries, -s fails when a fragment redefines a value. Same messages on stdout. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mc_opts {
	bool builtin;	     /* -y */
	bool warn_redundant; /* -r */
	bool strict;	     /* -s */
	const char *prefix;  /* $CONFIG_, default CONFIG_ */
};

struct mc_index;

struct mc_text {
	char **lines; /* without '\n' */
	size_t n, cap;
	bool last_unterminated; /* the last line had no '\n' */
	bool *deleted;
	struct mc_index *idx; /* built on first use: grep -w and sed lookups without scanning */
};

void mc_text_free(struct mc_text *t);
int mc_text_from(struct mc_text *t, const char *data, size_t len);
/* The text as it would be on disk (deleted lines left out). Caller frees *out. */
int mc_text_render(const struct mc_text *t, char **out, size_t *len);

/* Merges fragment (named name) into tmp as merge_config.sh's loop does, printing its messages
 * to msgs. Sets *strict_violated on a redefinition with -s. Returns 0 or -ENOMEM. */
int mc_merge_fragment(struct mc_text *tmp, const char *name, const char *data, size_t len,
		      const struct mc_opts *o, FILE *msgs, bool *strict_violated);

/* The final check: each symbol set in tmp against the config make wrote (actual). Unlike the
 * script, n requested ("# X is not set" or "X=n") is met when X is absent from actual or not
 * set there, and is not reported. Returns the
 * number of mismatches reported to msgs, or -ENOMEM. */
int mc_check(const struct mc_text *tmp, const char *actual, size_t len, const char *prefix,
	     FILE *msgs);
