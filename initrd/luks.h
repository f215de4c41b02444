/* LUKS unlocking with libcryptsetup: the volumes from /etc/crypttab and rd.luks.*. Driven by
 * stack.c, which alternates it with LVM activation until nothing new appears (LUKS on LVM). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct boot_config;
struct luks_run;

/* Reads the configuration (logging its diagnostics) and runs the hooks. *ret is NULL when
 * LUKS is off or no volume is configured. Returns 0, or a negative errno (logged). */
int luks_run_begin(const struct boot_config *bc, struct luks_run **ret);

/* Unlocks, in order, each pending volume whose device exists now (tolerating mappings that
 * are already open when they really are the same device). Returns how many were settled
 * (unlocked, or failed with nofail), or a negative errno when a volume without nofail could
 * not be unlocked (logged). run may be NULL. */
int luks_run_present(struct luks_run *run);

/* Gives up on pending volumes whose device timeout (theirs, else default_timeout_ms) has
 * passed after elapsed_ms: "device ... did not appear", with what was seen. Returns how many,
 * or -ETIMEDOUT when one has no nofail. */
int luks_run_expire(struct luks_run *run, uint64_t elapsed_ms, uint64_t default_timeout_ms);

/* The module context the modules LUKS needs are loaded with while a prompt waits (dm_mod,
 * dm_crypt, the cipher's crypto modules); without it the kernel asks for them at activation. */
struct modules;
void luks_run_set_modules(struct luks_run *run, struct modules *mods);

/* The device spec of the nth volume still pending, or NULL. */
const char *luks_run_pending(const struct luks_run *run, size_t nth);

/* True while a volume without nofail is pending. */
bool luks_run_required_pending(const struct luks_run *run);

/* Stops waiting for the pending nofail volumes (logged): once the root is there, a backup
 * disk that is not plugged in must not hold the boot (systemd does not order nofail volumes
 * before cryptsetup.target either). */
void luks_run_drop_nofail(struct luks_run *run);

/* Wipes the passphrases and frees. run may be NULL. */
void luks_run_end(struct luks_run *run);
