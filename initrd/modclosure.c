#include "modclosure.h"

#include <errno.h>
#include <libkmod.h>
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
	if (!r && !closure_has(c, path))
		r = closure_push(c, path, kmod_module_get_name(mod));
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

int modclosure_add(struct modclosure *c, const char *moddir, const char *const *names,
		   size_t n_names, int required)
{
	struct kmod_ctx *ctx = kmod_new(moddir, NULL);
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

void modclosure_free(struct modclosure *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->paths[i]);
		free(c->names[i]);
	}
	free(c->paths);
	free(c->names);
	*c = (struct modclosure){0};
}
