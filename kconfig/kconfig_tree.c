/* A Kconfig reader that knows just enough of the language (scripts/kconfig/parser.y): config
 * and menuconfig blocks with their type and `depends on`, the conditions of enclosing if/menu/
 * choice blocks, help texts (skipped by indentation, as the lexer does) and `source`. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kconfig_tree.h"
#include "util.h"

enum frame_kind { FRAME_IF, FRAME_MENU, FRAME_CHOICE };

struct frame {
	enum frame_kind kind;
	char *cond; /* "" when none */
};

struct parser {
	struct ktree *t;
	const char *file;
	const char *arch;
	struct frame frames[64];
	size_t n_frames;
	enum { ENT_NONE, ENT_SYM, ENT_FRAME, ENT_OTHER } ent;
	char *sym;	  /* the config block being read */
	size_t sym_index; /* its position in t->v */
	char *own;	  /* its own `depends on`, ANDed */
	char *context;	  /* the enclosing blocks' conditions when it started */
	unsigned sym_line;
	char ***sources;
	size_t *n_sources;
};

void ktree_init(struct ktree *t)
{
	memset(t, 0, sizeof(*t));
}

void ktree_free(struct ktree *t)
{
	for (size_t i = 0; i < t->n && !t->arena; i++) {
		if (t->v[i].borrowed)
			continue;
		free(t->v[i].name);
		free(t->v[i].depends);
	}
	for (size_t i = 0; i < t->n_files && !t->arena; i++)
		free(t->files[i]);
	if (t->arena_map_len)
		munmap(t->arena, t->arena_map_len);
	else
		free(t->arena);
	free(t->files);
	free(t->v);
	free(t->index);
	ktree_init(t);
}

static struct ktree_slot *slot(const struct ktree *t, const char *name, unsigned h)
{
	size_t mask = t->index_cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct ktree_slot *s = &t->index[i];
		if (!s->pos || (s->hash == h && streq(s->name, name)))
			return s;
	}
}

const struct ksym *ktree_find_hashed(const struct ktree *t, const char *name, unsigned hash)
{
	if (!t->index_cap)
		return NULL;
	struct ktree_slot *s = slot(t, name, hash);
	return s->pos ? &t->v[s->pos - 1] : NULL;
}

const struct ksym *ktree_find(const struct ktree *t, const char *name)
{
	return ktree_find_hashed(t, name, kc_name_hash(name));
}

enum kc_type ktree_type(const char *name, unsigned hash, void *tree)
{
	const struct ksym *s = ktree_find_hashed(tree, name, hash);
	return s ? s->type : KC_TYPE_UNKNOWN;
}

const char *kc_type_name(enum kc_type t)
{
	static const char *const names[] = {"unknown", "bool", "tristate", "string", "int", "hex"};
	return names[t];
}

const char *ktree_srcarch(const char *arch)
{
	static const char *const map[][2] = {
		{"i386", "x86"},	{"x86_64", "x86"}, {"sparc64", "sparc"},
		{"parisc64", "parisc"}, {"sh64", "sh"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (streq(arch, map[i][0]))
			return map[i][1];
	return arch;
}

const char *ktree_intern_file(struct ktree *t, const char *file)
{
	char **v = realloc(t->files, (t->n_files + 1) * sizeof(*v));
	if (!v)
		return NULL;
	t->files = v;
	v[t->n_files] = strdup(file);
	return v[t->n_files] ? v[t->n_files++] : NULL;
}

/* The index is at most 5/8 full: a Linux tree's 17,000 symbols fit in 32,768 slots (512 KB;
 * at half full, twice that in cache misses when a cached tree is loaded and looked up). */
static bool index_fits(size_t n, size_t cap)
{
	return n * 8 <= cap * 5;
}

static int index_resize(struct ktree *t, size_t cap)
{
	struct ktree_slot *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	size_t mask = cap - 1;
	for (size_t i = 0; i < t->index_cap; i++) {
		if (!t->index[i].pos)
			continue;
		size_t j = t->index[i].hash & mask;
		while (idx[j].pos)
			j = (j + 1) & mask;
		idx[j] = t->index[i];
	}
	free(t->index);
	t->index = idx;
	t->index_cap = cap;
	return 0;
}

int ktree_reserve(struct ktree *t, size_t n)
{
	size_t cap = t->index_cap ? t->index_cap : 4096;
	while (!index_fits(n + 1, cap))
		cap *= 2;
	if (cap != t->index_cap && index_resize(t, cap) < 0)
		return -ENOMEM;
	if (n > t->cap) {
		struct ksym *v = realloc(t->v, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = n;
	}
	return 0;
}

static struct ksym *sym_get(struct ktree *t, const char *name, char *borrowed, unsigned h)
{
	if (!index_fits(t->n + 1, t->index_cap) &&
	    index_resize(t, t->index_cap ? t->index_cap * 2 : 4096) < 0)
		return NULL;
	struct ktree_slot *s = slot(t, name, h);
	if (s->pos)
		return &t->v[s->pos - 1];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct ksym *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	struct ksym *k = &t->v[t->n];
	*k = (struct ksym){.name = borrowed ? borrowed : strdup(name)};
	if (!k->name)
		return NULL;
	*s = (struct ktree_slot){k->name, (unsigned)++t->n, h};
	return k;
}

struct ksym *ktree_get(struct ktree *t, const char *name)
{
	return sym_get(t, name, NULL, kc_name_hash(name));
}

struct ksym *ktree_get_borrowed(struct ktree *t, char *name)
{
	return sym_get(t, name, name, kc_name_hash(name));
}

struct ksym *ktree_get_borrowed_hashed(struct ktree *t, char *name, unsigned hash)
{
	return sym_get(t, name, name, hash);
}

/* Whether s has a || outside parentheses (and so needs them as an operand of &&). */
static bool has_top_or(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')')
			depth--;
		else if (depth == 0 && s[0] == '|' && s[1] == '|')
			return true;
	}
	return false;
}

/* Blanks (tabs and the joins of continuation lines) collapsed to single spaces. */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	if (!out)
		return NULL;
	for (s += strspn(s, " \t"); *s;) {
		if (*s == ' ' || *s == '\t') {
			s += strspn(s, " \t");
			if (*s)
				*o++ = ' ';
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* a && b, parenthesising an operand that contains a top-level ||. */
static char *and_join(const char *a, const char *b)
{
	char *out = NULL;
	if (!*a)
		return strdup(b);
	if (!*b)
		return strdup(a);
	bool pa = has_top_or(a), pb = has_top_or(b);
	if (asprintf(&out, "%s%s%s && %s%s%s", pa ? "(" : "", a, pa ? ")" : "", pb ? "(" : "", b,
		     pb ? ")" : "") < 0)
		return NULL;
	return out;
}

static int sym_finish(struct parser *p)
{
	if (p->ent != ENT_SYM)
		return 0;
	p->ent = ENT_NONE;
	_cleanup_free_ char *name = p->sym, *own = p->own, *ctx = p->context;
	p->sym = p->own = p->context = NULL;
	_cleanup_free_ char *deps = and_join(ctx, own);
	struct ksym *k = &p->t->v[p->sym_index];
	if (!deps)
		return -ENOMEM;
	if (!k->src.file) {
		k->src = (struct kc_src){p->file, p->sym_line};
		k->depends = deps;
		deps = NULL;
	} else if (*k->depends && (!*deps || !streq(k->depends, deps))) {
		char *o = NULL;
		if (!*deps)
			o = strdup("");
		else if (asprintf(&o, "(%s) || (%s)", k->depends, deps) < 0)
			o = NULL;
		if (!o)
			return -ENOMEM;
		free(k->depends);
		k->depends = o;
	}
	return 0;
}

static char *context_of(const struct parser *p)
{
	char *c = strdup("");
	for (size_t i = 0; c && i < p->n_frames; i++) {
		char *n = and_join(c, p->frames[i].cond);
		free(c);
		c = n;
	}
	return c;
}

/* `depends on EXPR` for the current block. */
static int add_depends(struct parser *p, const char *expr)
{
	char **target = NULL;
	if (p->ent == ENT_SYM)
		target = &p->own;
	else if (p->ent == ENT_FRAME && p->n_frames)
		target = &p->frames[p->n_frames - 1].cond;
	if (!target)
		return 0;
	_cleanup_free_ char *e = squeeze(expr);
	char *n = e ? and_join(*target, e) : NULL;
	if (!n)
		return -ENOMEM;
	free(*target);
	*target = n;
	return 0;
}

static int push_frame(struct parser *p, enum frame_kind kind, const char *cond)
{
	if (p->n_frames == ARRAY_SIZE(p->frames))
		return 0;
	char *c = squeeze(cond);
	if (!c)
		return -ENOMEM;
	p->frames[p->n_frames++] = (struct frame){kind, c};
	p->ent = kind == FRAME_IF ? ENT_NONE : ENT_FRAME;
	return 0;
}

static void pop_frame(struct parser *p, enum frame_kind kind)
{
	/* Pop to the innermost frame of this kind (tolerates unbalanced files). */
	for (size_t i = p->n_frames; i-- > 0;) {
		if (p->frames[i].kind != kind)
			continue;
		while (p->n_frames > i)
			free(p->frames[--p->n_frames].cond);
		break;
	}
	p->ent = ENT_NONE;
}

static int add_source(struct parser *p, const char *arg)
{
	const char *q = strchr(arg, '"');
	const char *e = q ? strchr(q + 1, '"') : NULL;
	if (!e)
		return 0;
	_cleanup_free_ char *path = strndup(q + 1, e - q - 1);
	if (!path)
		return -ENOMEM;
	char *m = strstr(path, "$(SRCARCH)");
	char *full = NULL;
	if (m && asprintf(&full, "%.*s%s%s", (int)(m - path), path, p->arch, m + 10) < 0)
		return -ENOMEM;
	if (!m)
		full = strdup(path);
	if (!full)
		return -ENOMEM;
	if (strstr(full, "$(")) {
		free(full);
		return 0;
	}
	char **v = realloc(*p->sources, (*p->n_sources + 1) * sizeof(*v));
	if (!v) {
		free(full);
		return -ENOMEM;
	}
	*p->sources = v;
	v[(*p->n_sources)++] = full;
	return 0;
}

static void strip_comment(char *s)
{
	bool quoted = false;
	for (; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == '#' && !quoted) {
			*s = '\0';
			break;
		}
	}
	for (size_t n = strlen(s); n && isspace((unsigned char)s[n - 1]);)
		s[--n] = '\0';
}

static unsigned indent_of(const char *s)
{
	unsigned col = 0;
	for (; *s == ' ' || *s == '\t'; s++)
		col = *s == '\t' ? (col & ~7u) + 8 : col + 1;
	return col;
}

enum keyword {
	KW_NONE,
	KW_CONFIG,
	KW_DEPENDS,
	KW_TYPE,      /* a type, maybe with a prompt or default: the block goes on */
	KW_ATTRIBUTE, /* other lines inside a block */
	KW_IF,
	KW_ENDIF,
	KW_MENU,
	KW_ENDMENU,
	KW_CHOICE,
	KW_ENDCHOICE,
	KW_SOURCE,
	KW_OTHER, /* comment, mainmenu: blocks of their own */
};

static const struct {
	const char *word;
	enum keyword kw;
	enum kc_type type;
} keywords[] = {
	{"bool", KW_TYPE, KC_TYPE_BOOL},
	{"choice", KW_CHOICE, 0},
	{"comment", KW_OTHER, 0},
	{"config", KW_CONFIG, 0},
	{"def_bool", KW_TYPE, KC_TYPE_BOOL},
	{"def_tristate", KW_TYPE, KC_TYPE_TRISTATE},
	{"default", KW_ATTRIBUTE, 0},
	{"depends", KW_DEPENDS, 0},
	{"endchoice", KW_ENDCHOICE, 0},
	{"endif", KW_ENDIF, 0},
	{"endmenu", KW_ENDMENU, 0},
	{"hex", KW_TYPE, KC_TYPE_HEX},
	{"if", KW_IF, 0},
	{"imply", KW_ATTRIBUTE, 0},
	{"int", KW_TYPE, KC_TYPE_INT},
	{"mainmenu", KW_OTHER, 0},
	{"menu", KW_MENU, 0},
	{"menuconfig", KW_CONFIG, 0},
	{"modules", KW_ATTRIBUTE, 0},
	{"option", KW_ATTRIBUTE, 0},
	{"optional", KW_ATTRIBUTE, 0},
	{"prompt", KW_ATTRIBUTE, 0},
	{"range", KW_ATTRIBUTE, 0},
	{"select", KW_ATTRIBUTE, 0},
	{"source", KW_SOURCE, 0},
	{"string", KW_TYPE, KC_TYPE_STRING},
	{"transitional", KW_ATTRIBUTE, 0},
	{"tristate", KW_TYPE, KC_TYPE_TRISTATE},
	{"visible", KW_ATTRIBUTE, 0},
};

/* The keyword starting a line; the first character is compared before the whole word. */
static size_t keyword_of(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (keywords[i].word[0] == word[0] && streq(keywords[i].word, word))
			return i;
	return SIZE_MAX;
}

static int start_symbol(struct parser *p, const char *s, unsigned lineno)
{
	int r = sym_finish(p);
	if (r < 0)
		return r;
	p->sym = strndup(s, strcspn(s, " \t"));
	p->own = strdup("");
	p->context = context_of(p);
	if (!p->sym || !p->own || !p->context)
		return -ENOMEM;
	p->sym_line = lineno;
	p->ent = ENT_SYM;
	struct ksym *k = ktree_get(p->t, p->sym);
	if (!k)
		return -ENOMEM;
	p->sym_index = (size_t)(k - p->t->v);
	return 0;
}

/* One logical line (continuations joined). */
static int parse_statement(struct parser *p, char *line, unsigned lineno)
{
	strip_comment(line);
	char *s = line + strspn(line, " \t");
	char *word = s;
	s += strcspn(s, " \t");
	if (*s)
		*s++ = '\0';
	s += strspn(s, " \t");
	if (!*word)
		return 0;
	size_t i = keyword_of(word);
	enum keyword kw = i == SIZE_MAX ? KW_NONE : keywords[i].kw;
	if (kw == KW_CONFIG)
		return start_symbol(p, s, lineno);
	if (kw == KW_DEPENDS && startswith(s, "on"))
		return add_depends(p, s + 2 + strspn(s + 2, " \t"));
	if (kw == KW_TYPE && p->ent == ENT_SYM && p->t->v[p->sym_index].type == KC_TYPE_UNKNOWN)
		p->t->v[p->sym_index].type = keywords[i].type;
	if (kw == KW_TYPE || kw == KW_ATTRIBUTE || kw == KW_DEPENDS)
		return 0;
	int r = sym_finish(p);
	if (r < 0)
		return r;
	switch (kw) {
	case KW_IF:
		return push_frame(p, FRAME_IF, s);
	case KW_ENDIF:
		pop_frame(p, FRAME_IF);
		break;
	case KW_MENU:
		return push_frame(p, FRAME_MENU, "");
	case KW_ENDMENU:
		pop_frame(p, FRAME_MENU);
		break;
	case KW_CHOICE:
		return push_frame(p, FRAME_CHOICE, "");
	case KW_ENDCHOICE:
		pop_frame(p, FRAME_CHOICE);
		break;
	case KW_SOURCE:
		return add_source(p, s);
	case KW_OTHER:
		p->ent = ENT_OTHER;
		break;
	default:
		break;
	}
	return 0;
}

int ktree_parse(struct ktree *t, const char *file, const char *data, size_t len, const char *arch,
		char ***sources, size_t *n_sources)
{
	struct parser p = {
		.t = t, .file = file, .arch = arch, .sources = sources, .n_sources = n_sources};
	unsigned lineno = 0, help_indent = 0;
	bool in_help = false;
	int r = 0;
	_cleanup_free_ char *line = NULL; /* one buffer for every line of the file */
	size_t cap = 0;
	for (size_t pos = 0; pos < len && r >= 0;) {
		unsigned first = lineno + 1;
		size_t llen = 0;
		/* Join lines ending in a backslash. */
		for (;;) {
			const char *nl = memchr(data + pos, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
			if (llen + n + 2 > cap) {
				size_t c = (llen + n + 2) * 2;
				char *l = realloc(line, c);
				if (!l) {
					r = -ENOMEM;
					break;
				}
				line = l;
				cap = c;
			}
			memcpy(line + llen, data + pos, n);
			llen += n;
			line[llen] = '\0';
			pos += n + (nl ? 1 : 0);
			lineno++;
			if (in_help || !llen || line[llen - 1] != '\\' || pos >= len)
				break;
			line[--llen] = ' ';
		}
		if (r < 0)
			break;
		if (in_help) {
			bool blank = line[strspn(line, " \t\r")] == '\0';
			if (blank)
				continue;
			unsigned ind = indent_of(line);
			if (!help_indent)
				help_indent = ind;
			if (ind >= help_indent && ind > 0)
				continue;
			in_help = false;
		}
		const char *w = line + strspn(line, " \t");
		if (startswith(w, "help") && (!w[4] || isspace((unsigned char)w[4]))) {
			in_help = true;
			help_indent = 0;
			continue;
		}
		if (startswith(w, "---help---")) {
			in_help = true;
			help_indent = 0;
			continue;
		}
		r = parse_statement(&p, line, first);
	}
	if (r >= 0)
		r = sym_finish(&p);
	while (p.n_frames)
		free(p.frames[--p.n_frames].cond);
	free(p.sym);
	free(p.own);
	free(p.context);
	return r;
}
