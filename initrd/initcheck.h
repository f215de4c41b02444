/* The stage-2 init check: judge an init path *inside the new root*, given a directory fd of
 * that root, before switch_root commits to it.
 *
 * Why: nixpkgs #49519 — NixOS's old check passed when the init did not exist at all and failed
 * when the init was a symlink that resolves only inside the new root (an absolute link that
 * dangles from the initramfs' point of view). Here absolute symlinks restart at the new root
 * and ".." at the root stays at the root, exactly as after chroot: openat2(RESOLVE_IN_ROOT)
 * gives the verdict when the kernel has it (5.6+), otherwise a component-by-component walk
 * (openat(O_PATH|O_NOFOLLOW) + readlinkat, 40 links at most, like the kernel) does. The walk
 * always runs too, to record the chain of links for the message.
 *
 * A file that exists and has an x bit can still fail execve() once the initramfs is gone:
 * a `#!` interpreter that is missing from the new root, an ELF whose PT_INTERP (the dynamic
 * loader) is missing, or a binary for another architecture. So the first bytes are read the
 * way the kernel's binfmt_script and binfmt_elf read them, and each interpreter is judged
 * inside the new root the same way as the init itself (up to the kernel's 5 `#!` rewrites; the
 * ELF loader is no rewrite). The file is read through a descriptor opened inside the root
 * (openat2(RESOLVE_IN_ROOT) or the walk), never through /proc, which the new root may lack;
 * a file that cannot be read at all is left to execve(). What the loader finds later
 * (segments, the interpreter's own program headers) is left to execve(); stage 1 goes on to
 * the next default init when that fails.
 *
 * A dynamic init whose shared library is missing passes all of that: execve() succeeds, the
 * loader exits 127, and the kernel panics. So when the ELF that will run names glibc's loader
 * (ld-linux*.so*), initcheck_libraries() runs `LOADER --list ELF` chrooted into the new root
 * (the loader, never the init itself, and never LD_TRACE_LOADED_OBJECTS).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Default inits tried in order when no init= is given (NULL-terminated). */
extern const char *const initcheck_default_inits[];
#define INITCHECK_N_DEFAULTS 4

enum initcheck_verdict {
	INITCHECK_OK,
	INITCHECK_MISSING,	   /* the path does not exist (no symlink involved) */
	INITCHECK_DANGLING,	   /* a symlink on the way points to nothing */
	INITCHECK_LOOP,		   /* too many levels of symlinks (ELOOP) */
	INITCHECK_NOT_REGULAR,	   /* a directory, device, fifo, socket */
	INITCHECK_NOT_EXECUTABLE,  /* no x bit in any class, or on a noexec mount */
	INITCHECK_ERROR,	   /* anything else: see error */
	INITCHECK_BAD_FORMAT,	   /* neither an ELF binary nor a `#!` script the kernel accepts */
	INITCHECK_WRONG_ARCH,	   /* an ELF for another class, byte order or machine */
	INITCHECK_BAD_INTERPRETER, /* its `#!` or PT_INTERP interpreter fails the check */
	INITCHECK_UNLOADABLE,	   /* glibc's loader cannot load it (a missing library) */
};

struct initcheck_result {
	enum initcheck_verdict verdict;
	int error;	   /* negative errno behind the verdict, 0 for OK */
	char *path;	   /* the path as asked */
	char *chain;	   /* "/sbin/init -> /lib/systemd/systemd" (printable; just the path
			    * when no link was followed) */
	char *resolved;	   /* the last component looked at, inside the root: the final file
			    * ("/lib/systemd/systemd"), or the one that could not be reached
			    * ("/lib" when it is missing) */
	mode_t mode;	   /* of the final file when it was reached, else 0 */
	bool noexec_mount; /* NOT_EXECUTABLE because the filesystem is mounted noexec */
	bool used_openat2; /* the verdict came from openat2(RESOLVE_IN_ROOT) */
	char *detail;	   /* BAD_FORMAT, WRONG_ARCH, BAD_INTERPRETER: what is wrong, e.g.
			    * "#! interpreter /usr/bin/python3 of /opt/init.py: missing (...)" */
	int content_error; /* the file (or an interpreter) could not be read: the negative
			    * errno; the verdict is then left to execve() */
	char *dyn_elf;	   /* the dynamic ELF execve() ends up loading (the init, or a `#!`
			    * interpreter), as named, and its PT_INTERP; NULL when static */
	char *dyn_loader;
};

/* What the first bytes of a file tell execve(). Pure, for the check and its tests. */
enum initcheck_format { INITCHECK_FMT_ELF = 1, INITCHECK_FMT_SCRIPT };
struct initcheck_header {
	enum initcheck_format format;
	/* ELF: e_ident[EI_CLASS] (1 = 32-bit, 2 = 64-bit), e_ident[EI_DATA] (1 = LSB, 2 = MSB) */
	unsigned elf_class, elf_data, e_type, e_machine;
	uint64_t phoff;
	unsigned phentsize, phnum;
	/* script: the interpreter named on the `#!` line */
	char interp[256];
};
/* The kernel reads this much for the `#!` line (BINPRM_BUF_SIZE). */
#define INITCHECK_HEADER_SIZE 256

/* Parses the first len bytes of a file (at most INITCHECK_HEADER_SIZE are looked at). Returns
 * 0, or -ENOEXEC with *why set to a static phrase when execve() would refuse it. */
int initcheck_parse_header(const unsigned char *buf, size_t len, struct initcheck_header *h,
			   const char **why);
/* Finds PT_INTERP in the program header table phdrs (h->phnum entries). Returns 1 with its
 * file offset and size, 0 when there is none (a static binary), -ENOEXEC with *why. */
int initcheck_elf_find_interp(const struct initcheck_header *h, const unsigned char *phdrs,
			      size_t len, uint64_t *off, uint64_t *size, const char **why);
/* Whether the kernel this program was built for runs an ELF of that class, byte order and
 * machine: ours, or the 32-bit compat ABI of a 64-bit architecture. */
bool initcheck_elf_runs_here(const struct initcheck_header *h);
/* An x32 ELF (32-bit class, x86-64 machine): runs only when the kernel enables x32 (Debian
 * builds CONFIG_X86_X32_DISABLED=y: syscall.x32=y turns it on), which the check reads from
 * /sys/module/syscall/parameters/x32 ("Y"). */
bool initcheck_elf_is_x32(const struct initcheck_header *h);
/* Test switch: read the x32 switch from this file instead (NULL: the real one). */
void initcheck_set_x32_param_path(const char *path);

/* Whether path names glibc's dynamic loader (basename ld-linux*.so*). */
bool initcheck_is_glibc_loader(const char *path);
/* From the output of `LOADER --list ELF`, the first library the loader could not find
 * ("libc.so.6 => not found", "error while loading shared libraries: libc.so.6: ..."), copied
 * into lib. Returns true when one was found. Pure. */
bool initcheck_loader_missing_lib(const char *out, char *lib, size_t size);
/* For an OK result whose dyn_loader is glibc's: runs `dyn_loader --list dyn_elf` in a child
 * chrooted into root_fd (empty environment, stdin /dev/null, output captured) and makes the
 * verdict UNLOADABLE when it exits non-zero. When the child cannot be started (no chroot
 * permission, ...) the verdict stays and content_error says why. Returns 0 or -ENOMEM. */
int initcheck_libraries(int root_fd, struct initcheck_result *r);
/* "x86-64", "AArch64", ... or NULL for a machine number we have no name for. */
const char *initcheck_machine_name(unsigned e_machine);

/* The inits to try in order: init= alone (like the kernel, an explicit init= is never
 * replaced by another), or, without init=, the default list. Returns the count. */
size_t initcheck_candidates(const char *init, const char *out[INITCHECK_N_DEFAULTS]);

/* Judges path inside root_fd. Fills *r (free with initcheck_result_free) and returns 0 when a
 * verdict was reached (any verdict), -ENOMEM or -EINVAL (NULL path) otherwise. */
int initcheck_judge(int root_fd, const char *path, struct initcheck_result *r);
void initcheck_result_free(struct initcheck_result *r);

/* Tries initcheck_default_inits in order; results[i] gets the verdict of each one tried.
 * Returns the index of the first OK one, -ENOENT when none passed (all results filled, the
 * caller reports each), or -ENOMEM. Free every results[i] in either case (free of a zeroed
 * result is a no-op). */
int initcheck_pick_default(int root_fd, struct initcheck_result results[INITCHECK_N_DEFAULTS]);

/* "missing", "dangling symlink", "symlink loop", ... */
const char *initcheck_verdict_str(enum initcheck_verdict v);
/* One line naming the case and the chain, e.g.
 *   "init /sbin/init: dangling symlink: /sbin/init -> /lib/systemd/systemd (No such file or
 *    directory)"
 * Returns the snprintf() length (>= size means truncated). */
int initcheck_describe(const struct initcheck_result *r, char *buf, size_t size);

/* Test switch: true makes initcheck_judge skip openat2 and use the walk alone. */
void initcheck_force_fallback(bool force);
