/* LUKS and LVM, alternated until nothing new appears; see stack.h. */
#include "stack.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bootconf.h"
#include "devices.h"
#include "log.h"
#include "luks.h"
#include "lvm.h"
#include "timeline.h"
#include "util.h"

#define MAX_LV_SPECS 64

static void announce(const struct luks_run *lr, const struct lvm_run *vr, const char *root,
		     uint64_t timeout_ms)
{
	const char *t = timeout_ms == BOOT_TIMEOUT_INFINITY ? "none" : "rd.timeout";
	const char *what = NULL;
	for (size_t i = 0; (what = luks_run_pending(lr, i)); i++)
		log_notice("waiting for LUKS device %s (timeout %s)", what, t);
	if (lvm_run_waiting(vr, &what))
		log_notice("waiting for the devices of %s (rd.lvm.*; timeout %s)", what, t);
	if (root)
		log_notice("waiting for root device %s (timeout %s)", root, t);
}

int stack_setup(const struct boot_config *bc, struct uevents *u, struct modules *m,
		uint64_t *idle_ms, char *why, size_t why_size)
{
	static const char luks_failed[] = "LUKS unlocking failed (see above)",
			  lvm_failed[] = "LVM activation failed (see above)";
	struct luks_run *lr = NULL;
	struct lvm_run *vr = NULL;
	const char *failed = luks_failed;
	bool announced = false;
	int r = luks_run_begin(bc, &lr);
	luks_run_set_modules(lr, m);
	/* after the hooks: a remote-unlock hook's wait for a person is no device's delay */
	uint64_t t0 = now_ms();
	if (r < 0)
		goto out;
	const char *specs[MAX_LV_SPECS];
	size_t n_specs = 0;
	while (n_specs < MAX_LV_SPECS && (specs[n_specs] = luks_run_pending(lr, n_specs)))
		n_specs++;
	failed = lvm_failed;
	if ((r = lvm_run_begin(bc, specs, n_specs, &vr)) < 0)
		goto out;
	for (;;) {
		failed = luks_failed;
		int k = luks_run_present(lr);
		if ((r = k) < 0)
			goto out;
		failed = lvm_failed;
		int a = lvm_run_step(vr);
		if ((r = a) < 0)
			goto out;
		if (k > 0 || a > 0) {
			/* something new: look again before waiting; time typing a passphrase
			 * is no device's delay, so timeouts count from here */
			t0 = now_ms();
			continue;
		}
		_cleanup_free_ char *rootdev = NULL;
		/* only LVM (which may make root=) and pending LUKS volumes ask whether root= is
		 * there: without them the root wait looks, and a probe of every block device here
		 * would be a second one (64 disks: ~0.2 s under TCG) */
		bool root_there = bc->root && (vr || luks_run_pending(lr, 0)) &&
				  device_resolve(bc->root, &rootdev) == 0;
		/* a btrfs root is "there" with its first member: its other members (LUKS volumes,
		 * nofail or not) are still waited for (btrfs.c then waits until all are in) */
		_cleanup_free_ char *root_type =
			root_there && luks_run_pending(lr, 0) ? device_probe_type(rootdev) : NULL;
		if (root_there && !(root_type && streq(root_type, "btrfs")))
			luks_run_drop_nofail(lr);
		/* what holds the boot: a LUKS volume; while root= is missing, a VG or LV named
		 * with rd.lvm.* and — when LVM may make it — root= itself */
		bool root_missing = vr && bc->root && !root_there;
		bool lvm_waiting = !root_there && lvm_run_waiting(vr, NULL);
		if (!luks_run_pending(lr, 0) && !lvm_waiting && !root_missing)
			break;
		uint64_t elapsed = now_ms() - t0;
		failed = luks_failed;
		if ((r = k = luks_run_expire(lr, elapsed, bc->timeout_ms)) < 0)
			goto out;
		if (k > 0)
			continue; /* given up (nofail): no reason to wait longer for the others */
		if (!luks_run_pending(lr, 0) && bc->timeout_ms != BOOT_TIMEOUT_INFINITY &&
		    elapsed >= bc->timeout_ms)
			break; /* lvm_run_end() and the root wait report what is missing */
		if (!announced && elapsed >= 1000) {
			announce(lr, lvm_waiting ? vr : NULL, root_missing ? bc->root : NULL,
				 bc->timeout_ms);
			announced = true;
		}
		uint64_t left = bc->timeout_ms == BOOT_TIMEOUT_INFINITY || elapsed >= bc->timeout_ms
					? 500
					: bc->timeout_ms - elapsed;
		int tl = timeline_begin_again(TIMELINE_WAIT, "luks/lvm devices",
					      luks_run_pending(lr, 0));
		device_wait_event(u, m, left);
		timeline_end(tl);
	}
	failed = lvm_failed;
	r = lvm_run_end(vr);
	vr = NULL;
out:
	lvm_run_end(vr);
	luks_run_end(lr);
	if (r < 0)
		snprintf(why, why_size, "%s", failed);
	*idle_ms = now_ms() - t0;
	return r < 0 ? r : 0;
}
