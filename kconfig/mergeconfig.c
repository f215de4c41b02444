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

void mc_text_free(struct mc_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->deleted);
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
	return 0;
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

/* grep -w: some occurrence of word with non-word characters (or the line's ends) around it. */
static bool has_word(const char *line, const char *word, size_t wl)
{
	for (const char *p = line; (p = strstr(p, word)); p++)
		if ((p == line || !is_word(p[-1])) && !is_word(p[wl]))
			return true;
	return false;
}

/* sed "/WORD[ =]/" */
static bool sed_matches(const char *line, const char *word, size_t wl)
{
	for (const char *p = line; (p = strstr(p, word)); p++)
		if (p[wl] == ' ' || p[wl] == '=')
			return true;
	return false;
}

/* $(grep -w word): matching lines joined by '\n'. */
static char *grep_w(const struct mc_text *t, const char *word)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	bool first = true;
	size_t wl = strlen(word);
	for (size_t i = 0; i < t->n; i++) {
		if (t->deleted[i] || !has_word(t->lines[i], word, wl))
			continue;
		fprintf(f, "%s%s", first ? "" : "\n", t->lines[i]);
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
	size_t cl = strlen(cfg);
	_cleanup_free_ char *prev = grep_w(tmp, cfg);
	if (!prev)
		return -ENOMEM;
	if (!*prev) /* grep -q -w $CFG $TMP_FILE || continue */
		return 0;
	_cleanup_free_ char *new = grep_w(frag, cfg);
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
	for (size_t i = 0; i < t->n; i++)
		if (!t->deleted[i] && sed_matches(t->lines[i], cfg, cl))
			t->deleted[i] = true;
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

/* word -> lines index, for grep -w over whole files in the final check. */
struct word_index {
	struct wslot {
		const char *word; /* points into the text; length wl */
		size_t wl;
		size_t *lines, n, cap;
	} * slots;
	size_t cap;
};

static size_t word_hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct wslot *wi_slot(struct word_index *wi, const char *w, size_t n)
{
	for (size_t i = word_hash(w, n) & (wi->cap - 1);; i = (i + 1) & (wi->cap - 1)) {
		struct wslot *s = &wi->slots[i];
		if (!s->word || (s->wl == n && memcmp(s->word, w, n) == 0))
			return s;
	}
}

static int wi_build(struct word_index *wi, char **lines, const bool *deleted, size_t n_lines)
{
	size_t words = 16;
	for (size_t i = 0; i < n_lines; i++)
		words += strlen(lines[i]) / 2 + 1;
	for (wi->cap = 64; wi->cap < words * 2;)
		wi->cap *= 2;
	wi->slots = calloc(wi->cap, sizeof(*wi->slots));
	if (!wi->slots)
		return -ENOMEM;
	for (size_t i = 0; i < n_lines; i++) {
		if (deleted && deleted[i])
			continue;
		for (const char *p = lines[i]; *p;) {
			size_t k = 0;
			while (is_word(p[k]))
				k++;
			if (!k) {
				p++;
				continue;
			}
			struct wslot *s = wi_slot(wi, p, k);
			s->word = p;
			s->wl = k;
			/* one entry per line, as grep prints a line once */
			if (!s->n || s->lines[s->n - 1] != i) {
				if (s->n == s->cap) {
					s->cap = s->cap ? s->cap * 2 : 2;
					size_t *l = realloc(s->lines, s->cap * sizeof(*l));
					if (!l)
						return -ENOMEM;
					s->lines = l;
				}
				s->lines[s->n++] = i;
			}
			p += k;
		}
	}
	return 0;
}

static void wi_free(struct word_index *wi)
{
	for (size_t i = 0; wi->slots && i < wi->cap; i++)
		free(wi->slots[i].lines);
	free(wi->slots);
}

/* $(grep -w word) through the index. */
static void wi_grep(struct word_index *wi, char **lines, const char *word, FILE *f)
{
	struct wslot *s = wi_slot(wi, word, strlen(word));
	for (size_t i = 0; s->word && i < s->n; i++)
		fprintf(f, "%s%s", i ? "\n" : "", lines[s->lines[i]]);
}

int mc_check(const struct mc_text *tmp, const char *actual, size_t len, const char *prefix,
	     FILE *msgs)
{
	struct mc_text act;
	struct word_index wt = {0}, wa = {0};
	int r = mc_text_from(&act, actual, len), count = 0;
	if (r == 0)
		r = wi_build(&wt, tmp->lines, tmp->deleted, tmp->n);
	if (r == 0)
		r = wi_build(&wa, act.lines, NULL, act.n);
	for (size_t i = 0; r == 0 && i < tmp->n; i++) {
		if (tmp->deleted[i])
			continue;
		_cleanup_free_ char *cfg = cfg_name(tmp->lines[i], prefix);
		if (!cfg)
			continue;
		char *req = NULL, *got = NULL;
		size_t rs = 0, gs = 0;
		FILE *fr = open_memstream(&req, &rs), *fg = open_memstream(&got, &gs);
		if (fr)
			wi_grep(&wt, tmp->lines, cfg, fr);
		if (fg)
			wi_grep(&wa, act.lines, cfg, fg);
		if (fr)
			fclose(fr);
		if (fg)
			fclose(fg);
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
		free(req);
		free(got);
	}
	wi_free(&wt);
	wi_free(&wa);
	mc_text_free(&act);
	return r < 0 ? r : count;
}
