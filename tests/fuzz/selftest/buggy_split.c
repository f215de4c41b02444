#include "buggy_split.h"

#include <errno.h>
#include <string.h>

int buggy_split_key(const char *s, size_t len, char *key, size_t size)
{
	const char *eq = memchr(s, '=', len);
	size_t n = eq ? (size_t)(eq - s) : len;
	if (n > size) /* THE BUG: must be n >= size, the terminator needs a byte too */
		return -ENAMETOOLONG;
	memcpy(key, s, n);
	key[n] = '\0';
	return 0;
}
