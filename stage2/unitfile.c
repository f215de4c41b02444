/* Pure unit-file reader; see unitfile.h. */
#include "unitfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void unit_conf_init(struct unit_conf *c)
{
	memset(c, 0, sizeof(*c));
}

void unit_conf_free(struct unit_conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
		free(c->v[i].file);
	}
	free(c->v);
	unit_conf_init(c);
}

static const char WS[] = " \t\n\r";

static char *strip(char *s)
{
	s += strspn(s, WS);
	size_t n = strlen(s);
	while (n > 0 && strchr(WS, s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int add(struct unit_conf *c, const char *file, unsigned line, const char *key,
	       const char *value)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct unit_assign *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	struct unit_assign *a = &c->v[c->n];
	a->key = strdup(key);
	a->value = strdup(value);
	a->file = strdup(file);
	a->line = line;
	if (!a->key || !a->value || !a->file) {
		free(a->key);
		free(a->value);
		free(a->file);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

/* One logical line (continuations joined) starting at line number first. */
static int handle_line(struct unit_conf *c, const char *file, unsigned first, char *l,
		       const char *section, bool *in_section)
{
	l = strip(l);
	if (!*l || *l == '#' || *l == ';')
		return 0;
	if (*l == '[') {
		size_t n = strlen(l);
		if (l[n - 1] == ']') {
			l[n - 1] = '\0';
			*in_section = streq(l + 1, section);
		} else
			*in_section =
				false; /* systemd refuses the file here; nothing of ours counts */
		return 0;
	}
	if (!*in_section)
		return 0;
	char *eq = strchr(l, '=');
	if (!eq)
		return 0;
	*eq = '\0';
	return add(c, file, first, strip(l), strip(eq + 1));
}

int unitfile_parse(struct unit_conf *c, const char *file, const char *text, size_t len,
		   const char *section)
{
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	unsigned lineno = 0, first = 0;
	bool in_section = false;
	int r = 0;

	for (size_t pos = 0; pos <= len && r == 0;) {
		if (pos == len && blen == 0)
			break;
		size_t end = pos;
		while (end < len && text[end] != '\n' && text[end] != '\0')
			end++;
		lineno++;
		const char *s = text + pos;
		size_t n = end - pos;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		pos = end + 1;
		bool more = pos <= len && end < len;
		/* Inside a continuation, comment lines are skipped (systemd 252 does so). */
		if (blen > 0) {
			size_t k = 0;
			while (k < n && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k < n && (s[k] == '#' || s[k] == ';'))
				continue;
		} else
			first = lineno;
		if (blen + n + 2 > bcap) {
			size_t cap = (blen + n + 2) * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			bcap = cap;
		}
		memcpy(buf + blen, s, n);
		blen += n;
		buf[blen] = '\0';
		/* A trailing backslash continues the line; it becomes a space. Not in comments. */
		size_t k = strspn(buf, WS);
		bool comment = buf[k] == '#' || buf[k] == ';';
		if (!comment && blen > 0 && buf[blen - 1] == '\\' && more) {
			buf[blen - 1] = ' ';
			continue;
		}
		r = handle_line(c, file, first, buf, section, &in_section);
		blen = 0;
		if (!more)
			break;
	}
	if (r == 0 && blen > 0) /* a continuation at the end of the file */
		r = handle_line(c, file, first, buf, section, &in_section);
	free(buf);
	return r;
}

const struct unit_assign *unit_conf_last(const struct unit_conf *c, const char *key)
{
	for (size_t i = c->n; i-- > 0;)
		if (streq(c->v[i].key, key))
			return &c->v[i];
	return NULL;
}

bool unit_conf_has(const struct unit_conf *c, const char *key)
{
	return unit_conf_last(c, key) != NULL;
}

int unit_conf_each(const struct unit_conf *c, const char *key,
		   int (*fn)(const struct unit_assign *a, void *data), void *data)
{
	size_t start = 0;
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->v[i].key, key) && !c->v[i].value[0])
			start = i + 1;
	for (size_t i = start; i < c->n; i++) {
		if (!streq(c->v[i].key, key))
			continue;
		int r = fn(&c->v[i], data);
		if (r < 0)
			return r;
	}
	return 0;
}
