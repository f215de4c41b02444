/* LVM activation by running the image's static lvm; see lvm.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootconf.h"
#include "log.h"
#include "lvm.h"
#include "util.h"

/* One component of a dm name, as libdm's _unquote(): "--" is a '-', a single '-' ends the
 * component (a '-' as the very last character is kept). Returns the rest, or NULL when out
 * does not hold the component. */
static const char *dm_component(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == '-' && s[1]) {
			if (s[1] != '-')
				break;
			s++;
		}
		if (n + 1 >= size)
			return NULL;
		out[n++] = *s;
	}
	out[n] = 0;
	return *s ? s + 1 : s;
}

int lvm_dm_name_split(const char *dmname, char *vg, size_t vg_size, char *lv, size_t lv_size)
{
	char layer[128];
	const char *rest = dm_component(dmname, vg, vg_size);
	rest = rest ? dm_component(rest, lv, lv_size) : NULL;
	if (!rest || !dm_component(rest, layer, sizeof(layer)))
		return -ENAMETOOLONG;
	if (!boot_lvm_name_valid(vg, strlen(vg)) || !boot_lvm_name_valid(lv, strlen(lv)) ||
	    layer[0])
		return -EINVAL;
	return 0;
}

int lvm_root_vg(const char *root, char *vg, size_t vg_size)
{
	/* /dev subdirectories that are never a VG (devtmpfs, udev, md, bcache, zram...). */
	static const char *const not_vg[] = {"disk", "mapper", "md",	 "block", "char",
					     "bus",  "input",  "bcache", "cpu",	  "net",
					     "pts",  "shm",    "snd",	 "dri",	  "vfio"};
	char lv[128];
	const char *name = startswith(root, "/dev/mapper/");
	if (name)
		return lvm_dm_name_split(name, vg, vg_size, lv, sizeof(lv));
	name = startswith(root, "/dev/");
	const char *slash = name ? strchr(name, '/') : NULL;
	if (!slash || strchr(slash + 1, '/'))
		return -EINVAL;
	size_t len = (size_t)(slash - name);
	for (size_t i = 0; i < ARRAY_SIZE(not_vg); i++)
		if (strlen(not_vg[i]) == len && strncmp(not_vg[i], name, len) == 0)
			return -EINVAL;
	if (!boot_lvm_name_valid(name, len) || !boot_lvm_name_valid(slash + 1, strlen(slash + 1)))
		return -EINVAL;
	if (len >= vg_size)
		return -ENAMETOOLONG;
	memcpy(vg, name, len);
	vg[len] = 0;
	return 0;
}

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
 * Runs `lvm ARGS...` (argv[0] must be "lvm": the static binary dispatches on it). Its stderr
 * goes to our log line by line; its stdout too, unless out is given: then stdout is returned
 * there (malloc'ed, NUL-terminated). Returns lvm's exit status, or a negative errno. */
static int run_lvm(const char *const *args, char **out)
{
	char *argv[16] = {"lvm"};
	size_t n = 1;
	for (; args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = (char *)args[n - 1];
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		int r = -errno;
		close(po[0]), close(po[1]);
		return r;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		/* stage 1's own descriptors are O_CLOEXEC, but say so to lvm's fd check anyway */
		char *env[] = {"LVM_SUPPRESS_FD_WARNINGS=1", "PATH=/sbin:/bin", NULL};
		execve(LVM_BINARY, argv, env);
		dprintf(2, "cannot execute %s: %m\n", LVM_BINARY);
		_exit(127);
	}
	close(po[1]), close(pe[1]);
	if (pid < 0) {
		close(po[0]), close(pe[0]);
		return -errno;
	}
	/* [0] stdout, [1] stderr: each either logged line by line or (stdout) captured */
	struct stream {
		char *buf;
		size_t len, cap;
		bool capture;
	} st[2] = {{.capture = out != NULL}, {0}};
	struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
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
	for (int i = 0; i < 2; i++)
		if (!st[i].capture && st[i].buf)
			log_lines(st[i].buf, &st[i].len, true, LOG_NOTICE);
	if (out && st[0].buf)
		st[0].buf[st[0].len] = 0;
	if (out)
		*out = st[0].buf;
	else
		free(st[0].buf);
	free(st[1].buf);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

static int activate_vg(const char *vg, bool named)
{
	uint64_t t0 = now_ms();
	int r = run_lvm((const char *const[]){"vgchange", "-ay", "--sysinit", vg, NULL}, NULL);
	if (r != 0) {
		log_msg(named ? LOG_ERR : LOG_WARNING,
			"lvm: volume group %s: activation failed (lvm vgchange exit status %d)%s",
			vg, r, named ? "" : "; going on");
		return -ENXIO;
	}
	log_info("lvm: volume group %s activated in %llu ms", vg,
		 (unsigned long long)(now_ms() - t0));
	return 0;
}

static int activate_lv(const char *vglv)
{
	uint64_t t0 = now_ms();
	int r = run_lvm((const char *const[]){"lvchange", "-ay", "--sysinit", vglv, NULL}, NULL);
	if (r != 0) {
		log_error("lvm: logical volume %s: activation failed (lvm lvchange exit status %d)",
			  vglv, r);
		return -ENXIO;
	}
	log_info("lvm: logical volume %s activated in %llu ms", vglv,
		 (unsigned long long)(now_ms() - t0));
	return 0;
}

/* No VG named and root= no LV path: the VGs whose PVs are the open dm-crypt devices. */
static void activate_on_crypt_devices(void)
{
	char *args[24] = {"pvs", "--noheadings", "-o", "vg_name"};
	size_t n = crypt_devices(args + 4, ARRAY_SIZE(args) - 5);
	_cleanup_free_ char *out = NULL;
	if (n == 0) {
		log_debug("lvm: no VG named, root= is no LV and no LUKS device is open: nothing "
			  "to activate");
		return;
	}
	/* pvs exits non-zero when one of the devices is no PV; its stdout still lists the rest. */
	run_lvm((const char *const *)args, &out);
	for (size_t i = 4; i < n + 4; i++)
		free(args[i]);
	char *save = NULL, *seen[16];
	size_t n_seen = 0;
	for (char *vg = out ? strtok_r(out, WHITESPACE, &save) : NULL; vg;
	     vg = strtok_r(NULL, WHITESPACE, &save)) {
		bool dup = false;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = streq(seen[i], vg);
		if (dup || n_seen == ARRAY_SIZE(seen))
			continue;
		seen[n_seen++] = vg;
		activate_vg(vg, false);
	}
}

int lvm_activate(const struct boot_config *bc)
{
	bool named = bc->n_lvm_vgs || bc->n_lvm_lvs;
	char vg[128];
	int r = 0;
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
	/* lvm's run and lock directories (its defaults; --sysinit ignores locking failures). */
	mkdir("/run/lvm", 0700);
	mkdir("/run/lock", 0755);
	mkdir("/run/lock/lvm", 0700);
	uint64_t t0 = now_ms();
	for (size_t i = 0; i < bc->n_lvm_vgs; i++)
		if (activate_vg(bc->lvm_vgs[i], true) < 0)
			r = -ENXIO;
	for (size_t i = 0; i < bc->n_lvm_lvs; i++)
		if (activate_lv(bc->lvm_lvs[i]) < 0)
			r = -ENXIO;
	if (!named && !(bc->root && lvm_root_vg(bc->root, vg, sizeof(vg)) == 0))
		activate_on_crypt_devices();
	/* the VGs of root= and resume= when they name LVs (resume= only when it is used) */
	const char *const lv_paths[] = {bc->root, bc->noresume ? NULL : bc->resume};
	for (size_t i = 0; !named && i < ARRAY_SIZE(lv_paths); i++) {
		if (!lv_paths[i] || lvm_root_vg(lv_paths[i], vg, sizeof(vg)) < 0)
			continue;
		/* /dev/mapper/luks-UUID looks like VG "luks": an existing device is no LV to make
		 */
		if (access(lv_paths[i], F_OK) == 0)
			log_debug("lvm: %s exists already; nothing to activate", lv_paths[i]);
		else
			activate_vg(vg, false);
	}
	log_info("lvm: activation took %llu ms", (unsigned long long)(now_ms() - t0));
	return r;
}
