/* Writing initkit's drop-in under /run/systemd/logind.conf.d of a root (the edge: syscalls). */
#pragma once

#include <stddef.h>

/* Atomically replaces run/systemd/logind.conf.d/name inside rootfd with text (creating the
 * directories), or removes a stale copy when text is NULL. Returns 0 or a negative errno. */
int dropin_write(int rootfd, const char *name, const char *text, size_t len);
