#include "modclosure.h"

#include <errno.h>
#include <libkmod.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static int closure_has(const struct modclosure *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (streq(c->paths[i], path))
			return 1;
	return 0;
}

static int closure_push(struct modclosure *c, const char *path, const char *name)
{
	char **p = realloc(c->paths, (c->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->paths = p;
	char **q = realloc(c->names, (c->n + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	c->names = q;
	c->paths[c->n] = strdup(path);
	c->names[c->n] = strdup(name);
	if (!c->paths[c->n] || !c->names[c->n])
		return -ENOMEM;
	c->n++;
	return 0;
}

static int closure_add_lookup(struct modclosure *c, struct kmod_ctx *ctx, const char *name,
			      int depth);

static int closure_add_fw(struct modclosure *c, const char *fw, const char *module)
{
	for (size_t i = 0; i < c->n_fw; i++)
		if (streq(c->fw_names[i], fw))
			return 0;
	char **p = realloc(c->fw_names, (c->n_fw + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->fw_names = p;
	char **q = realloc(c->fw_modules, (c->n_fw + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	c->fw_modules = q;
	c->fw_names[c->n_fw] = strdup(fw);
	c->fw_modules[c->n_fw] = strdup(module);
	if (!c->fw_names[c->n_fw] || !c->fw_modules[c->n_fw])
		return -ENOMEM;
	c->n_fw++;
	return 0;
}

/* The module's MODULE_FIRMWARE() declarations (modinfo key "firmware"): the files
 * request_firmware() may ask for once the driver binds. */
static int closure_add_firmware(struct modclosure *c, struct kmod_module *mod)
{
	struct kmod_list *info = NULL, *l;
	int r = kmod_module_get_info(mod, &info);
	if (r < 0)
		return log_error_errno(r, "modules: cannot read the modinfo of %s: %m",
				       kmod_module_get_path(mod));
	r = 0;
	kmod_list_foreach(l, info)
	{
		if (r == 0 && streq(kmod_module_info_get_key(l), "firmware"))
			r = closure_add_fw(c, kmod_module_info_get_value(l),
					   kmod_module_get_name(mod));
	}
	kmod_module_info_free_list(info);
	return r;
}

/* Every MODULE_SOFTDEP() of the module (modinfo "softdep": "pre: a b post: c"). depmod writes
 * one modules.softdep line per declaration, but libkmod 30's kmod_module_get_softdeps() only
 * returns the first matching line: btrfs declares crc32c, xxhash64, sha256 and blake2b-256,
 * and only crc32c came along, so an xxhash-checksummed btrfs root could not be mounted. A
 * name that no module provides (built in, or an alias of nothing) is no error, as for
 * modprobe. */
static int closure_add_modinfo_softdeps(struct modclosure *c, struct kmod_ctx *ctx,
					struct kmod_module *mod, int depth)
{
	struct kmod_list *info = NULL, *l;
	int r = kmod_module_get_info(mod, &info);
	if (r < 0)
		return 0; /* the module itself is read later, with a message, if it is broken */
	r = 0;
	kmod_list_foreach(l, info)
	{
		if (r || !streq(kmod_module_info_get_key(l), "softdep"))
			continue;
		_cleanup_free_ char *v = strdup(kmod_module_info_get_value(l));
		char *save = NULL;
		if (!v)
			r = -ENOMEM;
		for (char *w = v ? strtok_r(v, " \t", &save) : NULL; w && !r;
		     w = strtok_r(NULL, " \t", &save)) {
			if (streq(w, "pre:") || streq(w, "post:"))
				continue;
			int k = closure_add_lookup(c, ctx, w, depth + 1);
			if (k != -ENOENT)
				r = k;
		}
	}
	kmod_module_info_free_list(info);
	return r;
}

static int closure_add_module(struct modclosure *c, struct kmod_ctx *ctx, struct kmod_module *mod,
			      int depth)
{
	const char *path = kmod_module_get_path(mod);
	int r = 0;
	if (!path || closure_has(c, path) || depth > 64)
		return 0; /* built in, or already there */
	/* Softdeps "pre" first, then hard dependencies, then the module, then "post": the
	 * order the boot loads them in does not matter (libkmod resolves it), but a stable
	 * order keeps the image reproducible. */
	struct kmod_list *pre = NULL, *post = NULL, *deps, *l;
	kmod_module_get_softdeps(mod, &pre, &post);
	kmod_list_foreach(l, pre) r =
		r
			?: closure_add_lookup(c, ctx,
					      kmod_module_get_name(kmod_module_get_module(l)),
					      depth + 1);
	deps = kmod_module_get_dependencies(mod);
	kmod_list_foreach(l, deps)
	{
		struct kmod_module *d = kmod_module_get_module(l);
		r = r ?: closure_add_module(c, ctx, d, depth + 1);
		kmod_module_unref(d);
	}
	kmod_module_unref_list(deps);
	r = r ?: closure_add_modinfo_softdeps(c, ctx, mod, depth);
	if (!r && !closure_has(c, path)) {
		r = closure_push(c, path, kmod_module_get_name(mod));
		r = r ?: closure_add_firmware(c, mod);
	}
	kmod_list_foreach(l, post) r =
		r
			?: closure_add_lookup(c, ctx,
					      kmod_module_get_name(kmod_module_get_module(l)),
					      depth + 1);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	return r;
}

static int closure_add_lookup(struct modclosure *c, struct kmod_ctx *ctx, const char *name,
			      int depth)
{
	struct kmod_list *list = NULL, *l;
	int r = kmod_module_new_from_lookup(ctx, name, &list);
	if (r < 0)
		return r;
	if (!list)
		return -ENOENT;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		r = r ?: closure_add_module(c, ctx, mod, depth);
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return r;
}

int modclosure_add(struct modclosure *c, const char *moddir, const char *const *config,
		   const char *const *names, size_t n_names, int required)
{
	/* kmod_new(.., NULL) would read the build host's /etc/modprobe.d, /run/modprobe.d and
	 * /lib/modprobe.d: an empty list reads none (modules.softdep, the modules' own softdeps,
	 * is still read from moddir). */
	static const char *const no_config[] = {NULL};
	struct kmod_ctx *ctx = kmod_new(moddir, config ? config : no_config);
	int r = 0;
	if (!ctx)
		return -ENOMEM;
	r = kmod_load_resources(ctx);
	if (r < 0) {
		kmod_unref(ctx);
		return log_error_errno(r, "modules: cannot read the indexes in %s: %m", moddir);
	}
	for (size_t i = 0; i < n_names && r >= 0; i++) {
		/* kmod's lookup treats a name and an alias alike; builtin modules match with no
		 * file, which is fine. */
		r = closure_add_lookup(c, ctx, names[i], 0);
		if (r == -ENOENT && !required)
			r = 0;
		else if (r == -ENOENT)
			log_error("modules: no module or alias named '%s' in %s", names[i], moddir);
	}
	kmod_unref(ctx);
	return r;
}

const char *modclosure_relpath(const char *path, const char *moddir)
{
	size_t mlen = strlen(moddir);
	while (mlen > 0 && moddir[mlen - 1] == '/')
		mlen--;
	/* Compare before looking at path[mlen]: a shorter path ends before it. */
	if (strncmp(path, moddir, mlen) != 0 || path[mlen] != '/')
		return NULL;
	path += mlen;
	while (*path == '/')
		path++;
	return *path ? path : NULL;
}

static bool same_module_name(const char *a, const char *b, size_t blen)
{
	size_t i = 0;
	for (; a[i] && i < blen; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return !a[i] && i == blen;
}

size_t modclosure_conf_commands(const struct modclosure *c, const char *text, size_t len,
				modclosure_conf_fn fn, void *userdata)
{
	static const char *const commands[] = {"options", "install", "remove", "softdep",
					       "blacklist"};
	const char *end = text + len;
	size_t found = 0;
	unsigned line = 0;
	for (const char *s = text; s < end;) {
		unsigned start = ++line;
		const char *e = s;
		/* a trailing backslash continues the command on the next line */
		for (;;) {
			const char *nl = memchr(e, '\n', (size_t)(end - e));
			if (!nl || nl == e || nl[-1] != '\\') {
				e = nl ? nl : end;
				break;
			}
			e = nl + 1;
			line++;
		}
		const char *p = s + strspn(s, " \t");
		size_t wlen = strcspn(p, " \t\n");
		const char *m = p + wlen;
		m += strspn(m, " \t\\\n");
		size_t mlen = strcspn(m, " \t\\\n");
		s = e + 1;
		if (p >= e || *p == '#' || m + mlen > e || mlen == 0)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(commands); k++) {
			if (strlen(commands[k]) != wlen || strncmp(p, commands[k], wlen) != 0)
				continue;
			for (size_t i = 0; i < c->n; i++)
				if (same_module_name(c->names[i], m, mlen)) {
					fn(start, commands[k], c->names[i], userdata);
					found++;
					break;
				}
		}
	}
	return found;
}

void modclosure_free(struct modclosure *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->paths[i]);
		free(c->names[i]);
	}
	for (size_t i = 0; i < c->n_fw; i++) {
		free(c->fw_names[i]);
		free(c->fw_modules[i]);
	}
	free(c->fw_names);
	free(c->fw_modules);
	free(c->paths);
	free(c->names);
	*c = (struct modclosure){0};
}
