/* The .config reader, after scripts/kconfig/confdata.c (conf_read_simple, conf_set_sym_val). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig_read.h"
#include "util.h"

bool kconfig_int_valid(const char *s)
{
	/* -?[0-9]+ without leading zeros, as sym_string_valid(S_INT). */
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	if (*s == '0' && s[1] != '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool kconfig_hex_valid(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* A quoted string: a backslash escapes any character; returns NULL when unterminated. */
static char *unquote(const char *p)
{
	size_t n = 0, len = strlen(p);
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	for (; *p; p++) {
		if (*p == '"') {
			out[n] = '\0';
			return out;
		}
		if (*p == '\\') {
			p++;
			if (!*p)
				break;
		}
		out[n++] = *p;
	}
	free(out);
	return NULL;
}

/* When Kconfig's types are unknown, the value's syntax says what it is. */
static enum kc_type infer_type(const char *val)
{
	if (val[0] == 'y' || val[0] == 'm' || val[0] == 'n')
		return KC_TYPE_TRISTATE;
	if (val[0] == '"')
		return KC_TYPE_STRING;
	if (kconfig_int_valid(val))
		return KC_TYPE_INT;
	/* Untyped, a hex value needs its 0x: "abc" is more likely a string missing its quotes. */
	if (val[0] == '0' && (val[1] == 'x' || val[1] == 'X'))
		return KC_TYPE_HEX;
	return KC_TYPE_UNKNOWN;
}

int kconfig_parse_value(const char *name, const char *val, enum kc_type type, struct kc_entry *e,
			const char *file, unsigned line, struct kc_diags *diags)
{
	if (type == KC_TYPE_UNKNOWN)
		type = infer_type(val);
	switch (type) {
	case KC_TYPE_TRISTATE:
	case KC_TYPE_BOOL:
		if (val[0] == 'y' || val[0] == 'n' || (val[0] == 'm' && type == KC_TYPE_TRISTATE)) {
			e->kind = KC_V_TRI;
			e->tri = val[0];
			return 0;
		}
		break;
	case KC_TYPE_STRING:
		/* kconfig ignores a string value without its leading quote, silently. */
		if (val[0] != '"')
			return -EINVAL;
		e->str = unquote(val + 1);
		if (!e->str) {
			kc_diag(diags, KC_WARNING, "%s:%u:warning: invalid string found", file,
				line);
			return -EINVAL;
		}
		e->kind = KC_V_STRING;
		return 0;
	case KC_TYPE_INT:
	case KC_TYPE_HEX:
		if (type == KC_TYPE_INT ? kconfig_int_valid(val) : kconfig_hex_valid(val)) {
			e->kind = type == KC_TYPE_INT ? KC_V_INT : KC_V_HEX;
			e->str = strdup(val);
			return e->str ? 0 : -ENOMEM;
		}
		break;
	case KC_TYPE_UNKNOWN:
		break;
	}
	kc_diag(diags, KC_WARNING, "%s:%u:warning: symbol value '%s' invalid for %s", file, line,
		val, name);
	return -EINVAL;
}

/* One line (without its '\n'); returns 0, or -ENOMEM. */
static int read_config_line(const char *file, unsigned lineno, char *line, bool had_newline,
			    const char *prefix, kc_type_fn types, void *userdata,
			    struct kc_set *out, struct kc_diags *diags)
{
	size_t plen = strlen(prefix);
	char *name, *val, *p;

	if (line[0] == '#') {
		if (line[1] != ' ' || strncmp(line + 2, prefix, plen) != 0)
			return 0;
		name = line + 2 + plen;
		p = strchr(name, ' ');
		if (!p)
			return 0;
		*p++ = '\0';
		if (strncmp(p, "is not set", 10) != 0)
			return 0;
		val = "n";
	} else if (strncmp(line, prefix, plen) == 0) {
		name = line + plen;
		p = strchr(name, '=');
		if (!p)
			return 0;
		*p++ = '\0';
		val = p;
		size_t vlen = strlen(val);
		if (had_newline && vlen && val[vlen - 1] == '\r')
			val[vlen - 1] = '\0';
	} else {
		size_t n = strcspn(line, "\r");
		if (line[0] != '\r' && (line[0] != '\0' || !had_newline))
			kc_diag(diags, KC_WARNING, "%s:%u:warning: unexpected data: %.*s", file,
				lineno, (int)n, line);
		return 0;
	}

	/* kconfig ignores such a name silently (no symbol has it); a typo deserves a word. */
	if (!*name || name[kc_symbol_span(name)]) {
		kc_diag(diags, KC_WARNING, "%s:%u:warning: ignoring invalid symbol name '%s'", file,
			lineno, name);
		return 0;
	}
	unsigned hash = kc_name_hash(name);
	enum kc_type type = types ? types(name, hash, userdata) : KC_TYPE_UNKNOWN;
	if (kc_set_find_hashed(out, name, hash))
		kc_diag(diags, KC_WARNING, "%s:%u:warning: override: reassigning to symbol %s",
			file, lineno, name);
	struct kc_entry e = {.src = {file, lineno}};
	int r = kconfig_parse_value(name, val, type, &e, file, lineno, diags);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	e.freeform = e.kind != KC_V_TRI;
	e.name = strdup(name);
	if (!e.name || !kc_set_put_hashed(out, &e, hash)) {
		kc_entry_free(&e);
		return -ENOMEM;
	}
	return 0;
}

int kconfig_read(const char *file, const char *data, size_t len, const char *prefix,
		 kc_type_fn types, void *userdata, struct kc_set *out, struct kc_diags *diags)
{
	unsigned lineno = 0;
	size_t cap = 256, lines = 1;
	_cleanup_free_ char *line = malloc(cap);
	if (!line)
		return -ENOMEM;
	/* Room for every line up front: growing the index while reading a distribution's
	 * config rehashed it seven times. */
	for (const char *p = data; (p = memchr(p, '\n', len - (size_t)(p - data))); p++)
		lines++;
	if (kc_set_reserve(out, out->n + lines) < 0)
		return -ENOMEM;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		if (n + 1 > cap) {
			cap = n + 1;
			char *l = realloc(line, cap);
			if (!l)
				return -ENOMEM;
			line = l;
		}
		memcpy(line, data + pos, n);
		line[n] = '\0';
		/* A NUL inside a line ends it, as it does for C string handling in kconfig. */
		int r = read_config_line(file, ++lineno, line, nl != NULL, prefix, types, userdata,
					 out, diags);
		if (r < 0)
			return r;
		pos += n + (nl ? 1 : 0);
	}
	return 0;
}
