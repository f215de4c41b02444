/* A deliberately buggy parser, to show that the fuzzer and the sanitized unit tests catch an
 * off-by-one. Never linked into initkit; built only by `make fuzz-selftest`. */
#pragma once

#include <stddef.h>

/* Copies the key of "key=value" (len bytes of s) into key, size bytes. 0 or -ENAMETOOLONG. */
int buggy_split_key(const char *s, size_t len, char *key, size_t size);
