/* Reading a .config (or a .config-style fragment) exactly as kconfig's confdata.c does:
 * "PREFIXNAME=value" and "# PREFIXNAME is not set" lines (PREFIX from the CONFIG_ environment
 * variable), only the first character of a bool/tristate value counts, strings need a leading
 * quote and a backslash escapes any character, a later assignment overrides an earlier one with
 * "override: reassigning to symbol X", anything else that is not blank or a comment is
 * "unexpected data". Messages are kconfig's: "file:line:warning: ...". */
#pragma once

#include "kconfig.h"

/* Parses data (len bytes) named file into out (which it fills; a fresh set per file). types may
 * be NULL: without Kconfig's types the value's own syntax decides (y/m/n, "string", int, hex),
 * and a value no type accepts is reported as kconfig would for the closest type.
 * Entries are optional, priority 0; strings and numbers are freeform. Returns 0 or -ENOMEM. */
int kconfig_read(const char *file, const char *data, size_t len, const char *prefix,
		 kc_type_fn types, void *userdata, struct kc_set *out, struct kc_diags *diags);

/* Parses one value text (after '=') for a symbol of type type into e (kind, tri, str).
 * Returns 0, or -EINVAL after appending kconfig's warning to diags (file:line given). */
int kconfig_parse_value(const char *name, const char *val, enum kc_type type, struct kc_entry *e,
			const char *file, unsigned line, struct kc_diags *diags);

/* kconfig's sym_string_valid() for int and hex. */
bool kconfig_int_valid(const char *s);
bool kconfig_hex_valid(const char *s);
