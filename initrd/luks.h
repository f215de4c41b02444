/* LUKS unlocking with libcryptsetup: the volumes from /etc/crypttab and rd.luks.*. */
#pragma once

struct boot_config;
struct modules;
struct uevents;

/* Runs the hooks, then unlocks every configured volume (tolerating mappings that are already
 * open when they really are the same device). Returns 0, or a negative errno when a volume
 * without nofail could not be unlocked (already logged). */
int luks_unlock_all(const struct boot_config *bc, struct uevents *u, struct modules *m);
