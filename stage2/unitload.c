/* Unit file discovery inside a root; see unitload.h. */
#include "unitload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* systemd 252's system unit path without the control, transient, attached and generator
 * directories (Debian's split /lib/systemd/system included; a directory reached twice through
 * a /lib -> usr/lib link is read twice but names found first win, so it changes nothing). */
const char *const unitload_dirs[] = {
	"/etc/systemd/system",	   "/run/systemd/system", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
};
const size_t unitload_dirs_count = ARRAY_SIZE(unitload_dirs);

int unitload_read(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd =
		openat(rootfd, path[0] == '/' ? path + 1 : path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			int e = -errno;
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* A file that masks: a link to /dev/null, or empty. */
static bool is_mask(int rootfd, const char *path)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(rootfd, path + 1, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (streq(target, "/dev/null"))
			return true;
	}
	struct stat st;
	return fstatat(rootfd, path + 1, &st, 0) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

struct dropin {
	char *name, *path;
};

/* The directory at path (absolute) below rootfd, for readdir(); NULL when it cannot be opened
 * (absent, not a directory: the callers skip it). */
static DIR *opendir_at(int rootfd, const char *path)
{
	int fd = openat(rootfd, path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *dh = fdopendir(fd);
	if (!dh)
		close(fd);
	return dh;
}

static int cmp_dropin(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

/* systemd 252 (unit_file_find_dropin_paths) lists the drop-in directories unit directory by
 * unit directory, each with the unit's own name first, then its template, its dash prefixes
 * and service.d; a file name found in an earlier directory hides later ones of that name. So
 * /etc/systemd/system/foo@.service.d/x.conf hides /usr/lib/systemd/system/foo@a.service.d/x.conf.
 * dirnames: most specific last. */
static int collect_dropins(int rootfd, char dirnames[][NAME_MAX + 1], size_t nd, struct dropin **v,
			   size_t *n)
{
	for (size_t k = 0; k < unitload_dirs_count * nd; k++) {
		size_t d = k / nd;
		const char *dirname = dirnames[nd - 1 - k % nd];
		char dir[PATH_MAX];
		if (path_printf(dir, sizeof(dir), "%s/%s", unitload_dirs[d], dirname) < 0)
			return -ENAMETOOLONG;
		DIR *dh = opendir_at(rootfd, dir);
		if (!dh)
			continue;
		struct dirent *de;
		while ((de = readdir(dh))) {
			size_t l = strlen(de->d_name);
			if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
				continue;
			bool seen = false;
			for (size_t i = 0; i < *n && !seen; i++)
				seen = streq((*v)[i].name, de->d_name);
			if (seen)
				continue;
			struct dropin *nv = realloc(*v, (*n + 1) * sizeof(**v));
			if (!nv) {
				closedir(dh);
				return -ENOMEM;
			}
			*v = nv;
			char p[PATH_MAX];
			if (path_printf(p, sizeof(p), "%s/%s", dir, de->d_name) < 0) {
				closedir(dh);
				return -ENAMETOOLONG;
			}
			nv[*n].name = strdup(de->d_name);
			nv[*n].path = strdup(p);
			(*n)++;
		}
		closedir(dh);
	}
	return 0;
}

/* Drop-in directory names for unit name, lowest priority first as systemd 252 orders them:
 * service.d, then dash prefixes (a-.service.d, a-b-.service.d), the template, the name. */
static size_t dropin_dirnames(const char *name, char out[][NAME_MAX + 1], size_t max)
{
	size_t k = 0;
	const char *dot = strrchr(name, '.');
	if (!dot)
		return 0;
	snprintf(out[k++], NAME_MAX + 1, "%s.d", dot + 1);
	const char *at = strchr(name, '@');
	size_t stem = at ? (size_t)(at - name) : (size_t)(dot - name);
	/* an instance's prefixes keep the instance (a-b@i.service: a-@i.service.d/ and its
	 * template a-@.service.d/; a-.service.d/ comes through the template a-b@.service) */
	for (size_t i = 0; i < stem && k + 5 < max; i++)
		if (name[i] == '-' && i > 0) {
			snprintf(out[k++], NAME_MAX + 1, "%.*s-%s.d", (int)i, name, dot);
			if (at) {
				snprintf(out[k++], NAME_MAX + 1, "%.*s-@%s.d", (int)i, name, dot);
				if (at + 1 < dot)
					snprintf(out[k++], NAME_MAX + 1, "%.*s-@%.*s%s.d", (int)i,
						 name, (int)(dot - at - 1), at + 1, dot);
			}
		}
	if (at && at + 1 < dot)
		snprintf(out[k++], NAME_MAX + 1, "%.*s@%s.d", (int)(at - name), name, dot);
	snprintf(out[k++], NAME_MAX + 1, "%s.d", name);
	return k;
}

static int find_fragment(int rootfd, const char *name, char *path, size_t size)
{
	for (size_t d = 0; d < unitload_dirs_count; d++) {
		if (path_printf(path, size, "%s/%s", unitload_dirs[d], name) < 0)
			return -ENAMETOOLONG;
		struct stat st;
		if (fstatat(rootfd, path + 1, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return is_mask(rootfd, path) ? -ESHUTDOWN : 0;
	}
	return -ENOENT;
}

static int parse_file(int rootfd, const char *path, struct unit_conf *c)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = unitload_read(rootfd, path, 16 << 20, &text, &len);
	if (r < 0)
		return r;
	return unitfile_parse(c, path, text, len, "Service");
}

int unitload_service(int rootfd, const char *name, struct unit_conf *c, char **fragment)
{
	char path[PATH_MAX];
	int r = find_fragment(rootfd, name, path, sizeof(path));
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
	if (r == -ENOENT && at && dot && at + 1 < dot) {
		char tmpl[NAME_MAX + 1];
		snprintf(tmpl, sizeof(tmpl), "%.*s@%s", (int)(at - name), name, dot);
		r = find_fragment(rootfd, tmpl, path, sizeof(path));
	}
	if (r < 0)
		return r;
	r = parse_file(rootfd, path, c);
	if (r < 0)
		return r;
	*fragment = strdup(path);

	char dirs[64][NAME_MAX + 1];
	size_t nd = dropin_dirnames(name, dirs, 64);
	struct dropin *v = NULL;
	size_t n = 0;
	r = collect_dropins(rootfd, dirs, nd, &v, &n);
	if (r == 0) {
		qsort(v, n, sizeof(*v), cmp_dropin);
		for (size_t i = 0; i < n && r == 0; i++)
			if (!is_mask(rootfd, v[i].path))
				r = parse_file(rootfd, v[i].path, c);
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
	return r;
}

/* A link to a unit file of another name (dbus-org.freedesktop.foo.service -> foo.service) is
 * an alias: the unit is handled under its own name (systemd applies drop-ins of both). A link
 * to the same name elsewhere (a linked unit file) or to /dev/null (a mask) is not. */
static bool is_alias(int dirfd, const char *name)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	return !streq(target, "/dev/null") && !streq(base, name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int unitload_list_services(int rootfd, char ***names)
{
	char **v = NULL;
	size_t n = 0;
	for (size_t d = 0; d < unitload_dirs_count; d++) {
		DIR *dh = opendir_at(rootfd, unitload_dirs[d]);
		if (!dh)
			continue;
		struct dirent *de;
		while ((de = readdir(dh))) {
			char name[NAME_MAX + 1];
			size_t l = strlen(de->d_name);
			snprintf(name, sizeof(name), "%s", de->d_name);
			/* an instance with drop-ins of its own (foo@a.service.d/) is a unit of
			 * its own: its settings may differ from its template's */
			const char *at = strchr(name, '@');
			if (l > 10 && streq(name + l - 10, ".service.d") && at &&
			    at + 1 < name + l - 10) {
				name[l - 2] = '\0';
				l -= 2;
			} else if (de->d_name[0] == '.' || l < 9 ||
				   !streq(de->d_name + l - 8, ".service"))
				continue;
			else if (is_alias(dirfd(dh), de->d_name))
				continue;
			bool seen = false;
			for (size_t i = 0; i < n && !seen; i++)
				seen = streq(v[i], name);
			if (seen)
				continue;
			char **nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv || !(nv[n] = strdup(name))) {
				closedir(dh);
				unitload_names_free(nv ? nv : v, n);
				return -ENOMEM;
			}
			v = nv;
			n++;
		}
		closedir(dh);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	return (int)n;
}

void unitload_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
