/* The image builder's module closure, computed with libkmod against a kernel's modules
 * directory: the named modules (names or aliases), their dependencies and softdeps. */
#pragma once

#include <stddef.h>

struct modclosure {
	char **paths; /* absolute paths of the module files, in a stable order, no duplicates */
	char **names;
	size_t n;
};

/* moddir: /lib/modules/<kver> (with modules.dep.bin). Each of names is a module name or an
 * alias ("crypto-xts"); optional names may match nothing. Returns 0, -ENOENT for a required
 * name that matches nothing (logged, naming it), or another negative errno. */
int modclosure_add(struct modclosure *c, const char *moddir, const char *const *names,
		   size_t n_names, int required);
void modclosure_free(struct modclosure *c);
