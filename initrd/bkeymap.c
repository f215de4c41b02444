/* Binary keymap parser. See bkeymap.h. */
#include "bkeymap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int bkeymap_parse(const void *data, size_t len, struct bkeymap *km, char *why, size_t why_size)
{
	const uint8_t *p = data;
	const size_t head = BKEYMAP_MAGIC_LEN + BKEYMAP_TABLES;
	*km = (struct bkeymap){0};
	if (len < BKEYMAP_MAGIC_LEN || memcmp(p, BKEYMAP_MAGIC, BKEYMAP_MAGIC_LEN) != 0) {
		snprintf(why, why_size,
			 "does not start with \"bkeymap\" (not `loadkeys -b` output)");
		return -EINVAL;
	}
	if (len < head) {
		snprintf(why, why_size, "cut short: %zu bytes, the table flags need %zu", len,
			 head);
		return -EINVAL;
	}
	for (size_t t = 0; t < BKEYMAP_TABLES; t++) {
		uint8_t f = p[BKEYMAP_MAGIC_LEN + t];
		if (f > 1) {
			snprintf(why, why_size,
				 "offset %zu: flag of table %zu is %u (expected 0 or 1)",
				 BKEYMAP_MAGIC_LEN + t, t, f);
			return -EINVAL;
		}
		if (f)
			km->tables[km->n_tables++] = (uint8_t)t;
	}
	if (km->n_tables == 0 || km->tables[0] != 0) {
		snprintf(why, why_size, "has no plain table (table 0)");
		return -EINVAL;
	}
	size_t want = head + km->n_tables * BKEYMAP_KEYS * sizeof(uint16_t);
	if (len != want) {
		snprintf(why, why_size, "%zu bytes, but %zu tables make %zu bytes (%s)", len,
			 km->n_tables, want, len < want ? "cut short" : "trailing data");
		return -EINVAL;
	}
	km->entries = p + head;
	return 0;
}

uint16_t bkeymap_value(const struct bkeymap *km, size_t n, size_t key)
{
	uint16_t v;
	memcpy(&v, km->entries + (n * BKEYMAP_KEYS + key) * sizeof(v), sizeof(v));
	return v;
}

bool bkeymap_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len >= BKEYMAP_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+") ==
	       len;
}
