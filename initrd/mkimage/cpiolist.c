/* gen_init_cpio list parser; see cpiolist.h for the format.
 *
 * Differences from the kernel's usr/gen_init_cpio.c, all stricter: an unknown type is an
 * error (the kernel prints it and goes on); numbers must be whole fields (the kernel's sscanf
 * takes "0755x" as 0755); uid/gid must not be negative; nod's type must be 'b' or 'c' (the
 * kernel makes anything but 'b' a character device); mode must fit in 07777; uid/gid
 * 4294967295 ((uid_t)-1, "no change" to chown) is refused; names are normalised ("t/a",
 * "//t/a", "./t/a" are "/t/a"), ".." in a name is refused, and a hard link under the file's
 * own name or twice is an error (the kernel's unpacker deletes such a file). As in the
 * kernel, a line is a comment only when '#' is its first character, fields are separated by
 * blanks with no quoting, and ${VAR} expands only in a file's location (unset: empty). */
#include "cpiolist.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define MAX_FIELDS 64

struct parser {
	struct cpiolist *out;
	const char *source;
	cpiolist_lookup_fn lookup;
	void *userdata;
	unsigned line;
	const char *text; /* the current line, for messages */
};

__attribute__((format(printf, 2, 3))) static int error_add(struct parser *p, const char *fmt, ...)
{
	struct cpiolist *l = p->out;
	struct cpiolist_diag *d = realloc(l->errors, (l->n_errors + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	l->errors = d;
	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0 || asprintf(&d[l->n_errors].message, "%s:%u: %s: '%s'", p->source, p->line, what,
			      p->text) < 0)
		return -ENOMEM;
	d[l->n_errors++].line = p->line;
	return 0;
}

static void entry_free(struct cpiolist_entry *e)
{
	free(e->name);
	free(e->location);
	for (size_t i = 0; i < e->n_links; i++)
		free(e->links[i]);
	free(e->links);
}

static bool parse_octal_mode(const char *s, mode_t *ret)
{
	if (!*s || strspn(s, "01234567") != strlen(s))
		return false;
	unsigned long v = strtoul(s, NULL, 8);
	if (v > 07777)
		return false;
	*ret = (mode_t)v;
	return true;
}

/* The name as the kernel's unpacker resolves it from the root of the rootfs: "/t/a", "t/a",
 * "//t/a", "./t/a" and "/t/./a/" are one file, so they must compare equal here (a hard link
 * under the file's own name, in any spelling, makes init/initramfs.c's maybe_link() unlink the
 * file before linking it to itself: the file is gone at boot). Result: "/t/a". Returns 0,
 * -EINVAL for the root (or nothing), -EXDEV for a ".." component (which would need the
 * archive's earlier entries to resolve), or -ENOMEM. */
static int name_normalise(const char *in, char **ret)
{
	char *out = malloc(strlen(in) + 2);
	size_t o = 0;
	if (!out)
		return -ENOMEM;
	for (const char *p = in; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			return -EXDEV;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		p += *p == '/';
	}
	out[o] = 0;
	if (o == 0) {
		free(out);
		return -EINVAL;
	}
	*ret = out;
	return 0;
}

static bool parse_uint(const char *s, unsigned *ret)
{
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	unsigned long v = strtoul(s, NULL, 10);
	if (errno || v > 0xffffffffUL)
		return false;
	*ret = (unsigned)v;
	return true;
}

/* The kernel's cpio_replace_env(): each "${NAME}" with a closing brace is replaced by the
 * variable's value, empty when unset. Expansion repeats on the result, as in the kernel. */
static int expand_vars(struct parser *p, const char *in, char **ret)
{
	char *s = strdup(in);
	if (!s)
		return -ENOMEM;
	for (unsigned rounds = 0;; rounds++) {
		char *start = strstr(s, "${");
		char *end = start ? strchr(start + 2, '}') : NULL;
		if (!end) {
			*ret = s;
			return 0;
		}
		if (rounds == 1000) { /* a variable whose value contains itself */
			free(s);
			*ret = NULL;
			return -ELOOP;
		}
		*end = 0;
		const char *val = p->lookup ? p->lookup(start + 2, p->userdata) : getenv(start + 2);
		*start = 0;
		char *n;
		if (asprintf(&n, "%s%s%s", s, val ? val : "", end + 1) < 0) {
			free(s);
			return -ENOMEM;
		}
		free(s);
		s = n;
	}
}

static int check_ids(struct parser *p, char **f, struct cpiolist_entry *e)
{
	unsigned uid, gid;
	if (!parse_octal_mode(f[0], &e->mode))
		return error_add(p, "mode '%s' is not octal permissions (like 0755)", f[0]);
	if (!parse_uint(f[1], &uid) || !parse_uint(f[2], &gid))
		return error_add(p, "uid/gid '%s %s' are not non-negative numbers", f[1], f[2]);
	/* The unpacker's chown() takes (uid_t)-1 as "leave the owner alone": the entry would
	 * stay root's, and "04755 4294967295 4294967295" would be setuid root. */
	if (uid == UINT32_MAX || gid == UINT32_MAX)
		return error_add(p,
				 "uid/gid '%s %s': 4294967295 is (uid_t)-1, which the kernel's "
				 "chown() takes as 'no change' (the entry would stay root's)",
				 f[1], f[2]);
	e->uid = uid;
	e->gid = gid;
	return 1;
}

static int entry_push(struct cpiolist *l, struct cpiolist_entry *e)
{
	struct cpiolist_entry *n = realloc(l->entries, (l->n_entries + 1) * sizeof(*n));
	if (!n) {
		entry_free(e);
		return -ENOMEM;
	}
	l->entries = n;
	n[l->n_entries++] = *e;
	return 0;
}

static const struct {
	const char *word;
	enum cpiolist_type type;
	size_t min, max; /* fields after the type word */
	mode_t ifmt;
} types[] = {
	{"file", CPIOLIST_FILE, 5, MAX_FIELDS, S_IFREG},
	{"dir", CPIOLIST_DIR, 4, 4, S_IFDIR},
	{"nod", CPIOLIST_NOD, 7, 7, 0},
	{"slink", CPIOLIST_SLINK, 5, 5, S_IFLNK},
	{"pipe", CPIOLIST_PIPE, 4, 4, S_IFIFO},
	{"sock", CPIOLIST_SOCK, 4, 4, S_IFSOCK},
};

static int parse_nod(struct parser *p, char **f, struct cpiolist_entry *e)
{
	if (!streq(f[4], "b") && !streq(f[4], "c"))
		return error_add(p, "device type '%s' is neither b nor c", f[4]);
	if (!parse_uint(f[5], &e->rmajor) || !parse_uint(f[6], &e->rminor))
		return error_add(p, "major/minor '%s %s' are not numbers", f[5], f[6]);
	e->mode |= f[4][0] == 'b' ? S_IFBLK : S_IFCHR;
	return 1;
}

static int parse_file_extra(struct parser *p, char **f, size_t n, struct cpiolist_entry *e)
{
	int r = expand_vars(p, f[1], &e->location);
	if (r == -ELOOP)
		return error_add(p, "variable expansion in '%s' does not end", f[1]);
	if (r < 0)
		return r;
	if (!e->location[0])
		return error_add(p, "location '%s' is empty after ${VAR} expansion", f[1]);
	if (n > 5) {
		e->links = calloc(n - 5, sizeof(char *));
		if (!e->links)
			return -ENOMEM;
	}
	for (size_t i = 5; i < n; i++) {
		char *link = NULL;
		r = name_normalise(f[i], &link);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return error_add(p, "hard link '%s' %s", f[i],
					 r == -EXDEV ? "has a '..' component" : "is the root");
		e->links[e->n_links++] = link;
		/* The unpacker would delete the file (see name_normalise()). */
		if (streq(link, e->name))
			return error_add(p,
					 "hard link '%s' is the file's own name '%s' (the kernel "
					 "would unlink the file at boot)",
					 f[i], e->name);
		for (size_t k = 0; k + 1 < e->n_links; k++)
			if (streq(e->links[k], link))
				return error_add(p, "hard link '%s' is given twice", f[i]);
	}
	return 1;
}

/* Returns 1 when e was filled, 0 when the line was reported as an error, or -ENOMEM. */
static int parse_entry(struct parser *p, char **f, size_t n, size_t t, struct cpiolist_entry *e)
{
	bool has_target = types[t].type == CPIOLIST_FILE || types[t].type == CPIOLIST_SLINK;
	int r;

	if (n < types[t].min || n > types[t].max)
		return error_add(p, "'%s' takes %s%zu fields after the type, found %zu",
				 types[t].word, types[t].min == types[t].max ? "" : "at least ",
				 types[t].min, n);
	e->type = types[t].type;
	e->line = p->line;
	r = name_normalise(f[0], &e->name);
	if (r == -ENOMEM)
		return r;
	if (r == -EXDEV)
		return error_add(p, "name '%s' has a '..' component", f[0]);
	if (r < 0)
		return error_add(p, "name '%s' is empty or the root", f[0]);
	r = check_ids(p, f + (has_target ? 2 : 1), e);
	if (r <= 0)
		return r;
	e->mode |= types[t].ifmt;
	if (e->type == CPIOLIST_NOD)
		return parse_nod(p, f, e);
	if (e->type == CPIOLIST_FILE)
		return parse_file_extra(p, f, n, e);
	if (e->type == CPIOLIST_SLINK && !(e->location = strdup(f[1])))
		return -ENOMEM;
	return 1;
}

static int parse_line(struct parser *p, char *line)
{
	char *f[MAX_FIELDS + 2];
	size_t n = 0;
	char *save = NULL;

	if (line[0] == '#')
		return 0;
	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == ARRAY_SIZE(f))
			return error_add(p, "too many fields");
		f[n++] = w;
	}
	if (n == 0)
		return 0;
	for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
		if (!streq(f[0], types[t].word))
			continue;
		struct cpiolist_entry e = {0};
		int r = parse_entry(p, f + 1, n - 1, t, &e);
		if (r <= 0) {
			entry_free(&e);
			return r;
		}
		return entry_push(p->out, &e);
	}
	return error_add(p, "unknown type '%s' (file, dir, nod, slink, pipe, sock)", f[0]);
}

int cpiolist_parse(const char *text, size_t len, const char *source_name, cpiolist_lookup_fn lookup,
		   void *userdata, struct cpiolist *out)
{
	struct parser p = {.out = out,
			   .source = source_name ? source_name : "cpio list",
			   .lookup = lookup,
			   .userdata = userdata};
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		_cleanup_free_ char *line = strndup(s, n);
		_cleanup_free_ char *copy = strndup(s, n);
		if (!line || !copy)
			return -ENOMEM;
		p.line++;
		p.text = copy;
		/* CRLF lists: the '\r' must not end up in the last field. */
		for (size_t l = strlen(line); l > 0 && line[l - 1] == '\r'; l--)
			line[l - 1] = 0;
		int r = memchr(s, 0, n) ? error_add(&p, "NUL byte in line") : parse_line(&p, line);
		if (r < 0)
			return r;
		s += n + 1;
	}
	return 0;
}

void cpiolist_free(struct cpiolist *list)
{
	for (size_t i = 0; i < list->n_entries; i++)
		entry_free(&list->entries[i]);
	for (size_t i = 0; i < list->n_errors; i++)
		free(list->errors[i].message);
	free(list->entries);
	free(list->errors);
	memset(list, 0, sizeof(*list));
}
