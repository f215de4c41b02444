/* The root filesystem check before mounting; see fsck.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices.h"
#include "fsck.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

/* What the console gets of the checker's output; the whole of it is in FSCK_LOG. */
#define FSCK_OUTPUT_MAX (64 * 1024)

const char *fsck_checker_for_type(const char *fstype)
{
	static const char *const ext[] = {"ext2", "ext3", "ext4"};
	for (size_t i = 0; fstype && i < ARRAY_SIZE(ext); i++)
		if (streq(fstype, ext[i]))
			return FSCK_E2FSCK;
	return NULL;
}

size_t fsck_argv(enum boot_fsck_mode mode, enum boot_fsck_repair repair, const char *dev,
		 const char *argv[FSCK_ARGV_MAX])
{
	size_t n = 0;
	argv[n++] = "e2fsck";
	argv[n++] = repair == BOOT_FSCK_YES ? "-y" : repair == BOOT_FSCK_NO ? "-n" : "-a";
	if (mode == BOOT_FSCK_FORCE)
		argv[n++] = "-f";
	argv[n++] = dev;
	argv[n] = NULL;
	return n;
}

bool fsck_exit_ok(int status)
{
	return status >= 0 && status < FSCK_EXIT_UNCORRECTED;
}

int fsck_exit_describe(int status, char *buf, size_t size)
{
	static const struct {
		int bit;
		const char *what;
	} bits[] = {
		{FSCK_EXIT_CORRECTED, "errors corrected"},
		{FSCK_EXIT_REBOOT, "system should be rebooted"},
		{FSCK_EXIT_UNCORRECTED, "errors left uncorrected"},
		{FSCK_EXIT_OPERATIONAL, "operational error"},
		{FSCK_EXIT_USAGE, "usage or syntax error"},
		{FSCK_EXIT_CANCELED, "cancelled by the user"},
		{64, "unknown bit 64"},
		{FSCK_EXIT_LIBRARY, "shared-library error"},
	};
	int n = snprintf(buf, size, "%s", status == 0 ? "no errors" : "");
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		if (status & bits[i].bit)
			n += snprintf(buf + ((size_t)n < size ? (size_t)n : size),
				      (size_t)n < size ? size - (size_t)n : 0, "%s%s",
				      n ? ", " : "", bits[i].what);
	return n;
}

/* The checker's output, as it came (for the console once the verdict is known). */
struct output {
	char *buf;
	size_t len;
	size_t dropped; /* bytes beyond FSCK_OUTPUT_MAX, only in the log file */
};

static void output_add(struct output *o, const char *p, size_t n)
{
	size_t room = FSCK_OUTPUT_MAX - o->len;
	size_t take = n < room ? n : room;
	if (!o->buf && !(o->buf = malloc(FSCK_OUTPUT_MAX + 1))) {
		o->dropped += n;
		return;
	}
	memcpy(o->buf + o->len, p, take);
	o->len += take;
	o->dropped += n - take;
}

/* Logs each non-empty line of the output, prefixed with the device. */
static void output_log(struct output *o, enum log_level level, const char *dev)
{
	if (!o->buf)
		return;
	o->buf[o->len] = 0;
	char *save = NULL;
	for (char *l = strtok_r(o->buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (*l && strspn(l, WHITESPACE) < strlen(l))
			log_msg(level, "fsck: %s: %s", dev, l);
	if (o->dropped)
		log_msg(level, "fsck: %s: (%zu more bytes of output in %s)", dev, o->dropped,
			FSCK_LOG);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (fd >= 0 && n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k, n -= (size_t)k;
	}
}

/* Runs the checker with stdin /dev/null and stdout+stderr (in order) into one pipe, copied to
 * log_fd and kept in out. Returns 0 with *status the wait status, or a negative errno: the
 * fork or pipe failed, or (exec_errno set) the checker could not be executed. */
static int run_checker(const char *const *argv, int log_fd, struct output *out, int *status,
		       int *exec_errno)
{
	/* e2fsck needs no /etc: /proc/mounts says whether the device is mounted. */
	char *env[] = {"PATH=/sbin:/bin", NULL};
	struct spawn child;
	*exec_errno = 0;
	int r = spawn_start(&child, FSCK_E2FSCK, (char *const *)argv, env, SPAWN_MERGE_STDERR,
			    FSCK_EXIT_OPERATIONAL);
	if (r < 0)
		return r;
	char buf[4096];
	uint64_t started = now_ms();
	size_t dev = 0; /* the device is the last argument */
	while (argv[dev + 1])
		dev++;
	for (;;) {
		/* a long check (fsck.mode=force on a big disk) says it is still going, every 10 s,
		 * even under quiet: a silent console for minutes looks like a hang */
		struct pollfd pfd = {.fd = child.out[0], .events = POLLIN};
		if (poll(&pfd, 1, 10000) == 0) {
			log_notice("fsck: %s: still checking after %llu s (e2fsck's output so far: "
				   "%s)",
				   argv[dev], (unsigned long long)(now_ms() - started) / 1000,
				   FSCK_LOG);
			continue;
		}
		ssize_t k = read(child.out[0], buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		write_all(log_fd, buf, (size_t)k);
		output_add(out, buf, (size_t)k);
	}
	close(child.out[0]);
	r = spawn_wait(&child, status, exec_errno);
	if (r < 0)
		return r;
	return *exec_errno ? -*exec_errno : 0;
}

static int open_log(void)
{
	mkdir("/run/initkit", 0755);
	/* 0600: the output names files of the root filesystem. */
	int fd = open(FSCK_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		log_warning("fsck: cannot write %s: %m; the output goes to the log only", FSCK_LOG);
	return fd;
}

/* systemd-fsck-root.service in stage 2 skips the root when this exists (initramfs-tools
 * writes it too, after exit status 0 or 1). */
static void write_stamp(void)
{
	mkdir("/run/initramfs", 0755);
	int fd = open(FSCK_STAMP, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		log_warning("fsck: cannot create %s: %m; stage 2 may check the root again",
			    FSCK_STAMP);
	else
		close(fd);
}

/* Reports the exit status; returns 0 to go on or -EUCLEAN with why set. */
static int judge(int status, const char *dev, const char *type, uint64_t ms, struct output *out,
		 char *why, size_t why_size)
{
	char meaning[256];
	fsck_exit_describe(status, meaning, sizeof(meaning));
	if (status == 0) {
		output_log(out, LOG_INFO, dev);
		log_info("fsck: %s (%s): clean, checked in %llu ms", dev, type,
			 (unsigned long long)ms);
		return 0;
	}
	if (fsck_exit_ok(status)) {
		output_log(out, LOG_WARNING, dev);
		log_warning("fsck: %s (%s): errors were corrected (e2fsck exit status %d), see the "
			    "lines above and %s; checked in %llu ms%s",
			    dev, type, status, FSCK_LOG, (unsigned long long)ms,
			    status & FSCK_EXIT_REBOOT
				    ? "; no reboot is needed: the root is not mounted yet"
				    : "");
		return 0;
	}
	output_log(out, LOG_ERR, dev);
	log_error("fsck: %s (%s): e2fsck exit status %d (%s) after %llu ms; output in %s", dev,
		  type, status, meaning, (unsigned long long)ms, FSCK_LOG);
	if (status & FSCK_EXIT_OPERATIONAL)
		log_error("fsck: %s: e2fsck could not check it (an operational error: a filesystem "
			  "feature this e2fsck does not know, no memory, an I/O error); "
			  "fsck.mode=skip "
			  "boots without the check",
			  dev);
	if (status & FSCK_EXIT_UNCORRECTED)
		log_error("fsck: %s: the filesystem has errors the check did not correct; run "
			  "e2fsck on it by hand (e.g. e2fsck -f %s from a rescue system)",
			  dev, dev);
	snprintf(why, why_size, "root filesystem check failed: %s: e2fsck exit status %d (%s)", dev,
		 status, meaning);
	return -EUCLEAN;
}

/* A read-only block device (crypttab's readonly, a write-protected disk): e2fsck refuses
 * to open it unless it may change nothing ("You must have r/w access", exit status 8). */
static bool device_read_only(const char *dev)
{
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int ro = 0;
	return fd >= 0 && ioctl(fd, BLKROGET, &ro) == 0 && ro;
}

int fsck_root(const struct boot_config *bc, const char *dev, char *why, size_t why_size)
{
	if (bc->fsck_mode == BOOT_FSCK_SKIP) {
		log_info("fsck: %s: check skipped (fsck.mode=skip)", dev);
		return 0;
	}
	/* No checker in the image at all: not worth a probe of the device. */
	if (!bc->rootfstype && access(FSCK_E2FSCK, X_OK) < 0) {
		log_info(
			"fsck: %s: the image has no checker (initkit-mkimage --fsck); not checking",
			dev);
		return 0;
	}
	_cleanup_free_ char *probed = NULL;
	const char *type = bc->rootfstype ? bc->rootfstype : (probed = device_probe_type(dev));
	const char *checker = fsck_checker_for_type(type);
	if (!checker) {
		log_info("fsck: %s: no checker for filesystem type %s; not checking", dev,
			 type ? type : "(unknown)");
		return 0;
	}
	if (access(checker, X_OK) < 0) {
		log_info(
			"fsck: %s (%s): the image has no %s (initkit-mkimage --fsck); not checking",
			dev, type, checker);
		return 0;
	}
	enum boot_fsck_repair repair = bc->fsck_repair;
	if (repair != BOOT_FSCK_NO && device_read_only(dev)) {
		log_notice("fsck: %s is a read-only device: checking it without repairs (as "
			   "fsck.repair=no)",
			   dev);
		repair = BOOT_FSCK_NO;
	}
	const char *argv[FSCK_ARGV_MAX];
	size_t argc = fsck_argv(bc->fsck_mode, repair, dev, argv);
	char cmd[512] = "";
	for (size_t i = 0, n = 0; i < argc && n < sizeof(cmd); i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", argv[i]);
	log_notice("fsck: checking %s (%s): %s (fsck.mode=%s, fsck.repair=%s)", dev, type, cmd,
		   boot_fsck_mode_name(bc->fsck_mode), boot_fsck_repair_name(repair));

	_cleanup_close_ int log_fd = open_log();
	dprintf(log_fd, "initkit: %s\n", cmd);
	struct output out = {0};
	int status = 0, exec_errno = 0;
	uint64_t t0 = now_ms();
	int r = run_checker(argv, log_fd, &out, &status, &exec_errno);
	uint64_t ms = now_ms() - t0;
	if (r < 0) {
		free(out.buf);
		log_error_errno(r, "fsck: %s: cannot %s %s: %m", dev,
				exec_errno ? "execute" : "run", checker);
		dprintf(log_fd, "initkit: cannot %s %s: %s\n", exec_errno ? "execute" : "run",
			checker, strerror(-r));
		snprintf(why, why_size,
			 "root filesystem check failed: cannot %s %s for %s: %s "
			 "(fsck.mode=skip boots without the check)",
			 exec_errno ? "execute" : "run", checker, dev, strerror(-r));
		return r;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		output_log(&out, LOG_ERR, dev);
		free(out.buf);
		log_error("fsck: %s: e2fsck was killed by signal %d (%s) after %llu ms", dev, sig,
			  strsignal(sig), (unsigned long long)ms);
		dprintf(log_fd, "initkit: killed by signal %d (%s)\n", sig, strsignal(sig));
		snprintf(why, why_size,
			 "root filesystem check failed: e2fsck on %s was killed by signal %d (%s)",
			 dev, sig, strsignal(sig));
		return -EINTR;
	}
	int code = WEXITSTATUS(status);
	dprintf(log_fd, "initkit: exit status %d after %llu ms\n", code, (unsigned long long)ms);
	r = judge(code, dev, type, ms, &out, why, why_size);
	free(out.buf);
	if (r == 0)
		write_stamp();
	return r;
}
