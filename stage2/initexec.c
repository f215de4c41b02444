#include "initexec.h"

#include <errno.h>

#include <stdio.h>
#include <string.h>

#include "../initrd/initcheck.h"
#include "cmdline.h"
#include "util.h"

int init_check(int rootfd, const char *path, char *why, size_t why_size)
{
	struct initcheck_result res = {0};
	int r;

	if (!path || path[0] != '/') {
		snprintf(why, why_size, "init %s: not an absolute path", path ? path : "(null)");
		return -EINVAL;
	}
	r = initcheck_judge(rootfd, path, &res);
	/* As stage 1 does: a dynamic init whose libraries are missing would pass execve() and
	 * die at once, taking PID 1 (and the machine) with it. */
	if (r == 0)
		r = initcheck_libraries(rootfd, &res);
	if (r < 0) {
		initcheck_result_free(&res);
		snprintf(why, why_size, "init %s: %s", path, strerror(-r));
		return r;
	}
	(void)initcheck_describe(&res, why, why_size);
	switch (res.verdict) {
	case INITCHECK_OK:
		r = 0;
		break;
	case INITCHECK_MISSING:
	case INITCHECK_DANGLING:
		r = -ENOENT;
		break;
	case INITCHECK_LOOP:
		r = -ELOOP;
		break;
	case INITCHECK_NOT_REGULAR:
		r = -ENOEXEC;
		break;
	case INITCHECK_NOT_EXECUTABLE:
		r = -EACCES;
		break;
	case INITCHECK_ERROR:
		r = res.error < 0 ? res.error : -EIO;
		break;
	default: /* what execve() would refuse (format, architecture, interpreter) */
		r = -ENOEXEC;
		break;
	}
	initcheck_result_free(&res);
	return r;
}

static size_t add_unique(const char *out[], size_t n, const char *p)
{
	if (!p || !*p || n >= INIT_CANDIDATES_MAX)
		return n;
	for (size_t i = 0; i < n; i++)
		if (streq(out[i], p))
			return n;
	out[n] = p;
	return n + 1;
}

size_t init_candidates(const char *from_args, const char *from_cmdline,
		       const char *out[INIT_CANDIDATES_MAX])
{
	static const char *const defaults[] = INIT_DEFAULTS;
	size_t n = add_unique(out, 0, from_args ? from_args : from_cmdline);
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		n = add_unique(out, n, defaults[i]);
	return n;
}

void handover_plan(int argc, char **argv, const char *from_cmdline, struct handover *h)
{
	bool init_in_args = argc > 1 && argv[1] && argv[1][0] == '/';
	int skip = argc > 0 ? (init_in_args ? 2 : 1) : 0;

	h->n_cand = init_candidates(init_in_args ? argv[1] : NULL, from_cmdline, h->cand);
	h->args = argv + skip;
	h->n_args = argc - skip;
}

static const char *const fallback_names[] = {
	[HANDOVER_WAIT] = "wait",
	[HANDOVER_REBOOT] = "reboot",
	[HANDOVER_POWEROFF] = "poweroff",
	[HANDOVER_HALT] = "halt",
};

/* 1 and the action when key is given with a known value, 0 when not given, -EINVAL when the
 * value is not one of ours. */
static int fallback_from(const char *cmdline, const char *key, enum handover_fallback *ret,
			 char *value, size_t size)
{
	int r = cmdline_get(cmdline, key, value, size);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(fallback_names); i++)
		if (streq(value, fallback_names[i])) {
			*ret = (enum handover_fallback)i;
			return 1;
		}
	return -EINVAL;
}

void handover_failed(size_t tried, const char *cmdline, struct handover_failure *f)
{
	static const char *const keys[] = {HANDOVER_EMERGENCY_KEY, "rd.emergency"};
	static const char *const doing[] = {
		[HANDOVER_REBOOT] = "rebooting",
		[HANDOVER_POWEROFF] = "powering off",
		[HANDOVER_HALT] = "halting",
	};
	const char *key = NULL;
	char value[64];

	f->action = HANDOVER_WAIT;
	f->warning[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys) && !key; i++) {
		int r = fallback_from(cmdline ? cmdline : "", keys[i], &f->action, value,
				      sizeof(value));
		if (r > 0)
			key = keys[i];
		else if (r < 0 && !f->warning[0])
			snprintf(f->warning, sizeof(f->warning),
				 "kernel command line: %s=%s: not one of wait, reboot, poweroff, "
				 "halt (ignored)",
				 keys[i], r == -EINVAL ? value : "(too long)");
	}
	if (f->action == HANDOVER_WAIT && key)
		snprintf(f->message, sizeof(f->message),
			 "no init could be executed (tried %zu); %s=wait: waiting forever (exiting "
			 "would make the kernel panic)",
			 tried, key);
	else if (f->action == HANDOVER_WAIT)
		snprintf(f->message, sizeof(f->message),
			 "no init could be executed (tried %zu); waiting forever (exiting would "
			 "make "
			 "the kernel panic; set " HANDOVER_EMERGENCY_KEY
			 "=reboot|poweroff|halt to change this)",
			 tried);
	else
		snprintf(f->message, sizeof(f->message),
			 "no init could be executed (tried %zu); %s=%s: %s", tried, key,
			 fallback_names[f->action], doing[f->action]);
}
