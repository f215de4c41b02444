/* /etc/initkit.conf parser; the format is documented in conf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"

/* A cursor over one line; end excludes the '\n'. */
struct line {
	const char *p, *end;
	unsigned no;
};

/* A growing string for a value being unquoted. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static int sbuf_put(struct sbuf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		char *s = realloc(b->s, cap);
		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

/* Makes b hold "" (an empty value is "", never NULL). */
static int sbuf_empty(struct sbuf *b)
{
	if (sbuf_put(b, 'x') < 0)
		return -ENOMEM;
	b->s[--b->len] = '\0';
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == ':';
}

static void skip_blanks(struct line *l)
{
	while (l->p < l->end && is_blank(*l->p))
		l->p++;
}

/* True at the end of the line or at a comment (the caller has just skipped blanks). */
static bool at_line_end(const struct line *l)
{
	return l->p >= l->end || *l->p == '#';
}

__attribute__((format(printf, 3, 4))) static int add_error(struct conf *c, unsigned line,
							   const char *fmt, ...)
{
	struct conf_error *e = reallocarray(c->errors, c->n_errors + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	c->errors = e;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&e[c->n_errors].message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	e[c->n_errors++].line = line;
	return 0;
}

/* A double-quoted part; l->p is just after the opening quote. 1 when closed, 0 when not. */
static int read_quoted(struct line *l, struct sbuf *v)
{
	while (l->p < l->end) {
		char c = *l->p++;
		if (c == '"')
			return 1;
		if (c == '\\' && l->p < l->end && (*l->p == '"' || *l->p == '\\'))
			c = *l->p++;
		if (sbuf_put(v, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One shell-like word. Returns 0, -ENOMEM, or 1 with *err set for a syntax error. */
static int read_word(struct line *l, struct sbuf *v, const char **err)
{
	int r = sbuf_empty(v);
	if (r < 0)
		return r;
	while (l->p < l->end && !is_blank(*l->p)) {
		char c = *l->p++;
		if (c == '"') {
			r = read_quoted(l, v);
			if (r == 0) {
				*err = "unterminated double quote";
				return 1;
			}
		} else if (c == '\\') {
			if (l->p >= l->end) {
				*err = "backslash at the end of the line";
				return 1;
			}
			r = sbuf_put(v, *l->p++);
		} else {
			r = sbuf_put(v, c);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_setting(struct conf *c, const char *key, size_t key_len, char *value, unsigned line)
{
	struct conf_setting *s = reallocarray(c->settings, c->n_settings + 1, sizeof(*s));
	if (!s) {
		free(value);
		return -ENOMEM;
	}
	c->settings = s;
	s += c->n_settings;
	s->key = strndup(key, key_len);
	s->value = value;
	s->line = line;
	c->n_settings++;
	return s->key ? 0 : -ENOMEM;
}

/* "'x'" for a printable character, "byte 0x07" otherwise. */
static const char *describe_char(char c, char buf[16])
{
	unsigned char u = (unsigned char)c;
	if (u > ' ' && u < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", u);
	return buf;
}

/* The value after '='; l->p is just after it. */
static int parse_value(struct conf *c, struct line *l, const char *key, int key_len)
{
	struct sbuf v = {0};
	const char *err = NULL;
	const char *after_eq = l->p;
	int r;

	skip_blanks(l);
	/* '#' starts a comment only at the start of a word: "k= #c" is empty, "k=#c" is "#c" */
	if (l->p >= l->end || (*l->p == '#' && l->p != after_eq))
		r = sbuf_empty(&v);
	else
		r = read_word(l, &v, &err);
	if (r == 0) {
		skip_blanks(l);
		if (!at_line_end(l))
			err = "unquoted whitespace in the value (use double quotes)";
	}
	if (r < 0 || err) {
		free(v.s);
		return r < 0 ? r : add_error(c, l->no, "%.*s: %s", key_len, key, err);
	}
	return add_setting(c, key, (size_t)key_len, v.s, l->no);
}

static int parse_line(struct conf *c, struct line *l)
{
	char cbuf[16];

	if (memchr(l->p, '\0', (size_t)(l->end - l->p)))
		return add_error(c, l->no, "NUL byte in the line");
	skip_blanks(l);
	if (at_line_end(l))
		return 0;
	const char *key = l->p;
	while (l->p < l->end && is_key_char(*l->p))
		l->p++;
	int key_len = (int)(l->p - key);
	if (key_len == 0 && *l->p == '=')
		return add_error(c, l->no, "missing key before '='");
	if (key_len == 0 || (l->p < l->end && !is_blank(*l->p) && *l->p != '='))
		return add_error(c, l->no, "invalid character %s in key '%.*s'",
				 describe_char(*l->p, cbuf), key_len, key);
	skip_blanks(l);
	if (at_line_end(l))
		return add_setting(c, key, (size_t)key_len, NULL, l->no);
	if (*l->p != '=')
		return add_error(c, l->no, "%.*s: expected '=' or the end of the line, found %s",
				 key_len, key, describe_char(*l->p, cbuf));
	l->p++;
	return parse_value(c, l, key, key_len);
}

int conf_parse(const char *buf, size_t len, struct conf *out)
{
	const char *p = buf, *end = buf + (buf ? len : 0);
	unsigned no = 0;

	*out = (struct conf){0};
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct line l = {p, nl ? nl : end, ++no};
		int r = parse_line(out, &l);
		if (r < 0) {
			conf_free(out);
			return r;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

void conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n_settings; i++) {
		free(c->settings[i].key);
		free(c->settings[i].value);
	}
	free(c->settings);
	for (size_t i = 0; i < c->n_errors; i++)
		free(c->errors[i].message);
	free(c->errors);
	*c = (struct conf){0};
}
