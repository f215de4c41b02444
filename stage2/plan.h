/* What stage 2 does with each default: apply it (nobody set the key) or leave the key alone
 * (someone did, at file:line), and the drop-in text that applies the former. Pure. */
#pragma once

#include <stddef.h>

#include "defaults.h"
#include "logind_conf.h"

/* In /run/systemd/logind.conf.d: volatile (recomputed every boot), below /etc in the
 * directory order (an administrator masks it with a same-named link to /dev/null in
 * /etc/systemd/logind.conf.d), and first in the name order, so every other drop-in is read
 * after it and wins if it sets the same key later. */
#define STAGE2_DROPIN_NAME "00-initkit-defaults.conf"

enum plan_verdict {
	PLAN_UNMANAGED,	 /* initkit has no default for this key */
	PLAN_APPLY,	 /* nobody set it: the default goes into the drop-in */
	PLAN_LEFT_ALONE, /* set by the administrator (or a vendor file): not touched */
	PLAN_OVERRIDDEN, /* our drop-in's name is taken by a higher-priority file */
	PLAN_UNREAD,	 /* logind stops reading before it reaches our drop-in */
};

struct plan {
	enum plan_verdict verdict[LOGIND_KEYS_MAX];
	size_t n_apply;
	size_t n_unread; /* defaults that cannot take effect: a failure, not a choice */
};

void plan_build(const struct stage2_defaults *d, const struct logind_conf *c, struct plan *p);
/* The drop-in text (only when n_apply > 0). Returns its length or -ENOBUFS. */
int plan_render(const struct stage2_defaults *d, const struct plan *p, char *buf, size_t size);
/* One report line for key i (not for PLAN_UNMANAGED). */
void plan_describe(const struct stage2_defaults *d, const struct logind_conf *c,
		   const struct plan *p, size_t i, char *buf, size_t size);
