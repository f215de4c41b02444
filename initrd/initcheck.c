/* The stage-2 init check; see initcheck.h for why it exists. */
#include <elf.h>
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
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initcheck.h"

#ifndef EM_LOONGARCH /* musl's <elf.h> (Debian 12's musl 1.2.3) lacks it */
#define EM_LOONGARCH 258
#endif
#include "util.h"

/* The kernel's MAXSYMLINKS: openat2() and path lookup give ELOOP past 40 links. */
#define MAX_LINKS 40
/* Links shown in the chain before it is cut short with "..." (a loop would show 40). */
#define CHAIN_SHOWN 8
/* fs/exec.c exec_binprm() (6.1): "if (depth > 5) return -ELOOP;" -- each `#!` (binfmt_script)
 * hands the file to its interpreter, one rewrite; binfmt_elf loads PT_INTERP itself, which is
 * no rewrite. So a chain of 5 scripts ending in an ELF runs, 6 do not. */
#define MAX_SCRIPT_REWRITES 5
/* Debian's kernel: x32 is built but off unless syscall.x32=y. */
#define X32_PARAM "/sys/module/syscall/parameters/x32"
/* How long `LOADER --list` may take before it is killed and the verdict left to execve(). */
#define LOADER_LIST_TIMEOUT_MS 10000

const char *const initcheck_default_inits[] = {"/sbin/init", "/etc/init", "/bin/init", "/bin/sh",
					       NULL};

static bool fallback_forced;
static const char *x32_param_path = X32_PARAM;

void initcheck_set_x32_param_path(const char *path)
{
	x32_param_path = path ? path : X32_PARAM;
}

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
	size_t link_end;	       /* todo[pos..link_end) came from a symlink's target */
	unsigned links;		       /* symlinks followed */
	struct sbuf chain;	       /* "/sbin/init -> /lib/systemd/systemd" */
	struct sbuf at;		       /* path of the last component looked at: the final file, or
					* the one that could not be reached */
	bool failed_in_link;	       /* that one came from a symlink's target */
	int final_fd;		       /* O_PATH fd of what the path names, when reached */
	char final_name[NAME_MAX + 1]; /* its name in dir_fd (a file, not a directory) */
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
	memcpy(w->final_name, name, len + 1);
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
static int open_in_root_as(int root_fd, const char *path, uint64_t flags)
{
	struct open_how how = {.flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
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

static int open_in_root(int root_fd, const char *path)
{
	return open_in_root_as(root_fd, path, O_PATH);
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

/* ---- What execve() reads: the `#!` line and the ELF headers (pure) ---- */

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static const char *next_non_spacetab(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

static const char *next_terminator(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/* fs/binfmt_script.c load_script(), on the same zero-padded 256-byte buffer. */
static int parse_script(const unsigned char *in, size_t len, struct initcheck_header *h,
			const char **why)
{
	char buf[INITCHECK_HEADER_SIZE] = {0};
	const char *buf_end = buf + sizeof(buf) - 1, *i_end = NULL;

	memcpy(buf, in, len < sizeof(buf) ? len : sizeof(buf));
	for (const char *p = buf; p < buf + sizeof(buf) && *p; p++) /* strnchr stops at NUL */
		if (*p == '\n') {
			i_end = p;
			break;
		}
	if (!i_end) {
		i_end = next_non_spacetab(buf + 2, buf_end);
		if (!i_end) {
			*why = "the #! line names no interpreter";
			return -ENOEXEC;
		}
		if (!next_terminator(i_end, buf_end)) {
			*why = "the #! line is cut off by the kernel's 256-byte limit";
			return -ENOEXEC;
		}
		i_end = buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	const char *i_name = next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end) {
		*why = "the #! line names no interpreter";
		return -ENOEXEC;
	}
	const char *i_sep = next_terminator(i_name, i_end);
	size_t n = (size_t)((i_sep ? i_sep : i_end) - i_name);
	memcpy(h->interp, i_name, n);
	h->interp[n] = '\0';
	h->format = INITCHECK_FMT_SCRIPT;
	return 0;
}

static uint64_t get_uint(const unsigned char *p, unsigned bytes, bool msb)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[msb ? bytes - 1 - i : i] << (8 * i);
	return v;
}

static int parse_elf(const unsigned char *b, size_t len, struct initcheck_header *h,
		     const char **why)
{
	if (len < EI_NIDENT) {
		*why = "a truncated ELF header";
		return -ENOEXEC;
	}
	h->elf_class = b[EI_CLASS];
	h->elf_data = b[EI_DATA];
	bool is64 = h->elf_class == ELFCLASS64, msb = h->elf_data == ELFDATA2MSB;
	if (h->elf_class != ELFCLASS32 && !is64) {
		*why = "an ELF of unknown class";
		return -ENOEXEC;
	}
	if (h->elf_data != ELFDATA2LSB && !msb) {
		*why = "an ELF of unknown byte order";
		return -ENOEXEC;
	}
	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		*why = "a truncated ELF header";
		return -ENOEXEC;
	}
	h->e_type = (unsigned)get_uint(b + 16, 2, msb);
	h->e_machine = (unsigned)get_uint(b + 18, 2, msb);
	h->phoff = get_uint(b + (is64 ? 32 : 28), is64 ? 8 : 4, msb);
	h->phentsize = (unsigned)get_uint(b + (is64 ? 54 : 42), 2, msb);
	h->phnum = (unsigned)get_uint(b + (is64 ? 56 : 44), 2, msb);
	h->format = INITCHECK_FMT_ELF;
	return 0;
}

int initcheck_parse_header(const unsigned char *buf, size_t len, struct initcheck_header *h,
			   const char **why)
{
	*h = (struct initcheck_header){0};
	*why = NULL;
	if (len > INITCHECK_HEADER_SIZE)
		len = INITCHECK_HEADER_SIZE;
	if (len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return parse_elf(buf, len, h, why);
	if (len >= 2 && buf[0] == '#' && buf[1] == '!')
		return parse_script(buf, len, h, why);
	*why = len ? "neither an ELF binary nor a #! script" : "an empty file";
	return -ENOEXEC;
}

int initcheck_elf_find_interp(const struct initcheck_header *h, const unsigned char *phdrs,
			      size_t len, uint64_t *off, uint64_t *size, const char **why)
{
	bool is64 = h->elf_class == ELFCLASS64, msb = h->elf_data == ELFDATA2MSB;
	size_t entsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	/* binfmt_elf's load_elf_phdrs() refuses these before anything else */
	if (h->phentsize != entsize || h->phnum == 0 || (size_t)h->phnum * entsize > 65536) {
		*why = "an ELF with a malformed program header table";
		return -ENOEXEC;
	}
	/* ... and (6.1) "size > ELF_MIN_ALIGN": a table larger than one page (ELF_EXEC_PAGESIZE,
	 * the page size on the architectures we build for) */
	long page = sysconf(_SC_PAGESIZE);
	if ((size_t)h->phnum * entsize > (page > 0 ? (size_t)page : 4096)) {
		*why = "an ELF whose program header table is larger than a page (the kernel's "
		       "ELF_MIN_ALIGN)";
		return -ENOEXEC;
	}
	if (len < (size_t)h->phnum * entsize) {
		*why = "an ELF whose program headers lie beyond the end of the file";
		return -ENOEXEC;
	}
	for (size_t i = 0; i < h->phnum; i++) {
		const unsigned char *p = phdrs + i * entsize;
		if (get_uint(p, 4, msb) != PT_INTERP)
			continue;
		*off = get_uint(p + (is64 ? 8 : 4), is64 ? 8 : 4, msb);
		*size = get_uint(p + (is64 ? 32 : 16), is64 ? 8 : 4, msb);
		if (*size > PATH_MAX || *size < 2) {
			*why = "an ELF with a PT_INTERP of impossible size";
			return -ENOEXEC;
		}
		return 1; /* the kernel uses the first one */
	}
	return 0;
}

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define OUR_DATA ELFDATA2MSB
#else
#define OUR_DATA ELFDATA2LSB
#endif

/* The first entry is the native ABI; the others are the compat ABIs a 64-bit kernel runs
 * (CONFIG_IA32_EMULATION, CONFIG_COMPAT): Debian supports an i386 userland on an amd64
 * kernel. If the kernel lacks compat support, execve() fails and the next init is tried. */
static const struct {
	unsigned elf_class, elf_data, machine;
} our_abis[] = {
#if defined(__x86_64__)
	{ELFCLASS64, ELFDATA2LSB, EM_X86_64},
	{ELFCLASS32, ELFDATA2LSB, EM_386},
	{ELFCLASS32, ELFDATA2LSB, EM_X86_64}, /* x32 */
#elif defined(__i386__)
	{ELFCLASS32, ELFDATA2LSB, EM_386},
#elif defined(__aarch64__)
	{ELFCLASS64, OUR_DATA, EM_AARCH64},
	{ELFCLASS32, OUR_DATA, EM_ARM},
#elif defined(__arm__)
	{ELFCLASS32, OUR_DATA, EM_ARM},
#elif defined(__riscv) && __riscv_xlen == 64
	{ELFCLASS64, ELFDATA2LSB, EM_RISCV},
#elif defined(__powerpc64__)
	{ELFCLASS64, OUR_DATA, EM_PPC64},
	{ELFCLASS32, ELFDATA2MSB, EM_PPC},
#elif defined(__s390x__)
	{ELFCLASS64, ELFDATA2MSB, EM_S390},
#endif
	{0, 0, 0}, /* an architecture not listed: no machine check */
};

bool initcheck_elf_is_x32(const struct initcheck_header *h)
{
	return h->elf_class == ELFCLASS32 && h->e_machine == EM_X86_64;
}

/* The kernel's x32 switch: "Y" when x32 binaries run. A missing file (no x32 support built,
 * or a kernel we cannot ask) counts as off. */
static bool x32_enabled(void)
{
	char c = 0;
	_cleanup_close_ int fd = open(x32_param_path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, &c, 1) == 1 && (c == 'Y' || c == 'y' || c == '1');
}

bool initcheck_elf_runs_here(const struct initcheck_header *h)
{
	if (our_abis[0].machine == 0)
		return true;
	for (size_t i = 0; our_abis[i].machine; i++)
		if (h->elf_class == our_abis[i].elf_class && h->elf_data == our_abis[i].elf_data &&
		    h->e_machine == our_abis[i].machine)
			return true;
	return false;
}

const char *initcheck_machine_name(unsigned e_machine)
{
	switch (e_machine) {
	case EM_386:
		return "i386";
	case EM_ARM:
		return "ARM";
	case EM_X86_64:
		return "x86-64";
	case EM_AARCH64:
		return "AArch64";
	case EM_RISCV:
		return "RISC-V";
	case EM_PPC:
		return "PowerPC";
	case EM_PPC64:
		return "PowerPC64";
	case EM_S390:
		return "S/390";
	case EM_MIPS:
		return "MIPS";
	case EM_LOONGARCH:
		return "LoongArch";
	default:
		return NULL;
	}
}

/* "AArch64 (machine 183), 64-bit LSB" */
static void abi_str(unsigned cls, unsigned data, unsigned machine, char *buf, size_t size)
{
	const char *name = initcheck_machine_name(machine);
	snprintf(buf, size, "%s (machine %u), %s-bit %s", name ? name : "unknown", machine,
		 cls == ELFCLASS64 ? "64" : "32", data == ELFDATA2MSB ? "MSB" : "LSB");
}

/* ---- Reading the file the path names ---- */

static void set_bad(struct initcheck_result *r, enum initcheck_verdict v, int error,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_bad(struct initcheck_result *r, enum initcheck_verdict v, int error,
		    const char *fmt, ...)
{
	va_list ap;
	r->verdict = v;
	r->error = error;
	free(r->detail);
	va_start(ap, fmt);
	if (vasprintf(&r->detail, fmt, ap) < 0) {
		r->detail = NULL;
		r->error = -ENOMEM;
	}
	va_end(ap);
}

/* Reads exactly len bytes at off; -ENOEXEC when the file is shorter (the kernel's elf_read()
 * says EIO then, and the binary cannot run either way). */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOEXEC;
		done += (size_t)n;
	}
	return 0;
}

static int judge(int root_fd, const char *path, struct initcheck_result *r, unsigned depth,
		 const struct initcheck_header *elf_parent);
static int describe_as(const struct initcheck_result *r, const char *what, char *buf, size_t size);

/* Judges the interpreter a file names, inside the same root, and makes its failure ours. */
static void judge_interpreter(int root_fd, struct initcheck_result *r, const char *interp,
			      unsigned depth, const struct initcheck_header *elf_parent)
{
	const char *kind = elf_parent ? "ELF interpreter (PT_INTERP)" : "#! interpreter";
	struct initcheck_result ir;

	/* depth: the `#!` rewrites that led to this file */
	if (!elf_parent && depth >= MAX_SCRIPT_REWRITES) {
		set_bad(r, INITCHECK_BAD_INTERPRETER, -ELOOP,
			"%s: %s %s: more than %d levels of #! interpreters", r->resolved, kind,
			interp, MAX_SCRIPT_REWRITES);
		return;
	}
	if (judge(root_fd, interp, &ir, elf_parent ? depth : depth + 1, elf_parent) < 0) {
		r->verdict = INITCHECK_ERROR;
		r->error = -ENOMEM;
		return;
	}
	if (ir.verdict == INITCHECK_OK) {
		/* what execve() finally loads, and what could not be read on the way */
		if (!r->content_error)
			r->content_error = ir.content_error;
		if (elf_parent) {
			free(r->dyn_elf);
			free(r->dyn_loader);
			r->dyn_elf = strdup(r->path ? r->path : "");
			r->dyn_loader = strdup(interp);
			if (!r->dyn_elf || !r->dyn_loader)
				r->error = -ENOMEM;
		} else if (ir.dyn_elf) {
			r->dyn_elf = ir.dyn_elf;
			r->dyn_loader = ir.dyn_loader;
			ir.dyn_elf = ir.dyn_loader = NULL;
		}
	}
	if (ir.verdict != INITCHECK_OK) {
		char what[PATH_MAX + 64], line[2 * PATH_MAX + 256];
		snprintf(what, sizeof(what), "%s: %s", r->resolved, kind);
		describe_as(&ir, what, line, sizeof(line));
		set_bad(r, INITCHECK_BAD_INTERPRETER, ir.error, "%s", line);
	}
	initcheck_result_free(&ir);
}

static void inspect_elf(int root_fd, int fd, struct initcheck_result *r,
			const struct initcheck_header *h, unsigned depth,
			const struct initcheck_header *elf_parent)
{
	char abi[96], ours[96];
	const char *why = NULL;
	uint64_t off = 0, size = 0;

	if (!initcheck_elf_runs_here(h) ||
	    (elf_parent &&
	     (h->elf_class != elf_parent->elf_class || h->elf_data != elf_parent->elf_data ||
	      h->e_machine != elf_parent->e_machine))) {
		const struct initcheck_header *o = elf_parent;
		abi_str(h->elf_class, h->elf_data, h->e_machine, abi, sizeof(abi));
		if (o)
			abi_str(o->elf_class, o->elf_data, o->e_machine, ours, sizeof(ours));
		else
			abi_str(our_abis[0].elf_class, our_abis[0].elf_data, our_abis[0].machine,
				ours, sizeof(ours));
		set_bad(r, INITCHECK_WRONG_ARCH, -ENOEXEC, "%s is an ELF for %s; %s %s",
			r->resolved, abi, o ? "the program it loads is for" : "this system runs",
			ours);
		return;
	}
	if (!elf_parent && initcheck_elf_is_x32(h) && !x32_enabled()) {
		set_bad(r, INITCHECK_WRONG_ARCH, -ENOEXEC,
			"%s is an x32 ELF; this kernel runs no x32 binaries (%s is not Y; "
			"Debian's kernel needs syscall.x32=y)",
			r->resolved, x32_param_path);
		return;
	}
	if (h->e_type != ET_EXEC && h->e_type != ET_DYN) {
		set_bad(r, INITCHECK_BAD_FORMAT, -ENOEXEC,
			"%s is an ELF of type %u, not an executable", r->resolved, h->e_type);
		return;
	}
	if (elf_parent)
		return; /* the interpreter's own program headers are the loader's business */
	/* at most 65535 * 65535 bytes; anything over 64 KiB is refused before reading */
	size_t len = (size_t)h->phnum * h->phentsize;
	_cleanup_free_ unsigned char *phdrs = len <= 65536 ? malloc(len + 1) : NULL;
	if (len <= 65536 && !phdrs) {
		r->error = -ENOMEM;
		return;
	}
	bool read_ok = phdrs && read_at(fd, phdrs, len, h->phoff) == 0;
	int n = initcheck_elf_find_interp(h, phdrs, read_ok ? len : 0, &off, &size, &why);
	if (n < 0) {
		set_bad(r, INITCHECK_BAD_FORMAT, -ENOEXEC, "%s is %s", r->resolved, why);
		return;
	}
	if (n == 0)
		return; /* static: nothing to load */
	char interp[PATH_MAX + 1];
	if (read_at(fd, interp, (size_t)size, off) < 0 || interp[size - 1] != '\0') {
		set_bad(r, INITCHECK_BAD_FORMAT, -ENOEXEC, "%s is %s", r->resolved,
			"an ELF whose PT_INTERP cannot be read");
		return;
	}
	judge_interpreter(root_fd, r, interp, depth, h);
}

/* A descriptor to read what opath_fd (the file the path names) holds, opened inside the root
 * as the path was resolved: openat2(RESOLVE_IN_ROOT), or the walk's last directory and name.
 * Never /proc/self/fd: the new root need not have /proc (stage 2 runs there). */
static int open_content(int root_fd, const char *path, const struct walk *w, int opath_fd)
{
	const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
	struct stat a, b;
	int fd = -ENOSYS;

	if (!fallback_forced)
		fd = open_in_root_as(root_fd, path, flags);
	if (fd == -ENOSYS) {
		if (w->dir_fd < 0 || !w->final_name[0])
			return -ENOENT;
		fd = openat(w->dir_fd, w->final_name, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	if (fd < 0)
		return fd;
	/* the same file the verdict was given on, not one renamed in since */
	if (fstat(fd, &a) < 0 || fstat(opath_fd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* fd: what the path names (a regular file with an x bit; may be O_PATH). Reads it the way
 * execve() will. A file that cannot be read at all is execve()'s to judge: content_error. */
static void inspect_content(int root_fd, const char *path, const struct walk *w, int fd,
			    struct initcheck_result *r, unsigned depth,
			    const struct initcheck_header *elf_parent)
{
	unsigned char buf[INITCHECK_HEADER_SIZE];
	struct initcheck_header h;
	const char *why;

	_cleanup_close_ int rfd = open_content(root_fd, path, w, fd);
	if (rfd < 0) {
		r->content_error = rfd;
		return;
	}
	ssize_t n;
	do
		n = pread(rfd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->content_error = -errno;
		return;
	}
	if (initcheck_parse_header(buf, (size_t)n, &h, &why) < 0) {
		set_bad(r, INITCHECK_BAD_FORMAT, -ENOEXEC, "%s is %s", r->resolved, why);
		return;
	}
	if (elf_parent && h.format != INITCHECK_FMT_ELF) {
		/* binfmt_elf: "Not an ELF interpreter" */
		set_bad(r, INITCHECK_BAD_FORMAT, -ELIBBAD, "%s is not an ELF binary", r->resolved);
		return;
	}
	if (h.format == INITCHECK_FMT_ELF)
		inspect_elf(root_fd, rfd, r, &h, depth, elf_parent);
	else
		judge_interpreter(root_fd, r, h.interp, depth, NULL);
}

static int judge(int root_fd, const char *path, struct initcheck_result *r, unsigned depth,
		 const struct initcheck_header *elf_parent)
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
	r->path = strdup(path);
	r->chain = w.chain.s;
	r->resolved = w.at.s;
	w.chain.s = w.at.s = NULL;
	if (res != -ENOMEM && r->resolved) {
		int fd = fd2 >= 0 ? fd2 : w.final_fd;
		classify(r, res, fd, &w);
		if (r->verdict == INITCHECK_OK)
			inspect_content(root_fd, path, &w, fd, r, depth, elf_parent);
	}
	if (fd2 >= 0)
		close(fd2);
	walk_done(&w);
	if (res == -ENOMEM || !r->path || !r->chain || !r->resolved || r->error == -ENOMEM) {
		initcheck_result_free(r);
		return -ENOMEM;
	}
	return 0;
}

int initcheck_judge(int root_fd, const char *path, struct initcheck_result *r)
{
	return judge(root_fd, path, r, 0, NULL);
}

void initcheck_result_free(struct initcheck_result *r)
{
	free(r->path);
	free(r->chain);
	free(r->resolved);
	free(r->detail);
	free(r->dyn_elf);
	free(r->dyn_loader);
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
		[INITCHECK_BAD_FORMAT] = "not an executable format",
		[INITCHECK_WRONG_ARCH] = "wrong architecture",
		[INITCHECK_BAD_INTERPRETER] = "bad interpreter",
		[INITCHECK_UNLOADABLE] = "shared libraries cannot be loaded",
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
	if (r->detail && r->verdict != INITCHECK_OK)
		return snprintf(buf, size, "%s", r->detail);
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

static int describe_as(const struct initcheck_result *r, const char *what, char *buf, size_t size)
{
	char detail[2 * PATH_MAX + 512];
	describe_detail(r, detail, sizeof(detail));
	bool linked = r->chain && strstr(r->chain, " -> ");
	return snprintf(buf, size, "%s %s: %s (%s)%s%s", what, r->path ? r->path : "?",
			initcheck_verdict_str(r->verdict), detail, linked ? "; links: " : "",
			linked ? r->chain : "");
}

int initcheck_describe(const struct initcheck_result *r, char *buf, size_t size)
{
	return describe_as(r, "init", buf, size);
}

size_t initcheck_candidates(const char *init, const char *out[INITCHECK_N_DEFAULTS])
{
	if (init) {
		out[0] = init;
		return 1;
	}
	size_t n = 0;
	for (; n < INITCHECK_N_DEFAULTS && initcheck_default_inits[n]; n++)
		out[n] = initcheck_default_inits[n];
	return n;
}

/* ---- Shared libraries: glibc's loader asked before the switch ---- */

bool initcheck_is_glibc_loader(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, "ld-linux", 8) == 0 && strstr(base + 8, ".so");
}

/* Copies the library name that ends right before end (it starts after the last blank, tab
 * or ':' before it) into lib. */
static bool copy_lib_name(const char *line, const char *end, char *lib, size_t size)
{
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	const char *start = end;
	while (start > line && start[-1] != ' ' && start[-1] != '\t' && start[-1] != ':')
		start--;
	if (start == end || (size_t)(end - start) >= size)
		return false;
	memcpy(lib, start, (size_t)(end - start));
	lib[end - start] = '\0';
	return true;
}

bool initcheck_loader_missing_lib(const char *out, char *lib, size_t size)
{
	static const char loading[] = "error while loading shared libraries: ";
	for (const char *line = out; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *nf = memmem(line, len, " => not found", 13);
		const char *el = memmem(line, len, loading, sizeof(loading) - 1);
		if (nf && copy_lib_name(line, nf, lib, size))
			return true;
		if (el) {
			const char *name = el + sizeof(loading) - 1;
			const char *colon = memchr(name, ':', len - (size_t)(name - line));
			if (colon && copy_lib_name(name, colon, lib, size))
				return true;
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

/* In the child: chroot into the new root and exec the loader there. Any failure before the
 * exec is written (as an errno) to err_fd, so the parent can tell "the check could not run"
 * from "the loader refused". */
static void loader_child(int root_fd, int out_fd, int err_fd, int null_fd, const char *loader,
			 const char *elf)
{
	char *const argv[] = {(char *)loader, (char *)"--list", (char *)elf, NULL};
	char *const envp[] = {NULL}; /* nothing of ours (and never LD_TRACE_LOADED_OBJECTS) */
	int e;
	if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0 ||
	    fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		goto fail;
	execve(loader, argv, envp);
fail:
	e = errno;
	(void)!write(err_fd, &e, sizeof(e));
	_exit(127);
}

/* Reads the child's output into out (cut at size - 1 bytes, the rest drained) until it closes
 * its end; false when it did not within the timeout. */
static bool read_output(int fd, char *out, size_t size)
{
	size_t len = 0;
	uint64_t waited = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, 100);
		if (n < 0 && errno != EINTR)
			return false;
		if (n <= 0) {
			if ((waited += 100) >= LOADER_LIST_TIMEOUT_MS)
				return false;
			continue;
		}
		char drain[512];
		ssize_t got = len + 1 < size ? read(fd, out + len, size - 1 - len)
					     : read(fd, drain, sizeof(drain));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (len + 1 < size)
			len += (size_t)got;
	}
	out[len] = '\0';
	return true;
}

/* Runs `loader --list elf` inside root_fd. Returns the wait status (>= 0), or a negative
 * errno when the loader could not be run at all. */
static int run_loader_list(int root_fd, const char *loader, const char *elf, char *out, size_t size)
{
	int outp[2], errp[2], status = 0, e = 0;
	_cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		e = -errno;
		close(outp[0]);
		close(outp[1]);
		return e;
	}
	pid_t pid = fork();
	if (pid == 0)
		loader_child(root_fd, outp[1], errp[1], null_fd, loader, elf);
	e = pid < 0 ? -errno : 0;
	close(outp[1]);
	close(errp[1]);
	bool done = pid > 0 && read_output(outp[0], out, size);
	if (pid > 0 && !done)
		kill(pid, SIGKILL);
	close(outp[0]);
	if (pid > 0) {
		int child_errno = 0;
		if (read(errp[0], &child_errno, sizeof(child_errno)) == sizeof(child_errno))
			e = -child_errno;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (e == 0 && !done)
			e = -ETIMEDOUT;
	}
	close(errp[0]);
	return e < 0 ? e : status;
}

int initcheck_libraries(int root_fd, struct initcheck_result *r)
{
	char out[4096], lib[256];
	if (r->verdict != INITCHECK_OK || !r->dyn_loader || !r->dyn_elf ||
	    !initcheck_is_glibc_loader(r->dyn_loader))
		return 0;
	int st = run_loader_list(root_fd, r->dyn_loader, r->dyn_elf, out, sizeof(out));
	if (st < 0) {
		r->content_error = st; /* could not ask: execve() will tell */
		return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char how[64];
	if (WIFEXITED(st))
		snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(st));
	else
		snprintf(how, sizeof(how), "signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	if (initcheck_loader_missing_lib(out, lib, sizeof(lib))) {
		set_bad(r, INITCHECK_UNLOADABLE, -ENOENT,
			"%s needs %s, which is not in the new root (%s --list %s: %s)", r->dyn_elf,
			lib, r->dyn_loader, r->dyn_elf, how);
	} else {
		char *nl = strchr(out, '\n');
		if (nl)
			*nl = '\0';
		set_bad(r, INITCHECK_UNLOADABLE, -ENOEXEC, "%s --list %s: %s%s%s", r->dyn_loader,
			r->dyn_elf, how, out[0] ? ": " : "", out);
	}
	return r->error == -ENOMEM ? -ENOMEM : 0;
}
