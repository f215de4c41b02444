/* Choosing and checking the real init that stage 2 hands over to. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The fallbacks, tried after whatever was asked for. */
#define INIT_DEFAULTS                                                                              \
	{                                                                                          \
		"/sbin/init", "/lib/systemd/systemd"                                               \
	}
#define INIT_CANDIDATES_MAX 4

/* 0 when path (absolute) is an executable regular file inside rootfd, following symlinks
 * inside that root — judged by stage 1's own check (initrd/initcheck.c), so both stages accept
 * and refuse the same inits with the same words. Otherwise -ENOENT (missing or dangling),
 * -ELOOP, -ENOEXEC (not a regular file), -EACCES (no execute bit, noexec mount), -EINVAL (not
 * an absolute path) or the error behind it, and why gets stage 1's one-line description
 * ("init /sbin/init: dangling symlink: /sbin/init -> /lib/systemd/systemd ..."). Root-free. */
int init_check(int rootfd, const char *path, char *why, size_t why_size);

/* The candidates in order: the one given as argument (if any), else the one from the kernel
 * command line (if any), then the defaults; no duplicates. Returns their number. */
size_t init_candidates(const char *from_args, const char *from_cmdline,
		       const char *out[INIT_CANDIDATES_MAX]);

/* What stage 2 as PID 1 hands over: argv[1] is the init when it is an absolute path; anything
 * else (e.g. "single", which the kernel passes on) is an argument for the real init. The
 * candidates follow init_candidates(); args points into argv. Pure. */
struct handover {
	const char *cand[INIT_CANDIDATES_MAX];
	size_t n_cand;
	char **args;
	int n_args;
};
void handover_plan(int argc, char **argv, const char *from_cmdline, struct handover *h);

/* When no candidate could be executed, PID 1 must not exit (the kernel would panic):
 * initkit.stage2.emergency= or else stage 1's rd.emergency= from the kernel command line,
 * default wait. */
enum handover_fallback {
	HANDOVER_WAIT,
	HANDOVER_REBOOT,
	HANDOVER_POWEROFF,
	HANDOVER_HALT,
};
#define HANDOVER_EMERGENCY_KEY "initkit.stage2.emergency"

struct handover_failure {
	enum handover_fallback action;
	char message[512]; /* the one line to show, naming the policy and where it came from */
	char warning[256]; /* a malformed policy value, named (else "") */
};

/* Decides what to do after `tried` candidates failed, from the kernel command line. Pure. */
void handover_failed(size_t tried, const char *cmdline, struct handover_failure *f);
