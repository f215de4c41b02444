/* What a service asks for with initkit's X-Initkit-* keys in [Service], checked, and the
 * drop-in that gives it that shape on systemd 252. Pure: reads a unit_conf, a closure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "closure.h"
#include "unitfile.h"

enum confine_mode { CONFINE_NONE, CONFINE_FULL_APIVFS, CONFINE_CHROOT_ONLY };
enum harden_profile { HARDEN_NONE, HARDEN_STRICT, HARDEN_STRICT_OFFLINE };
enum { PRESET_NSS = 1, PRESET_DNS = 2, PRESET_TLS = 4 };

#define CONFINE_DROPIN_NAME "50-initkit-confine.conf"
#define CONFINE_ROOT_PARENT "/run/initkit/confine"

struct confine_request {
	enum confine_mode mode;
	enum harden_profile harden;
	char *binsh; /* NULL: no shell; default "/bin/sh" */
	char **paths, **creds, **execs;
	size_t n_paths, n_creds, n_execs;
	unsigned presets;
};

void confine_request_free(struct confine_request *r);

/* Reads and checks the X-Initkit-* keys of a unit. Returns 1 when the unit asks for something,
 * 0 when not, -EINVAL when a value is malformed or the unit cannot be confined: err then holds
 * one line naming file, line, key and value (the unit must be left unchanged). */
int confine_read(const struct unit_conf *c, struct confine_request *r, char *err, size_t size);

/* Adds everything the request needs to the closure: the executables of ExecStart= & co
 * (a bare name looked up in systemd's fixed PATH), the shell, X-Initkit-ConfinePaths=, the
 * presets, /etc/ld.so.cache. -errno with cl->error set. */
int confine_closure(const struct confine_request *r, struct closure *cl);

/* Writes the drop-in text. Settings of the mode and the hardening profile are written only
 * for keys nobody set in the unit (the administrator wins); the root, its binds and the
 * credentials always. */
int confine_dropin(const struct confine_request *r, const struct unit_conf *c,
		   const struct closure *cl, const char *unit, const char *fragment, FILE *out);

/* The names of the presets and what each adds (for --help and the README). */
extern const char *const confine_preset_help;
