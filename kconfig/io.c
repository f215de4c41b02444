/* File and process I/O for kconfig-merge (see io.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "kconfig_cache.h"
#include "log.h"
#include "util.h"

int io_read_file(int dirfd, const char *path, char **data, size_t *len)
{
	struct stat st;
	return io_read_file_stat(dirfd, path, data, len, &st);
}

/* Reads the open fd (whose stat is st) whole. */
static int read_fd(int fd, const struct stat *stp, char **data, size_t *len)
{
	struct stat st = *stp;
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

int io_read_file_stat(int dirfd, const char *path, char **data, size_t *len, struct stat *stp)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, stp) < 0)
		return -errno;
	return read_fd(fd, stp, data, len);
}

/* The rename below replaces whatever path names: a symlink would become a regular file (its
 * target untouched) and, as root, `-o /dev/full` would turn the device into a file. Only a
 * regular file (or nothing) may be replaced; anything else is refused, naming what it is. */
static int check_output_target(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : log_error_errno(-errno, "%s: %m", path);
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		log_error(
			"refusing to write %s: it is a symbolic link (to %s) and would be replaced "
			"by a regular file; name the file itself",
			path, n < 0 ? "?" : target);
		return -ELOOP;
	}
	log_error("refusing to write %s: it is %s, not a regular file", path,
		  file_kind(st.st_mode));
	return -EEXIST;
}

/* After the rename, the directory entry must reach the disk too, or a power cut can leave the
 * old file (or none) under the name. */
static int fsync_parent(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	_cleanup_close_ int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* Some filesystems cannot sync a directory (EINVAL): nothing more can be done there. */
	return fsync(dfd) < 0 && errno != EINVAL ? -errno : 0;
}

int io_write_file(const char *path, const char *data, size_t len)
{
	int r = check_output_target(path);
	if (r < 0)
		return r;
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return log_error_errno(-ENOMEM, "%s: %m", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "%s: %m", tmp);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = log_error_errno(-errno, "%s: %m", tmp);
			close(fd);
			unlink(tmp);
			return r;
		}
		off += (size_t)w;
	}
	/* The data reaches the disk before the name does: after a power cut the name holds the
	 * old file or the whole new one, never an empty one (ext4's auto_da_alloc is not
	 * everywhere: vfat, XFS). */
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		r = log_error_errno(-errno, "%s: %m", tmp);
		close(fd);
		unlink(tmp);
		return r;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		r = log_error_errno(-errno, "%s: %m", path);
		unlink(tmp);
		return r;
	}
	r = fsync_parent(path);
	if (r < 0)
		return log_error_errno(r, "%s: written, but syncing its directory failed: %m",
				       path);
	return 0;
}

int io_write_stdout(const char *data, size_t len)
{
	errno = 0;
	if (fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	int r = errno ? -errno : -EIO;
	/* Reported once, by the caller: what is left in the buffer must not fail again at exit. */
	__fpurge(stdout);
	clearerr(stdout);
	return r;
}

int io_close_stdout(void)
{
	errno = 0;
	bool failed = ferror(stdout), pending = __fpending(stdout) != 0;
	if (fclose(stdout) == 0 && !failed)
		return 0;
	/* As gnulib's close_stdout: a stdout closed by the caller (>&-) that nothing was written
	 * to is no error. */
	if (!failed && !pending && errno == EBADF)
		return 0;
	return errno ? -errno : -EIO;
}

int io_mkdir_parents(const char *path, mode_t mode)
{
	if (!*path)
		return -ENOENT;
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	/* Each prefix ending before a '/' (the leading one skipped), then the whole path. */
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char end = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		if (!end)
			break;
		*s = end;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static void stamp_of(const struct stat *st, struct kcache_stamp *s)
{
	*s = (struct kcache_stamp){(uint64_t)st->st_dev,	  (uint64_t)st->st_ino,
				   (uint64_t)st->st_size,	  (uint64_t)st->st_mtim.tv_sec,
				   (uint64_t)st->st_mtim.tv_nsec, (uint64_t)st->st_ctim.tv_sec,
				   (uint64_t)st->st_ctim.tv_nsec};
}

/* Whether one file of the key is as it was: same stamps, or still absent. */
static bool file_fresh(int dfd, const struct kcache_file *f)
{
	struct stat st;
	struct kcache_stamp now;
	if (fstatat(dfd, f->path, &st, 0) < 0)
		return !f->present && errno == ENOENT;
	stamp_of(&st, &now);
	return f->present && memcmp(&now, &f->st, sizeof(now)) == 0;
}

/* A check of a cached tree's files (its key): every thread taking part takes the next chunk of
 * files until none is left or one is found changed. */
struct io_tree_check {
	int dfd;
	struct kcache_key key;
	atomic_size_t next; /* the next chunk's first file */
	atomic_bool stale;
	pthread_t helper;
	bool threaded;
};

#define FRESH_CHUNK 64

static void *fresh_worker(void *arg)
{
	struct io_tree_check *fc = arg;
	while (!atomic_load_explicit(&fc->stale, memory_order_relaxed)) {
		size_t i = atomic_fetch_add(&fc->next, FRESH_CHUNK), n = fc->key.n_files;
		if (i >= n)
			break;
		for (size_t end = i + FRESH_CHUNK < n ? i + FRESH_CHUNK : n; i < end; i++)
			if (!file_fresh(fc->dfd, &fc->key.files[i])) {
				atomic_store(&fc->stale, true);
				break;
			}
	}
	return NULL;
}

/* Starts checking key's files (taken over, like dfd) in a second thread; NULL: out of memory. */
static struct io_tree_check *check_start(int dfd, struct kcache_key *key)
{
	struct io_tree_check *fc = calloc(1, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->dfd = dfd;
	fc->key = *key;
	memset(key, 0, sizeof(*key));
	atomic_init(&fc->next, 0);
	atomic_init(&fc->stale, false);
	pthread_attr_t attr;
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1 && pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, 64 << 10);
		fc->threaded = pthread_create(&fc->helper, &attr, fresh_worker, fc) == 0;
		pthread_attr_destroy(&attr);
	}
	return fc;
}

bool io_tree_check_finish(struct io_tree_check *fc)
{
	fresh_worker(fc); /* what the helper has not taken yet */
	if (fc->threaded)
		pthread_join(fc->helper, NULL);
	bool fresh = !atomic_load(&fc->stale);
	close(fc->dfd);
	kcache_key_free(&fc->key);
	free(fc);
	return fresh;
}

/* What the parse depends on besides the files: the SRCARCH, and the parser itself, by the
 * stamps of this very executable (an upgraded or rebuilt kconfig-merge, whose parser may read
 * the same files differently, does not trust the trees an older one cached). NULL (no cache)
 * when the executable cannot be stat'ed (no /proc). */
static char *cache_ident(const char *arch)
{
	struct stat st;
	char *s = NULL;
	if (stat("/proc/self/exe", &st) < 0 ||
	    asprintf(&s, "%s exe %llx:%llx:%llx:%lld.%09ld:%lld.%09ld", arch,
		     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		     (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
		     st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec) < 0)
		return NULL;
	return s;
}

/* DIR/tree-HASH-SRCARCH.kct: one cache per tree (by real path) and architecture. */
static char *cache_path(const char *dir, const char *tree, const char *arch)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = tree; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	char *path = NULL;
	if (asprintf(&path, "%s/tree-%016llx-%s.kct", dir, (unsigned long long)h, arch) < 0)
		return NULL;
	return path;
}

/* The cache file mapped last (cache_load): kept open for its read lease until the process
 * ends. One at a time: the tree of an earlier one is freed (unmapped) before another is loaded. */
static int lease_fd = -1;

static void lease_broken(int sig)
{
	(void)sig; /* the lease is held until the run ends (or the kernel's lease-break-time) */
}

/* Takes a read lease on fd (this user's cache, read-only): until it is closed, another
 * process's open for writing or truncate of the file waits (lease-break-time, 45 s by
 * default). The breaker's SIGIO is caught, not fatal (its default action), and harmless. */
static bool cache_lease(int fd)
{
	struct sigaction sa = {.sa_handler = lease_broken, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGIO, &sa, NULL) < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) < 0)
		return false;
	if (lease_fd >= 0)
		close(lease_fd);
	lease_fd = -1;
	return true;
}

/* The cache is an optimisation: failing to read or write it is never an error. Its files are
 * all stat'ed (a file edited in place keeps its directory's mtime: nothing less is proof), the
 * ~1,400 stats of a kernel tree being most of a cached run: with pending, in a second thread
 * while the caller goes on (io_tree_check_finish), else here, by this thread and a second one. */
static bool cache_load(const char *path, const char *tree, const char *ident, int dfd,
		       struct ktree *t, struct io_tree_check **pending)
{
	struct stat st;
	/* Trusted only when it is a regular file of this user that no one else can write: a
	 * cache written by someone else (a shared or world-writable cache directory, another
	 * user's $XDG_CACHE_HOME) could claim any symbols, types and dependencies, and a FIFO or
	 * a device there would block or never end. Nor a symlink (a cache is only ever renamed into
	 * place): in a directory others can write (XDG_CACHE_HOME=/tmp), it could point at any
	 * file of this user's, a huge one mapped and read in full. */
	_cleanup_close_ int fd =
		open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size <= 0)
		return false;
	/* Mapped, not read: no copy, and the page cache's pages are mapped 16 at a time instead
	 * of a fresh heap page faulted in for every 4 KB. A cache replaced meanwhile is renamed
	 * over, never written in place (cache_store); but a file truncated or rewritten in place
	 * while mapped (cp over it, a backup restored, rsync --inplace) would kill this run with
	 * SIGBUS, the mapping being used until the end: it is mapped only under a read lease,
	 * which holds such a writer off until the run ends (cache_lease); else read. */
	size_t len = (size_t)st.st_size;
	struct stat leased; /* the size again: it may have changed before the lease was taken */
	char *data = cache_lease(fd) && fstat(fd, &leased) == 0 && leased.st_size == st.st_size
			     ? mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
			     : MAP_FAILED;
	size_t map_len = data != MAP_FAILED ? len : 0;
	if (!map_len) {
		data = NULL;
		if (read_fd(fd, &st, &data, &len) < 0)
			return false;
	}
	struct kcache_key key = {0};
	if (kcache_read(data, len, &key, t) < 0) {
		if (map_len)
			munmap(data, map_len);
		else
			free(data);
		return false;
	}
	if (map_len) { /* kept open (and leased) while mapped */
		lease_fd = fd;
		fd = -1;
	}
	t->arena_map_len = map_len; /* t's arena now */
	bool ok = streq(key.tree, tree) && streq(key.srcarch, ident);
	int dfd2 = ok ? fcntl(dfd, F_DUPFD_CLOEXEC, 0) : -1;
	struct io_tree_check *fc = dfd2 >= 0 ? check_start(dfd2, &key) : NULL;
	if (!fc && dfd2 >= 0)
		close(dfd2);
	kcache_key_free(&key);
	if (fc && pending)
		*pending = fc;
	else if (fc)
		ok = io_tree_check_finish(fc);
	else
		ok = false;
	if (!ok) {
		ktree_free(t);
		ktree_init(t);
		if (map_len) {
			close(lease_fd);
			lease_fd = -1;
		}
	}
	/* Its mtime says when it was last used (for cache_prune), refreshed once a day. The
	 * check of a pending tree may still find it stale; then it is rewritten anyway. */
	if (ok && st.st_mtime < time(NULL) - KCACHE_TOUCH_SECONDS)
		futimens(map_len ? lease_fd : fd, NULL);
	return ok;
}

/* Deletes this user's cache files unused for KCACHE_MAX_AGE_DAYS and all but the
 * KCACHE_MAX_FILES most recently used, and temporary files older than a day. Run when a cache is
 * written (a parse: the rare, slow case), never on a cache hit. */
static void cache_prune(const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d)
		return;
	dfd = -1; /* d's now */
	struct kcache_dirent *v = NULL;
	size_t n = 0, cap = 0;
	time_t now = time(NULL);
	for (struct dirent *e; (e = readdir(d));) {
		enum kcache_name_kind kind = kcache_name_kind(e->d_name);
		bool tmp = kind == KCACHE_NAME_TMP;
		struct stat st;
		if (kind == KCACHE_NAME_OTHER ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (tmp) {
			if (st.st_mtime < now - KCACHE_TOUCH_SECONDS)
				unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct kcache_dirent *nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		char *name = strdup(e->d_name);
		if (!name)
			break;
		v[n++] = (struct kcache_dirent){name, (int64_t)st.st_mtime, false};
	}
	kcache_prune_select(v, n, now, (int64_t)KCACHE_MAX_AGE_DAYS * 24 * 3600, KCACHE_MAX_FILES);
	for (size_t i = 0; i < n; i++) {
		if (v[i].remove)
			unlinkat(dirfd(d), v[i].name, 0);
		free((char *)v[i].name);
	}
	free(v);
	closedir(d);
}

static void cache_store(const char *dir, const char *path, const struct kcache_key *key,
			const struct ktree *t)
{
	_cleanup_free_ char *data = NULL, *tmp = NULL;
	size_t len;
	if (io_mkdir_parents(dir, 0755) < 0 || kcache_write(key, t, &data, &len) < 0 ||
	    asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return;
	/* No fsync: a cache torn by a power cut fails its length or checksum and is rebuilt. */
	bool ok = fchmod(fd, 0644) == 0;
	for (size_t off = 0; ok && off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		off += w > 0 ? (size_t)w : 0;
	}
	if (close(fd) < 0 || !ok || rename(tmp, path) < 0)
		unlink(tmp);
	else
		cache_prune(dir);
}

/* A file changed within the last seconds may change again within the file system's timestamp
 * granularity without its stamps changing: a cache naming it is not written. */
#define RACY_SECONDS 2

int io_load_tree(const char *srcdir, const char *arch, const char *cache_dir, struct ktree *t,
		 struct io_tree_check **pending)
{
	if (pending)
		*pending = NULL;
	_cleanup_close_ int dfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return log_error_errno(-errno, "%s: %m", srcdir);
	_cleanup_free_ char *tree = cache_dir ? realpath(srcdir, NULL) : NULL;
	_cleanup_free_ char *ident = tree ? cache_ident(arch) : NULL;
	_cleanup_free_ char *cpath = ident ? cache_path(cache_dir, tree, arch) : NULL;
	if (cpath && cache_load(cpath, tree, ident, dfd, t, pending))
		return 0;
	struct timespec start;
	clock_gettime(CLOCK_REALTIME, &start);
	struct kcache_key key = {.tree = tree ? strdup(tree) : NULL,
				 .srcarch = ident ? strdup(ident) : NULL};
	bool cacheable = cpath && key.tree && key.srcarch;
	/* A stack of files still to read; sources are pushed in reverse to keep file order. */
	char **todo = malloc(sizeof(*todo));
	size_t n_todo = 0;
	if (!todo || !(todo[n_todo++] = strdup("Kconfig"))) {
		kcache_key_free(&key);
		free(todo);
		return -ENOMEM;
	}
	int r = 0;
	while (n_todo && r >= 0) {
		_cleanup_free_ char *path = todo[--n_todo];
		_cleanup_free_ char *data = NULL;
		size_t len;
		struct stat st;
		r = io_read_file_stat(dfd, path, &data, &len, &st);
		if (r < 0) {
			/* Not cached: the warning is given on every run. */
			log_warning("%s/%s: %s", srcdir, path, strerror(-r));
			cacheable = false;
			r = 0;
			continue;
		}
		struct kcache_stamp stamp;
		stamp_of(&st, &stamp);
		if (stamp.mtime_s + RACY_SECONDS >= (uint64_t)start.tv_sec ||
		    stamp.ctime_s + RACY_SECONDS >= (uint64_t)start.tv_sec)
			cacheable = false;
		if (cacheable && kcache_key_add(&key, path, true, &stamp) < 0)
			cacheable = false;
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
	if (r >= 0 && cacheable)
		cache_store(cache_dir, cpath, &key, t);
	kcache_key_free(&key);
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
