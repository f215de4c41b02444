/* Patch series: quilt's series file, the symbols a patch adds to Kconfig files, and the
 * Kconfig-fragment: block of its description (see series.h, kconfig/README.md). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "fragment.h"
#include "kconfig_tree.h"
#include "series.h"
#include "util.h"

/* Iterates over the lines of data: *line is a NUL-terminated copy without '\n' (a NUL inside a
 * line ends it). Returns 1 for a line, 0 at the end, -ENOMEM. */
struct lines {
	const char *data;
	size_t len, pos;
	char *buf;
	size_t cap;
	unsigned no;
};

static int next_line(struct lines *l, char **line)
{
	if (l->pos >= l->len)
		return 0;
	const char *s = l->data + l->pos, *nl = memchr(s, '\n', l->len - l->pos);
	size_t n = nl ? (size_t)(nl - s) : l->len - l->pos;
	if (n + 1 > l->cap) {
		char *b = realloc(l->buf, n + 1);
		if (!b)
			return -ENOMEM;
		l->buf = b;
		l->cap = n + 1;
	}
	memcpy(l->buf, s, n);
	l->buf[n] = '\0';
	/* A CRLF file: the \r is not part of the line. */
	size_t k = strlen(l->buf);
	if (k && l->buf[k - 1] == '\r')
		l->buf[k - 1] = '\0';
	l->pos += n + (nl ? 1 : 0);
	l->no++;
	*line = l->buf;
	return 1;
}

static char *skip_blanks(char *s)
{
	return s + strspn(s, " \t");
}

/* The next blank-separated word, NUL-terminated in place; NULL at the end. */
static char *next_word(char **s)
{
	char *w = skip_blanks(*s);
	if (!*w)
		return NULL;
	char *e = w + strcspn(w, " \t");
	*s = *e ? e + 1 : e;
	*e = '\0';
	return w;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

void series_free(struct series *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int series_parse(const char *file, const char *data, size_t len, struct series *out,
		 struct kc_diags *d)
{
	struct lines l = {.data = data, .len = len};
	char *line;
	int r, ret = 0;
	size_t cap = 0;
	while ((r = next_line(&l, &line)) > 0) {
		char *s = skip_blanks(line);
		if (!*s || *s == '#')
			continue;
		char *name = next_word(&s);
		struct series_patch p = {.line = l.no, .strip = 1};
		bool bad = false;
		if (name[0] == '/') {
			kc_diag(d, KC_ERROR,
				"%s:%u: error: %s: an absolute patch name (names are relative to "
				"the "
				"series file's directory)",
				file, l.no, name);
			bad = true;
		}
		/* quilt decompresses these on the fly; read as they are, their symbols and
		 * Kconfig-fragment: block would be lost without a word. */
		static const char *const compressed[] = {".gz",	  ".bz2", ".xz",
							 ".lzma", ".lz",  ".zst"};
		for (size_t i = 0; !bad && i < ARRAY_SIZE(compressed); i++) {
			size_t nl = strlen(name), el = strlen(compressed[i]);
			if (nl > el && streq(name + nl - el, compressed[i])) {
				kc_diag(d, KC_ERROR,
					"%s:%u: error: %s: a compressed patch (kconfig-merge reads "
					"plain patches only: list it decompressed)",
					file, l.no, name);
				bad = true;
			}
		}
		for (char *w; !bad && (w = next_word(&s));) {
			if (w[0] == '#')
				break; /* a comment to the end of the line */
			if (streq(w, "-R")) {
				p.reverse = true;
				continue;
			}
			const char *n = NULL;
			if (streq(w, "-p"))
				n = next_word(&s);
			else if (startswith(w, "-p"))
				n = w + 2;
			if (n && all_digits(n) && strlen(n) < 4) {
				p.strip = atoi(n);
				continue;
			}
			kc_diag(d, KC_ERROR,
				"%s:%u: error: %s: unknown patch option '%s%s%s' (a series line is "
				"PATCH [-pN] [-R] [# comment])",
				file, l.no, name, w, n && n != w + 2 ? " " : "",
				n && n != w + 2 ? n : "");
			bad = true;
		}
		for (size_t i = 0; !bad && i < out->n; i++)
			if (streq(out->v[i].name, name)) {
				kc_diag(d, KC_ERROR,
					"%s:%u: error: %s is listed twice (first at line %u)", file,
					l.no, name, out->v[i].line);
				bad = true;
			}
		if (bad) {
			ret = -EINVAL;
			continue;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct series_patch *v = realloc(out->v, cap * sizeof(*v));
			if (!v) {
				r = -ENOMEM;
				break;
			}
			out->v = v;
		}
		if (!(p.name = strdup(name))) {
			r = -ENOMEM;
			break;
		}
		out->v[out->n++] = p;
	}
	free(l.buf);
	return r < 0 ? r : ret;
}

void patch_info_free(struct patch_info *p)
{
	for (size_t i = 0; i < p->n_syms; i++) {
		free(p->syms[i].name);
		free(p->syms[i].kconfig);
	}
	free(p->syms);
	for (size_t i = 0; i < p->n_removed; i++) {
		free(p->removed[i].name);
		free(p->removed[i].kconfig);
	}
	free(p->removed);
	for (size_t i = 0; i < p->n_retyped; i++) {
		free(p->retyped[i].name);
		free(p->retyped[i].kconfig);
	}
	free(p->retyped);
	free(p->fragment);
	memset(p, 0, sizeof(*p));
}

static const struct {
	const char *word;
	enum kc_type type;
} type_words[] = {
	{"bool", KC_TYPE_BOOL},
	{"tristate", KC_TYPE_TRISTATE},
	{"string", KC_TYPE_STRING},
	{"int", KC_TYPE_INT},
	{"hex", KC_TYPE_HEX},
	{"def_bool", KC_TYPE_BOOL},
	{"def_tristate", KC_TYPE_TRISTATE},
};

/* Words that end a config block in Kconfig. */
static bool ends_block(const char *w)
{
	static const char *const words[] = {"config",  "menuconfig", "menu",	"endmenu",
					    "choice",  "endchoice",  "if",	"endif",
					    "comment", "source",     "mainmenu"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (streq(w, words[i]))
			return true;
	return false;
}

struct scan {
	const char *file;
	struct patch_info *out;
	struct kc_diags *d;
	char *kconfig;	 /* the Kconfig file of the current section, NULL: not a Kconfig file */
	ssize_t cur_sym; /* the symbol whose block the added lines are in, -1: none */
	size_t cap, cap_removed, cap_retyped;
	char ctx[256]; /* the symbol of a `config NAME` context line whose block we are in, "" */
};

/* Whether w is `config`/`menuconfig` and the next word a symbol name fitting ctx. */
static bool config_name(char *w, char **s, char **name)
{
	if (!w || !(streq(w, "config") || streq(w, "menuconfig")))
		return false;
	*name = next_word(s);
	return *name && **name && !(*name)[kc_symbol_span(*name)] && strlen(*name) < 256;
}

/* One context line of a Kconfig file (without its ' '): which existing block we are in. */
static void context_line(struct scan *sc, char *text)
{
	char *s = text, *w = next_word(&s), *name;
	if (!w)
		return;
	if (config_name(w, &s, &name)) {
		strcpy(sc->ctx, name);
		sc->cur_sym = -1;
	} else if (ends_block(w)) {
		sc->ctx[0] = '\0';
		sc->cur_sym = -1;
	}
}

/* An added type line (word w) in the block of the context symbol. */
static int retyped_line(struct scan *sc, const char *w, unsigned lineno)
{
	enum kc_type type = KC_TYPE_UNKNOWN;
	for (size_t i = 0; i < ARRAY_SIZE(type_words); i++)
		if (streq(w, type_words[i].word))
			type = type_words[i].type;
	if (type == KC_TYPE_UNKNOWN)
		return 0;
	for (size_t i = 0; i < sc->out->n_retyped; i++)
		if (streq(sc->out->retyped[i].name, sc->ctx))
			return 0;
	if (sc->out->n_retyped == sc->cap_retyped) {
		size_t cap = sc->cap_retyped ? sc->cap_retyped * 2 : 8;
		struct patch_sym *v = realloc(sc->out->retyped, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		sc->out->retyped = v;
		sc->cap_retyped = cap;
	}
	struct patch_sym p = {strdup(sc->ctx), type, lineno, strdup(sc->kconfig)};
	if (!p.name || !p.kconfig) {
		free(p.name);
		free(p.kconfig);
		return -ENOMEM;
	}
	sc->out->retyped[sc->out->n_retyped++] = p;
	return 0;
}

/* One removed line of a Kconfig file (without its '-'): a `config NAME` line is kept. */
static int removed_line(struct scan *sc, char *text, unsigned lineno)
{
	char *s = text, *w = next_word(&s);
	if (!w || !(streq(w, "config") || streq(w, "menuconfig")))
		return 0;
	sc->ctx[0] = '\0'; /* that block's header is gone */
	char *name = next_word(&s);
	if (!name || !*name || name[kc_symbol_span(name)])
		return 0;
	for (size_t i = 0; i < sc->out->n_removed; i++)
		if (streq(sc->out->removed[i].name, name))
			return 0;
	if (sc->out->n_removed == sc->cap_removed) {
		size_t cap = sc->cap_removed ? sc->cap_removed * 2 : 8;
		struct patch_sym *v = realloc(sc->out->removed, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		sc->out->removed = v;
		sc->cap_removed = cap;
	}
	struct patch_sym p = {strdup(name), KC_TYPE_UNKNOWN, lineno, strdup(sc->kconfig)};
	if (!p.name || !p.kconfig) {
		free(p.name);
		free(p.kconfig);
		return -ENOMEM;
	}
	sc->out->removed[sc->out->n_removed++] = p;
	return 0;
}

/* One added line of a Kconfig file (without its '+'). */
static int added_line(struct scan *sc, char *text, unsigned lineno)
{
	char *s = text;
	char *w = next_word(&s);
	if (!w || w[0] == '#')
		return 0;
	if (streq(w, "config") || streq(w, "menuconfig")) {
		char *name = next_word(&s);
		sc->cur_sym = -1;
		sc->ctx[0] = '\0';
		if (!name || name[kc_symbol_span(name)] || !*name)
			return 0;
		for (size_t i = 0; i < sc->out->n_syms; i++)
			if (streq(sc->out->syms[i].name, name)) {
				sc->cur_sym = (ssize_t)i;
				return 0; /* added twice (e.g. for two architectures): the first */
			}
		if (sc->out->n_syms == sc->cap) {
			size_t cap = sc->cap ? sc->cap * 2 : 8;
			struct patch_sym *v = realloc(sc->out->syms, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			sc->out->syms = v;
			sc->cap = cap;
		}
		struct patch_sym p = {strdup(name), KC_TYPE_UNKNOWN, lineno, strdup(sc->kconfig)};
		if (!p.name || !p.kconfig) {
			free(p.name);
			free(p.kconfig);
			return -ENOMEM;
		}
		sc->cur_sym = (ssize_t)sc->out->n_syms;
		sc->out->syms[sc->out->n_syms++] = p;
		return 0;
	}
	if (ends_block(w)) {
		sc->cur_sym = -1;
		sc->ctx[0] = '\0';
		return 0;
	}
	if (sc->cur_sym < 0 && sc->ctx[0])
		return retyped_line(sc, w, lineno);
	if (sc->cur_sym < 0 || sc->out->syms[sc->cur_sym].type != KC_TYPE_UNKNOWN)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(type_words); i++)
		if (streq(w, type_words[i].word))
			sc->out->syms[sc->cur_sym].type = type_words[i].type;
	return 0;
}

/* "@@ -a[,b] +c[,d] @@...": the old and new line counts. */
static bool hunk_header(const char *s, unsigned long *old, unsigned long *new)
{
	char *e;
	if (!(s = startswith(s, "@@ -")) || !isdigit((unsigned char)*s))
		return false;
	strtoul(s, &e, 10);
	*old = 1;
	if (*e == ',') {
		if (!isdigit((unsigned char)e[1]))
			return false;
		*old = strtoul(e + 1, &e, 10);
	}
	if (!(s = startswith(e, " +")) || !isdigit((unsigned char)*s))
		return false;
	strtoul(s, &e, 10);
	*new = 1;
	if (*e == ',') {
		if (!isdigit((unsigned char)e[1]))
			return false;
		*new = strtoul(e + 1, &e, 10);
	}
	return startswith(e, " @@") != NULL && *old < (1ul << 30) && *new < (1ul << 30);
}

/* The path of a ---/+++ line (up to a tab, which starts a timestamp) with strip components
 * removed; NULL for /dev/null or when fewer components are left than stripped. */
static char *diff_path(const char *s, int strip)
{
	_cleanup_free_ char *p = strndup(s, strcspn(s, "\t"));
	if (!p)
		return NULL;
	for (size_t n = strlen(p); n && p[n - 1] == ' ';)
		p[--n] = '\0';
	if (streq(p, "/dev/null"))
		return NULL;
	const char *r = p;
	for (int i = 0; i < strip; i++) {
		const char *slash = strchr(r, '/');
		if (!slash)
			return NULL;
		r = slash + 1;
	}
	return strdup(r);
}

static bool is_kconfig(const char *path)
{
	const char *base = strrchr(path, '/');
	return startswith(base ? base + 1 : path, "Kconfig") != NULL;
}

struct body_line {
	unsigned no;
	char *text;
};

/* The block's lines as a fragment whose line numbers are the patch's. */
static int build_fragment(struct body_line *b, size_t n, struct patch_info *out)
{
	bool structured = startswith(b[0].text, FRAGMENT_MAGIC) != NULL;
	size_t size = 0;
	unsigned last = b[n - 1].no;
	for (size_t i = 0; i < n; i++)
		size += strlen(b[i].text) + 1;
	size += 2 * (size_t)last + 1;
	char *f = malloc(size), *p = f;
	if (!f)
		return -ENOMEM;
	size_t k = 0;
	if (structured) {
		/* The header must be the first line; the lines up to the block's first are
		 * comments. */
		p = stpcpy(p, b[0].text);
		*p++ = '\n';
		k = 1;
		for (unsigned no = 2; no <= b[0].no; no++)
			p = stpcpy(p, "#\n");
	}
	for (unsigned no = structured ? b[0].no + 1 : 1; no <= last; no++) {
		if (k < n && b[k].no == no)
			p = stpcpy(p, b[k++].text);
		else if (structured)
			*p++ = '#';
		*p++ = '\n';
	}
	*p = '\0';
	out->fragment = f;
	out->fragment_len = (size_t)(p - f);
	return 0;
}

int patch_scan(const char *file, const char *data, size_t len, int strip, bool reverse,
	       struct patch_info *out, struct kc_diags *d)
{
	struct lines l = {.data = data, .len = len};
	struct scan sc = {.file = file, .out = out, .d = d, .cur_sym = -1};
	enum { DESC, BLOCK, DIFF } state = DESC;
	struct body_line *body = NULL;
	size_t n_body = 0, cap_body = 0;
	bool block_seen = false, have_file = false;
	unsigned long old = 0, new = 0;
	unsigned hunk_at = 0;
	char *line;
	int r, ret = 0;
	memset(out, 0, sizeof(*out));
	while ((r = next_line(&l, &line)) > 0) {
		if (state != DIFF) {
			/* The description ends where the diff starts: git's "---" line, a diff,
			 * an Index: line, or a ---/+++ pair. */
			bool diff = streq(line, "---") || startswith(line, "diff ") ||
				    startswith(line, "Index: ") ||
				    (startswith(line, "--- ") && l.len - l.pos >= 4 &&
				     memcmp(l.data + l.pos, "+++ ", 4) == 0);
			if (!diff && state == BLOCK && (line[0] == ' ' || line[0] == '\t') &&
			    *skip_blanks(line)) {
				if (n_body == cap_body) {
					cap_body = cap_body ? cap_body * 2 : 16;
					struct body_line *v = realloc(body, cap_body * sizeof(*v));
					if (!v) {
						r = -ENOMEM;
						break;
					}
					body = v;
				}
				char *t = strdup(skip_blanks(line));
				if (!t) {
					r = -ENOMEM;
					break;
				}
				body[n_body++] = (struct body_line){l.no, t};
				continue;
			}
			if (state == BLOCK)
				state = DESC;
			if (!diff) {
				char *t = line + strlen(line);
				while (t > line && (t[-1] == ' ' || t[-1] == '\t'))
					*--t = '\0';
				const char *after = startswith(line, "Kconfig-fragment:");
				if (after && *after) {
					/* Not the block's header: its config would be lost. */
					kc_diag(d, KC_ERROR,
						"%s:%u: error: text after Kconfig-fragment: (the "
						"block's lines go below it, each indented by a "
						"space "
						"or a tab)",
						file, l.no);
					ret = -EINVAL;
				} else if (after) {
					if (block_seen) {
						kc_diag(d, KC_ERROR,
							"%s:%u: error: a second Kconfig-fragment: "
							"block (the first is at line %u)",
							file, l.no, out->fragment_line);
						ret = -EINVAL;
					} else {
						block_seen = true;
						out->fragment_line = l.no;
						state = BLOCK;
					}
				}
				continue;
			}
			state = DIFF;
			if (streq(line, "---"))
				continue;
		}
		if (old || new) {
			char c = line[0];
			if (c == '\\')
				continue; /* "\ No newline at end of file" */
			if ((c == ' ' || c == '\0') && old && new) {
				old--;
				new --;
				if (c == ' ' && sc.kconfig)
					context_line(&sc, line + 1);
				continue;
			}
			if ((c == '+' && new) || (c == '-' && old)) {
				if (c == '+')
					new --;
				else
					old--;
				if (sc.kconfig && (c == '-') == reverse &&
				    added_line(&sc, line + 1, l.no) < 0) {
					r = -ENOMEM;
					break;
				}
				if (sc.kconfig && (c == '-') != reverse &&
				    removed_line(&sc, line + 1, l.no) < 0) {
					r = -ENOMEM;
					break;
				}
				continue;
			}
			kc_diag(d, KC_ERROR,
				"%s:%u: error: the hunk at line %u ends early: %lu old and %lu new "
				"lines missing",
				file, l.no, hunk_at, old, new);
			ret = -EINVAL;
			old = new = 0;
		}
		if (startswith(line, "+++ ")) {
			free(sc.kconfig);
			sc.kconfig = NULL;
			char *p = diff_path(line + 4, strip);
			if (p && is_kconfig(p))
				sc.kconfig = p;
			else
				free(p);
			have_file = true;
			continue;
		}
		if (startswith(line, "@@ ")) {
			if (!have_file) {
				kc_diag(d, KC_ERROR,
					"%s:%u: error: a hunk without a file header (--- and +++ "
					"lines)",
					file, l.no);
				ret = -EINVAL;
				continue;
			}
			if (!hunk_header(line, &old, &new)) {
				kc_diag(d, KC_ERROR,
					"%s:%u: error: malformed hunk header (expected @@ -A,B "
					"+C,D @@)",
					file, l.no);
				ret = -EINVAL;
				old = new = 0;
			}
			hunk_at = l.no;
			sc.cur_sym = -1;
			sc.ctx[0] = '\0';
			continue;
		}
		if (startswith(line, "diff ") || startswith(line, "--- "))
			have_file = false;
	}
	if (r >= 0 && (old || new)) {
		kc_diag(d, KC_ERROR,
			"%s:%u: error: the patch ends inside the hunk at line %u (%lu old and %lu "
			"new "
			"lines missing)",
			file, l.no, hunk_at, old, new);
		ret = -EINVAL;
	}
	if (r >= 0 && block_seen && !n_body) {
		kc_diag(d, KC_ERROR,
			"%s:%u: error: empty Kconfig-fragment: block (its lines are indented by a "
			"space or a tab)",
			file, out->fragment_line);
		ret = -EINVAL;
	}
	if (r >= 0 && n_body && build_fragment(body, n_body, out) < 0)
		r = -ENOMEM;
	/* A symbol removed in one place and added in another (moved, or its config line
	 * rewritten) is still defined. */
	for (size_t i = 0; r >= 0 && i < out->n_removed;) {
		bool added = false;
		for (size_t j = 0; j < out->n_syms && !added; j++)
			added = streq(out->syms[j].name, out->removed[i].name);
		if (!added) {
			i++;
			continue;
		}
		free(out->removed[i].name);
		free(out->removed[i].kconfig);
		out->removed[i] = out->removed[--out->n_removed];
	}
	for (size_t i = 0; i < n_body; i++)
		free(body[i].text);
	free(body);
	free(sc.kconfig);
	free(l.buf);
	if (r < 0)
		patch_info_free(out);
	return r < 0 ? r : ret;
}

/* Whether a Kconfig file (its path in the tree) belongs to another architecture than srcarch. */
static bool other_arch(const char *kconfig, const char *srcarch)
{
	const char *a = startswith(kconfig, "arch/");
	if (!a || !srcarch)
		return false;
	size_t n = strcspn(a, "/");
	return a[n] == '/' && (strlen(srcarch) != n || strncmp(a, srcarch, n) != 0);
}

int series_apply_symbols(struct ktree *t, const struct patch_info *patches, char *const *paths,
			 size_t n, const char *srcarch)
{
	for (size_t i = 0; i < n; i++) {
		const struct patch_info *p = &patches[i];
		for (size_t j = 0; j < p->n_removed; j++) {
			if (other_arch(p->removed[j].kconfig, srcarch))
				continue;
			struct ksym *k = (struct ksym *)ktree_find(t, p->removed[j].name);
			if (k)
				k->removed = (struct kc_src){paths[i], p->removed[j].line};
		}
		for (size_t j = 0; j < p->n_retyped; j++) {
			struct ksym *k = (struct ksym *)ktree_find(t, p->retyped[j].name);
			if (k && !other_arch(p->retyped[j].kconfig, srcarch))
				k->type = p->retyped[j].type;
		}
		for (size_t j = 0; j < p->n_syms; j++) {
			if (other_arch(p->syms[j].kconfig, srcarch))
				continue;
			struct ksym *k = (struct ksym *)ktree_find(t, p->syms[j].name);
			if (k) {
				k->removed = (struct kc_src){0}; /* back (or never gone) */
				continue;
			}
			if (!(k = ktree_get_borrowed(t, p->syms[j].name)))
				return -ENOMEM;
			k->type = p->syms[j].type;
			k->depends = (char *)"";
			k->borrowed = true;
			k->src = (struct kc_src){paths[i], p->syms[j].line};
		}
	}
	return 0;
}

int series_sibling_names(const char *patch_path, char **kcm, char **config)
{
	const char *slash = strrchr(patch_path, '/');
	const char *dot = strrchr(slash ? slash + 1 : patch_path, '.');
	size_t stem = dot && (streq(dot, ".patch") || streq(dot, ".diff"))
			      ? (size_t)(dot - patch_path)
			      : strlen(patch_path);
	*kcm = *config = NULL;
	if (asprintf(kcm, "%.*s.kcm", (int)stem, patch_path) < 0 ||
	    asprintf(config, "%.*s.config", (int)stem, patch_path) < 0) {
		free(*kcm);
		*kcm = NULL;
		return -ENOMEM;
	}
	return 0;
}
