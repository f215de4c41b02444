#include "dropin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logind_conf.h"
#include "util.h"

/* mkdir + open of one component, never following a symlink planted below /run. */
static int subdir(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int dropin_write(int rootfd, const char *name, const char *text, size_t len)
{
	_cleanup_close_ int run = open_in_root(rootfd, "run", O_RDONLY | O_DIRECTORY);
	char tmp[300];

	if (run < 0)
		return run;
	_cleanup_close_ int sd = subdir(run, "systemd");
	if (sd < 0)
		return sd;
	_cleanup_close_ int dir = subdir(sd, "logind.conf.d");
	if (dir < 0)
		return dir;
	if (!text) {
		if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	/* A name logind ignores (no .conf suffix) until the rename. */
	int k = snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	if (k < 0 || (size_t)k >= sizeof(tmp))
		return -ENAMETOOLONG;
	_cleanup_close_ int fd =
		openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			unlinkat(dir, tmp, 0);
			return r;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || renameat(dir, tmp, dir, name) < 0) {
		int r = -errno;
		unlinkat(dir, tmp, 0);
		return r;
	}
	return 0;
}
