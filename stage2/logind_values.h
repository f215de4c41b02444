/* The [Login] keys of logind.conf (systemd 252, as in Debian 12) and logind's own rules for
 * their values: which spellings it accepts, which it ignores with a warning. Pure functions. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum logind_type {
	LOGIND_BOOL,	   /* parse_boolean(): 1/yes/y/true/t/on, 0/no/n/false/f/off, any case */
	LOGIND_USER_LIST,  /* config_parse_strv(): words, quotes; empty resets; appends */
	LOGIND_SEC,	   /* parse_sec(): "90", "1min 30s", "1.5h", "infinity" */
	LOGIND_ACTION,	   /* handle_action_from_string() */
	LOGIND_TMPFS_SIZE, /* a percentage of RAM ("10%", "2.5%", "15‰", "5‱") or a size > 0 */
	LOGIND_IEC_SIZE,   /* parse_size(…, 1024): "4096", "64K", "1.5M" */
	LOGIND_UINT64,	   /* safe_atou64() */
	LOGIND_UNSIGNED,   /* safe_atou() */
	LOGIND_N_AUTOVTS,  /* safe_atou(), at most 15 */
};

struct logind_key {
	const char *name;
	enum logind_type type;
	const char *doc; /* one line for --help and the README table */
};

extern const struct logind_key logind_keys[];
extern const size_t logind_keys_count;
/* Upper bound of logind_keys_count, for fixed per-key arrays. */
#define LOGIND_KEYS_MAX 40

/* Index of the key named exactly name (logind's lookup is case-sensitive), or -ENOENT. */
int logind_key_index(const char *name);
const char *logind_type_name(enum logind_type type);

/* 0 when logind would accept value for a key of this type, else a negative errno and *why
 * says what logind would complain about. */
int logind_value_check(enum logind_type type, const char *value, const char **why);

/* The individual rules, exposed for the tests. */
int logind_parse_boolean(const char *v);			     /* 1, 0 or -EINVAL */
int logind_parse_sec(const char *t, uint64_t *usec);		     /* UINT64_MAX = infinity */
int logind_parse_size(const char *t, uint64_t base, uint64_t *size); /* base 1000 or 1024 */
int logind_parse_permyriad(const char *p);			     /* 0..10000 or -errno */
int logind_parse_uint64(const char *s, uint64_t *ret);
int logind_parse_action(const char *s); /* index into logind_actions or -EINVAL */
/* Splits like extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE): returns the number of
 * words before the end, or -EINVAL at an unbalanced quote or a trailing backslash; *n_before
 * gets the number of words split before such an error (logind keeps those). */
int logind_split_words(const char *s, size_t *n_before);

extern const char *const logind_actions[];
