/* kconfig-merge: shared types. A value always remembers where it came from (file:line), so
 * every decision the merge takes can name both sides. Parsers here are pure: they take bytes
 * and a file name for messages, and append to a struct kc_diags; main.c does the I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Symbol types as Kconfig knows them; KC_TYPE_UNKNOWN when no Kconfig tree was read. */
enum kc_type {
	KC_TYPE_UNKNOWN,
	KC_TYPE_BOOL,
	KC_TYPE_TRISTATE,
	KC_TYPE_STRING,
	KC_TYPE_INT,
	KC_TYPE_HEX
};

/* What a value looks like. Tristate values are y/m/n (a bool is a tristate without m). */
enum kc_vkind { KC_V_TRI, KC_V_STRING, KC_V_INT, KC_V_HEX };

/* The length of the run of symbol characters [A-Za-z0-9_] at s (strspn with a table: the
 * generic strspn over a 63-character set was a quarter of a verify run). */
static inline size_t kc_symbol_span(const char *s)
{
	static const unsigned char sym[256] = {
		['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['_'] = 1};
	size_t n = 0;
	while (sym[(unsigned char)s[n]])
		n++;
	return n;
}

struct kc_src {
	const char *file; /* borrowed: lives as long as the kc_files it was read into */
	unsigned line;
};

struct kc_entry {
	char *name; /* without the CONFIG_ prefix */
	enum kc_vkind kind;
	char tri;	/* 'y', 'm' or 'n' for KC_V_TRI */
	char *str;	/* unescaped string / number text for the other kinds */
	bool freeform;	/* must be equal to agree (strings and numbers always are) */
	bool mandatory; /* losing it in the final config is an error, not a warning */
	int priority;	/* higher wins before any other rule */
	struct kc_src src;
};

/* One slot of a name index: entry position + 1 (0 = empty) and the name's hash, so that a probe
 * compares names only on a hash match and growing the index does not hash the names again. */
struct kc_slot {
	unsigned pos;
	unsigned hash;
};

/* An ordered list of entries with a name index. */
struct kc_set {
	struct kc_entry *v;
	size_t n, cap;
	struct kc_slot *index; /* open addressing */
	size_t index_cap;
};

enum kc_severity { KC_NOTE, KC_WARNING, KC_ERROR };

struct kc_diag {
	enum kc_severity severity;
	char *text; /* the whole message, e.g. "a.config:3:warning: override: ..." */
};

struct kc_diags {
	struct kc_diag *v;
	size_t n, cap;
	size_t errors, warnings;
};

/* Type lookup for the reader: returns KC_TYPE_UNKNOWN for symbols it does not know. hash is
 * kc_name_hash(name), which the reader needs anyway (hashing every name twice was a tenth of a
 * cached verify -k). */
typedef enum kc_type (*kc_type_fn)(const char *name, unsigned hash, void *userdata);

/* ---- sets and diagnostics (kconfig_set.c) ---- */
void kc_set_init(struct kc_set *s);
void kc_set_free(struct kc_set *s);
struct kc_entry *kc_set_find(const struct kc_set *s, const char *name);
/* The name hash the index uses (FNV-1a, 32 bits). */
unsigned kc_name_hash(const char *name);
/* Adds or replaces (same name) an entry; takes ownership of e's strings. */
struct kc_entry *kc_set_put(struct kc_set *s, struct kc_entry *e);
/* The same with the name's hash already known (kc_name_hash(e->name)). */
struct kc_entry *kc_set_put_hashed(struct kc_set *s, struct kc_entry *e, unsigned hash);
struct kc_entry *kc_set_find_hashed(const struct kc_set *s, const char *name, unsigned hash);
/* Makes room for n entries (no reallocation or rehash up to n). */
int kc_set_reserve(struct kc_set *s, size_t n);
void kc_entry_free(struct kc_entry *e);
int kc_entry_copy(struct kc_entry *dst, const struct kc_entry *src);
/* Orders entries by name. */
void kc_set_sort(struct kc_set *s);
/* True when both carry the same value: y/m/n and strings exactly, numbers by value (hex with or
 * without 0x and in any case, int in decimal; an int-looking value next to a hex one is hex). */
bool kc_entry_same_value(const struct kc_entry *a, const struct kc_entry *b);
/* Formats the value as a .config writes it: y, "esc\"aped", 0x10; -ENOBUFS when too small. */
int kc_value_format(const struct kc_entry *e, char *buf, size_t size);
/* Writes the value as a .config does (strings quoted and escaped). */
void kc_value_write(FILE *f, const struct kc_entry *e);
/* Writes the .config line for e to f using prefix ("# CONFIG_X is not set" for n). */
void kc_entry_write_config(FILE *f, const char *prefix, const struct kc_entry *e);

__attribute__((format(printf, 3, 4))) void kc_diag(struct kc_diags *d, enum kc_severity sev,
						   const char *fmt, ...);
void kc_diags_free(struct kc_diags *d);
/* Prints every message to f, one per line. */
void kc_diags_print(const struct kc_diags *d, FILE *f);

/* The CONFIG_ prefix, as kconfig takes it: the CONFIG_ environment variable, else "CONFIG_". */
const char *kc_config_prefix(void);
