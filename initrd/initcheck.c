/* The stage-2 init check; see initcheck.h for why it exists. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "initcheck.h"
#include "util.h"

/* The kernel's MAXSYMLINKS: openat2() and path lookup give ELOOP past 40 links. */
#define MAX_LINKS 40
/* Links shown in the chain before it is cut short with "..." (a loop would show 40). */
#define CHAIN_SHOWN 8

const char *const initcheck_default_inits[] = {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh",
					       NULL};

static bool fallback_forced;

void initcheck_force_fallback(bool force)
{
	fallback_forced = force;
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int sbuf_adds(struct sbuf *b, const char *s)
{
	return sbuf_add(b, s, strlen(s));
}

/* Appends s with control characters escaped as \xNN, so the chain prints on one line. */
static int sbuf_add_printable(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[5];
		int r;
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			r = sbuf_adds(b, esc);
		} else {
			r = sbuf_add(b, s, 1);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* State of the component-by-component walk inside the root. */
struct walk {
	int root_fd;
	struct stat root_st;
	int dir_fd;	   /* the directory reached so far (owned) */
	struct sbuf where; /* its path inside the root: "" for the root, else "/a/b" */
	char *todo;	   /* what is left to resolve starts at todo + pos */
	size_t pos;
	size_t link_end;     /* todo[pos..link_end) came from a symlink's target */
	unsigned links;	     /* symlinks followed */
	struct sbuf chain;   /* "/sbin/init -> /lib/systemd/systemd" */
	struct sbuf at;	     /* path of the last component looked at: the final file, or
			      * the one that could not be reached */
	bool failed_in_link; /* that one came from a symlink's target */
	int final_fd;	     /* O_PATH fd of what the path names, when reached */
};

static int walk_enter_root(struct walk *w)
{
	int fd = fcntl(w->root_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	w->dir_fd = fd;
	w->where.len = 0;
	w->where.s[0] = '\0';
	return 0;
}

/* ".." at the root stays at the root, as after chroot (and as RESOLVE_IN_ROOT does). */
static int walk_up(struct walk *w)
{
	struct stat st;
	if (fstat(w->dir_fd, &st) < 0)
		return -errno;
	if (st.st_dev == w->root_st.st_dev && st.st_ino == w->root_st.st_ino)
		return 0;
	int fd = openat(w->dir_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(w->dir_fd);
	w->dir_fd = fd;
	char *slash = strrchr(w->where.s, '/');
	if (slash) {
		*slash = '\0';
		w->where.len = (size_t)(slash - w->where.s);
	}
	return 0;
}

/* Records the path (inside the root) of the component being looked at. */
static int walk_set_at(struct walk *w, const char *name)
{
	w->at.len = 0;
	int r = sbuf_add(&w->at, w->where.s, w->where.len);
	if (r == 0 && name)
		r = sbuf_adds(&w->at, "/");
	if (r == 0)
		r = sbuf_adds(&w->at, name ? name : (w->where.len ? "" : "/"));
	return r;
}

/* "/a//b" -> "/a/b", for display only. */
static void squeeze_slashes(char *s)
{
	char *out = s;
	for (const char *in = s; *in; in++)
		if (!(in[0] == '/' && in[1] == '/'))
			*out++ = *in;
	*out = '\0';
}

/* The chain shows each step as the full path being resolved next. A relative target's
 * leading "./" and "../" are folded into the directory we are in: that one is canonical (no
 * links), so folding them is exact; any later ".." is left as it is. */
static int walk_chain_step(struct walk *w, const char *target, const char *after)
{
	struct sbuf d = {0};
	size_t base = w->where.len;
	int r = 0;

	if (w->links > CHAIN_SHOWN)
		return w->links == CHAIN_SHOWN + 1 ? sbuf_adds(&w->chain, " -> ...") : 0;
	if (target[0] != '/') {
		for (;;) {
			if (target[0] == '.' && (target[1] == '/' || !target[1])) {
				target += 1;
			} else if (target[0] == '.' && target[1] == '.' &&
				   (target[2] == '/' || !target[2])) {
				while (base > 0 && w->where.s[--base] != '/')
					;
				target += 2;
			} else {
				break;
			}
			while (*target == '/')
				target++;
		}
		r = sbuf_add(&d, w->where.s, base);
		if (r == 0)
			r = sbuf_adds(&d, "/");
	}
	if (r == 0)
		r = sbuf_adds(&d, target);
	if (r == 0)
		r = sbuf_adds(&d, after);
	if (r == 0)
		r = sbuf_adds(&w->chain, " -> ");
	if (r == 0) {
		squeeze_slashes(d.s);
		r = sbuf_add_printable(&w->chain, d.s);
	}
	free(d.s);
	return r;
}

/* Follows the symlink link_fd (itself named in a link's target when from_link); the rest
 * of the path starts at todo + after. */
static int walk_follow(struct walk *w, int link_fd, bool from_link, size_t after)
{
	char target[PATH_MAX + 1];
	ssize_t n = readlinkat(link_fd, "", target, sizeof(target));

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	target[n] = '\0';
	if (++w->links > MAX_LINKS || n == 0) {
		/* like the kernel: too many links is ELOOP, an empty target is ENOENT */
		w->failed_in_link = from_link || n == 0;
		return n == 0 ? -ENOENT : -ELOOP;
	}
	int r = walk_chain_step(w, target, w->todo + after);
	if (r == 0 && target[0] == '/')
		r = walk_enter_root(w);
	if (r < 0)
		return r;
	size_t rest = strlen(w->todo + after);
	char *todo = malloc((size_t)n + rest + 1);
	if (!todo)
		return -ENOMEM;
	memcpy(todo, target, (size_t)n);
	memcpy(todo + n, w->todo + after, rest + 1);
	/* what is still left of an earlier target stays "from a link" */
	w->link_end = (size_t)n + (w->link_end > after ? w->link_end - after : 0);
	free(w->todo);
	w->todo = todo;
	w->pos = 0;
	return 0;
}

static int walk_into_dir(struct walk *w, int fd, const char *name, size_t after)
{
	int r = sbuf_adds(&w->where, "/");
	if (r == 0)
		r = sbuf_adds(&w->where, name);
	if (r < 0) {
		close(fd);
		return r;
	}
	close(w->dir_fd);
	w->dir_fd = fd;
	w->pos = after;
	return 1;
}

/* One component. Returns 1 to go on, 0 when the path is resolved (final_fd set), or a
 * negative errno when the lookup failed (at / failed_in_link set). */
static int walk_step(struct walk *w)
{
	const char *p = w->todo + w->pos;
	char name[NAME_MAX + 1];
	struct stat st;

	while (*p == '/')
		p++;
	w->pos = (size_t)(p - w->todo);
	if (!*p) { /* the path names a directory */
		w->final_fd = fcntl(w->dir_fd, F_DUPFD_CLOEXEC, 3);
		int r = walk_set_at(w, NULL);
		return w->final_fd < 0 ? -errno : r;
	}
	size_t len = strcspn(p, "/"), after = w->pos + len;
	bool from_link = w->pos < w->link_end;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, p, len);
	name[len] = '\0';
	if (streq(name, ".") || streq(name, "..")) {
		w->pos = after;
		int r = streq(name, "..") ? walk_up(w) : 0;
		return r < 0 ? r : 1;
	}
	int r = walk_set_at(w, name);
	if (r < 0)
		return r;
	int fd = openat(w->dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		w->failed_in_link = from_link;
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		r = walk_follow(w, fd, from_link, after);
		close(fd);
		return r < 0 ? r : 1;
	}
	if (S_ISDIR(st.st_mode))
		return walk_into_dir(w, fd, name, after);
	if (w->todo[after]) { /* "file/..." or "file/": the kernel says ENOTDIR */
		close(fd);
		w->failed_in_link = from_link;
		return -ENOTDIR;
	}
	w->final_fd = fd;
	return 0;
}

static void walk_done(struct walk *w)
{
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	if (w->final_fd >= 0)
		close(w->final_fd);
	free(w->where.s);
	free(w->todo);
	free(w->chain.s);
	free(w->at.s);
}

/* Resolves path inside root_fd. Returns the lookup result (0 or a negative errno); -ENOMEM
 * is also returned when we ran out of memory ourselves. */
static int walk_run(struct walk *w, int root_fd, const char *path)
{
	*w = (struct walk){.root_fd = root_fd, .dir_fd = -1, .final_fd = -1};
	if (!(w->todo = strdup(path)) || sbuf_adds(&w->where, "") < 0 ||
	    sbuf_adds(&w->chain, "") < 0 || sbuf_add_printable(&w->chain, path) < 0 ||
	    sbuf_adds(&w->at, path) < 0)
		return -ENOMEM;
	if (fstat(root_fd, &w->root_st) < 0)
		return -errno;
	if (!S_ISDIR(w->root_st.st_mode))
		return -ENOTDIR;
	int r = walk_enter_root(w);
	if (r < 0)
		return r;
	if (!*path)
		return -ENOENT; /* as open("") */
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG; /* as the kernel's getname() */
	while ((r = walk_step(w)) == 1)
		;
	return r;
}

/* openat2(RESOLVE_IN_ROOT): an O_PATH fd, a negative errno, or -ENOSYS when the kernel (or a
 * seccomp filter, which answers EPERM) does not let us use it. glibc 2.36 has no wrapper. */
static int open_in_root(int root_fd, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	long fd = -1;

	/* EAGAIN: a rename or mount raced with the lookup; the kernel asks for a retry. */
	for (int i = 0; i < 3 && fd < 0; i++)
		if ((fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how))) < 0 &&
		    errno != EAGAIN)
			break;
	if (fd >= 0)
		return (int)fd;
	if (errno == ENOSYS || errno == EPERM || errno == E2BIG || errno == EAGAIN)
		return -ENOSYS;
	return -errno;
}

static void classify_file(struct initcheck_result *r, int fd)
{
	struct stat st;
	struct statvfs vfs;

	if (fstat(fd, &st) < 0) {
		r->verdict = INITCHECK_ERROR;
		r->error = -errno;
		return;
	}
	r->mode = st.st_mode;
	r->error = -EACCES; /* what execve() would say for the cases below */
	if (!S_ISREG(st.st_mode)) {
		r->verdict = INITCHECK_NOT_REGULAR;
	} else if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		/* root may execute a file when any of the three x bits is set */
		r->verdict = INITCHECK_NOT_EXECUTABLE;
	} else if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC)) {
		r->verdict = INITCHECK_NOT_EXECUTABLE;
		r->noexec_mount = true;
	} else {
		r->verdict = INITCHECK_OK;
		r->error = 0;
	}
}

static void classify(struct initcheck_result *r, int res, int fd, const struct walk *w)
{
	r->error = res;
	if (res == -ENOENT || res == -ENOTDIR)
		r->verdict = w->failed_in_link ? INITCHECK_DANGLING : INITCHECK_MISSING;
	else if (res == -ELOOP)
		r->verdict = INITCHECK_LOOP;
	else if (res < 0)
		r->verdict = INITCHECK_ERROR;
	else
		classify_file(r, fd);
}

int initcheck_judge(int root_fd, const char *path, struct initcheck_result *r)
{
	struct walk w;
	int res, fd2 = -ENOSYS;

	*r = (struct initcheck_result){0};
	if (!path)
		return -EINVAL;
	res = walk_run(&w, root_fd, path);
	if (!fallback_forced && w.todo)
		fd2 = open_in_root(root_fd, path);
	if (res != -ENOMEM && fd2 != -ENOSYS) {
		/* the kernel's answer is the verdict; the walk only tells the chain */
		r->used_openat2 = true;
		res = fd2 < 0 ? fd2 : 0;
	}
	if (res != -ENOMEM)
		classify(r, res, fd2 >= 0 ? fd2 : w.final_fd, &w);
	if (fd2 >= 0)
		close(fd2);
	r->path = strdup(path);
	r->chain = w.chain.s;
	r->resolved = w.at.s;
	w.chain.s = w.at.s = NULL;
	walk_done(&w);
	if (res == -ENOMEM || !r->path || !r->chain || !r->resolved) {
		initcheck_result_free(r);
		return -ENOMEM;
	}
	return 0;
}

void initcheck_result_free(struct initcheck_result *r)
{
	free(r->path);
	free(r->chain);
	free(r->resolved);
	*r = (struct initcheck_result){0};
}

int initcheck_pick_default(int root_fd, struct initcheck_result results[INITCHECK_N_DEFAULTS])
{
	for (size_t i = 0; i < INITCHECK_N_DEFAULTS; i++)
		results[i] = (struct initcheck_result){0};
	for (size_t i = 0; i < INITCHECK_N_DEFAULTS && initcheck_default_inits[i]; i++) {
		int r = initcheck_judge(root_fd, initcheck_default_inits[i], &results[i]);
		if (r < 0)
			return r;
		if (results[i].verdict == INITCHECK_OK)
			return (int)i;
	}
	return -ENOENT;
}

const char *initcheck_verdict_str(enum initcheck_verdict v)
{
	static const char *const names[] = {
		[INITCHECK_OK] = "ok",
		[INITCHECK_MISSING] = "missing",
		[INITCHECK_DANGLING] = "dangling symlink",
		[INITCHECK_LOOP] = "symlink loop",
		[INITCHECK_NOT_REGULAR] = "not a regular file",
		[INITCHECK_NOT_EXECUTABLE] = "not executable",
		[INITCHECK_ERROR] = "cannot be checked",
	};
	return (size_t)v < ARRAY_SIZE(names) ? names[v] : "?";
}

static const char *file_type(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a fifo"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISLNK(m)  ? "a symlink"
			     : "not a regular file";
}

/* What went wrong where, e.g. "/usr/lib/systemd/systemd: No such file or directory". */
static int describe_detail(const struct initcheck_result *r, char *buf, size_t size)
{
	switch (r->verdict) {
	case INITCHECK_OK:
		return snprintf(buf, size, "%s", r->resolved);
	case INITCHECK_NOT_REGULAR:
		return snprintf(buf, size, "%s is %s", r->resolved, file_type(r->mode));
	case INITCHECK_NOT_EXECUTABLE:
		if (r->noexec_mount)
			return snprintf(buf, size, "%s is on a noexec mount", r->resolved);
		return snprintf(buf, size, "%s has mode %04o, no x bit", r->resolved,
				(unsigned)(r->mode & 07777));
	default:
		return snprintf(buf, size, "%s: %s", r->resolved, strerror(-r->error));
	}
}

int initcheck_describe(const struct initcheck_result *r, char *buf, size_t size)
{
	char detail[PATH_MAX + 128];
	describe_detail(r, detail, sizeof(detail));
	bool linked = r->chain && strstr(r->chain, " -> ");
	return snprintf(buf, size, "init %s: %s (%s)%s%s", r->path ? r->path : "?",
			initcheck_verdict_str(r->verdict), detail, linked ? "; links: " : "",
			linked ? r->chain : "");
}
