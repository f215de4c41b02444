/* The merge rules (see merge.h): priority, then freeform-must-agree / best tristate, then
 * mandatory wins over optional. Every disagreement that gets resolved is reported with both
 * sources: a silent "best answer" is how a plain `yes` once beat a hardening profile's `no`. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "util.h"

void merge_opts_default(struct merge_opts *o)
{
	*o = (struct merge_opts){.prefer = "ymn", .strict = false, .prefix = "CONFIG_"};
}

int merge_parse_prefer(const char *s, char prefer[4])
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ',' || *s == '>' || *s == ' ')
			continue;
		if (!strchr("ymn", *s) || n == 3 || memchr(prefer, *s, n))
			return -EINVAL;
		prefer[n++] = *s;
	}
	if (n != 3)
		return -EINVAL;
	prefer[3] = '\0';
	return 0;
}

static int merge_reserve(struct merger *m, size_t more)
{
	if (m->n + more <= m->cap)
		return 0;
	size_t cap = m->cap ? m->cap : 1024;
	while (cap < m->n + more)
		cap *= 2;
	struct kc_entry *v = realloc(m->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	m->v = v;
	m->cap = cap;
	return 0;
}

int merge_add(struct merger *m, const struct kc_set *file)
{
	if (merge_reserve(m, file->n) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < file->n; i++) {
		if (kc_entry_copy(&m->v[m->n], &file->v[i]) < 0)
			return -ENOMEM;
		m->n++;
	}
	return 0;
}

int merge_take(struct merger *m, struct kc_set *file)
{
	if (merge_reserve(m, file->n) < 0)
		return -ENOMEM;
	memcpy(m->v + m->n, file->v, file->n * sizeof(*file->v));
	m->n += file->n;
	file->n = 0; /* the strings belong to m now */
	kc_set_free(file);
	return 0;
}

void merge_free(struct merger *m)
{
	for (size_t i = 0; i < m->n; i++)
		kc_entry_free(&m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* One entry of a symbol's group, with its input position. */
struct keyed {
	struct kc_entry *e;
	size_t seq;
};

static void describe(const struct kc_entry *e, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	if (!f) {
		snprintf(buf, size, "?");
		return;
	}
	kc_value_write(f, e);
	fprintf(f, " (%s:%u)", e->src.file, e->src.line);
	fclose(f);
	buf[size - 1] = '\0';
}

static int rank(const struct merge_opts *o, char tri)
{
	const char *p = strchr(o->prefer, tri);
	return p ? (int)(p - o->prefer) : 3;
}

/* Of two spellings of the same number, whether b's is the one to keep: the one with 0x, then the
 * shorter, then the smaller text, so the output does not depend on the input order. */
static bool better_spelling(const struct kc_entry *a, const struct kc_entry *b)
{
	if (a->kind != b->kind)
		return b->kind == KC_V_HEX;
	size_t la = strlen(a->str), lb = strlen(b->str);
	return lb != la ? lb < la : strcmp(b->str, a->str) < 0;
}

/* Folds e into the winner w (both at the top priority). Returns -EINVAL on a conflict. */
static int fold(struct kc_entry *w, struct kc_entry *e, const struct merge_opts *o,
		struct kc_diags *d)
{
	char a[512], b[512];
	bool same = kc_entry_same_value(w, e);
	if (!same) {
		describe(w, a, sizeof(a));
		describe(e, b, sizeof(b));
	}
	if (!same && (w->kind == KC_V_TRI) != (e->kind == KC_V_TRI)) {
		kc_diag(d, KC_ERROR, "error: %s%s: conflicting types: %s vs %s", o->prefix, w->name,
			a, b);
		return -EINVAL;
	}
	if (!same && (w->freeform || e->freeform)) {
		kc_diag(d, KC_ERROR,
			"error: %s%s: conflict: %s vs %s (freeform values must be equal)",
			o->prefix, w->name, a, b);
		return -EINVAL;
	}
	bool mandatory = w->mandatory || e->mandatory;
	if (w->mandatory != e->mandatory) {
		const struct kc_entry *m = w->mandatory ? w : e, *opt = w->mandatory ? e : w;
		kc_diag(d, KC_NOTE, "note: %s%s: mandatory (%s:%u) wins over optional (%s:%u)",
			o->prefix, w->name, m->src.file, m->src.line, opt->src.file, opt->src.line);
	}
	if (!same) {
		bool e_wins = rank(o, e->tri) < rank(o, w->tri);
		kc_diag(d, o->strict ? KC_ERROR : KC_NOTE, "%s%s%s: %s wins over %s (%c>%c>%c)",
			o->strict ? "error: " : "note: ", o->prefix, w->name, e_wins ? b : a,
			e_wins ? a : b, o->prefer[0], o->prefer[1], o->prefer[2]);
		if (e_wins) {
			w->tri = e->tri;
			w->src = e->src;
		}
	} else if (e->mandatory && !w->mandatory) {
		w->src = e->src; /* name the source that made it mandatory */
	}
	if (same && (w->kind == KC_V_INT || w->kind == KC_V_HEX) && better_spelling(w, e)) {
		/* Swap the texts: e's entry (freed with the merger) takes w's old one. */
		char *str = w->str;
		enum kc_vkind kind = w->kind;
		w->str = e->str;
		w->kind = e->kind;
		e->str = str;
		e->kind = kind;
	}
	w->mandatory = mandatory;
	w->freeform = w->freeform || e->freeform;
	return o->strict && !same ? -EINVAL : 0;
}

/* Resolves one symbol's entries g[0..n) (input order) into out. */
static int resolve_symbol(struct keyed *g, size_t n, const struct merge_opts *o, struct kc_set *out,
			  struct kc_diags *d)
{
	int maxp = g[0].e->priority, r = 0;
	for (size_t i = 1; i < n; i++)
		maxp = g[i].e->priority > maxp ? g[i].e->priority : maxp;
	struct kc_entry w = {0};
	struct kc_entry *owner = NULL; /* whose strings w uses */
	for (size_t i = 0; i < n; i++) {
		if (g[i].e->priority != maxp)
			continue;
		if (!w.name) {
			w = *g[i].e;
			owner = g[i].e;
			continue;
		}
		if (fold(&w, g[i].e, o, d) < 0)
			r = -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kc_entry *e = g[i].e;
		if (e->priority == maxp || kc_entry_same_value(e, &w))
			continue;
		char a[512], b[512];
		describe(&w, a, sizeof(a));
		describe(e, b, sizeof(b));
		kc_diag(d, KC_NOTE, "note: %s%s: %s overrides %s (priority %d > %d)", o->prefix,
			w.name, a, b, maxp, e->priority);
	}
	/* The result takes over the strings of the entry it was made from. */
	owner->name = owner->str = NULL;
	if (!kc_set_put(out, &w)) {
		kc_entry_free(&w);
		return -ENOMEM;
	}
	return r;
}

/* A symbol's entries: k[off .. off + n). key holds the name's first 8 bytes big-endian, so that
 * most comparisons of the sort are one integer comparison (strcmp on a tie). */
struct group {
	uint64_t key;
	const char *name;
	size_t off, n;
};

static uint64_t name_key(const char *s)
{
	uint64_t k = 0;
	size_t i = 0;
	for (; i < 8 && s[i]; i++)
		k = k << 8 | (unsigned char)s[i];
	return k << (8 * (8 - i));
}

/* Sorts by name: an LSD radix sort on the 8-byte keys (stable), then insertion sort by the whole
 * name within each run of equal keys (names sharing their first 8 bytes: few and short runs).
 * qsort's merge sort of 9,000 groups was a fifth of a verify. */
static int sort_groups(struct group *g, size_t n)
{
	if (n < 2)
		return 0; /* nothing to sort (and no a[0] to read below) */
	_cleanup_free_ struct group *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	struct group *a = g, *b = tmp;
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((a[i].key >> shift) & 0xff) + 1]++;
		if (count[((a[0].key >> shift) & 0xff) + 1] == n)
			continue; /* every key has the same byte here */
		for (size_t i = 1; i < 257; i++)
			count[i] += count[i - 1];
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].key >> shift) & 0xff]++] = a[i];
		struct group *t = a;
		a = b;
		b = t;
	}
	if (a != g)
		memcpy(g, a, n * sizeof(*g));
	for (size_t i = 1; i < n; i++) {
		struct group x = g[i];
		size_t j = i;
		for (; j > 0 && g[j - 1].key == x.key && strcmp(g[j - 1].name, x.name) > 0; j--)
			g[j] = g[j - 1];
		g[j] = x;
	}
	return 0;
}

int merge_resolve(struct merger *m, const struct merge_opts *o, struct kc_set *out,
		  struct kc_diags *d)
{
	/* Entries are grouped by name with a hash table (each group keeps the input order), and
	 * only the groups are sorted: sorting all entries by name was a fifth of a merge. */
	size_t cap = 64;
	while (cap < m->n * 2 + 2)
		cap *= 2;
	_cleanup_free_ unsigned *table = calloc(cap, sizeof(*table)); /* group + 1 */
	_cleanup_free_ unsigned *gid = malloc((m->n ? m->n : 1) * sizeof(*gid));
	_cleanup_free_ struct group *g = malloc((m->n ? m->n : 1) * sizeof(*g));
	_cleanup_free_ struct keyed *k = malloc((m->n ? m->n : 1) * sizeof(*k));
	if (!table || !gid || !g || !k)
		return -ENOMEM;
	size_t n_groups = 0, mask = cap - 1;
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->v[i].name;
		size_t j = kc_name_hash(name) & mask;
		while (table[j] && !streq(g[table[j] - 1].name, name))
			j = (j + 1) & mask;
		if (!table[j]) {
			g[n_groups] = (struct group){name_key(name), name, 0, 0};
			table[j] = (unsigned)++n_groups;
		}
		gid[i] = table[j] - 1;
		g[gid[i]].n++;
	}
	for (size_t i = 0, off = 0; i < n_groups; i++) {
		g[i].off = off;
		off += g[i].n;
		g[i].n = 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct group *gr = &g[gid[i]];
		k[gr->off + gr->n++] = (struct keyed){&m->v[i], i};
	}
	if (sort_groups(g, n_groups) < 0 || kc_set_reserve(out, out->n + n_groups) < 0)
		return -ENOMEM;
	int ret = 0;
	for (size_t i = 0; i < n_groups; i++) {
		int r = resolve_symbol(k + g[i].off, g[i].n, o, out, d);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			ret = r;
	}
	return ret;
}
