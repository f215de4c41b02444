/* LVM activation by running the image's static lvm; see lvm.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootconf.h"
#include "devices.h"
#include "log.h"
#include "lvm.h"
#include "spawn.h"
#include "timeline.h"
#include "util.h"

/* Logs each complete line of buf[0..*len) with the "lvm: " prefix, keeps the partial rest. */
static void log_lines(char *buf, size_t *len, bool flush, enum log_level level)
{
	char *start = buf, *nl;
	while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
		*nl = 0;
		if (nl > start)
			log_msg(level, "lvm: %s", start);
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	if (flush && *len) {
		buf[*len] = 0;
		log_msg(level, "lvm: %s", buf);
		*len = 0;
	}
}

/* Metadata writes, as measured with lvm2 2.03.16: the image's lvm.conf sets
 * global/metadata_read_only, but 2.03.16 overwrites that setting with the --readonly flag for
 * each command (tools/lvmcmdline.c: metadata_read_only = arg_is_set(readonly_ARG)), and
 * --readonly switches activation off (current_settings.activation = 0: "0 logical volume(s)
 * now active"), so neither holds here. What does: 2.03 reads never repair (wipe_outdated_pvs
 * is 0; repairs need vgck --updatemetadata), we run only vgchange/lvchange -ay and pvs, and
 * the lvm-on-luks scenario checks the PV's first MiB is unchanged after the boot.
 *
 * Runs `lvm ARGS...` (argv[0] must be "lvm": the static binary dispatches on it). Its stdout
 * and stderr go to our log line by line, unless out / err are given: then that stream is
 * returned there (malloc'ed, NUL-terminated, or NULL when empty). Returns lvm's exit status,
 * or a negative errno. */
static int run_lvm(const char *const *args, char **out, char **err)
{
	char *argv[16] = {"lvm"};
	size_t n = 1;
	for (; args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = (char *)args[n - 1];
	/* stage 1's own descriptors are O_CLOEXEC, but say so to lvm's fd check anyway */
	char *env[] = {"LVM_SUPPRESS_FD_WARNINGS=1", "PATH=/sbin:/bin", NULL};
	struct spawn child;
	int tl = timeline_begin(TIMELINE_LVM, args[0], args[1]);
	/* an lvm that cannot be executed says so on its stderr and exits 127, like a shell */
	int r = spawn_start(&child, LVM_BINARY, argv, env, SPAWN_SAY_EXEC_FAILURE, 127);
	if (r < 0)
		return timeline_end(tl), r;
	/* [0] stdout, [1] stderr: each either logged line by line or (stdout) captured */
	struct stream {
		char *buf;
		size_t len, cap;
		bool capture;
	} st[2] = {{.capture = out != NULL}, {.capture = err != NULL}};
	struct pollfd p[2] = {{child.out[0], POLLIN, 0}, {child.out[1], POLLIN, 0}};
	uint64_t started = now_ms();
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		/* lvm stuck on a dying disk's I/O is not killed (it may be halfway through a
		 * table load) but said, every 10 s: the console shows why the boot waits */
		int k = poll(p, 2, 10000);
		if (k < 0 && errno != EINTR)
			break;
		if (k == 0) {
			log_notice("lvm: 'lvm %s %s' still running after %llu s", argv[1],
				   argv[n - 1], (unsigned long long)(now_ms() - started) / 1000);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			struct stream *x = &st[i];
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (x->cap - x->len < 512) {
				size_t want = x->capture ? x->cap * 2 + 1024 : 1024;
				char *nb = realloc(x->buf, want);
				if (nb)
					x->buf = nb, x->cap = want;
			}
			ssize_t k = x->cap > x->len + 1
					    ? read(p[i].fd, x->buf + x->len, x->cap - x->len - 1)
					    : -1;
			if (k <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			x->len += (size_t)k;
			if (!x->capture)
				log_lines(x->buf, &x->len, x->len + 1 >= x->cap, LOG_NOTICE);
		}
	}
	char **ret[2] = {out, err};
	for (int i = 0; i < 2; i++) {
		if (!st[i].capture) {
			if (st[i].buf)
				log_lines(st[i].buf, &st[i].len, true, LOG_NOTICE);
			free(st[i].buf);
			continue;
		}
		if (st[i].buf)
			st[i].buf[st[i].len] = 0;
		*ret[i] = st[i].buf;
	}
	int status, exec_errno;
	r = spawn_wait(&child, &status, &exec_errno);
	timeline_end(tl);
	if (r < 0)
		return r;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* the callers report "exit status 139": say here what that was */
	log_error("lvm: 'lvm %s %s' was killed by signal %d (%s)", argv[1], argv[n - 1],
		  WTERMSIG(status), strsignal(WTERMSIG(status)));
	return 128 + WTERMSIG(status);
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Appends "/dev/mapper/NAME" of each open dm-crypt mapping (dm uuid CRYPT-...) to argv. */
static size_t crypt_devices(char **argv, size_t max)
{
	size_t n = 0;
	_cleanup_(closedirp) DIR *d = opendir("/sys/block");
	for (struct dirent *e; d && n < max && (e = readdir(d));) {
		char path[512], uuid[256], name[256];
		if (!startswith(e->d_name, "dm-"))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/uuid", e->d_name);
		if (read_line(path, uuid, sizeof(uuid)) < 0 || !startswith(uuid, "CRYPT-"))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", e->d_name);
		if (read_line(path, name, sizeof(name)) < 0 ||
		    asprintf(&argv[n], "/dev/mapper/%s", name) < 0)
			continue;
		n++;
	}
	return n;
}

/* Logs each line of text (may be NULL) with the "lvm: " prefix. */
static void log_text(const char *text, enum log_level level)
{
	_cleanup_free_ char *copy = text ? strdup(text) : NULL;
	size_t len = copy ? strlen(copy) : 0;
	if (copy)
		log_lines(copy, &len, true, level);
}

/* After a VG could not be activated: when lvm knows it but some of its PVs are missing,
 * says which (lvm's own warning names them too, but among others). */
static void report_missing_pvs(const char *vg, enum log_level level)
{
	char sel[160], missing[512];
	unsigned n_missing, n_pvs;
	_cleanup_free_ char *out = NULL, *err = NULL;
	snprintf(sel, sizeof(sel), "vg_name=\"%s\"", vg);
	int r = run_lvm((const char *const[]){"pvs", "--noheadings", "--separator", ",", "-o",
					      "pv_uuid,pv_missing", "-S", sel, NULL},
			&out, &err);
	if (r != 0 || lvm_pvs_missing_parse(out, missing, sizeof(missing), &n_missing, &n_pvs) < 0)
		return;
	if (n_pvs == 0)
		log_msg(level, "lvm: volume group %s: not found on any device seen", vg);
	else if (n_missing)
		log_msg(level,
			"lvm: volume group %s is missing %u of its %u physical volumes: PV UUID "
			"%s; "
			"the logical volumes on it were not activated",
			vg, n_missing, n_pvs, missing);
}

struct lvm_target {
	char *name;	       /* "VG" or "VG/LV" */
	const char *satisfied; /* a device path whose existence makes this one unneeded */
	bool lv, named, done;
	int status;	 /* of the last attempt; -1: none yet */
	char *out, *err; /* its output, reported if it never succeeds */
};

struct lvm_run {
	struct lvm_target t[64];
	size_t n;
	bool named, crypt_pvs; /* crypt_pvs: also the VGs on opened dm-crypt devices */
	char *probed[32];      /* dm-crypt devices already asked for their VG */
	size_t n_probed;
	const char *root; /* root=, for the end: is a failure still in the way? */
	uint64_t gen, spent_ms;
	bool attempted;
};

static int add_target(struct lvm_run *run, const char *name, bool lv, bool named,
		      const char *satisfied)
{
	for (size_t i = 0; i < run->n; i++)
		if (streq(run->t[i].name, name) && run->t[i].lv == lv)
			return 0;
	if (run->n == ARRAY_SIZE(run->t)) {
		log_warning("lvm: more than %zu volume groups to activate; ignoring %s",
			    ARRAY_SIZE(run->t), name);
		return 0;
	}
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	run->t[run->n++] = (struct lvm_target){
		.name = copy, .lv = lv, .named = named, .satisfied = satisfied, .status = -1};
	return 0;
}

/* An LV path (root=, resume=, a LUKS device) becomes an LV target: only that LV is activated
 * (with -K, as initramfs-tools and dracut do: a snapshot or an LV with the skip flag is what
 * the user named), the rest of the VG is stage 2's business. */
static int add_path_target(struct lvm_run *run, const char *path)
{
	char vg[128], lv[128], vglv[260];
	if (!path || lvm_path_split(path, vg, sizeof(vg), lv, sizeof(lv)) < 0)
		return 0;
	snprintf(vglv, sizeof(vglv), "%s/%s", vg, lv);
	return add_target(run, vglv, true, false, path);
}

int lvm_run_begin(const struct boot_config *bc, const char *const *lv_specs, size_t n_specs,
		  struct lvm_run **ret)
{
	*ret = NULL;
	bool named = bc->n_lvm_vgs || bc->n_lvm_lvs;
	if (!bc->lvm_enabled) {
		log_info("lvm: disabled by rd.lvm=0");
		return 0;
	}
	if (access(LVM_BINARY, X_OK) < 0) {
		if (!named)
			return 0;
		log_error("lvm: rd.lvm.vg=/rd.lvm.lv= given, but the image has no %s "
			  "(initkit-mkimage --lvm)",
			  LVM_BINARY);
		return -ENOENT;
	}
	struct lvm_run *run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->named = named;
	run->root = bc->root;
	run->gen = (uint64_t)-1;
	int r = 0;
	for (size_t i = 0; r == 0 && i < bc->n_lvm_vgs; i++)
		r = add_target(run, bc->lvm_vgs[i], false, true, NULL);
	for (size_t i = 0; r == 0 && i < bc->n_lvm_lvs; i++)
		r = add_target(run, bc->lvm_lvs[i], true, true, NULL);
	if (!named) {
		/* The LVs that root=, resume= (when it is used) and the LUKS devices name as LV
		 * paths; a path that exists (/dev/mapper/luks-UUID looks like VG "luks", LV
		 * "UUID") needs nothing. */
		char vg[128];
		bool root_lv = bc->root && lvm_root_vg(bc->root, vg, sizeof(vg)) == 0;
		const char *resume = bc->noresume ? NULL : bc->resume;
		/* resume=UUID= (Debian's conf.d/resume, most guides) of a swap LV: which LV is
		 * not known before activating, so the VG of the root LV and the VGs on the
		 * unlocked LUKS devices are activated whole, as when root= is a tag */
		bool resume_tag = resume && (resume[0] != '/' || startswith(resume, "/dev/disk/"));
		r = add_path_target(run, bc->root);
		r = r ?: add_path_target(run, resume);
		if (r == 0 && resume_tag && root_lv)
			r = add_target(run, vg, false, false, NULL);
		for (size_t i = 0; r == 0 && i < n_specs; i++)
			r = add_path_target(run, lv_specs[i]);
		/* root= by UUID= or LABEL= (Debian's installer with a hand-edited root=): the
		 * VGs whose PVs are the unlocked LUKS devices, as they open. */
		run->crypt_pvs = !root_lv || resume_tag;
	}
	if (r < 0) {
		lvm_run_end(run);
		return r;
	}
	/* lvm's run and lock directories (its defaults; --sysinit ignores locking failures). */
	mkdir("/run/lvm", 0700);
	mkdir("/run/lock", 0755);
	mkdir("/run/lock/lvm", 0700);
	*ret = run;
	return 0;
}

/* The VGs on dm-crypt devices opened since the last call become targets. */
static int add_crypt_pv_vgs(struct lvm_run *run)
{
	char *args[24] = {"pvs", "--noheadings", "-o", "vg_name"};
	char *devs[16];
	size_t n = 0, m = crypt_devices(devs, ARRAY_SIZE(devs));
	for (size_t i = 0; i < m; i++) {
		bool seen = false;
		for (size_t j = 0; j < run->n_probed && !seen; j++)
			seen = streq(run->probed[j], devs[i]);
		if (seen || run->n_probed == ARRAY_SIZE(run->probed) || n == ARRAY_SIZE(args) - 5) {
			free(devs[i]);
			continue;
		}
		run->probed[run->n_probed++] = devs[i];
		args[4 + n++] = devs[i];
	}
	if (n == 0)
		return 0;
	_cleanup_free_ char *out = NULL, *err = NULL;
	/* pvs exits non-zero when one of the devices is no PV; its stdout still lists the rest,
	 * and "not a PV" is no news worth a line. */
	run_lvm((const char *const *)args, &out, &err);
	int r = 0;
	char *save = NULL;
	for (char *vg = out ? strtok_r(out, WHITESPACE, &save) : NULL; vg && r == 0;
	     vg = strtok_r(NULL, WHITESPACE, &save))
		if (boot_lvm_name_valid(vg, strlen(vg)))
			r = add_target(run, vg, false, false, NULL);
	return r;
}

/* lvm said yes: for an LV, is its device there? (lvm exits 0 for an LV it skipped.) When it
 * is, but the path the user gave (/dev/VG/LV) is not — an LV activated before us, by a hook,
 * gets no link from "already active" — lvm vgmknodes makes the links (no metadata write). */
static bool lv_present(struct lvm_target *t)
{
	char vg[128], dm[300], path[320];
	const char *slash = strchr(t->name, '/');
	if (!slash)
		return true;
	snprintf(vg, sizeof(vg), "%.*s", (int)(slash - t->name), t->name);
	if (lvm_dm_name(vg, slash + 1, dm, sizeof(dm)) < 0)
		return true;
	snprintf(path, sizeof(path), "/dev/mapper/%s", dm);
	if (access(path, F_OK) < 0) {
		if (t->status == 0) {
			free(t->err);
			if (asprintf(&t->err, "lvm exited 0, but %s did not appear", path) < 0)
				t->err = NULL;
		}
		return false;
	}
	if (t->satisfied && access(t->satisfied, F_OK) < 0)
		run_lvm((const char *const[]){"vgmknodes", vg, NULL}, NULL, NULL);
	return true;
}

static void logged_success(struct lvm_target *t, uint64_t ms)
{
	log_info("lvm: %s %s activated in %llu ms", t->lv ? "logical volume" : "volume group",
		 t->name, (unsigned long long)ms);
	t->done = true;
}

int lvm_run_step(struct lvm_run *run)
{
	if (!run)
		return 0;
	uint64_t gen = device_block_generation();
	if (gen == run->gen)
		return 0; /* nothing appeared since the last attempt: lvm would see the same */
	run->gen = gen;
	uint64_t t0 = now_ms();
	if (run->crypt_pvs && add_crypt_pv_vgs(run) < 0)
		return -ENOMEM;
	int n = 0;
	/* The LVs wanted go in one lvchange (root= and resume= of Debian's layout: one lvm
	 * run, not two); -K (--ignoreactivationskip): the user named that very LV. */
	const char *args[16] = {"lvchange", "-ay", "-K", "--sysinit"};
	struct lvm_target *lvs[11];
	size_t n_lvs = 0;
	for (size_t i = 0; i < run->n; i++) {
		struct lvm_target *t = &run->t[i];
		if (t->done || (t->satisfied && access(t->satisfied, F_OK) == 0)) {
			t->done = true;
			continue;
		}
		if (t->lv && n_lvs < ARRAY_SIZE(lvs)) {
			lvs[n_lvs] = t;
			args[4 + n_lvs++] = t->name;
		}
	}
	if (n_lvs) {
		char *out = NULL, *err = NULL;
		run->attempted = true;
		int status = run_lvm(args, &out, &err);
		bool logged = false;
		for (size_t i = 0; i < n_lvs; i++) {
			struct lvm_target *t = lvs[i];
			free(t->out), free(t->err);
			t->out = out ? strdup(out) : NULL;
			t->err = err ? strdup(err) : NULL;
			t->status = status;
			/* lvchange exits non-zero when one of them fails: each LV is judged by its
			 * device node */
			if (!lv_present(t))
				continue;
			if (!logged) {
				log_text(out, LOG_NOTICE);
				log_text(err, LOG_NOTICE);
				logged = true;
			}
			logged_success(t, now_ms() - t0);
			n++;
		}
		free(out), free(err);
	}
	for (size_t i = 0; i < run->n; i++) {
		struct lvm_target *t = &run->t[i];
		if (t->done || t->lv)
			continue;
		uint64_t t1 = now_ms();
		free(t->out), free(t->err);
		t->out = t->err = NULL;
		run->attempted = true;
		t->status = run_lvm(
			(const char *const[]){"vgchange", "-ay", "--sysinit", t->name, NULL},
			&t->out, &t->err);
		if (t->status != 0)
			continue; /* not (completely) there yet: again when something appears */
		log_text(t->out, LOG_NOTICE);
		log_text(t->err, LOG_NOTICE);
		logged_success(t, now_ms() - t1);
		n++;
	}
	run->spent_ms += now_ms() - t0;
	return n;
}

bool lvm_run_waiting(const struct lvm_run *run, const char **what)
{
	for (size_t i = 0; run && i < run->n; i++)
		if (run->t[i].named && !run->t[i].done) {
			if (what)
				*what = run->t[i].name;
			return true;
		}
	return false;
}

int lvm_run_end(struct lvm_run *run)
{
	int r = 0;
	if (!run)
		return 0;
	/* With root= there, a named VG that lvm could not activate completely (a dead data disk,
	 * one LV it cannot make) does not stop the boot: it is said loudly, as dracut goes on. */
	_cleanup_free_ char *rootdev = NULL;
	bool root_there = run->root && device_resolve(run->root, &rootdev) == 0;
	for (size_t i = 0; i < run->n; i++) {
		struct lvm_target *t = &run->t[i];
		if (t->done || (t->satisfied && access(t->satisfied, F_OK) == 0))
			continue;
		bool fatal = t->named && !root_there;
		/* a guess that failed is only a warning while the root is there anyway */
		enum log_level level = t->named || !root_there ? LOG_ERR : LOG_WARNING;
		log_text(t->out, level);
		log_text(t->err, level);
		const char *kind = t->lv ? "logical volume" : "volume group";
		if (t->status < 0)
			log_msg(level, "lvm: %s %s: never attempted (no block device appeared)",
				kind, t->name);
		else if (t->satisfied && t->status != 0)
			log_msg(level,
				"lvm: %s (%s %s): activation failed (lvm lvchange exit status "
				"%d)%s",
				t->satisfied, kind, t->name, t->status, fatal ? "" : "; going on");
		else
			log_msg(level, "lvm: %s %s: activation failed (lvm %s exit status %d)%s",
				kind, t->name, t->lv ? "lvchange" : "vgchange", t->status,
				fatal ? "" : "; going on");
		char vg[128];
		snprintf(vg, sizeof(vg), "%.*s", (int)strcspn(t->name, "/"), t->name);
		report_missing_pvs(vg, level);
		if (fatal)
			r = -ENXIO;
	}
	if (run->attempted)
		log_info("lvm: activation took %llu ms", (unsigned long long)run->spent_ms);
	for (size_t i = 0; i < run->n; i++)
		free(run->t[i].name), free(run->t[i].out), free(run->t[i].err);
	for (size_t i = 0; i < run->n_probed; i++)
		free(run->probed[i]);
	free(run);
	return r;
}
