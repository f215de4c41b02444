/* UTF-8 checking for text that leaves initkit in a format that must be UTF-8 (timeline.json,
 * the timeline's SVG): names and notes come from the command line, crypttab, labels, and may
 * hold any byte. Header-only: stage 1 and stage 2 both use it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The length (1..4) of the one valid UTF-8 character at s (NUL-terminated), or 0: a stray
 * continuation byte, a sequence cut short (by the NUL or another byte), an over-long form, a
 * UTF-16 surrogate, a code point past U+10FFFF or U+FFFE/U+FFFF (not XML characters). Reads
 * no byte past the NUL. */
static inline size_t utf8_valid_len(const unsigned char *s)
{
	size_t len = s[0] < 0x80	     ? 1
		     : (s[0] & 0xe0) == 0xc0 ? 2
		     : (s[0] & 0xf0) == 0xe0 ? 3
		     : (s[0] & 0xf8) == 0xf0 ? 4
					     : 0;
	if (len <= 1)
		return len;
	uint32_t ch = s[0] & (0xffu >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		ch = ch << 6 | (s[i] & 0x3fu);
	}
	size_t shortest = ch < 0x80 ? 1 : ch < 0x800 ? 2 : ch < 0x10000 ? 3 : 4;
	if (shortest != len || ch > 0x10ffff || (ch & 0xfffff800) == 0xd800 ||
	    (ch & 0xfffe) == 0xfffe)
		return 0;
	return len;
}

/* The longest prefix of s, at most max bytes, that does not cut a UTF-8 sequence in two
 * (invalid bytes count as one character each). */
static inline size_t utf8_prefix_len(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (p[n]) {
		size_t k = utf8_valid_len(p + n);
		k = k ? k : 1;
		if (n + k > max)
			break;
		n += k;
	}
	return n;
}
