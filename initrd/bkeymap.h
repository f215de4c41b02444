/* The kernel's binary keymap as `loadkeys -b` writes it and busybox `loadkmap` reads it: the
 * 7 bytes "bkeymap", one flag byte (0 or 1) for each of the kernel's 256 keymap tables (plain,
 * shift, altgr, ... and their combinations), then for each flagged table, in table order, 128
 * host-endian u16 entries (the values KDSKBENT takes for keycodes 0..127). Shared by the image
 * builder (validates before storing) and /init (loads it). Pure: no I/O, no logging. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BKEYMAP_MAGIC "bkeymap"
#define BKEYMAP_MAGIC_LEN 7
#define BKEYMAP_TABLES 256 /* MAX_NR_KEYMAPS */
#define BKEYMAP_KEYS 128   /* NR_KEYS as loadkeys -b writes them */
#define BKEYMAP_NAME_MAX 64

struct bkeymap {
	const uint8_t *entries;		/* into the parsed data, n_tables * 128 u16 */
	uint8_t tables[BKEYMAP_TABLES]; /* table numbers present, in file order */
	size_t n_tables;
};

/* Parses len bytes at data. Returns 0, or -EINVAL with why (what and at which offset) set.
 * A map must carry the plain table (0): a map without it would leave unshifted keys as
 * whatever was loaded before. The result points into data. */
int bkeymap_parse(const void *data, size_t len, struct bkeymap *km, char *why, size_t why_size);
/* The value of keycode key (0..127) in the n-th table present (0..n_tables-1). */
uint16_t bkeymap_value(const struct bkeymap *km, size_t n, size_t key);
/* A keymap name as stored in the image and named on the command line: 1..63 of
 * A-Z a-z 0-9 . _ - +, not starting with '.' (it becomes a file name). */
bool bkeymap_name_valid(const char *name);
