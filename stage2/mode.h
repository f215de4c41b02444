/* Which of its three ways in initkit-stage2 was started in (see main.c), decided from what
 * the process sees: its PID, its arguments, its environment. Pure. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

enum stage2_mode {
	STAGE2_PID1,	  /* right after switch_root: apply, then exec the real init */
	STAGE2_GENERATOR, /* systemd runs it with 1 or 3 absolute output directories */
	STAGE2_CLI,	  /* --root DIR [--dry-run] ... */
};

/* systemd_scope: $SYSTEMD_SCOPE (set for generators since systemd 251), or NULL. A generator
 * is recognised by 1 or 3 absolute-path arguments plus $SYSTEMD_SCOPE or "generator" in the
 * program name (the link in system-generators/). */
enum stage2_mode stage2_mode(pid_t pid, int argc, char *const *argv, const char *systemd_scope);

/* A generator in the initrd has nothing to do (the real root's configuration is not there;
 * the generator runs again after the switch): $SYSTEMD_IN_INITRD as a boolean, or, when that
 * is unset or malformed, an /etc/initrd-release. */
bool stage2_generator_in_initrd(const char *systemd_in_initrd, bool initrd_release_exists);
