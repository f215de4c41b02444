/* Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c). Not part of initkit. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant of the parser's contract: a failure is a finding, so abort (libFuzzer saves the
 * input as a crash artifact). */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A NUL-terminated heap copy of len bytes (for interfaces that take C strings; an embedded NUL
 * simply ends the string, as it would when the caller read a file). Aborts on ENOMEM. */
static inline char *fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/* Splits the input at its first newline: the first line (without the newline) and the rest.
 * Targets that take two inputs (a kernel command line and a file) use this, so seeds stay
 * readable text files. */
static inline void fuzz_split_line(const uint8_t *data, size_t size, const uint8_t **line,
				   size_t *line_len, const uint8_t **rest, size_t *rest_len)
{
	const uint8_t *nl = memchr(data, '\n', size);
	*line = data;
	*line_len = nl ? (size_t)(nl - data) : size;
	*rest = nl ? nl + 1 : data + size;
	*rest_len = nl ? size - *line_len - 1 : 0;
}

/* An exact-size heap copy of len bytes (no terminator), so ASan sees a read past len. */
static inline char *fuzz_memdup(const uint8_t *data, size_t len)
{
	char *s = malloc(len ? len : 1);
	if (!s)
		abort();
	if (len)
		memcpy(s, data, len);
	return s;
}

/* A NUL-terminated copy of the input, for parsers of C strings (what libdevmapper or a pipe
 * hands out). Aborts when out of memory; free() it. */
static inline char *fuzz_strdup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = 0;
	return s;
}

/* Splits the input at the first occurrence of marker: before and after it. Without the marker,
 * both parts are the whole input. */
static inline void fuzz_split_marker(const uint8_t *data, size_t size, const char *marker,
				     const uint8_t **a, size_t *a_len, const uint8_t **b,
				     size_t *b_len)
{
	const uint8_t *m = memmem(data, size, marker, strlen(marker));
	*a = data;
	*a_len = m ? (size_t)(m - data) : size;
	*b = m ? m + strlen(marker) : data;
	*b_len = m ? size - *a_len - strlen(marker) : size;
}
