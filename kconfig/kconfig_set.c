/* Entry sets (ordered, indexed by symbol name) and diagnostics for kconfig-merge. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kconfig.h"
#include "util.h"

static size_t name_hash(const char *s)
{
	/* FNV-1a: short symbol names, no adversary. */
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
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

static size_t *index_slot(const struct kc_set *s, const char *name)
{
	size_t mask = s->index_cap - 1;
	for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
		size_t *slot = &s->index[i];
		if (*slot == 0 || streq(s->v[*slot - 1].name, name))
			return slot;
	}
}

static int index_rebuild(struct kc_set *s, size_t cap)
{
	size_t *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	free(s->index);
	s->index = idx;
	s->index_cap = cap;
	for (size_t i = 0; i < s->n; i++)
		*index_slot(s, s->v[i].name) = i + 1;
	return 0;
}

struct kc_entry *kc_set_find(const struct kc_set *s, const char *name)
{
	if (!s->index_cap)
		return NULL;
	size_t *slot = index_slot(s, name);
	return *slot ? &s->v[*slot - 1] : NULL;
}

struct kc_entry *kc_set_put(struct kc_set *s, struct kc_entry *e)
{
	if ((s->n + 1) * 2 > s->index_cap &&
	    index_rebuild(s, s->index_cap ? s->index_cap * 2 : 128))
		return NULL;
	size_t *slot = index_slot(s, e->name);
	if (*slot) {
		struct kc_entry *old = &s->v[*slot - 1];
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
	*slot = s->n + 1;
	return &s->v[s->n++];
}

int kc_set_reserve(struct kc_set *s, size_t n)
{
	size_t cap = s->index_cap ? s->index_cap : 128;
	while (cap < n * 2 + 2)
		cap *= 2;
	if (cap != s->index_cap && index_rebuild(s, cap) < 0)
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
		index_rebuild(s, s->index_cap);
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
	if (e->kind == KC_V_TRI) {
		fputc(e->tri, f);
		return;
	}
	if (e->kind != KC_V_STRING) {
		fputs(e->str, f);
		return;
	}
	/* kconfig writes strings quoted, with " and \ escaped by a backslash. */
	fputc('"', f);
	for (const char *p = e->str; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

void kc_entry_write_config(FILE *f, const char *prefix, const struct kc_entry *e)
{
	if (e->kind == KC_V_TRI && e->tri == 'n') {
		fprintf(f, "# %s%s is not set\n", prefix, e->name);
		return;
	}
	fprintf(f, "%s%s=", prefix, e->name);
	kc_value_write(f, e);
	fputc('\n', f);
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
