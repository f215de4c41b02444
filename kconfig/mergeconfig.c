/* merge_config.sh, reproduced at the text level (see mergeconfig.h). The shell's grep -w and
 * sed /re/d are substring searches over lines; they are reproduced as such, because the
 * output has to be byte-identical (sed's /CONFIG_PROC[ =]/ also deletes CONFIG_IKCONFIG_PROC). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mergeconfig.h"
#include "util.h"

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A multimap from strings (pointing into the lines) to the lines they occur in, in order. */
struct mmap_slot {
	const char *key;
	size_t kl;
	size_t *lines, n, cap;
};

struct mmap {
	struct mmap_slot *slots;
	size_t cap, used;
};

/* Two of them: every word of a line (grep -w), and the strings sed's /CFG[ =]/ can match: the
 * tails, from each occurrence of the prefix on, of a word followed by ' ' or '='. */
struct mc_index {
	char *prefix;
	struct mmap words, sed;
};

static size_t key_hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct mmap_slot *mmap_slot(const struct mmap *m, const char *k, size_t n)
{
	for (size_t i = key_hash(k, n) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct mmap_slot *s = &m->slots[i];
		if (!s->key || (s->kl == n && memcmp(s->key, k, n) == 0))
			return s;
	}
}

static void mmap_free(struct mmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].lines);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static int mmap_add(struct mmap *m, const char *k, size_t n, size_t line)
{
	if ((m->used + 1) * 2 > m->cap) {
		struct mmap bigger = {.cap = m->cap ? m->cap * 2 : 1024};
		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				*mmap_slot(&bigger, m->slots[i].key, m->slots[i].kl) = m->slots[i];
		bigger.used = m->used;
		free(m->slots);
		*m = bigger;
	}
	struct mmap_slot *s = mmap_slot(m, k, n);
	if (!s->key) {
		s->key = k;
		s->kl = n;
		m->used++;
	}
	if (s->n && s->lines[s->n - 1] == line)
		return 0; /* a line is listed once, as grep prints it once */
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 2;
		size_t *l = realloc(s->lines, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		s->lines = l;
		s->cap = cap;
	}
	s->lines[s->n++] = line;
	return 0;
}

static const struct mmap_slot *mmap_get(const struct mmap *m, const char *k)
{
	if (!m->cap)
		return NULL;
	const struct mmap_slot *s = mmap_slot(m, k, strlen(k));
	return s->key ? s : NULL;
}

static int index_line(struct mc_index *x, const char *line, size_t id)
{
	size_t pl = strlen(x->prefix);
	for (const char *p = line; *p;) {
		size_t k = 0;
		while (is_word(p[k]))
			k++;
		if (!k) {
			p++;
			continue;
		}
		if (mmap_add(&x->words, p, k, id) < 0)
			return -ENOMEM;
		/* With an empty prefix ($CONFIG_=""), a name can start anywhere in the word. */
		for (const char *q = p; (p[k] == ' ' || p[k] == '=') && q < p + k; q++) {
			if (pl && !(q = memmem(q, p + k - q, x->prefix, pl)))
				break;
			if (mmap_add(&x->sed, q, p + k - q, id) < 0)
				return -ENOMEM;
		}
		p += k;
	}
	return 0;
}

static void index_free(struct mc_index *x)
{
	if (!x)
		return;
	mmap_free(&x->words);
	mmap_free(&x->sed);
	free(x->prefix);
	free(x);
}

/* A new index of t's lines for prefix, or NULL. */
static struct mc_index *index_build(const struct mc_text *t, const char *prefix)
{
	struct mc_index *x = calloc(1, sizeof(*x));
	if (!x || !(x->prefix = strdup(prefix)))
		goto fail;
	for (size_t i = 0; i < t->n; i++)
		if (index_line(x, t->lines[i], i) < 0)
			goto fail;
	return x;
fail:
	index_free(x);
	return NULL;
}

/* Builds t's own index (once); push_line keeps it current. */
static int text_index(struct mc_text *t, const char *prefix)
{
	if (!t->idx)
		t->idx = index_build(t, prefix);
	return t->idx ? 0 : -ENOMEM;
}

void mc_text_free(struct mc_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->deleted);
	index_free(t->idx);
	memset(t, 0, sizeof(*t));
}

static int push_line(struct mc_text *t, const char *s, size_t n)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char **l = realloc(t->lines, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		t->lines = l;
		bool *d = realloc(t->deleted, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		t->deleted = d;
		t->cap = cap;
	}
	t->lines[t->n] = strndup(s, n);
	if (!t->lines[t->n])
		return -ENOMEM;
	t->deleted[t->n++] = false;
	return t->idx ? index_line(t->idx, t->lines[t->n - 1], t->n - 1) : 0;
}

/* Appends data's lines (cat >>). */
static int append(struct mc_text *t, const char *data, size_t len)
{
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
		if (t->last_unterminated && t->n) {
			/* cat after a file without a final newline continues its last line. */
			size_t k = t->n - 1, old = strlen(t->lines[k]);
			char *l = realloc(t->lines[k], old + n + 1);
			if (!l)
				return -ENOMEM;
			memcpy(l + old, data + pos, n);
			l[old + n] = '\0';
			t->lines[k] = l;
		} else if (push_line(t, data + pos, n) < 0) {
			return -ENOMEM;
		}
		t->last_unterminated = !nl;
		pos += n + (nl ? 1 : 0);
	}
	return 0;
}

int mc_text_from(struct mc_text *t, const char *data, size_t len)
{
	memset(t, 0, sizeof(*t));
	return append(t, data, len);
}

int mc_text_render(const struct mc_text *t, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		if (t->deleted[i])
			continue;
		fputs(t->lines[i], f);
		/* A missing final newline stays missing (sed and cat keep it). */
		if (!(t->last_unterminated && i + 1 == t->n))
			fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* $(grep -w word): matching lines of t (indexed by x) joined by '\n'. */
static char *grep_w(const struct mc_text *t, const struct mc_index *x, const char *word)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	const struct mmap_slot *s = mmap_get(&x->words, word);
	bool first = true;
	for (size_t i = 0; s && i < s->n; i++) {
		if (t->deleted[s->lines[i]])
			continue;
		fprintf(f, "%s%s", first ? "" : "\n", t->lines[s->lines[i]]);
		first = false;
	}
	fclose(f);
	return buf;
}

/* The symbol names merge_config.sh's two sed expressions extract from a line, or NULL. */
static char *cfg_name(const char *line, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p = line;
	if (strncmp(p, prefix, pl) == 0) {
		size_t n =
			pl + strspn(p + pl, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_");
		return p[n] == '=' ? strndup(p, n) : NULL;
	}
	if (strncmp(p, "# ", 2) == 0 && strncmp(p + 2, prefix, pl) == 0) {
		p += 2;
		size_t n =
			pl + strspn(p + pl, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789_");
		return streq(p + n, " is not set") ? strndup(p, n) : NULL;
	}
	return NULL;
}

/* echo with unquoted $VAR: words joined by single spaces. */
static void echo_words(FILE *f, const char *label, const char *val)
{
	fputs(label, f);
	for (const char *p = val; *p;) {
		p += strspn(p, " \t\n");
		size_t n = strcspn(p, " \t\n");
		if (n)
			fprintf(f, " %.*s", (int)n, p);
		p += n;
	}
	fputc('\n', f);
}

/* ${VAL#CONFIG_*=} */
static const char *strip_cfg_prefix(const char *v)
{
	if (strncmp(v, "CONFIG_", 7) != 0)
		return v;
	const char *eq = strchr(v + 7, '=');
	return eq ? eq + 1 : v;
}

static int merge_one(struct mc_text *tmp, struct mc_text *frag, const char *name, const char *cfg,
		     const struct mc_opts *o, FILE *msgs, bool *strict_violated)
{
	_cleanup_free_ char *prev = grep_w(tmp, tmp->idx, cfg);
	if (!prev)
		return -ENOMEM;
	if (!*prev) /* grep -q -w $CFG $TMP_FILE || continue */
		return 0;
	_cleanup_free_ char *new = grep_w(frag, frag->idx, cfg);
	if (!new)
		return -ENOMEM;
	bool builtin_flag = false;
	if (o->builtin && streq(strip_cfg_prefix(new), "m") && streq(strip_cfg_prefix(prev), "y")) {
		echo_words(msgs, "Previous value:", prev);
		echo_words(msgs, "New value:", new);
		fputs("-y passed, will not demote y to m\n\n", msgs);
		builtin_flag = true;
	} else if (!streq(prev, new)) {
		fprintf(msgs, "Value of %s is redefined by fragment %s:\n", cfg, name);
		echo_words(msgs, "Previous value:", prev);
		echo_words(msgs, "New value:", new);
		fputc('\n', msgs);
		if (o->strict)
			*strict_violated = true;
	} else if (o->warn_redundant) {
		fprintf(msgs, "Value of %s is redundant by fragment %s:\n", cfg, name);
	}
	struct mc_text *t = builtin_flag ? frag : tmp;
	const struct mmap_slot *s = mmap_get(&t->idx->sed, cfg);
	for (size_t i = 0; s && i < s->n; i++)
		t->deleted[s->lines[i]] = true;
	return 0;
}

int mc_merge_fragment(struct mc_text *tmp, const char *name, const char *data, size_t len,
		      const struct mc_opts *o, FILE *msgs, bool *strict_violated)
{
	struct mc_text frag;
	int r = mc_text_from(&frag, data, len);
	/* The list of names is taken before any deletion, as CFG_LIST=$(sed ...) is. */
	size_t n_names = frag.n;
	char **names = calloc(n_names ? n_names : 1, sizeof(*names));
	if (r < 0 || !names)
		r = -ENOMEM;
	if (r == 0 && (text_index(tmp, o->prefix) < 0 || text_index(&frag, o->prefix) < 0))
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < n_names; i++)
		names[i] = cfg_name(frag.lines[i], o->prefix);
	for (size_t i = 0; r == 0 && i < n_names; i++)
		if (names[i])
			r = merge_one(tmp, &frag, name, names[i], o, msgs, strict_violated);
	if (r == 0) {
		/* echo >> $TMP_FILE; cat $MERGE_FILE >> $TMP_FILE */
		if (tmp->n && tmp->last_unterminated && !tmp->deleted[tmp->n - 1])
			tmp->last_unterminated = false;
		else
			r = push_line(tmp, "", 0);
		tmp->last_unterminated = false;
		for (size_t i = 0; r == 0 && i < frag.n; i++)
			if (!frag.deleted[i])
				r = push_line(tmp, frag.lines[i], strlen(frag.lines[i]));
		tmp->last_unterminated =
			frag.last_unterminated && frag.n && !frag.deleted[frag.n - 1];
	}
	for (size_t i = 0; names && i < n_names; i++)
		free(names[i]);
	free(names);
	mc_text_free(&frag);
	return r;
}

int mc_check(const struct mc_text *tmp, const char *actual, size_t len, const char *prefix,
	     FILE *msgs)
{
	struct mc_text act;
	int r = mc_text_from(&act, actual, len), count = 0;
	struct mc_index *xt = r < 0 ? NULL : index_build(tmp, prefix);
	struct mc_index *xa = r < 0 ? NULL : index_build(&act, prefix);
	if (!xt || !xa)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < tmp->n; i++) {
		if (tmp->deleted[i])
			continue;
		_cleanup_free_ char *cfg = cfg_name(tmp->lines[i], prefix);
		if (!cfg)
			continue;
		_cleanup_free_ char *req = grep_w(tmp, xt, cfg), *got = grep_w(&act, xa, cfg);
		if (!req || !got) {
			r = -ENOMEM;
		} else if (!streq(req, got)) {
			/* The script's false positives: n requested ("is not set" or "=n") and the
			 * symbol absent (invisible symbols are not set) or not set. */
			_cleanup_free_ char *unset = NULL, *eq_n = NULL;
			if (asprintf(&unset, "# %s is not set", cfg) < 0 ||
			    asprintf(&eq_n, "%s=n", cfg) < 0)
				r = -ENOMEM;
			else if (!((streq(req, unset) || streq(req, eq_n)) &&
				   (!*got || streq(got, unset)))) {
				fprintf(msgs,
					"Value requested for %s not in final .config\n"
					"Requested value:  %s\nActual value:     %s\n\n",
					cfg, req, got);
				count++;
			}
		}
	}
	index_free(xt);
	index_free(xa);
	mc_text_free(&act);
	return r < 0 ? r : count;
}
