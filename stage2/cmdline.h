/* The kernel command line, split the way the kernel splits it (lib/cmdline.c next_arg()):
 * words separated by spaces, double quotes group, and quotes around a value or a whole
 * parameter are dropped. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Next parameter from *p: key and value copied out (value "" and *has_value false for a bare
 * word). Returns 1 for a parameter, 0 at the end, -ENAMETOOLONG when a part does not fit. */
int cmdline_next(const char **p, char *key, size_t key_size, char *value, size_t value_size,
		 bool *has_value);

/* Value of the last occurrence of key (the kernel's own rule for repeated parameters), copied
 * into value. Returns 1 when found, 0 when not, or a negative errno. */
int cmdline_get(const char *cmdline, const char *key, char *value, size_t value_size);
