/* File and process I/O for kconfig-merge (see io.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "util.h"

int io_read_file(int dirfd, const char *path, char **data, size_t *len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n + 1 >= cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int io_write_file(const char *path, const char *data, size_t len)
{
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			unlink(tmp);
			return e;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		int e = -errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

int io_load_tree(const char *srcdir, const char *arch, struct ktree *t)
{
	_cleanup_close_ int dfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return log_error_errno(-errno, "%s: %m", srcdir);
	/* A stack of files still to read; sources are pushed in reverse to keep file order. */
	char **todo = malloc(sizeof(*todo));
	size_t n_todo = 0;
	if (!todo || !(todo[n_todo++] = strdup("Kconfig")))
		return -ENOMEM;
	int r = 0;
	while (n_todo && r >= 0) {
		_cleanup_free_ char *path = todo[--n_todo];
		_cleanup_free_ char *data = NULL;
		size_t len;
		r = io_read_file(dfd, path, &data, &len);
		if (r < 0) {
			log_warning("%s/%s: %s", srcdir, path, strerror(-r));
			r = 0;
			continue;
		}
		const char *name = ktree_intern_file(t, path);
		char **src = NULL;
		size_t n_src = 0;
		if (!name)
			r = -ENOMEM;
		else
			r = ktree_parse(t, name, data, len, arch, &src, &n_src);
		char **v = r < 0 ? NULL : realloc(todo, (n_todo + n_src + 1) * sizeof(*v));
		if (v)
			todo = v;
		else
			r = -ENOMEM;
		for (size_t i = n_src; i-- > 0;) {
			if (r >= 0)
				todo[n_todo++] = src[i];
			else
				free(src[i]);
		}
		free(src);
	}
	while (n_todo)
		free(todo[--n_todo]);
	free(todo);
	return r;
}

int io_run(char *const argv[], int out_fd)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (out_fd >= 0)
			dup2(out_fd, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "kconfig-merge: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
