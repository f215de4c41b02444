/* Entry sets (ordered, indexed by symbol name) and diagnostics for kconfig-merge. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kconfig.h"
#include "util.h"

unsigned kc_name_hash(const char *s)
{
	/* FNV-1a: short symbol names, no adversary. */
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void kc_set_init(struct kc_set *s)
{
	memset(s, 0, sizeof(*s));
}

void kc_entry_free(struct kc_entry *e)
{
	free(e->name);
	free(e->str);
	e->name = e->str = NULL;
}

void kc_set_free(struct kc_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		kc_entry_free(&s->v[i]);
	free(s->v);
	free(s->index);
	kc_set_init(s);
}

static struct kc_slot *index_slot(const struct kc_set *s, const char *name, unsigned hash)
{
	size_t mask = s->index_cap - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct kc_slot *slot = &s->index[i];
		if (slot->pos == 0 || (slot->hash == hash && streq(s->v[slot->pos - 1].name, name)))
			return slot;
	}
}

/* A new index of cap slots. When the entries kept their places (growth), the old slots give
 * every hash; after a sort the names are hashed again. */
static int index_rebuild(struct kc_set *s, size_t cap, bool moved)
{
	struct kc_slot *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	size_t mask = cap - 1;
	if (moved || !s->index_cap) {
		for (size_t i = 0; i < s->n; i++) {
			unsigned h = kc_name_hash(s->v[i].name);
			size_t j = h & mask;
			while (idx[j].pos)
				j = (j + 1) & mask;
			idx[j] = (struct kc_slot){(unsigned)i + 1, h};
		}
	} else {
		for (size_t i = 0; i < s->index_cap; i++) {
			if (!s->index[i].pos)
				continue;
			size_t j = s->index[i].hash & mask;
			while (idx[j].pos)
				j = (j + 1) & mask;
			idx[j] = s->index[i];
		}
	}
	free(s->index);
	s->index = idx;
	s->index_cap = cap;
	return 0;
}

struct kc_entry *kc_set_find_hashed(const struct kc_set *s, const char *name, unsigned hash)
{
	if (!s->index_cap)
		return NULL;
	struct kc_slot *slot = index_slot(s, name, hash);
	return slot->pos ? &s->v[slot->pos - 1] : NULL;
}

struct kc_entry *kc_set_find(const struct kc_set *s, const char *name)
{
	return kc_set_find_hashed(s, name, kc_name_hash(name));
}

struct kc_entry *kc_set_put(struct kc_set *s, struct kc_entry *e)
{
	return kc_set_put_hashed(s, e, kc_name_hash(e->name));
}

struct kc_entry *kc_set_put_hashed(struct kc_set *s, struct kc_entry *e, unsigned h)
{
	if ((s->n + 1) * 2 > s->index_cap &&
	    index_rebuild(s, s->index_cap ? s->index_cap * 2 : 128, false))
		return NULL;
	struct kc_slot *slot = index_slot(s, e->name, h);
	if (slot->pos) {
		struct kc_entry *old = &s->v[slot->pos - 1];
		kc_entry_free(old);
		*old = *e;
		return old;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct kc_entry *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = *e;
	*slot = (struct kc_slot){(unsigned)s->n + 1, h};
	return &s->v[s->n++];
}

int kc_set_reserve(struct kc_set *s, size_t n)
{
	size_t cap = s->index_cap ? s->index_cap : 128;
	while (cap < n * 2 + 2)
		cap *= 2;
	if (cap != s->index_cap && index_rebuild(s, cap, false) < 0)
		return -ENOMEM;
	if (n > s->cap) {
		struct kc_entry *v = realloc(s->v, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = n;
	}
	return 0;
}

int kc_entry_copy(struct kc_entry *dst, const struct kc_entry *src)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->str = src->str ? strdup(src->str) : NULL;
	if (!dst->name || (src->str && !dst->str)) {
		kc_entry_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kc_entry *)a)->name, ((const struct kc_entry *)b)->name);
}

void kc_set_sort(struct kc_set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), entry_cmp);
	if (s->index_cap)
		index_rebuild(s, s->index_cap, true);
}

/* The digits of a number without its 0x (hex) and leading zeros; "0" stays "0". */
static const char *number_digits(const char *s, bool hex)
{
	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (s[0] == '0' && s[1])
		s++;
	return s;
}

/* Numbers compare by value, as text without overflow: hex case-insensitive with or without
 * 0x (kconfig keeps a hex value as written: 1000000 and 0x1000000 are the same address), int
 * in decimal (-0 is 0). */
static bool same_number(const char *a, const char *b, bool hex)
{
	bool neg_a = !hex && a[0] == '-', neg_b = !hex && b[0] == '-';
	a = number_digits(a + neg_a, hex);
	b = number_digits(b + neg_b, hex);
	if (streq(a, "0") && streq(b, "0"))
		return true;
	return neg_a == neg_b && (hex ? strcasecmp(a, b) == 0 : streq(a, b));
}

bool kc_entry_same_value(const struct kc_entry *a, const struct kc_entry *b)
{
	if (a->kind == KC_V_TRI || b->kind == KC_V_TRI)
		return a->kind == b->kind && a->tri == b->tri;
	if (a->kind == KC_V_STRING || b->kind == KC_V_STRING)
		return a->kind == b->kind && streq(a->str, b->str);
	/* Two numbers. Without Kconfig's types "1000000" reads as an int; next to a 0x value it
	 * can only be a hex symbol's (an int symbol refuses 0x), and kconfig reads a hex
	 * symbol's digits as hex whether or not 0x is written: compare as hex then. */
	return same_number(a->str, b->str, a->kind == KC_V_HEX || b->kind == KC_V_HEX);
}

int kc_value_format(const struct kc_entry *e, char *buf, size_t size)
{
	size_t n = 0;
	if (e->kind == KC_V_TRI)
		return snprintf(buf, size, "%c", e->tri) < (int)size ? 0 : -ENOBUFS;
	if (e->kind != KC_V_STRING)
		return snprintf(buf, size, "%s", e->str) < (int)size ? 0 : -ENOBUFS;
	/* kconfig writes strings quoted, with " and \ escaped by a backslash. */
	if (size < 3)
		return -ENOBUFS;
	buf[n++] = '"';
	for (const char *p = e->str; *p; p++) {
		if (n + 4 > size)
			return -ENOBUFS;
		if (*p == '"' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return 0;
}

void kc_value_write(FILE *f, const struct kc_entry *e)
{
	/* Unlocked stdio: a config has thousands of lines, printf's format parsing and locking
	 * were a fifth of a merge. */
	if (e->kind == KC_V_TRI) {
		putc_unlocked(e->tri, f);
		return;
	}
	if (e->kind != KC_V_STRING) {
		fputs_unlocked(e->str, f);
		return;
	}
	/* kconfig writes strings quoted, with " and \ escaped by a backslash. */
	putc_unlocked('"', f);
	for (const char *p = e->str; *p; p++) {
		if (*p == '"' || *p == '\\')
			putc_unlocked('\\', f);
		putc_unlocked(*p, f);
	}
	putc_unlocked('"', f);
}

void kc_entry_write_config(FILE *f, const char *prefix, const struct kc_entry *e)
{
	bool unset = e->kind == KC_V_TRI && e->tri == 'n';
	if (unset)
		fputs_unlocked("# ", f);
	fputs_unlocked(prefix, f);
	fputs_unlocked(e->name, f);
	if (unset) {
		fputs_unlocked(" is not set\n", f);
		return;
	}
	putc_unlocked('=', f);
	kc_value_write(f, e);
	putc_unlocked('\n', f);
}

void kc_diag(struct kc_diags *d, enum kc_severity sev, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct kc_diag *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			free(text);
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = (struct kc_diag){sev, text};
	if (sev == KC_ERROR)
		d->errors++;
	else if (sev == KC_WARNING)
		d->warnings++;
}

void kc_diags_free(struct kc_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void kc_diags_print(const struct kc_diags *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s\n", d->v[i].text);
}

const char *kc_config_prefix(void)
{
	const char *p = getenv("CONFIG_");
	return p ? p : "CONFIG_";
}
