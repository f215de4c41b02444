/* Kernel command line splitting, the way the kernel itself does it (lib/cmdline.c next_arg(),
 * kernel/params.c parse_args(), init/main.c for what follows "--"). Pure: bytes in, list out.
 *
 * - Words are separated by whitespace (isspace() in the C locale, so "\n" from /proc/cmdline
 *   is a separator). Double quotes group: while inside quotes, whitespace does not split.
 * - `param="a b"` gives ("param", "a b"); `"param=a b"` gives ("param", "a b"); the kernel
 *   removes only the opening quote of the word or of the value and a quote that ends the
 *   word, so `a"b c"d` stays as it is (quotes and all) — we do the same.
 * - A word without '=' has value NULL (`ro`, `quiet`, `rd.shell`); `key=` has value "".
 * - The first bare `--` ends the parameters: every word after it is an argument for init
 *   (re-joined as "key=value" the way init/main.c repairs them, quotes removed).
 * - The command line is a C string in the kernel: the first NUL byte ends it.
 * - An unterminated quote runs to the end of the line (kernel behaviour): never an error.
 */
#pragma once

#include <stddef.h>

struct cmdline_param {
	char *key;
	char *value; /* NULL when the word had no '=' */
};

struct cmdline {
	struct cmdline_param *params; /* in command line order, repeats kept */
	size_t n_params;
	char **init_args; /* words after "--"; NULL-terminated (never NULL after a parse) */
	size_t n_init_args;
};

/* Splits len bytes of buf. Returns 0, or -ENOMEM (out is then empty and needs no free). */
int cmdline_parse(const char *buf, size_t len, struct cmdline *out);
void cmdline_free(struct cmdline *c);
