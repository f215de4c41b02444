#include "initexec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "logind_conf.h"
#include "util.h"

int init_check(int rootfd, const char *path)
{
	struct stat st;

	if (!path || path[0] != '/')
		return -EINVAL;
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;
	if (!(st.st_mode & 0111))
		return -EACCES;
	return 0;
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
