/* initkit-stage2: logind defaults that never override the administrator, applied right after
 * the switch to the real root. Three ways in:
 *   PID 1      initkit-stage2 [/path/to/init [args...]]  apply, then exec the real init
 *   generator  .../system-generators/initkit-logind-defaults NORMAL [EARLY LATE]
 *   CLI        initkit-stage2 --root DIR [--dry-run] [--cmdline TEXT]   (see --help) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apifs.h"
#include "cmdline.h"
#include "defaults.h"
#include "dropin.h"
#include "initexec.h"
#include "log.h"
#include "logind_conf.h"
#include "mode.h"
#include "plan.h"
#include "util.h"
#include "timeline_show.h"

#define IDENT "initkit-stage2"

/* Reads the kernel command line into buf ("" when /proc is not there). */
static void read_cmdline(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static int load_defaults(int rootfd, const char *cmdline, struct stage2_defaults *d)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	defaults_init(d);
	int r = read_in_root(rootfd, STAGE2_CONFIG, 1 << 20, &text, &len);
	if (r < 0 && r != -ENOENT)
		log_warning_errno(r, "/%s: cannot read: %m; using the other sources",
				  STAGE2_CONFIG);
	if (r >= 0)
		defaults_feed_config(d, "/" STAGE2_CONFIG, text, len);
	defaults_feed_cmdline(d, cmdline);
	for (size_t i = 0; i < d->n_notes; i++)
		log_warning("%s", d->notes[i]);
	return 0;
}

/* The whole job on one root; dry_run prints the drop-in instead of writing it. */
static int apply_defaults(int rootfd, const char *cmdline, bool dry_run)
{
	static struct stage2_defaults d;
	static struct logind_conf c;
	static char text[16384];
	char line[PATH_MAX + 2 * DEFAULTS_VALUE_MAX];
	struct plan p;

	load_defaults(rootfd, cmdline, &d);
	logind_conf_init(&c);
	int r = logind_conf_load(rootfd, STAGE2_DROPIN_NAME, &c);
	for (size_t i = 0; i < c.n_notes; i++)
		log_notice("logind.conf: %s", c.notes[i]);
	if (r < 0)
		return log_error_errno(r, "cannot compute logind's configuration: %m; "
					  "writing no defaults");
	plan_build(&d, &c, &p);
	for (size_t i = 0; i < logind_keys_count; i++) {
		plan_describe(&d, &c, &p, i, line, sizeof(line));
		if (line[0])
			log_info("%s", line);
	}
	/* Defaults logind will never read are a failure to report, not a success: the
	 * generator and the CLI exit non-zero. */
	int failed = 0;
	if (p.n_unread)
		failed = log_error_errno(-EBADMSG,
					 "not applied: logind stops reading at %s, before "
					 "/%s/%s; %zu default%s not applied (fix that file)",
					 c.stopped_at, LOGIND_RUN_DROPIN_DIR, STAGE2_DROPIN_NAME,
					 p.n_unread, p.n_unread == 1 ? "" : "s");
	int len = p.n_apply ? plan_render(&d, &p, text, sizeof(text)) : 0;
	if (len < 0)
		return log_error_errno(len, "drop-in too large: %m");
	if (dry_run) {
		if (p.n_apply)
			printf("# would write /%s/%s:\n%s", LOGIND_RUN_DROPIN_DIR,
			       STAGE2_DROPIN_NAME, text);
		else
			printf("# nothing to write\n");
		return failed;
	}
	r = dropin_write(rootfd, STAGE2_DROPIN_NAME, p.n_apply ? text : NULL, (size_t)len);
	if (r < 0)
		return log_error_errno(r, "/%s/%s: cannot write: %m", LOGIND_RUN_DROPIN_DIR,
				       STAGE2_DROPIN_NAME);
	if (p.n_apply)
		log_info("wrote /%s/%s (%zu default%s)", LOGIND_RUN_DROPIN_DIR, STAGE2_DROPIN_NAME,
			 p.n_apply, p.n_apply == 1 ? "" : "s");
	return failed;
}

static bool is_mountpoint(const char *path)
{
	struct stat a, b;
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 &&
	       (a.st_dev != b.st_dev || a.st_ino == b.st_ino);
}

/* systemd mounts a tmpfs on /run only when nothing is mounted there yet: if stage 1 did not
 * hand one over, mount it now (with systemd's own options) so the drop-in stays visible. A
 * root without /proc or /run gets them first (else the mount fails, and with it the command
 * line: initkit.logind.*, rd.emergency=). */
static void pid1_prepare_mounts(void)
{
	for (size_t i = 0; i < stage2_api_dirs_count; i++) {
		int r = stage2_api_dir_make(AT_FDCWD, &stage2_api_dirs[i]);
		if (r < 0)
			log_warning_errno(r, "cannot create /%s: %m", stage2_api_dirs[i].name);
	}
	if (!is_mountpoint("/proc") &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		log_warning_errno(-errno, "cannot mount /proc: %m; no kernel command line");
	if (!is_mountpoint("/run") &&
	    mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME,
		  "mode=0755,size=20%,nr_inodes=800k") < 0)
		log_warning_errno(-errno, "cannot mount a tmpfs on /run: %m");
}

static bool same_file_as_self(const char *path)
{
	struct stat a, b;
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static void on_sigchld(int sig)
{
	(void)sig; /* only ends sigsuspend() so orphans re-parented to PID 1 are reaped */
}

/* No init could be executed: PID 1 must not return (the kernel would panic). */
__attribute__((noreturn)) static void pid1_no_init(size_t tried, const char *cmdline)
{
	struct handover_failure f;

	handover_failed(tried, cmdline, &f);
	if (f.warning[0])
		log_warning("%s", f.warning);
	log_error("%s", f.message);
	sync();
	switch (f.action) {
	case HANDOVER_REBOOT:
		reboot(RB_AUTOBOOT);
		break;
	case HANDOVER_POWEROFF:
		reboot(RB_POWER_OFF);
		break;
	case HANDOVER_HALT:
		reboot(RB_HALT_SYSTEM);
		break;
	case HANDOVER_WAIT:
		break;
	}
	if (f.action != HANDOVER_WAIT)
		log_error_errno(-errno, "reboot(): %m; waiting instead");
	/* SIGCHLD stays blocked except inside sigsuspend(): a child exiting between the reaping
	 * and the wait is then delivered there, not lost before a pause(). */
	sigset_t chld, waitmask;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &waitmask);
	sigdelset(&waitmask, SIGCHLD);
	struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_NOCLDSTOP};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sigsuspend(&waitmask);
	}
}

static int pid1_main(int argc, char **argv)
{
	static char cmdline[8192];
	char from_cmdline[PATH_MAX] = "";
	struct handover h;

	log_setup(IDENT, true);
	pid1_prepare_mounts();
	read_cmdline("/proc/cmdline", cmdline, sizeof(cmdline));
	_cleanup_close_ int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		log_error_errno(-errno, "cannot open /: %m; no logind defaults");
	else
		(void)apply_defaults(rootfd, cmdline, false); /* never stops the boot */

	if (cmdline_get(cmdline, "initkit.stage2.init", from_cmdline, sizeof(from_cmdline)) < 0)
		from_cmdline[0] = '\0';
	handover_plan(argc, argv, from_cmdline, &h);
	for (size_t i = 0; i < h.n_cand; i++) {
		const char *init = h.cand[i];
		const char *next = i + 1 < h.n_cand ? "; trying the next one" : "";
		char why[PATH_MAX + 256] = "";
		int r = rootfd >= 0 ? init_check(rootfd, init, why, sizeof(why)) : 0;
		if (r == 0 && same_file_as_self(init)) {
			r = -ELOOP;
			snprintf(why, sizeof(why), "init %s: is initkit-stage2 itself", init);
		}
		if (r < 0) {
			log_error("%s%s", why, next);
			continue;
		}
		_cleanup_free_ char **nargv = calloc((size_t)h.n_args + 2, sizeof(char *));
		if (!nargv) {
			log_error("out of memory");
			break;
		}
		nargv[0] = (char *)init;
		memcpy(nargv + 1, h.args, sizeof(char *) * (size_t)h.n_args);
		log_info("handing over to %s", init);
		execv(init, nargv);
		/* The check passed, yet the kernel refused: a missing #! interpreter or ELF
		 * loader (ENOENT), another architecture or garbage (ENOEXEC), ... */
		log_error_errno(-errno, "cannot execute init %s: %m%s", init, next);
	}
	pid1_no_init(h.n_cand, cmdline);
}

static int generator_main(void)
{
	static char cmdline[8192];

	log_setup(IDENT, true);
	/* In an initrd the root is not the system logind will run on: the generator runs again
	 * after the switch. */
	if (stage2_generator_in_initrd(getenv("SYSTEMD_IN_INITRD"),
				       access("/etc/initrd-release", F_OK) == 0))
		return 0;
	read_cmdline("/proc/cmdline", cmdline, sizeof(cmdline));
	_cleanup_close_ int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "cannot open /: %m"), 1;
	return apply_defaults(rootfd, cmdline, false) < 0 ? 1 : 0;
}

static void usage(void)
{
	printf("Usage: " IDENT " --root DIR [--dry-run] [--cmdline TEXT]\n"
	       "       " IDENT " --timeline [FILE|-] [--svg OUT]   (stage 1's boot timeline)\n"
	       "       " IDENT " [/sbin/init [ARGS...]]      (as PID 1)\n"
	       "       .../system-generators/initkit-logind-defaults NORMAL [EARLY LATE]\n\n"
	       "Writes logind defaults into DIR/run/systemd/logind.conf.d/" STAGE2_DROPIN_NAME
	       "\nfor the keys that no logind.conf or logind.conf.d file under DIR sets.\n"
	       "  --root DIR      the system to look at (default /)\n"
	       "  --dry-run       print what would be applied and the drop-in, write nothing\n"
	       "  --cmdline TEXT  kernel command line to use (default: /proc/cmdline when the\n"
	       "                  root is /, else empty)\n"
	       "Sources, later wins: built-in KillUserProcesses=no, /" STAGE2_CONFIG ",\n"
	       "kernel command line " STAGE2_CMDLINE_PREFIX "<Key>=<value>. Keys:\n");
	for (size_t i = 0; i < logind_keys_count; i++)
		printf("  %-29s %-18s %s\n", logind_keys[i].name,
		       logind_type_name(logind_keys[i].type), logind_keys[i].doc);
}

static int cli_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"dry-run", no_argument, NULL, 'n'},
		{"cmdline", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static char cmdline[8192];
	const char *root = "/", *cmdline_arg = NULL;
	bool dry_run = false;
	int o;

	log_setup(IDENT, false);
	while ((o = getopt_long(argc, argv, "r:nc:h", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			root = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'c':
			cmdline_arg = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			fprintf(stderr, "Try '" IDENT " --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, IDENT ": unexpected argument '%s' (not PID 1; see --help)\n",
			argv[optind]);
		return 2;
	}
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "--root %s: %m", root), 1;
	if (cmdline_arg)
		snprintf(cmdline, sizeof(cmdline), "%s", cmdline_arg);
	else if (streq(root, "/"))
		read_cmdline("/proc/cmdline", cmdline, sizeof(cmdline));
	return apply_defaults(rootfd, cmdline, dry_run) < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	switch (stage2_mode(getpid(), argc, argv, getenv("SYSTEMD_SCOPE"))) {
	case STAGE2_PID1:
		return pid1_main(argc, argv);
	case STAGE2_GENERATOR:
		return generator_main();
	case STAGE2_CLI:
		break;
	}
	if (argc > 1 && streq(argv[1], "--timeline"))
		return timeline_show_main(argc, argv);
	return cli_main(argc, argv);
}
