/* The image builder's module closure, computed with libkmod against a kernel's modules
 * directory and an explicit modprobe.d configuration: the named modules (names or aliases),
 * their dependencies and softdeps, and the firmware files they declare. */
#pragma once

#include <stddef.h>

struct modclosure {
	char **paths; /* absolute paths of the module files, in a stable order, no duplicates */
	char **names;
	size_t n;
	/* every `firmware` modinfo entry of the modules above, in module order, no
	   duplicates; fw_modules[i] names the (first) module that declared fw_names[i] */
	char **fw_names;
	char **fw_modules;
	size_t n_fw;
};

/* moddir: /lib/modules/<kver> (with modules.dep.bin). config: the modprobe.d files (softdep,
 * alias, options, ...) to use, NULL-terminated; NULL or empty means none -- never the build
 * host's /etc/modprobe.d, which would make the closure depend on the host. Each of names is a
 * module name or an alias ("crypto-xts"); optional names may match nothing. Returns 0,
 * -ENOENT for a required name that matches nothing (logged, naming it), or another negative
 * errno. */
int modclosure_add(struct modclosure *c, const char *moddir, const char *const *config,
		   const char *const *names, size_t n_names, int required);
/* Where a module file goes below /lib/modules/<kver> in the image: its path relative to
 * moddir when path lies inside moddir (a whole-component prefix), else NULL. Pure. */
const char *modclosure_relpath(const char *path, const char *moddir);
/* The modprobe.d commands in text (one file's contents) that name a module of the closure:
 * options, install, remove, softdep and blacklist, with module names compared the way libkmod
 * does ('-' as '_'), lines joined at a trailing backslash as libkmod does. fn gets the 1-based
 * line the command starts on, the command word and the closure's module name. Pure; returns
 * the number of commands reported. text[len] must be 0 (as read_file() leaves it). */
typedef void (*modclosure_conf_fn)(unsigned line, const char *command, const char *module,
				   void *userdata);
size_t modclosure_conf_commands(const struct modclosure *c, const char *text, size_t len,
				modclosure_conf_fn fn, void *userdata);
void modclosure_free(struct modclosure *c);
