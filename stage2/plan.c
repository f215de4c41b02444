#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void plan_build(const struct stage2_defaults *d, const struct logind_conf *c, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < logind_keys_count; i++) {
		if (!d->key[i].set)
			p->verdict[i] = PLAN_UNMANAGED;
		else if (c->origin[i].set)
			p->verdict[i] = PLAN_LEFT_ALONE;
		else if (c->own_overridden_by[0])
			p->verdict[i] = PLAN_OVERRIDDEN;
		else if (c->own_unread) {
			p->verdict[i] = PLAN_UNREAD;
			p->n_unread++;
		} else {
			p->verdict[i] = PLAN_APPLY;
			p->n_apply++;
		}
	}
}

int plan_render(const struct stage2_defaults *d, const struct plan *p, char *buf, size_t size)
{
	size_t len = 0;
	int k = snprintf(buf, size,
			 "# Written by initkit-stage2 at boot: logind defaults for keys that no\n"
			 "# logind.conf or logind.conf.d file sets. Keys set elsewhere are left\n"
			 "# alone. Mask this file with a link to /dev/null named\n"
			 "# /etc/systemd/logind.conf.d/" STAGE2_DROPIN_NAME ".\n"
			 "[Login]\n");
	if (k < 0 || (size_t)k >= size)
		return -ENOBUFS;
	len = (size_t)k;
	for (size_t i = 0; i < logind_keys_count; i++) {
		if (p->verdict[i] != PLAN_APPLY)
			continue;
		k = snprintf(buf + len, size - len, "# from %s\n%s=%s\n", d->key[i].source,
			     logind_keys[i].name, d->key[i].value);
		if (k < 0 || (size_t)k >= size - len)
			return -ENOBUFS;
		len += (size_t)k;
	}
	return (int)len;
}

void plan_describe(const struct stage2_defaults *d, const struct logind_conf *c,
		   const struct plan *p, size_t i, char *buf, size_t size)
{
	const char *name = logind_keys[i].name;
	const struct default_setting *s = &d->key[i];

	switch (p->verdict[i]) {
	case PLAN_APPLY:
		snprintf(buf, size, "applied %s=%s (%s)", name, s->value, s->source);
		break;
	case PLAN_LEFT_ALONE:
		snprintf(buf, size, "left alone %s: set by %s:%u (default %s from %s not applied)",
			 name, c->origin[i].path, c->origin[i].line, s->value, s->source);
		break;
	case PLAN_OVERRIDDEN:
		snprintf(buf, size, "not applied %s=%s (%s): %s replaces initkit's drop-in", name,
			 s->value, s->source, c->own_overridden_by);
		break;
	case PLAN_UNREAD:
		snprintf(buf, size,
			 "not applied %s=%s (%s): logind stops reading at %s, before initkit's "
			 "drop-in",
			 name, s->value, s->source, c->stopped_at);
		break;
	case PLAN_UNMANAGED:
		buf[0] = '\0';
		break;
	}
}
