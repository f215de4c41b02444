#include "cmdline.h"

#include <errno.h>
#include <string.h>

#include "util.h"

static int copy_part(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int cmdline_next(const char **p, char *key, size_t key_size, char *value, size_t value_size,
		 bool *has_value)
{
	const char *s = *p;
	bool in_quote = false;
	size_t eq = 0, i;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\0') {
		*p = s;
		return 0;
	}
	/* A quote at the very start quotes the whole "key=value". */
	bool quoted = *s == '"';
	if (quoted) {
		s++;
		in_quote = true;
	}
	for (i = 0; s[i]; i++) {
		if ((s[i] == ' ' || s[i] == '\t' || s[i] == '\n') && !in_quote)
			break;
		if (eq == 0 && s[i] == '=')
			eq = i;
		if (s[i] == '"')
			in_quote = !in_quote;
	}
	*p = s + i;
	size_t end = i;
	*has_value = eq > 0;
	if (!*has_value) {
		if (quoted && end > 0 && s[end - 1] == '"')
			end--;
		value[0] = '\0';
		return copy_part(key, key_size, s, end) < 0 ? -ENAMETOOLONG : 1;
	}
	if (copy_part(key, key_size, s, eq) < 0)
		return -ENAMETOOLONG;
	const char *v = s + eq + 1;
	size_t vlen = end - eq - 1;
	if (vlen > 0 && *v == '"') {
		v++;
		vlen--;
		quoted = true;
	}
	if (quoted && vlen > 0 && v[vlen - 1] == '"')
		vlen--;
	return copy_part(value, value_size, v, vlen) < 0 ? -ENAMETOOLONG : 1;
}

int cmdline_get(const char *cmdline, const char *key, char *value, size_t value_size)
{
	char k[256], v[4096];
	bool has_value;
	int r, found = 0;

	while ((r = cmdline_next(&cmdline, k, sizeof(k), v, sizeof(v), &has_value)) != 0) {
		if (r < 0)
			continue; /* an overlong word is not ours */
		if (!has_value || !streq(k, key))
			continue;
		if (copy_part(value, value_size, v, strlen(v)) < 0)
			return -ENAMETOOLONG;
		found = 1;
	}
	return found;
}
