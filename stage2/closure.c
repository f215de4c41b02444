/* The runtime closure of programs inside a root; see closure.h. File access goes through the
 * root's directory fd (openat, fstatat, readlinkat): a link is resolved inside the root, as it
 * will be inside the confined service's own root. */
#include "closure.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "util.h"

#define LINK_HOPS_MAX 40
#define DIR_FILES_MAX 20000
#define LDCONF_DEPTH_MAX 8

void closure_init(struct closure *c, int rootfd)
{
	memset(c, 0, sizeof(*c));
	c->rootfd = rootfd;
}

void closure_free(struct closure *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].target);
		free(c->v[i].reason);
	}
	free(c->v);
	for (size_t i = 0; i < c->n_ldconf; i++)
		free(c->ldconf_dirs[i]);
	free(c->ldconf_dirs);
	for (size_t i = 0; i < c->n_loaded; i++) {
		free(c->loaded_names[i]);
		free(c->loaded_paths[i]);
	}
	free(c->loaded_names);
	free(c->loaded_paths);
	struct closure_cache *cache = c->cache;
	closure_init(c, c->rootfd);
	c->cache = cache;
}

__attribute__((format(printf, 3, 4))) static int fail(struct closure *c, int r, const char *fmt,
						      ...)
{
	if (!c->error[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->error, sizeof(c->error), fmt, ap);
		va_end(ap);
	}
	return r;
}

static struct closure_entry *find(struct closure *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->v[i].path, path))
			return &c->v[i];
	return NULL;
}

static int add_entry(struct closure *c, const char *path, enum closure_kind kind,
		     const char *target, const char *reason, bool bind, struct closure_entry **ret)
{
	struct closure_entry *e = find(c, path);
	if (e) {
		e->bind |= bind;
		if (ret)
			*ret = e;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct closure_entry *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	e = &c->v[c->n];
	*e = (struct closure_entry){strdup(path), target ? strdup(target) : NULL, strdup(reason),
				    kind, bind};
	if (!e->path || !e->reason || (target && !e->target)) {
		free(e->path);
		free(e->target);
		free(e->reason);
		return -ENOMEM;
	}
	c->n++;
	if (ret)
		*ret = e;
	return 0;
}

/* Lexical normalisation of an absolute path: "//", "." and ".." (at / stays /). */
static void normalize(char *p)
{
	char out[PATH_MAX];
	size_t o = 0;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		size_t n = strcspn(s, "/");
		if (n == 1 && s[0] == '.') {
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (o + 1 + n < sizeof(out)) {
			out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	memcpy(p, out, o + 1);
}

static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Follows every link in path inside the root, recording each; *out is the real path. */
static int resolve(struct closure *c, const char *path, const char *why, char *out)
{
	char cur[PATH_MAX];
	if (path[0] != '/' || strlen(path) >= sizeof(cur))
		return fail(c, -EINVAL, "%s: not an absolute path (%s)", path, why);
	strcpy(cur, path);
	normalize(cur);
	for (int hop = 0; hop <= LINK_HOPS_MAX; hop++) {
		size_t i = 1;
		bool again = false;
		while (cur[i - 1] && cur[i]) {
			size_t end = i + strcspn(cur + i, "/");
			char prefix[PATH_MAX];
			memcpy(prefix, cur, end);
			prefix[end] = '\0';
			struct stat st;
			if (fstatat(c->rootfd, rel(prefix), &st, AT_SYMLINK_NOFOLLOW) < 0)
				return fail(c, -errno, "%s: %s (%s)", prefix, strerror(errno), why);
			if (S_ISLNK(st.st_mode)) {
				char target[PATH_MAX], next[PATH_MAX];
				ssize_t n = readlinkat(c->rootfd, rel(prefix), target,
						       sizeof(target) - 1);
				if (n < 0)
					return fail(c, -errno, "%s: %s (%s)", prefix,
						    strerror(errno), why);
				target[n] = '\0';
				int r = add_entry(c, prefix, CLOSURE_LINK, target, why, false,
						  NULL);
				if (r < 0)
					return r;
				char *slash = strrchr(prefix, '/');
				*slash = '\0';
				if (path_printf(next, sizeof(next), "%s/%s%s",
						target[0] == '/' ? "" : prefix, target,
						cur + end) < 0)
					return fail(c, -ENAMETOOLONG, "%s: path too long", path);
				normalize(next);
				strcpy(cur, next);
				again = true;
				break;
			}
			if (!cur[end])
				break;
			if (!S_ISDIR(st.st_mode))
				return fail(c, -ENOTDIR, "%s: %s (%s)", prefix, strerror(ENOTDIR),
					    why);
			i = end + 1;
		}
		if (!again) {
			strcpy(out, cur);
			return 0;
		}
	}
	return fail(c, -ELOOP, "%s: too many levels of symbolic links (%s)", path, why);
}

struct mapped {
	const uint8_t *b;
	size_t len;
};

static int map_file(struct closure *c, const char *path, struct mapped *m)
{
	_cleanup_close_ int fd = openat(c->rootfd, rel(path), O_RDONLY | O_CLOEXEC);
	struct stat st;
	m->b = NULL;
	m->len = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->b = p;
	m->len = (size_t)st.st_size;
	return 0;
}

static void unmap(struct mapped *m)
{
	if (m->b)
		munmap((void *)m->b, m->len);
}

/* The requesting object's search context: its own RPATH/RUNPATH and its loaders' RPATHs. */
struct chain {
	const char *rpath, *origin;
	const struct chain *up;
};

static int add_path(struct closure *c, const char *path, const char *why, const struct chain *up,
		    bool optional);

static int add_interp_script(struct closure *c, const char *path, const struct mapped *m)
{
	size_t n = 2;
	while (n < m->len && n < 256 && (m->b[n] == ' ' || m->b[n] == '\t'))
		n++;
	size_t s = n;
	while (n < m->len && n < 256 && !strchr(" \t\n\r", m->b[n]))
		n++;
	if (n == s || m->b[s] != '/')
		return fail(c, -ENOEXEC, "%s: #! line names no absolute interpreter", path);
	char interp[PATH_MAX], why[PATH_MAX + 32];
	snprintf(interp, sizeof(interp), "%.*s", (int)(n - s), (const char *)m->b + s);
	snprintf(why, sizeof(why), "#! interpreter of %s", path);
	int r = add_path(c, interp, why, NULL, false);
	const char *base = strrchr(interp, '/') + 1;
	if (r < 0 || !streq(base, "env"))
		return r;
	/* "#!/usr/bin/env [-S] PROG": env runs PROG from PATH inside the root, so PROG and its
	 * closure must be there too (else the service fails at start with env's message). */
	for (;;) {
		while (n < m->len && n < 256 && (m->b[n] == ' ' || m->b[n] == '\t'))
			n++;
		s = n;
		while (n < m->len && n < 256 && !strchr(" \t\n\r", m->b[n]))
			n++;
		if (n == s)
			return fail(c, -ENOEXEC, "%s: #!%s names no program", path, interp);
		if (m->b[s] != '-')
			break;
		if (n - s != 2 || m->b[s + 1] != 'S')
			return fail(c, -ENOEXEC, "%s: #!%s %.*s: only -S is understood", path,
				    interp, (int)(n - s), (const char *)m->b + s);
	}
	char prog[NAME_MAX + 1];
	if (n - s > NAME_MAX)
		return fail(c, -ENAMETOOLONG, "%s: #!%s: program name too long", path, interp);
	snprintf(prog, sizeof(prog), "%.*s", (int)(n - s), (const char *)m->b + s);
	char envwhy[2 * PATH_MAX + NAME_MAX + 8];
	snprintf(envwhy, sizeof(envwhy), "#!%s %s of %s", interp, prog, path);
	if (prog[0] == '/')
		return add_path(c, prog, envwhy, NULL, false);
	if (strchr(prog, '/'))
		return fail(c, -ENOEXEC, "%s: #!%s %s: a relative path", path, interp, prog);
	/* systemd's default PATH for services (split-usr builds add /sbin and /bin) */
	static const char *const dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					   "/usr/bin",	      "/sbin",		"/bin"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char cand[PATH_MAX];
		struct stat st;
		snprintf(cand, sizeof(cand), "%s/%s", dirs[i], prog);
		if (fstatat(c->rootfd, rel(cand), &st, 0) == 0 && S_ISREG(st.st_mode))
			return add_path(c, cand, envwhy, NULL, false);
	}
	return fail(c, -ENOENT,
		    "%s: #!%s %s: %s not found in /usr/local/sbin, /usr/local/bin, "
		    "/usr/sbin, /usr/bin, /sbin or /bin",
		    path, interp, prog, prog);
}

const char *closure_multiarch(unsigned machine, bool is64)
{
	switch (machine) {
	case EM_X86_64:
		return is64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
	case EM_386:
		return "i386-linux-gnu";
	case EM_AARCH64:
		return "aarch64-linux-gnu";
	case EM_ARM:
		return "arm-linux-gnueabihf";
	case EM_PPC64:
		return "powerpc64le-linux-gnu";
	case EM_S390:
		return "s390x-linux-gnu";
	case EM_RISCV:
		return "riscv64-linux-gnu";
	default:
		return NULL;
	}
}

int closure_expand_dst(const char *elem, const char *origin, const char *lib, const char *platform,
		       char *out, size_t size)
{
	static const struct {
		const char *name;
		int which;
	} dst[] = {{"${ORIGIN}", 0}, {"$ORIGIN", 0},	 {"${LIB}", 1},
		   {"$LIB", 1},	     {"${PLATFORM}", 2}, {"$PLATFORM", 2}};
	size_t o = 0;
	for (const char *s = elem; *s;) {
		const char *rep = NULL;
		size_t skip = 1;
		if (*s == '$')
			for (size_t i = 0; i < ARRAY_SIZE(dst); i++) {
				size_t l = strlen(dst[i].name);
				if (strncmp(s, dst[i].name, l) != 0)
					continue;
				/* "$ORIGINX" is no DST: the name must end there (glibc). */
				if (dst[i].name[1] != '{' &&
				    (s[l] == '_' || (s[l] >= 'A' && s[l] <= 'Z') ||
				     (s[l] >= 'a' && s[l] <= 'z') || (s[l] >= '0' && s[l] <= '9')))
					continue;
				rep = dst[i].which == 0	  ? origin
				      : dst[i].which == 1 ? lib
							  : platform;
				skip = l;
				break;
			}
		size_t l = rep ? strlen(rep) : 1;
		if (o + l >= size)
			return -ENAMETOOLONG;
		memcpy(out + o, rep ? rep : s, l);
		o += l;
		s += skip;
	}
	out[o] = '\0';
	return 0;
}

struct closure_cache *closure_cache_new(void)
{
	return calloc(1, sizeof(struct closure_cache));
}

void closure_cache_free(struct closure_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < CLOSURE_PROBE_BUCKETS; i++)
		for (struct closure_probe *p = cache->bucket[i], *next; p; p = next) {
			next = p->next;
			free(p);
		}
	free(cache);
}

static size_t probe_hash(const char *path, unsigned kind)
{
	uint32_t h = 2166136261u ^ kind; /* FNV-1a */
	for (const unsigned char *s = (const unsigned char *)path; *s; s++)
		h = (h ^ *s) * 16777619u;
	return h % CLOSURE_PROBE_BUCKETS;
}

static bool compatible_uncached(struct closure *c, const char *path, const struct elf_info *want);

/* An ELF file the loader would accept for the requester: same class and machine. */
static bool compatible(struct closure *c, const char *path, const struct elf_info *want)
{
	if (!c->cache)
		return compatible_uncached(c, path, want);
	unsigned kind = (unsigned)want->machine << 2 | (unsigned)want->is64 << 1 |
			(unsigned)want->big_endian;
	size_t h = probe_hash(path, kind);
	for (struct closure_probe *p = c->cache->bucket[h]; p; p = p->next)
		if (p->kind == kind && streq(p->path, path))
			return p->compatible;
	bool ok = compatible_uncached(c, path, want);
	struct closure_probe *p = malloc(sizeof(*p) + strlen(path) + 1);
	if (p) {
		p->kind = kind;
		p->compatible = ok;
		strcpy(p->path, path);
		p->next = c->cache->bucket[h];
		c->cache->bucket[h] = p;
		c->cache->n++;
	}
	return ok;
}

static bool compatible_uncached(struct closure *c, const char *path, const struct elf_info *want)
{
	struct mapped m;
	if (map_file(c, path, &m) < 0 || !m.b)
		return false;
	struct elf_info e;
	const char *msg;
	bool ok = elf_parse(m.b, m.len, &e, &msg) == 0 && e.is64 == want->is64 &&
		  e.machine == want->machine && e.big_endian == want->big_endian;
	if (ok)
		elf_info_free(&e);
	unmap(&m);
	return ok;
}

static const char *const hwcaps_x86_64[] = {"x86-64-v4", "x86-64-v3", "x86-64-v2", NULL};
static const char *const hwcaps_ppc64[] = {"power10", "power9", NULL};
static const char *const hwcaps_none[] = {NULL};

/* Looks for name in dir: glibc-hwcaps variants (all of them: the CPU decides at run time)
 * become optional members; the first compatible file is the answer. */
static int try_dir(struct closure *c, const char *dir, const char *name,
		   const struct elf_info *want, const char *requester, char **found)
{
	char p[PATH_MAX], why[PATH_MAX * 2];
	const char *const *caps = want->machine == EM_X86_64 && want->is64 ? hwcaps_x86_64
				  : want->machine == EM_PPC64		   ? hwcaps_ppc64
									   : hwcaps_none;
	char *first = NULL;
	for (size_t i = 0; caps[i]; i++) {
		if (path_printf(p, sizeof(p), "%s/glibc-hwcaps/%s/%s", dir, caps[i], name) < 0)
			continue;
		normalize(p);
		if (compatible(c, p, want)) {
			snprintf(why, sizeof(why), "needed by %s (DT_NEEDED %s, glibc-hwcaps %s)",
				 requester, name, caps[i]);
			int r = add_path(c, p, why, NULL, false);
			if (r < 0)
				return r;
			if (!first && !(first = strdup(p)))
				return -ENOMEM;
		}
	}
	if (path_printf(p, sizeof(p), "%s/%s", dir, name) == 0) {
		normalize(p);
		if (compatible(c, p, want)) {
			free(first);
			return (*found = strdup(p)) ? 1 : -ENOMEM;
		}
	}
	*found = first;
	return first ? 1 : 0;
}

struct ldconf_state {
	struct closure *c;
	const char *file;
	int depth;
	int err;
};

static int ldconf_load_file(struct closure *c, const char *file, int depth);

static int ldconf_dir(const char *dir, void *data)
{
	struct ldconf_state *s = data;
	struct closure *c = s->c;
	for (size_t i = 0; i < c->n_ldconf; i++)
		if (streq(c->ldconf_dirs[i], dir))
			return 0;
	char **v = realloc(c->ldconf_dirs, (c->n_ldconf + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->ldconf_dirs = v;
	if (!(v[c->n_ldconf] = strdup(dir)))
		return -ENOMEM;
	c->n_ldconf++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "include PATTERN": a glob with wildcards in the last component, relative to the including
 * file's directory when not absolute (glibc's ldconfig). */
static int ldconf_include(const char *pattern, void *data)
{
	struct ldconf_state *s = data;
	char full[PATH_MAX];
	if (pattern[0] == '/')
		snprintf(full, sizeof(full), "%s", pattern);
	else {
		const char *slash = strrchr(s->file, '/');
		snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - s->file), s->file, pattern);
	}
	normalize(full);
	char *base = strrchr(full, '/');
	*base++ = '\0';
	const char *dir = full[0] ? full : "/";
	if (!strpbrk(base, "*?[")) {
		char p[PATH_MAX];
		if (path_printf(p, sizeof(p), "%s/%s", full, base) < 0)
			return 0;
		return ldconf_load_file(s->c, p, s->depth + 1);
	}
	int fd = openat(s->c->rootfd, rel(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	DIR *dh = fdopendir(fd);
	if (!dh) {
		close(fd);
		return 0;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(dh)) && r == 0) {
		if (fnmatch(base, de->d_name, FNM_PERIOD) != 0)
			continue;
		char **nv = realloc(names, (n + 1) * sizeof(*nv));
		if (!nv || !(nv[n] = strdup(de->d_name)))
			r = -ENOMEM;
		else
			names = nv, n++;
		if (!nv)
			break;
	}
	closedir(dh);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX];
		if (r == 0 && path_printf(p, sizeof(p), "%s/%s", full, names[i]) == 0)
			r = ldconf_load_file(s->c, p, s->depth + 1);
		free(names[i]);
	}
	free(names);
	return r;
}

int ldconf_parse(const char *text, int (*dir_fn)(const char *dir, void *data),
		 int (*include_fn)(const char *pattern, void *data), void *data)
{
	const char *s = text;
	while (*s) {
		size_t n = strcspn(s, "\n");
		char line[PATH_MAX];
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 s);
		s += n + (s[n] == '\n');
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *w = line + strspn(line, " \t\r");
		size_t l = strlen(w);
		while (l && strchr(" \t\r", w[l - 1]))
			w[--l] = '\0';
		if (!*w)
			continue;
		int r = 0;
		if (!strncmp(w, "include", 7) && (w[7] == ' ' || w[7] == '\t')) {
			char *p = w + 7;
			/* several patterns may follow */
			for (char *tok = strtok(p, " \t"); tok && r == 0; tok = strtok(NULL, " \t"))
				r = include_fn(tok, data);
		} else if (!strncmp(w, "hwcap", 5) && (w[5] == ' ' || w[5] == '\t')) {
			continue;
		} else {
			/* "dir" or the old "dir=TYPE"; separators: blanks, ':' and ',' */
			for (char *tok = strtok(w, " \t:,"); tok && r == 0;
			     tok = strtok(NULL, " \t:,")) {
				char *eq = strchr(tok, '=');
				if (eq)
					*eq = '\0';
				if (tok[0] == '/')
					r = dir_fn(tok, data);
			}
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int ldconf_load_file(struct closure *c, const char *file, int depth)
{
	if (depth > LDCONF_DEPTH_MAX)
		return 0;
	char real[PATH_MAX];
	int fd = openat(c->rootfd, rel(file), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	snprintf(real, sizeof(real), "%s", file);
	struct ldconf_state s = {c, real, depth, 0};
	return ldconf_parse(buf, ldconf_dir, ldconf_include, &s);
}

static int search_list(struct closure *c, const char *list, const char *origin,
		       const struct elf_info *want, const char *name, const char *requester,
		       char **found)
{
	const char *triplet = closure_multiarch(want->machine, want->is64);
	char lib[64];
	snprintf(lib, sizeof(lib), "lib/%s", triplet ? triplet : "");
	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ":;");
		char elem[PATH_MAX], dir[PATH_MAX];
		snprintf(elem, sizeof(elem), "%.*s", (int)(n < sizeof(elem) ? n : sizeof(elem) - 1),
			 s);
		s += n + (s[n] != '\0');
		if (!elem[0] ||
		    closure_expand_dst(elem, origin, lib, "x86_64", dir, sizeof(dir)) < 0)
			continue;
		if (dir[0] != '/')
			continue; /* relative to the working directory: nothing we can know */
		int r = try_dir(c, dir, name, want, requester, found);
		if (r != 0)
			return r;
	}
	return 0;
}

static int find_library(struct closure *c, const char *name, const char *requester,
			const struct elf_info *want, const char *origin, const struct chain *up,
			char **found)
{
	int r;
	for (size_t i = 0; i < c->n_loaded; i++)
		if (streq(c->loaded_names[i], name))
			return (*found = strdup(c->loaded_paths[i])) ? 1 : -ENOMEM;
	if (strchr(name, '/')) {
		if (name[0] != '/')
			return fail(c, -ENOENT, "%s, needed by %s: a relative path", name,
				    requester);
		return (*found = strdup(name)) ? 1 : -ENOMEM;
	}
	if (!want->runpath) {
		if (want->rpath &&
		    (r = search_list(c, want->rpath, origin, want, name, requester, found)) != 0)
			return r;
		for (const struct chain *ch = up; ch; ch = ch->up)
			if (ch->rpath && (r = search_list(c, ch->rpath, ch->origin, want, name,
							  requester, found)) != 0)
				return r;
	} else if ((r = search_list(c, want->runpath, origin, want, name, requester, found)) != 0)
		return r;
	if (!c->ldconf_loaded) {
		c->ldconf_loaded = true;
		if ((r = ldconf_load_file(c, "/etc/ld.so.conf", 0)) < 0)
			return r;
	}
	for (size_t i = 0; i < c->n_ldconf; i++)
		if ((r = try_dir(c, c->ldconf_dirs[i], name, want, requester, found)) != 0)
			return r;
	const char *t = closure_multiarch(want->machine, want->is64);
	char defaults[512];
	snprintf(defaults, sizeof(defaults), "/lib/%s:/usr/lib/%s:%s/lib:/usr/lib", t ? t : "",
		 t ? t : "", want->is64 ? "/lib64:/usr/lib64:" : "");
	if ((r = search_list(c, defaults, "/", want, name, requester, found)) != 0)
		return r;
	return fail(c, -ENOENT,
		    "%s, needed by %s, not found (searched %s%s%s%sld.so.conf and the default "
		    "directories)",
		    name, requester, want->runpath ? "DT_RUNPATH " : "",
		    want->rpath && !want->runpath ? "DT_RPATH " : "",
		    want->runpath		    ? want->runpath
		    : want->rpath && !want->runpath ? want->rpath
						    : "",
		    want->runpath || want->rpath ? ", " : "");
}

int closure_find_library(struct closure *c, const char *name, const char *requester, char **found)
{
	struct mapped m;
	int r = map_file(c, requester, &m);
	if (r < 0 || !m.b)
		return r < 0 ? r : -ENOEXEC;
	struct elf_info e;
	const char *msg;
	r = elf_parse(m.b, m.len, &e, &msg);
	if (r == 0) {
		char origin[PATH_MAX];
		snprintf(origin, sizeof(origin), "%s", requester);
		*strrchr(origin, '/') = '\0';
		r = find_library(c, name, requester, &e, origin[0] ? origin : "/", NULL, found);
		r = r > 0 ? 0 : r;
		elf_info_free(&e);
	}
	unmap(&m);
	return r;
}

static int remember_loaded(struct closure *c, const char *name, const char *path)
{
	for (size_t i = 0; i < c->n_loaded; i++)
		if (streq(c->loaded_names[i], name))
			return 0;
	char **n = realloc(c->loaded_names, (c->n_loaded + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->loaded_names = n;
	char **p = realloc(c->loaded_paths, (c->n_loaded + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->loaded_paths = p;
	n[c->n_loaded] = strdup(name);
	p[c->n_loaded] = strdup(path);
	if (!n[c->n_loaded] || !p[c->n_loaded]) {
		free(n[c->n_loaded]);
		free(p[c->n_loaded]);
		return -ENOMEM;
	}
	c->n_loaded++;
	return 0;
}

static int add_elf(struct closure *c, const char *path, const struct mapped *m,
		   const struct chain *up)
{
	struct elf_info e;
	const char *msg;
	int r = elf_parse(m->b, m->len, &e, &msg);
	if (r < 0)
		return fail(c, r, "%s: %s", path, msg);
	char origin[PATH_MAX], why[PATH_MAX * 2];
	snprintf(origin, sizeof(origin), "%s", path);
	*strrchr(origin, '/') = '\0';
	if (!origin[0])
		strcpy(origin, "/");
	if (e.interp) {
		snprintf(why, sizeof(why), "PT_INTERP of %s", path);
		r = add_path(c, e.interp, why, NULL, false);
	}
	struct chain me = {e.rpath, origin, up};
	for (size_t i = 0; i < e.n_needed && r >= 0; i++) {
		char *found = NULL;
		r = find_library(c, e.needed[i], path, &e, origin, up, &found);
		if (r > 0 && (r = remember_loaded(c, e.needed[i], found)) == 0) {
			snprintf(why, sizeof(why), "needed by %s (DT_NEEDED %s)", path,
				 e.needed[i]);
			r = add_path(c, found, why, &me, false);
		}
		free(found);
	}
	elf_info_free(&e);
	return r < 0 ? r : 0;
}

static int add_tree(struct closure *c, const char *dir, const char *why, size_t *count)
{
	int fd = openat(c->rootfd, rel(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(c, -errno, "%s: %s (%s)", dir, strerror(errno), why);
	DIR *dh = fdopendir(fd);
	if (!dh) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(dh))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (++*count > DIR_FILES_MAX) {
			r = fail(c, -E2BIG, "%s: more than %d files", dir, DIR_FILES_MAX);
			break;
		}
		char p[PATH_MAX];
		if (path_printf(p, sizeof(p), "%s/%s", streq(dir, "/") ? "" : dir, de->d_name) < 0)
			continue;
		struct stat st;
		if (fstatat(c->rootfd, rel(p), &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = add_tree(c, p, why, count);
		else if (S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			/* programs inside bring what they need (a link inside is bound with the
			 * directory already) */
			struct mapped m;
			if (map_file(c, p, &m) == 0 && m.b) {
				if (m.len > 2 && m.b[0] == '#' && m.b[1] == '!')
					r = add_interp_script(c, p, &m);
				else if (elf_is_elf(m.b, m.len)) {
					struct elf_info e;
					const char *msg;
					/* only objects a loader maps; other ELF files are data */
					if (elf_parse(m.b, m.len, &e, &msg) == 0) {
						elf_info_free(&e);
						r = add_elf(c, p, &m, NULL);
					}
				}
				unmap(&m);
			}
		}
	}
	closedir(dh);
	return r;
}

static int add_path(struct closure *c, const char *path, const char *why, const struct chain *up,
		    bool optional)
{
	char real[PATH_MAX];
	struct stat st;
	int r = resolve(c, path, why, real);
	if (r < 0) {
		if (optional) {
			c->error[0] = '\0';
			return 0;
		}
		return r;
	}
	if (fstatat(c->rootfd, rel(real), &st, 0) < 0)
		return optional ? 0 : fail(c, -errno, "%s: %s (%s)", real, strerror(errno), why);
	if (!streq(real, path)) {
		struct closure_entry *alias;
		if ((r = add_entry(c, path, CLOSURE_LINK, real, why, true, &alias)) < 0)
			return r;
	}
	if (find(c, real)) {
		find(c, real)->bind = true;
		return 0; /* already there, with everything it needs */
	}
	if (S_ISDIR(st.st_mode)) {
		size_t count = 0;
		if ((r = add_entry(c, real, CLOSURE_DIR, NULL, why, true, NULL)) < 0)
			return r;
		return add_tree(c, real, why, &count);
	}
	if (!S_ISREG(st.st_mode))
		return fail(c, -EINVAL, "%s: not a regular file or directory (%s)", real, why);
	if ((r = add_entry(c, real, CLOSURE_FILE, NULL, why, true, NULL)) < 0)
		return r;
	struct mapped m;
	if ((r = map_file(c, real, &m)) < 0)
		return fail(c, r, "%s: %s (%s)", real, strerror(-r), why);
	if (m.b && m.len > 2 && m.b[0] == '#' && m.b[1] == '!' && (st.st_mode & 0111))
		r = add_interp_script(c, real, &m);
	else if (m.b && elf_is_elf(m.b, m.len)) {
		struct elf_info probe;
		const char *msg;
		int pr = elf_parse(m.b, m.len, &probe, &msg);
		if (pr == 0)
			elf_info_free(&probe);
		/* a relocatable object or core file is data; a broken one is an error */
		if (pr != -ENOEXEC)
			r = add_elf(c, real, &m, up);
	}
	unmap(&m);
	return r;
}

int closure_add(struct closure *c, const char *path, const char *why)
{
	return add_path(c, path, why, NULL, false);
}

int closure_add_optional(struct closure *c, const char *path, const char *why)
{
	int r = add_path(c, path, why, NULL, true);
	return r == -ENOMEM ? r : 0;
}
