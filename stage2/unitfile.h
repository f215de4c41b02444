/* A pure reader of systemd unit files: the assignments of one section ([Service]) in the order
 * systemd applies them (fragment first, then the drop-ins), each with its file and line.
 * Specifiers (%i, %n) are left as written; continuation lines are joined as systemd 252's
 * config_parse() joins them (the backslash becomes a space; comment lines inside are skipped). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct unit_assign {
	char *key;
	char *value;
	char *file;
	unsigned line;
};

struct unit_conf {
	struct unit_assign *v;
	size_t n, cap;
};

void unit_conf_init(struct unit_conf *c);
void unit_conf_free(struct unit_conf *c);

/* Appends the assignments of [section] in text (len bytes, NUL bytes end a line) to c.
 * Lines outside the section, comments and blank lines are skipped. A line without '=' in the
 * section is skipped too (systemd warns and ignores it). Returns 0 or -ENOMEM. */
int unitfile_parse(struct unit_conf *c, const char *file, const char *text, size_t len,
		   const char *section);

/* The effective assignment of key (case-sensitive, as systemd): the last one, or NULL when
 * nobody set it. For list keys, an empty assignment resets the list: *first_out is set to the
 * index of the first assignment that counts (after the last empty one). */
const struct unit_assign *unit_conf_last(const struct unit_conf *c, const char *key);
/* Calls fn for each assignment of key that counts for a list setting (after the last empty
 * assignment, which resets the list). Stops and returns fn's negative value. */
int unit_conf_each(const struct unit_conf *c, const char *key,
		   int (*fn)(const struct unit_assign *a, void *data), void *data);
/* Whether anyone assigned key (even an empty value). */
bool unit_conf_has(const struct unit_conf *c, const char *key);
