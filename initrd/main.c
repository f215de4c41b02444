/* initkit-init: the stage-1 /init. main() reads like the boot: mount the API filesystems,
 * read the configuration, load modules, unlock LUKS and activate LVM (alternately, until nothing
 * new appears), resume from hibernation, find the root, check its filesystem, mount it, check
 * the stage-2 init inside it, switch root. Every failure ends in the rd.emergency= policy. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bootconf.h"
#include "btrfs.h"
#include "cmdline.h"
#include "conf.h"
#include "console.h"
#include "devices.h"
#include "image.h"
#include "emergency.h"
#include "fsck.h"
#include "initcheck.h"
#include "killall.h"
#include "kmod.h"
#include "log.h"
#include "mount.h"
#include "resume.h"
#include "stack.h"
#include "switchroot.h"
#include "timeline.h"
#include "udevdb.h"
#include "util.h"
#include "vconsole.h"
#include "version.h"

#define NEWROOT "/sysroot"

/* How long processes stage 1 started (hooks' daemons) get to exit on SIGTERM. */
#define KILLALL_GRACE_MS 3000

static void usage(void)
{
	printf("Usage: initkit-init [--version | --help]\n"
	       "The stage-1 init of an initkit initramfs: runs as PID 1 (/init) and, invoked as\n"
	       "/sbin/modprobe, serves the kernel's module requests. Configuration: %s in the\n"
	       "image and the kernel command line (see README.md).\n",
	       IMAGE_CONF);
}

static void mount_api_filesystems(void)
{
	static const struct {
		const char *src, *dir, *type;
		unsigned long flags;
		const char *opts;
	} m[] = {
		{"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
		{"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
		{"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
		{"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		mkdir(m[i].dir, 0755);
		if (mount(m[i].src, m[i].dir, m[i].type, m[i].flags, m[i].opts) < 0 &&
		    errno != EBUSY)
			log_error("mount %s on %s: %m", m[i].type, m[i].dir);
	}
}

static void read_config(struct boot_config *bc)
{
	size_t len = 0;
	struct conf conf = {0};
	struct cmdline cmd = {0};
	if (boot_config_init(bc) < 0)
		emergency(BOOT_EMERGENCY_WAIT, false, "out of memory");
	_cleanup_free_ char *text = read_small_file(IMAGE_CONF, &len);
	if (text && conf_parse(text, len, &conf) == 0)
		boot_config_apply_conf(bc, &conf, IMAGE_CONF);
	conf_free(&conf);
	_cleanup_free_ char *line = read_small_file("/proc/cmdline", &len);
	if (line && cmdline_parse(line, len, &cmd) == 0)
		boot_config_apply_cmdline(bc, &cmd);
	cmdline_free(&cmd);
	log_set_max_level(bc->debug ? LOG_DEBUG : bc->quiet ? LOG_NOTICE : LOG_INFO);
	for (size_t i = 0; i < bc->n_errors; i++) {
		char msg[512];
		boot_error_format(&bc->errors[i], msg, sizeof(msg));
		log_error("%s", msg);
	}
}

/* Judges cands[from..n) inside root_fd; returns the index of the first usable one, or -1
 * with why set. With the default list, each one passed over is logged (a missing one at info
 * level only, as the kernel stays quiet about -ENOENT). */
static int first_usable_init(int root_fd, const char *const *cands, size_t n, size_t from,
			     bool defaults, char *why, size_t why_size)
{
	for (size_t i = from; i < n; i++) {
		struct initcheck_result r;
		char line[2048];
		if (initcheck_judge(root_fd, cands[i], &r) < 0 ||
		    initcheck_libraries(root_fd, &r) < 0) {
			snprintf(why, why_size, "init %s: out of memory", cands[i]);
			initcheck_result_free(&r);
			return -1;
		}
		bool ok = r.verdict == INITCHECK_OK;
		if (ok && r.content_error)
			log_warning("init %s: cannot be read fully (%s); leaving it to execve()",
				    cands[i], strerror(-r.content_error));
		if (ok && !streq(r.chain, r.path))
			log_info("init %s", r.chain);
		if (!ok && !defaults) {
			initcheck_describe(&r, why, why_size);
		} else if (!ok) {
			initcheck_describe(&r, line, sizeof(line));
			log_msg(r.verdict == INITCHECK_MISSING ? LOG_INFO : LOG_ERR, "  %s", line);
		}
		initcheck_result_free(&r);
		if (ok)
			return (int)i;
	}
	if (defaults)
		snprintf(why, why_size, "no init= given and none of the default inits is usable");
	return -1;
}

/* After the switch: exec cands[i]; when that fails and the default list is in use, go on
 * with the next usable default, as the kernel does (an init whose loader fails only at
 * execve(), e.g. a truncated dynamic loader). Returns only when nothing could be executed. */
static void exec_init(const char *const *cands, size_t n, size_t i, bool defaults, char **argv,
		      char *why, size_t why_size)
{
	for (;;) {
		argv[0] = (char *)cands[i];
		execv(cands[i], argv);
		snprintf(why, why_size, "cannot execute init %s: %s", cands[i], strerror(errno));
		if (!defaults)
			return;
		log_error("%s; trying the next default init", why);
		_cleanup_close_ int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int next = rootfd < 0 ? -1
				      : first_usable_init(rootfd, cands, n, i + 1, true, why,
							  why_size);
		if (next < 0)
			return;
		i = (size_t)next;
	}
}

static void fail(const struct boot_config *bc, const char *why)
{
	console_restore(); /* the emergency shell needs its echo */
	emergency(bc->emergency, bc->shell_allowed, why);
}

/* The kernel gives /init the argv it would give the real init (words after "--" and unknown
 * bare words like "single"): pass them on. */
static void boot(int argc, char **argv_in)
{
	uint64_t t0 = now_ms();
	timeline_start(); /* after t0: it may merge the kernel's early modprobe lines first */
	int tl = timeline_begin(TIMELINE_STEP, "api-filesystems", NULL);
	struct boot_config bc;
	struct modules *mods = NULL;
	struct uevents *uev = NULL;
	char why[1024];
	_cleanup_free_ char *rootdev = NULL;

	console_echo_off(); /* first: before anything typed ahead could be echoed */
	mount_api_filesystems();
	console_echo_off(); /* no-op, unless /init had no console before /dev was mounted */
	log_setup("initkit", true);
	log_kmsg_unlimit();
	timeline_end(tl);
	tl = timeline_begin(TIMELINE_STEP, "config", NULL);
	read_config(&bc);
	log_notice("%s", initkit_version_line());
	vconsole_setup(&bc); /* the keymap, before anything may prompt */
	timeline_end(tl);

	tl = timeline_begin(TIMELINE_STEP, "modules", NULL);
	if (uevents_open(&uev) < 0)
		log_warning("cannot listen to kernel uevents: %m; polling instead");
	if (modules_new(&mods, (const char *const *)bc.blacklist) < 0)
		fail(&bc, "cannot set up libkmod");
	for (size_t i = 0; i < bc.n_modules; i++) {
		int r = modules_load(mods, bc.modules[i], true);
		if (r == -ENOENT)
			log_error("rd.modules-load: module %s not found in the image; going on",
				  bc.modules[i]);
		else if (r < 0)
			log_error_errno(r, "rd.modules-load: module %s: %m; going on",
					bc.modules[i]);
	}
	devices_coldplug(uev, mods);
	timeline_end(tl);

	uint64_t stack_ms = 0;
	tl = timeline_begin(TIMELINE_STEP, "luks+lvm", NULL);
	if (stack_setup(&bc, uev, mods, &stack_ms, why, sizeof(why)) < 0)
		fail(&bc, why);
	timeline_end(tl);
	/* before the root is waited for, checked or mounted: nothing may touch the disks that
	 * a hibernated kernel left behind */
	tl = timeline_begin(TIMELINE_STEP, "resume", NULL);
	resume_from_hibernation(&bc, uev, mods);
	timeline_cancel(tl); /* kept when it waited or resumed */

	if (!bc.root)
		fail(&bc, "no root= configured (kernel command line or " IMAGE_CONF ")");
	/* rd.timeout counts from the last unlock or activation: the stack setup waits for root=
	 * too when LVM may make it */
	uint64_t root_timeout = bc.timeout_ms == BOOT_TIMEOUT_INFINITY ? bc.timeout_ms
				: stack_ms >= bc.timeout_ms	       ? 0
								       : bc.timeout_ms - stack_ms;
	tl = timeline_begin(TIMELINE_STEP, "root-wait", bc.root);
	_cleanup_free_ char *probed = NULL;
	int r = device_wait_type(bc.root, root_timeout, uev, mods, "root", &rootdev,
				 bc.rootfstype ? NULL : &probed);
	if (r < 0) {
		log_error("root device %s did not appear within %llu ms", bc.root,
			  (unsigned long long)bc.timeout_ms);
		device_log_seen();
		snprintf(why, sizeof(why), "root device %s not found", bc.root);
		fail(&bc, why);
	}
	timeline_end(tl);
	resume_after_root_wait(&bc, uev, mods); /* still before anything is mounted */
	/* The root's type, known from the wait's probe (a tag spec) or probed once, for the
	 * btrfs check and the mount (each probed it before: a blkid_do_safeprobe reads every
	 * filesystem's superblock place) */
	if (!bc.rootfstype && !probed)
		probed = device_probe_type(rootdev);
	const char *fstype = bc.rootfstype ? bc.rootfstype : probed;
	tl = timeline_begin(TIMELINE_STEP, "btrfs-wait", NULL);
	if (btrfs_root_wait(rootdev, fstype, bc.rootflags, bc.timeout_ms, uev, mods) < 0)
		fail(&bc, "btrfs root filesystem incomplete (see above)");
	timeline_cancel(tl); /* kept when it loaded or waited */
	tl = timeline_begin(TIMELINE_STEP, "fsck", rootdev);
	if (fsck_root(&bc, rootdev, why, sizeof(why)) < 0)
		fail(&bc, why);
	timeline_end(tl);
	int ro = bc.read_only == BOOT_RW_RO ? 1 : bc.read_only == BOOT_RW_RW ? 0 : -1;
	tl = timeline_begin(TIMELINE_STEP, "mount", rootdev);
	/* here rather than by the kernel's request_module() in mount(), which would start
	 * /sbin/modprobe: a new process, a new libkmod context and its indexes */
	modules_load_fs(mods, fstype);
	if (root_mount(rootdev, fstype, bc.rootflags, ro, NEWROOT) < 0)
		fail(&bc, "cannot mount the root filesystem");
	timeline_end(tl);

	tl = timeline_begin(TIMELINE_STEP, "init-check", bc.init);
	const char *cands[INITCHECK_N_DEFAULTS];
	size_t n_cands = initcheck_candidates(bc.init, cands);
	int newroot_fd = open(NEWROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (newroot_fd < 0) {
		snprintf(why, sizeof(why), "cannot open the new root %s: %s", NEWROOT,
			 strerror(errno));
		fail(&bc, why);
	}
	int first = first_usable_init(newroot_fd, cands, n_cands, 0, !bc.init, why, sizeof(why));
	close(newroot_fd);
	if (first < 0)
		fail(&bc, why);
	const char *init = cands[first];
	timeline_end(tl);

	char **argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!argv)
		fail(&bc, "out of memory");
	for (int i = 1; i < argc; i++)
		argv[i] = argv_in[i];
	tl = timeline_begin(TIMELINE_STEP, "cleanup", NULL);
	uevents_close(uev);
	modules_free(mods);
	killall_stage1(KILLALL_GRACE_MS);
	udevdb_mark_dm_devices(); /* so stage 2's udev does not disable them (udevdb.h) */
	console_restore();
	timeline_end(tl);
	uint64_t total_ms = now_ms() - t0;
	/* /run/initkit/timeline.json, for stage 2 */
	timeline_write(total_ms, initkit_version_line());
	log_notice("switching to %s on %s (%s) after %llu ms", init, bc.root, rootdev,
		   (unsigned long long)total_ms);
	log_kmsg_restore(); /* stage 2 gets the limit it had */
	if (switch_root(NEWROOT) < 0)
		fail(&bc, "cannot switch to the new root");
	emergency_switched(); /* from now on /bin/sh is the new root's */
	exec_init(cands, n_cands, (size_t)first, !bc.init, argv, why, sizeof(why));
	fail(&bc, why);
}

int main(int argc, char **argv)
{
	/* The image links /sbin/modprobe to /init, so the kernel's request_module() calls
	 * (crypto templates for dm-crypt, fs-ext4, ...) are served by libkmod too. */
	if (streq(basename(argv[0]), "modprobe"))
		return modules_modprobe_main(argc, argv);
	if (getpid() != 1) {
		if (argc > 1 && streq(argv[1], "--version")) {
			puts(initkit_version_line());
			return 0;
		}
		if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
			usage();
			return 0;
		}
		usage();
		return 2;
	}
	boot(argc, argv);
	return 0; /* not reached: boot() ends in switch_root or emergency() */
}
