/* The storage stack under the root: LUKS unlocking and LVM activation, alternated until
 * nothing new appears, so that LVM on LUKS (Debian's installer), LUKS on an LV, and deeper
 * stacks (LUKS on LVM on LUKS) all come up in one pass of the boot. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct boot_config;
struct modules;
struct uevents;

/* Runs the hooks, then unlocks every LUKS volume whose device exists and activates the VGs
 * and LVs wanted (lvm.h), again and again while something new appears; then waits (for new
 * devices, up to each volume's timeout or rd.timeout, counted from the last unlock or
 * activation) while a LUKS volume, a VG or LV named
 * with rd.lvm.*, or — when the image has lvm — root= is still missing. Returns 0, or a
 * negative errno with why set ("LUKS unlocking failed (see above)") when the boot must stop.
 * *idle_ms: how long it waited after the last unlock or activation (the root wait that
 * follows takes it off rd.timeout). */
int stack_setup(const struct boot_config *bc, struct uevents *u, struct modules *m,
		uint64_t *idle_ms, char *why, size_t why_size);
