#include "initexec.h"

#include <errno.h>

#include <stdio.h>
#include <string.h>

#include "../initrd/initcheck.h"
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
	if (r < 0) {
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
