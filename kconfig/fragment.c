/* The structured fragment reader and writer (export). Pure: bytes in, entries and messages out. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fragment.h"
#include "kconfig_read.h"
#include "util.h"

struct attrs {
	bool mandatory;
	int freeform; /* -1: by the value's kind, 0: tristate, 1: freeform */
	int priority;
};

bool fragment_is_structured(const char *data, size_t len)
{
	size_t m = strlen(FRAGMENT_MAGIC);
	return len >= m && memcmp(data, FRAGMENT_MAGIC, m) == 0;
}

static char *skip_blanks(char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Parses whitespace-separated attributes from p into a; a '#' starts a comment. */
static int parse_attrs(char *p, struct attrs *a, const char *file, unsigned line,
		       struct kc_diags *d)
{
	for (p = skip_blanks(p); *p && *p != '#'; p = skip_blanks(p)) {
		char *word = p;
		p += strcspn(p, " \t\r#");
		/* A '#' right after a word starts the comment too; p stays on the NUL. */
		bool blank = *p && *p != '#';
		*p = '\0';
		if (blank)
			p++;
		const char *v;
		if (streq(word, "optional"))
			a->mandatory = false;
		else if (streq(word, "mandatory"))
			a->mandatory = true;
		else if (streq(word, "freeform"))
			a->freeform = 1;
		else if (streq(word, "tristate"))
			a->freeform = 0;
		else if ((v = startswith(word, "priority="))) {
			char *end;
			errno = 0;
			long n = strtol(v, &end, 10);
			if (!*v || *end || errno || n < INT_MIN / 2 || n > INT_MAX / 2) {
				kc_diag(d, KC_ERROR, "%s:%u: error: invalid priority '%s'", file,
					line, v);
				return -EINVAL;
			}
			a->priority = (int)n;
		} else {
			kc_diag(d, KC_ERROR,
				"%s:%u: error: unknown attribute '%s' (expected optional, "
				"mandatory, "
				"freeform, tristate or priority=N)",
				file, line, word);
			return -EINVAL;
		}
	}
	return 0;
}

/* The value's extent: a quoted string to its closing quote (backslash escapes), else a word. */
static char *value_end(char *v)
{
	if (*v != '"')
		return v + strcspn(v, " \t\r#");
	for (char *p = v + 1; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static int parse_entry(char *p, const struct attrs *defaults, const char *file, unsigned line,
		       const char *prefix, struct kc_set *out, struct kc_diags *d)
{
	char *eq = strchr(p, '=');
	if (!eq) {
		kc_diag(d, KC_ERROR, "%s:%u: error: expected NAME=VALUE [attributes]", file, line);
		return -EINVAL;
	}
	*eq = '\0';
	const char *name = startswith(p, prefix) ?: p;
	if (!valid_name(name)) {
		kc_diag(d, KC_ERROR, "%s:%u: error: invalid symbol name '%s'", file, line, p);
		return -EINVAL;
	}
	char *val = eq + 1, *end = value_end(val);
	if (!end) {
		kc_diag(d, KC_ERROR, "%s:%u: error: unterminated string for %s", file, line, name);
		return -EINVAL;
	}
	char saved = *end;
	*end = '\0';
	struct kc_entry e = {.src = {file, line}};
	bool tri = val[0] && strchr("ymn", val[0]) && !val[1];
	bool hex = (val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) && kconfig_hex_valid(val);
	if (!tri && val[0] != '"' && !kconfig_int_valid(val) && !hex) {
		kc_diag(d, KC_ERROR,
			"%s:%u: error: invalid value '%s' for %s (y, m, n, \"string\", "
			"int or hex)",
			file, line, val, name);
		return -EINVAL;
	}
	if (kconfig_parse_value(name, val, KC_TYPE_UNKNOWN, &e, file, line, d) < 0)
		return -EINVAL;
	*end = saved;
	struct attrs a = *defaults;
	if (parse_attrs(end, &a, file, line, d) < 0) {
		kc_entry_free(&e);
		return -EINVAL;
	}
	e.mandatory = a.mandatory;
	e.priority = a.priority;
	e.freeform = a.freeform < 0 ? e.kind != KC_V_TRI : a.freeform == 1;
	if (!e.freeform && e.kind != KC_V_TRI) {
		kc_diag(d, KC_ERROR, "%s:%u: error: %s: only y/m/n values can be tristate", file,
			line, name);
		kc_entry_free(&e);
		return -EINVAL;
	}
	const struct kc_entry *old = kc_set_find(out, name);
	if (old) {
		kc_diag(d, KC_ERROR, "%s:%u: error: %s is already set at line %u", file, line, name,
			old->src.line);
		kc_entry_free(&e);
		return -EINVAL;
	}
	e.name = strdup(name);
	if (!e.name || !kc_set_put(out, &e)) {
		kc_entry_free(&e);
		return -ENOMEM;
	}
	return 0;
}

int fragment_read(const char *file, const char *data, size_t len, const char *prefix,
		  struct kc_set *out, struct kc_diags *d)
{
	struct attrs defaults = {.mandatory = true, .freeform = -1, .priority = 0};
	unsigned line = 0;
	int ret = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		_cleanup_free_ char *buf = strndup(data + pos, n);
		if (!buf)
			return -ENOMEM;
		pos += n + (nl ? 1 : 0);
		line++;
		char *p = skip_blanks(buf);
		int r = 0;
		if (line == 1 && !startswith(p, FRAGMENT_MAGIC)) {
			kc_diag(d, KC_ERROR, "%s:1: error: missing '%s 1' header", file,
				FRAGMENT_MAGIC);
			return -EINVAL;
		} else if (line == 1) {
			const char *v = skip_blanks(buf + strlen(FRAGMENT_MAGIC));
			if (!startswith(v, "1") || (v[1] && !isspace((unsigned char)v[1]))) {
				kc_diag(d, KC_ERROR, "%s:1: error: unsupported format version '%s'",
					file, v);
				return -EINVAL;
			}
		} else if (*p == '#' || *p == '\0') {
			continue;
		} else if (startswith(p, "@defaults") && strchr(" \t", p[9] ? p[9] : ' ')) {
			defaults = (struct attrs){.mandatory = true, .freeform = -1};
			r = parse_attrs(p + 9, &defaults, file, line, d);
		} else if (*p == '@') {
			kc_diag(d, KC_ERROR, "%s:%u: error: unknown directive '%.*s'", file, line,
				(int)strcspn(p, " \t\r"), p);
			r = -EINVAL;
		} else {
			r = parse_entry(p, &defaults, file, line, prefix, out, d);
		}
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			ret = r;
	}
	return ret;
}

void fragment_write(FILE *f, const struct kc_set *set, const struct fragment_export_opts *o)
{
	fputs(FRAGMENT_MAGIC " 1\n", f);
	if (o->source)
		fprintf(f, "# exported by kconfig-merge from %s\n", o->source);
	fprintf(f, "@defaults %s priority=%d\n", o->mandatory ? "mandatory" : "optional",
		o->priority);
	for (size_t i = 0; i < set->n; i++) {
		const struct kc_entry *e = &set->v[i];
		/* The reader strips one prefix: a symbol whose name starts with it keeps it. */
		if (startswith(e->name, kc_config_prefix()))
			fputs(kc_config_prefix(), f);
		fprintf(f, "%s=", e->name);
		kc_value_write(f, e);
		fputc('\n', f);
	}
}
