#include "firmware.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { N_DIRS = 4 };

static void search_dir(char *buf, size_t size, unsigned i, const char *kver)
{
	static const char *const fmt[N_DIRS] = {"updates/%s/", "updates/", "%s/", ""};
	snprintf(buf, size, fmt[i], kver);
}

static bool name_is_safe(const char *name)
{
	if (!name[0])
		return false;
	for (const char *p = name; p; p = strchr(p, '/')) {
		p += *p == '/';
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == 0))
			return false;
	}
	return true;
}

static bool is_regular(int fwdir, const char *rel)
{
	struct stat st;
	return fstatat(fwdir, rel, &st, 0) == 0 && S_ISREG(st.st_mode);
}

static int files_add(struct firmware_files *f, const char *rel)
{
	for (size_t i = 0; i < f->n; i++)
		if (streq(f->rel[i], rel))
			return 0;
	char **p = realloc(f->rel, (f->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	f->rel = p;
	if (!(f->rel[f->n] = strdup(rel)))
		return -ENOMEM;
	f->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in fwdir/dir that matches pattern (its last component) + suffix, in
 * name order so the image stays reproducible. Returns the count or -ENOMEM. */
static int find_pattern(int fwdir, const char *dir, const char *pattern, const char *suffix,
			struct firmware_files *files)
{
	char sub[4096], glob[4096], rel[4096];
	const char *slash = strrchr(pattern, '/');
	const char *base = slash ? slash + 1 : pattern;
	int len = slash ? (int)(slash - pattern) + 1 : 0;
	if (path_printf(sub, sizeof(sub), "%s%.*s", dir, len, pattern) < 0 ||
	    path_printf(glob, sizeof(glob), "%s%s", base, suffix) < 0)
		return 0;
	int fd = openat(fwdir, sub[0] ? sub : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char **found = NULL;
	size_t n = 0;
	int r = 0;
	for (struct dirent *e; r == 0 && (e = readdir(d));) {
		char **p;
		if (fnmatch(glob, e->d_name, FNM_PERIOD) != 0 ||
		    path_printf(rel, sizeof(rel), "%s%s", sub, e->d_name) < 0 ||
		    !is_regular(fwdir, rel))
			continue;
		if (!(p = realloc(found, (n + 1) * sizeof(*p))) || !(p[n] = strdup(rel)))
			r = -ENOMEM;
		if (p)
			found = p;
		n += r == 0;
	}
	closedir(d);
	if (n)
		qsort(found, n, sizeof(*found), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (r == 0)
			r = files_add(files, found[i]);
		free(found[i]);
	}
	free(found);
	return r < 0 ? r : (int)n;
}

/* The value of "CONFIG_<key>=" in a .config, or NULL (unset, or "# ... is not set"). */
static const char *kconfig_value(const char *text, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (n > klen + 8 && memcmp(s, "CONFIG_", 7) == 0 && memcmp(s + 7, key, klen) == 0 &&
		    s[7 + klen] == '=') {
			*vlen = n - 8 - klen;
			return s + 8 + klen;
		}
		s += n + 1;
	}
	return NULL;
}

static bool kconfig_is_y(const char *text, size_t len, const char *key)
{
	size_t n;
	const char *v = kconfig_value(text, len, key, &n);
	return v && n == 1 && v[0] == 'y';
}

int firmware_forms_from_kconfig(const char *text, size_t len)
{
	size_t n;
	if (!kconfig_value(text, len, "FW_LOADER", &n) &&
	    !memmem(text, len, "# CONFIG_FW_LOADER is not set", 29))
		return -ENOENT;
	if (!kconfig_is_y(text, len, "FW_LOADER_COMPRESS"))
		return 0;
	int forms = (kconfig_is_y(text, len, "FW_LOADER_COMPRESS_ZSTD") ? FIRMWARE_ZST : 0) |
		    (kconfig_is_y(text, len, "FW_LOADER_COMPRESS_XZ") ? FIRMWARE_XZ : 0);
	/* Before 5.19 FW_LOADER_COMPRESS was xz and had no sub-options. */
	if (!memmem(text, len, "CONFIG_FW_LOADER_COMPRESS_", 26))
		forms = FIRMWARE_XZ;
	return forms;
}

int firmware_forms_parse(const char *list)
{
	if (streq(list, "none"))
		return 0;
	int forms = 0;
	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		if (n == 2 && strncmp(p, "xz", 2) == 0)
			forms |= FIRMWARE_XZ;
		else if (n == 3 && strncmp(p, "zst", 3) == 0)
			forms |= FIRMWARE_ZST;
		else
			return -EINVAL;
		if (!p[n])
			return forms;
		p += n + 1;
	}
}

void firmware_suffixes(int forms, const char *out[4])
{
	size_t n = 0;
	out[n++] = "";
	if (forms < 0) {
		out[n++] = ".xz";
		out[n++] = ".zst";
	} else {
		if (forms & FIRMWARE_ZST)
			out[n++] = ".zst";
		if (forms & FIRMWARE_XZ)
			out[n++] = ".xz";
	}
	out[n] = NULL;
}

int firmware_find(int fwdir, const char *name, const char *kver, const char *const *suffixes,
		  struct firmware_files *files)
{
	char dir[512], rel[4096];
	bool pattern = strpbrk(name, "*?[") != NULL;
	int found = 0;
	/* The loader builds "/lib/firmware/" "/NAME": an absolute name is below it too. */
	while (*name == '/')
		name++;
	if (!name_is_safe(name))
		return -EINVAL;
	for (size_t s = 0; suffixes[s]; s++) {
		for (unsigned i = 0; i < N_DIRS; i++) {
			search_dir(dir, sizeof(dir), i, kver);
			if (pattern) {
				int r = find_pattern(fwdir, dir, name, suffixes[s], files);
				if (r < 0)
					return r;
				found += r;
				continue;
			}
			if (path_printf(rel, sizeof(rel), "%s%s%s", dir, name, suffixes[s]) < 0 ||
			    !is_regular(fwdir, rel))
				continue;
			int r = files_add(files, rel);
			return r < 0 ? r : 1; /* the first file found is the one loaded */
		}
	}
	return found;
}

void firmware_files_free(struct firmware_files *files)
{
	for (size_t i = 0; i < files->n; i++)
		free(files->rel[i]);
	free(files->rel);
	*files = (struct firmware_files){0};
}
