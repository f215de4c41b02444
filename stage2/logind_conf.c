#include "logind_conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* CONF_PATHS_NULSTR("systemd/logind.conf.d") with _CONF_PATHS_SPLIT_USR (Debian 12). */
const char *const logind_dropin_dirs[] = {
	"etc/systemd/logind.conf.d",	       "run/systemd/logind.conf.d",
	"usr/local/lib/systemd/logind.conf.d", "usr/lib/systemd/logind.conf.d",
	"lib/systemd/logind.conf.d",	       NULL,
};

void logind_conf_init(struct logind_conf *c)
{
	memset(c, 0, sizeof(*c));
}

__attribute__((format(printf, 4, 5))) static void note(struct logind_conf *c, const char *path,
						       unsigned line, const char *fmt, ...)
{
	va_list ap;
	if (c->n_notes >= LOGIND_NOTES_MAX)
		return;
	char *n = c->notes[c->n_notes++];
	int k = line ? snprintf(n, LOGIND_NOTE_LEN, "%s:%u: ", path, line)
		     : snprintf(n, LOGIND_NOTE_LEN, "%s: ", path);
	if (k < 0 || k >= LOGIND_NOTE_LEN)
		return;
	va_start(ap, fmt);
	vsnprintf(n + k, LOGIND_NOTE_LEN - (size_t)k, fmt, ap);
	va_end(ap);
}

/* systemd's unichar_is_valid() (src/basic/utf8.c): inside Unicode, no UTF-16 surrogate, no
 * non-character (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF). */
static bool unichar_is_valid(uint32_t ch)
{
	return ch < 0x110000 && (ch & 0xfffff800) != 0xd800 && !(ch >= 0xfdd0 && ch <= 0xfdef) &&
	       (ch & 0xfffe) != 0xfffe;
}

/* The byte count a lead byte announces: 1..6 (5 and 6 still parse, then fail the range
 * check), 0 for a continuation byte or 0xfe/0xff. */
static size_t utf8_expected_len(unsigned char c)
{
	return c < 0x80		    ? 1
	       : (c & 0xe0) == 0xc0 ? 2
	       : (c & 0xf0) == 0xe0 ? 3
	       : (c & 0xf8) == 0xf0 ? 4
	       : (c & 0xfc) == 0xf8 ? 5
	       : (c & 0xfe) == 0xfc ? 6
				    : 0;
}

/* The shortest encoding of ch: anything longer is an over-long form. */
static size_t utf8_shortest_len(uint32_t ch)
{
	return ch < 0x80 ? 1 : ch < 0x800 ? 2 : ch < 0x10000 ? 3 : ch < 0x200000 ? 4 : 5;
}

/* systemd's utf8_encoded_valid_unichar(): the length of the one valid character at s (a
 * NUL-terminated string), or 0. Stops at the NUL: no byte past it is read. */
static size_t utf8_char_len(const unsigned char *s)
{
	size_t len = utf8_expected_len(s[0]);
	if (len <= 1)
		return len;
	uint32_t ch = s[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		ch = ch << 6 | (s[i] & 0x3f);
	}
	if (utf8_shortest_len(ch) != len || !unichar_is_valid(ch))
		return 0;
	return len;
}

/* systemd's utf8_is_valid(), which parse_line() applies to every stripped line. */
static bool utf8_is_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_char_len(p);
		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

/* systemd's string_is_safe(): no control characters, quotes or backslashes. */
static bool string_is_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 127 || strchr("\"'\\", *s))
			return false;
	return true;
}

struct parse_state {
	bool in_login;	      /* inside [Login] */
	bool section_ignored; /* inside another section */
};

static void assign(struct logind_conf *c, const char *path, unsigned line, char *key, char *value)
{
	int i = logind_key_index(key);
	const char *why;
	if (i < 0) {
		note(c, path, line, "Unknown key name '%s' in section 'Login', ignoring.", key);
		return;
	}
	const struct logind_key *k = &logind_keys[i];
	int r = logind_value_check(k->type, value, &why);
	if (r < 0) {
		size_t before = 0;
		/* A user list keeps the words split before the syntax error. */
		if (k->type == LOGIND_USER_LIST)
			(void)logind_split_words(value, &before);
		note(c, path, line, "%s=%s: %s; logind ignores it", key, value, why);
		if (before == 0)
			return;
	}
	struct logind_origin *o = &c->origin[i];
	o->set = true;
	o->line = line;
	snprintf(o->path, sizeof(o->path), "%s", path);
}

/* parse_line(): one logical line (continuations already joined). */
static int parse_line(struct logind_conf *c, struct parse_state *ps, const char *path,
		      unsigned line, char *l)
{
	l = strstrip(l);
	if (*l == '\0')
		return 0;
	if (!utf8_is_valid(l)) {
		note(c, path, line, "invalid UTF-8; logind stops reading here");
		return -EBADMSG;
	}
	if (*l == '[') {
		size_t k = strlen(l);
		if (l[k - 1] != ']') {
			note(c, path, line,
			     "Invalid section header '%s'; logind stops reading here", l);
			return -EBADMSG;
		}
		l[k - 1] = '\0';
		if (!string_is_safe(l + 1)) {
			note(c, path, line, "Bad characters in section header; logind stops here");
			return -EBADMSG;
		}
		ps->in_login = streq(l + 1, "Login");
		ps->section_ignored = !ps->in_login;
		if (!ps->in_login && !startswith(l + 1, "X-"))
			note(c, path, line, "Unknown section '%s'. Ignoring.", l + 1);
		return 0;
	}
	if (!ps->in_login) {
		if (!ps->section_ignored)
			note(c, path, line, "Assignment outside of section. Ignoring.");
		return 0;
	}
	char *e = strchr(l, '=');
	if (!e) {
		note(c, path, line, "Missing '=', ignoring line.");
		return 0;
	}
	if (e == l) {
		note(c, path, line, "Missing key name before '=', ignoring line.");
		return 0;
	}
	*e = '\0';
	assign(c, path, line, strstrip(l), strstrip(e + 1));
	return 0;
}

/* logind's config_parse() returned an error here: config_parse_many_nulstr() reads no further
 * line and no further file. */
static int stop(struct logind_conf *c, const char *path, unsigned line, int r)
{
	c->stopped = true;
	c->stopped_line = line;
	snprintf(c->stopped_path, sizeof(c->stopped_path), "%s", path);
	if (line)
		snprintf(c->stopped_at, sizeof(c->stopped_at), "%s:%u", path, line);
	else
		snprintf(c->stopped_at, sizeof(c->stopped_at), "%s (unreadable)", path);
	return r;
}

/* Ends with an unescaped backslash? Then it is replaced by a space and the line continues. */
static bool continues(char *p)
{
	bool escaped = false;
	char *e = p;
	for (; *e; e++)
		escaped = escaped ? false : *e == '\\';
	if (escaped)
		e[-1] = ' ';
	return escaped;
}

/* read_line(): the length of the line starting at pos (it ends at \n, \r or NUL), and where
 * the next one starts. One end of line is a run of \n, \r and NUL in which no kind repeats
 * and nothing follows a NUL: "\r\n" and "\n\r" are one, "\n\n" two. */
static size_t next_line(const char *text, size_t len, size_t pos, size_t *next)
{
	size_t n = 0;
	unsigned seen = 0; /* 1: \n, 2: \r, 4: NUL */

	while (pos + n < len && !strchr("\n\r", text[pos + n]))
		n++;
	for (pos += n; pos < len && !(seen & 4); pos++) {
		unsigned eol = text[pos] == '\n' ? 1 : text[pos] == '\r' ? 2 : text[pos] ? 0 : 4;
		if (!eol || (seen & eol))
			break;
		seen |= eol;
	}
	*next = pos;
	return n;
}

int logind_conf_feed(struct logind_conf *c, const char *path, const char *text, size_t len)
{
	struct parse_state ps = {0};
	_cleanup_free_ char *cont = NULL;
	unsigned line = 0;
	size_t pos = 0;
	bool bom_seen = false;

	while (pos < len) {
		/* Bounded by len: the text need not be NUL-terminated (fuzzing found the
		 * over-read). strchr() also matches the NUL, so a NUL byte ends a line. */
		size_t next, n = next_line(text, len, pos, &next);
		if (n >= LOGIND_LONG_LINE_MAX) {
			note(c, path, line + 1, "Line too long; logind stops reading here");
			return stop(c, path, line + 1, -EBADMSG);
		}
		_cleanup_free_ char *buf = strndup(text + pos, n);
		if (!buf)
			return -ENOMEM;
		pos = next;
		line++;
		const char *l = buf + strspn(buf, WHITESPACE);
		if (*l && strchr("#;", *l)) /* comments count even inside a continuation */
			continue;
		/* config_parse() strips a BOM from the first line that starts with one (after the
		 * comment check), not only from the first line of the file. */
		char *start = buf;
		if (!bom_seen && startswith(buf, "\xef\xbb\xbf")) {
			start += 3;
			bom_seen = true;
		}
		char *p = start;
		if (cont) {
			if (strlen(cont) + strlen(start) > LOGIND_LONG_LINE_MAX) {
				note(c, path, line,
				     "Continuation line too long; logind stops reading here");
				return stop(c, path, line, -EBADMSG);
			}
			char *joined;
			if (asprintf(&joined, "%s%s", cont, start) < 0)
				return -ENOMEM;
			free(cont);
			cont = p = joined;
		}
		if (continues(p)) {
			if (!cont && !(cont = strdup(p)))
				return -ENOMEM;
			continue;
		}
		int r = parse_line(c, &ps, path, line, p);
		if (cont) {
			free(cont);
			cont = NULL;
		}
		if (r < 0)
			return stop(c, path, line, r);
	}
	if (cont) { /* a continuation at the end of the file is parsed as it stands */
		int r = parse_line(c, &ps, path, line + 1, cont);
		if (r < 0)
			return stop(c, path, line + 1, r);
	}
	return 0;
}

int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

int read_in_root(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return fd;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *n = realloc(buf, cap);
			if (!n)
				return -ENOMEM;
			buf = n;
		}
		ssize_t k = read(fd, buf + len, cap - len - 1);
		if (k < 0)
			return errno == EINTR ? (errno = 0, -EINTR) : -errno;
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > max)
			return -EFBIG;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret = buf;
	buf = NULL;
	*ret_len = len;
	return 0;
}

struct dropin {
	char name[NAME_MAX + 1];
	size_t dir; /* index into logind_dropin_dirs */
};

static int dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

static void free_dropins(struct dropin **p)
{
	free(*p);
}

/* Adds name from directory d unless an earlier directory had it; the list grows as needed
 * (systemd has no limit either). */
static int add_dropin(struct dropin **list, size_t *n, size_t *cap, const char *name, size_t d)
{
	for (size_t i = 0; i < *n; i++)
		if (streq((*list)[i].name, name))
			return 0;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct dropin *l = reallocarray(*list, ncap, sizeof(**list));
		if (!l)
			return -ENOMEM;
		*list = l;
		*cap = ncap;
	}
	snprintf((*list)[*n].name, sizeof((*list)[*n].name), "%s", name);
	(*list)[(*n)++].dir = d;
	return 0;
}

/* conf_files_list(): names ending in .conf, the first directory holding a name wins. A
 * directory that cannot be opened (not a directory, no permission) is skipped, as
 * conf_files_list_strv() skips it ("Failed to open directory ..., ignoring"). */
static int list_dropins(int rootfd, struct logind_conf *c, struct dropin **list, size_t *n)
{
	struct stat seen[8];
	size_t n_seen = 0, cap = 0;

	*n = 0;
	for (size_t d = 0; logind_dropin_dirs[d]; d++) {
		int fd = open_in_root(rootfd, logind_dropin_dirs[d], O_RDONLY | O_DIRECTORY);
		if (fd == -ENOENT)
			continue;
		if (fd < 0) {
			note(c, logind_dropin_dirs[d], 0, "cannot open (%s); logind skips it too",
			     strerror(-fd));
			continue;
		}
		struct stat st;
		bool dup = fstat(fd, &st) < 0;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino;
		if (dup) { /* e.g. /lib -> usr/lib on a merged-/usr system */
			close(fd);
			continue;
		}
		seen[n_seen++] = st;
		DIR *dir = fdopendir(fd);
		if (!dir) {
			close(fd);
			continue;
		}
		for (struct dirent *de; (de = readdir(dir));) {
			size_t len = strlen(de->d_name);
			/* FOREACH_DIRENT() skips hidden_or_backup_file() names; of those, only a
			 * leading '.' can end in ".conf" (".50-admin.conf", an editor's or a
			 * tool's temporary file): it is no setting. */
			if (de->d_name[0] == '.' || len < 5 ||
			    !streq(de->d_name + len - 5, ".conf"))
				continue;
			if (add_dropin(list, n, &cap, de->d_name, d) < 0) {
				closedir(dir);
				return -ENOMEM;
			}
		}
		closedir(dir);
	}
	if (*n)
		qsort(*list, *n, sizeof(**list), dropin_cmp);
	return 0;
}

/* config_parse() of one file: a missing file (dangling link, /dev/null link in a tree without
 * /dev) reads as empty, as ENOENT does for logind. Any other error opening or reading it (a
 * directory named *.conf, EACCES, EIO) ends config_parse_many() there, like a malformed
 * header: a stop at line 0. No size limit: systemd limits only the length of a line. */
static int feed_file(int rootfd, struct logind_conf *c, const char *rel)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	size_t len;

	snprintf(path, sizeof(path), "/%s", rel);
	int r = read_in_root(rootfd, rel, SIZE_MAX, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		note(c, path, 0, "cannot read (%s); logind stops reading here", strerror(-r));
		return stop(c, path, 0, -EBADMSG);
	}
	return logind_conf_feed(c, path, text, len);
}

/* Where initkit's drop-in goes, in logind_dropin_dirs[] order. */
static size_t run_dir_index(void)
{
	size_t d = 0;
	while (!streq(logind_dropin_dirs[d], LOGIND_RUN_DROPIN_DIR))
		d++;
	return d;
}

int logind_conf_load(int rootfd, const char *own_name, struct logind_conf *c)
{
	__attribute__((cleanup(free_dropins))) struct dropin *list = NULL;
	char rel[320]; /* a directory below plus NAME_MAX */
	size_t n;

	int r = list_dropins(rootfd, c, &list, &n);
	if (r < 0)
		return r;
	/* systemd 252 reads no other main file; say so when one would be read by later versions. */
	static const char *const ignored_main[] = {"run/systemd/logind.conf",
						   "usr/local/lib/systemd/logind.conf",
						   "usr/lib/systemd/logind.conf", NULL};
	for (size_t i = 0; ignored_main[i]; i++)
		if (faccessat(rootfd, ignored_main[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			note(c, ignored_main[i], 0, "not read by systemd 252 (only /%s is)",
			     LOGIND_MAIN_CONF);
	r = feed_file(rootfd, c, LOGIND_MAIN_CONF);
	c->own_unread = r < 0 && own_name;
	for (size_t i = 0; i < n && r >= 0; i++) {
		int k = snprintf(rel, sizeof(rel), "%s/%s", logind_dropin_dirs[list[i].dir],
				 list[i].name);
		if (k < 0 || (size_t)k >= sizeof(rel))
			continue; /* cannot happen: names are at most NAME_MAX */
		if (own_name && streq(list[i].name, own_name)) {
			if (list[i].dir == run_dir_index())
				continue; /* ours, from an earlier run: replaced, not counted */
			/* Only a directory ahead of /run (/etc) replaces ours. One behind it
			 * (/usr/local/lib, /usr/lib, /lib) is hidden by the file initkit writes:
			 * logind does not read it then, so it is not counted. */
			if (list[i].dir > run_dir_index()) {
				char path[sizeof(rel) + 1];
				snprintf(path, sizeof(path), "/%s", rel);
				note(c, path, 0,
				     "hidden by initkit's /%s/%s (same name; /run comes first)",
				     LOGIND_RUN_DROPIN_DIR, own_name);
				continue;
			}
			k = snprintf(c->own_overridden_by, sizeof(c->own_overridden_by), "/%s",
				     rel);
			(void)k;
		}
		r = feed_file(rootfd, c, rel);
		/* Ours, in /run, would be read in name order: a stop in a file sorting before
		 * it means logind never gets there. */
		if (r < 0 && own_name && strcmp(list[i].name, own_name) < 0)
			c->own_unread = true;
	}
	return r == -EBADMSG ? 0 : r;
}
