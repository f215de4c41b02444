/* Config carried by a patch series (kconfig-merge merge/verify --series DIR/series): quilt's
 * series file, and in each patch the Kconfig symbols it adds and an optional Kconfig-fragment:
 * block in its description. Pure: bytes in, results and "file:line: error: ..." messages out.
 * The grammar is in kconfig/README.md ("Patch series").
 *
 * series file (quilt):   # comment
 *                        0001-foo.patch -p1      # options: -pN, -p N, -R
 * patch description:     Kconfig-fragment:
 *                        	CONFIG_FOO=y          (indented lines, up to a blank or unindented
 * one) patch body:            +config FOO / +menuconfig FOO in a diff of a Kconfig* file */
#pragma once

#include "kconfig.h"

struct series_patch {
	char *name;    /* as listed: relative to the series file's directory */
	unsigned line; /* in the series file */
	int strip;     /* -pN (default 1) */
	bool reverse;  /* -R: the patch is applied reversed */
};

struct series {
	struct series_patch *v;
	size_t n;
};

/* Parses a series file. Errors (unknown option, an absolute or empty name, a patch listed twice)
 * go to d; returns 0, -EINVAL after an error, -ENOMEM. */
int series_parse(const char *file, const char *data, size_t len, struct series *out,
		 struct kc_diags *d);
void series_free(struct series *s);

/* A symbol a patch adds: `+config NAME` or `+menuconfig NAME` in a Kconfig* file (for a -R
 * patch, the `-` lines), with the type a following added line gives (bool, tristate, string,
 * int, hex, def_bool, def_tristate), else KC_TYPE_UNKNOWN. */
struct patch_sym {
	char *name;
	enum kc_type type;
	unsigned line; /* in the patch */
	char *kconfig; /* the Kconfig file, -p components stripped */
};

struct patch_info {
	/* The Kconfig-fragment: block as a fragment of its own whose line numbers are the patch's
	 * (lines outside the block are blank, or '#' comments after a structured header); NULL
	 * when the patch has none. */
	char *fragment;
	size_t fragment_len;
	unsigned fragment_line; /* of the Kconfig-fragment: line */
	struct patch_sym *syms;
	size_t n_syms;
	/* The symbols whose `config NAME`/`menuconfig NAME` line the patch removes (for a -R
	 * patch, the `+` lines) and does not add back; type unknown. */
	struct patch_sym *removed;
	size_t n_removed;
	/* Symbols the patch does not add but gives a type: an added type line in the block of a
	 * `config NAME` context line (bool -> tristate, ...). */
	struct patch_sym *retyped;
	size_t n_retyped;
};

/* Scans one patch. Errors (a malformed hunk header, a hunk that ends early, a second or an empty
 * Kconfig-fragment: block) go to d; returns 0, -EINVAL after an error, -ENOMEM. */
int patch_scan(const char *file, const char *data, size_t len, int strip, bool reverse,
	       struct patch_info *out, struct kc_diags *d);
void patch_info_free(struct patch_info *p);

/* The tree as the series leaves it, as far as verify needs it: in series order, each patch's
 * removed symbols are marked (ksym.removed: the patch's path from paths[] and line) and its
 * added symbols are defined by the patch where the tree does not define them (borrowed, typed
 * by the patch) or unmarked where an earlier patch removed them, and the symbols it retypes
 * take the patch's type. Symbols in another
 * architecture's Kconfig files (arch/OTHER/..., OTHER not srcarch) are left out: the tree read
 * for srcarch never reads them. Returns 0 or -ENOMEM. */
struct ktree;
int series_apply_symbols(struct ktree *t, const struct patch_info *patches, char *const *paths,
			 size_t n, const char *srcarch);

/* The fragment files beside a patch: NAME.patch (or .diff, or no extension) -> NAME.kcm and
 * NAME.config; malloc'ed, or -ENOMEM. */
int series_sibling_names(const char *patch_path, char **kcm, char **config);
