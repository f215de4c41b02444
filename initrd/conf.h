/* The image config file, /etc/initkit.conf inside the initramfs (written by initkit-mkimage).
 * Pure parser: bytes in, settings and errors (with line numbers) out.
 *
 * Format of /etc/initkit.conf
 * ---------------------------
 *   # initkit image configuration. The kernel command line overrides every setting here.
 *   root=UUID=0b1c7e4e-8a6f-4a55-9d44-0c6f3c1b2a10
 *   rootfstype=ext4
 *   rootflags="data=ordered,commit=30"
 *   ro
 *   rd.modules-load=virtio_blk,ext4
 *   rd.timeout=30s
 *   rd.emergency=poweroff
 *   init="/sbin/my init"        # a trailing comment
 *
 * - One setting per line: `key=value`, or a bare `key` for flags (`ro`, `rw`, `quiet`,
 *   `rd.shell`, `rd.debug`). Keys are exactly the kernel command line keys (see bootconf.h);
 *   a key is letters, digits and `. _ - :`. Spaces or tabs may surround the `=`.
 * - A value is one shell-like word: plain characters, and double-quoted parts in which
 *   spaces and `#` are literal; inside quotes `\"` and `\\` stand for `"` and `\` (any other
 *   backslash is kept). Outside quotes a backslash escapes the next character. Parts join:
 *   `a"b c"d` is `ab cd`. `key=` and `key=""` give an empty value.
 * - `#` at the start of a line or after whitespace starts a comment to the end of the line
 *   (`k=a#b` is "a#b", `k=a #b` is "a").
 *   Blank lines and leading/trailing whitespace are ignored.
 * - Errors (reported with their line number, the line skipped, the rest still read): a key
 *   with characters outside the set above, a missing key (`=x`), an unterminated quote,
 *   unquoted whitespace inside a value (`k=a b`), a NUL byte.
 * - Unknown keys are not an error here: they are passed on like unknown command line
 *   parameters (and ignored by bootconf).
 */
#pragma once

#include <stddef.h>

struct conf_setting {
	char *key;
	char *value; /* NULL for a bare key */
	unsigned line;
};

struct conf_error {
	unsigned line;
	char *message; /* e.g. "unterminated double quote" */
};

struct conf {
	struct conf_setting *settings; /* file order */
	size_t n_settings;
	struct conf_error *errors;
	size_t n_errors;
};

/* Parses len bytes of buf. Syntax errors go to out->errors (the line is skipped).
 * Returns 0, or -ENOMEM (out is then empty and needs no free). */
int conf_parse(const char *buf, size_t len, struct conf *out);
void conf_free(struct conf *c);
