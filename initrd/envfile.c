/* Shell-style KEY=VALUE reader. See envfile.h. */
#include "envfile.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

/* Unquotes the value at s[0..end) into out. Returns its length, -EINVAL (open quote) or
 * -ENAMETOOLONG. */
static int unquote(const char *s, size_t end, char *out, size_t size)
{
	size_t n = 0, i = 0;
	char quote = 0;
	for (; i < end; i++) {
		char c = s[i];
		if (!quote && is_blank(c))
			break;
		if (!quote && (c == '"' || c == '\'')) {
			quote = c;
			continue;
		}
		if (quote && c == quote) {
			quote = 0;
			continue;
		}
		if (c == '\\' && quote != '\'' && i + 1 < end &&
		    (!quote || strchr("\"\\$`", s[i + 1])))
			c = s[++i];
		if (n + 1 >= size)
			return -ENAMETOOLONG;
		out[n++] = c;
	}
	if (quote)
		return -EINVAL;
	out[n] = 0;
	return (int)n;
}

int envfile_get(const char *text, size_t len, const char *key, char *out, size_t size,
		unsigned *line)
{
	size_t klen = strlen(key);
	int found = 0;
	unsigned lineno = 0;
	if (size == 0)
		return -ENAMETOOLONG;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, i = pos;
		size_t next = nl ? end + 1 : len;
		lineno++;
		while (i < end && is_blank(text[i]))
			i++;
		if (end - i > 7 && memcmp(text + i, "export", 6) == 0 && is_blank(text[i + 6]))
			for (i += 7; i < end && is_blank(text[i]); i++)
				;
		size_t name = i;
		while (i < end && is_name(text[i], i == name))
			i++;
		if (i == name || i >= end || text[i] != '=' || i - name != klen ||
		    memcmp(text + name, key, klen) != 0) {
			pos = next;
			continue;
		}
		i++;
		int r = unquote(text + i, end - i, out, size);
		if (r == -EINVAL && line)
			*line = lineno;
		if (r < 0)
			return r;
		found = 1;
		pos = next;
	}
	return found;
}
