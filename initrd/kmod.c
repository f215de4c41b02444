#include "kmod.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "timeline.h"
#include "util.h"

#define BLACKLIST_DIR "/run/initkit/modprobe.d"

struct modules {
	struct kmod_ctx *ctx;
	char **seen; /* modaliases already handled by coldplug */
	size_t n_seen, cap_seen;
	const char *asker; /* who asks for the modules loaded now (the timeline's note) */
};

static void kmod_log_to_ours(void *data, int priority, const char *file, int line, const char *fn,
			     const char *format, va_list args)
{
	(void)data, (void)file, (void)line, (void)fn;
	char msg[512];
	vsnprintf(msg, sizeof(msg), format, args);
	msg[strcspn(msg, "\n")] = 0;
	log_msg(priority <= 3 ? LOG_WARNING : LOG_DEBUG, "libkmod: %s", msg);
}

static int write_blacklist(const char *const *blacklist)
{
	if (!blacklist || !blacklist[0])
		return 0;
	mkdir("/run/initkit", 0755);
	mkdir(BLACKLIST_DIR, 0755);
	/* libkmod reads only the first file of each name across its directories, so a name the
	 * image's own /etc/modprobe.d may use (Debian ships blacklist.conf) would hide this one. */
	_cleanup_fclose_ FILE *f = fopen(BLACKLIST_DIR "/zz-initkit-cmdline-blacklist.conf", "we");
	if (!f)
		return -errno;
	for (size_t i = 0; blacklist[i]; i++)
		fprintf(f, "blacklist %s\n", blacklist[i]);
	return fflush(f) == 0 ? 0 : -errno;
}

int modules_new(struct modules **ret, const char *const *blacklist)
{
	static const char *const config[] = {"/etc/modprobe.d", BLACKLIST_DIR, NULL};
	int r = write_blacklist(blacklist);
	if (r < 0)
		log_warning_errno(r, "modules: cannot write the blacklist to %s: %m",
				  BLACKLIST_DIR);
	struct modules *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ctx = kmod_new(NULL, (const char *const *)config);
	if (!m->ctx) {
		free(m);
		return -ENOMEM;
	}
	m->asker = "rd.modules-load";
	kmod_set_log_fn(m->ctx, kmod_log_to_ours, NULL);
	r = kmod_load_resources(m->ctx);
	if (r < 0)
		log_warning_errno(r, "modules: cannot load the module indexes of %s: %m",
				  kmod_get_dirname(m->ctx));
	*ret = m;
	return 0;
}

void modules_free(struct modules *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_seen; i++)
		free(m->seen[i]);
	free(m->seen);
	kmod_unref(m->ctx);
	free(m);
}

int modules_load(struct modules *m, const char *name_or_alias, bool explicit_name)
{
	struct kmod_list *list = NULL, *l;
	int r = kmod_module_new_from_lookup(m->ctx, name_or_alias, &list);
	if (r < 0)
		return r;
	if (!list)
		return explicit_name ? -ENOENT : 0;
	int loaded = 0;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		int state = kmod_module_get_initstate(mod);
		if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE) {
			loaded = 1;
		} else {
			unsigned flags = explicit_name ? KMOD_PROBE_APPLY_BLACKLIST
						       : KMOD_PROBE_APPLY_BLACKLIST_ALL;
			int tl = timeline_begin(TIMELINE_MODULE, kmod_module_get_name(mod),
						m->asker);
			r = kmod_module_probe_insert_module(mod, flags, NULL, NULL, NULL, NULL);
			timeline_end(tl);
			if (r == 0 || r == -EEXIST) {
				log_debug("modules: loaded %s (for %s)", kmod_module_get_name(mod),
					  name_or_alias);
				loaded = 1;
			} else if (r > 0) {
				log_info("modules: %s is blacklisted", kmod_module_get_name(mod));
			} else if ((r == -ENOENT || r == -ENODEV) && !explicit_name) {
				/* ENODEV: a driver for hardware that is not there (aesni_intel on a
				 * CPU without AES-NI); another match (aes_generic) serves. */
				log_debug("modules: %s (for %s): %s", kmod_module_get_name(mod),
					  name_or_alias,
					  r == -ENOENT ? "not in the image" : "no device");
			} else {
				log_warning_errno(r, "modules: loading %s (for %s) failed: %m",
						  kmod_module_get_name(mod), name_or_alias);
				if (explicit_name && loaded == 0)
					loaded = r;
			}
		}
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return loaded;
}

static bool seen_add(struct modules *m, const char *alias)
{
	for (size_t i = 0; i < m->n_seen; i++)
		if (streq(m->seen[i], alias))
			return false;
	if (m->n_seen == m->cap_seen) {
		size_t cap = m->cap_seen ? m->cap_seen * 2 : 64;
		char **p = realloc(m->seen, cap * sizeof(*p));
		if (!p)
			return true;
		m->seen = p;
		m->cap_seen = cap;
	}
	char *copy = strdup(alias);
	if (copy)
		m->seen[m->n_seen++] = copy;
	return true;
}

static void coldplug_alias(struct modules *m, int dirfd, int *count)
{
	char alias[512];
	_cleanup_close_ int afd = openat(dirfd, "modalias", O_RDONLY | O_CLOEXEC);
	ssize_t n = afd < 0 ? -1 : read(afd, alias, sizeof(alias) - 1);
	if (n <= 0)
		return;
	alias[n] = 0;
	alias[strcspn(alias, "\n")] = 0;
	if (alias[0] && seen_add(m, alias) && modules_load(m, alias, false) > 0)
		(*count)++;
}

/* Takes dirfd. The listing comes first, so that "modalias" is opened only where there is
 * one (a failed openat() in every directory was a third of the walk under TCG) and a
 * device's "power" directory (its PM attributes: a device directory has "uevent"; no
 * device can be named "power" beside them) is not walked: 4 in 10 directories of
 * /sys/devices. A device's own modalias is still loaded before its children's. */
static int coldplug_dir(struct modules *m, int dirfd, int depth)
{
	int count = 0;
	bool has_alias = false, has_uevent = false;
	_cleanup_free_ char *subs = NULL; /* the subdirectories' names, each NUL-terminated */
	size_t used = 0, cap = 0;
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return 0;
	}
	for (struct dirent *de; (de = readdir(d));) {
		has_alias |= de->d_type == DT_REG && streq(de->d_name, "modalias");
		has_uevent |= de->d_type == DT_REG && streq(de->d_name, "uevent");
		/* Real subdirectories only: sysfs links (subsystem, driver, …) would loop. */
		if (depth > 32 || de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		size_t len = strlen(de->d_name) + 1;
		if (used + len > cap) {
			size_t ncap = (cap ? cap * 2 : 256) + len;
			char *p = realloc(subs, ncap);
			if (!p)
				break;
			subs = p, cap = ncap;
		}
		memcpy(subs + used, de->d_name, len);
		used += len;
	}
	if (has_alias)
		coldplug_alias(m, dirfd, &count);
	for (size_t i = 0; i < used; i += strlen(subs + i) + 1) {
		if (has_uevent && streq(subs + i, "power"))
			continue;
		int sub = openat(dirfd, subs + i, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			count += coldplug_dir(m, sub, depth + 1);
	}
	closedir(d);
	return count;
}

int modules_load_alias_once(struct modules *m, const char *alias)
{
	if (!m || !alias || !alias[0] || !seen_add(m, alias))
		return 0;
	return modules_load(m, alias, false) > 0 ? 1 : 0;
}

const char *modules_asked_by(struct modules *m, const char *who)
{
	const char *was = m ? m->asker : NULL;
	if (m)
		m->asker = who;
	return was;
}

static int coldplug_pass(struct modules *m)
{
	int fd = open("/sys/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : coldplug_dir(m, fd, 0);
}

int modules_coldplug_rounds(int (*pass)(void *arg), void *pass_arg, int (*more)(void *arg),
			    void *more_arg)
{
	int total = 0, n = pass(pass_arg);
	if (n > 0 && more) {
		int k;
		while ((k = more(more_arg)) > 0)
			;
		if (k == 0) /* every device added since the walk was handled by more() */
			total = n, n = 0;
	}
	/* Loading a bus driver (virtio_pci) makes new devices (virtio0) appear: repeat until a
	 * pass loads nothing. */
	while (n > 0) {
		total += n;
		n = pass(pass_arg);
	}
	if (n < 0 && total == 0)
		total = n;
	return total;
}

static int coldplug_pass_of(void *arg)
{
	return coldplug_pass(arg);
}

int modules_coldplug_then(struct modules *m, int (*more)(void *arg), void *arg)
{
	const char *was = modules_asked_by(m, "coldplug");
	int tl = timeline_begin(TIMELINE_STEP, "coldplug", NULL);
	int total = modules_coldplug_rounds(coldplug_pass_of, m, more, arg);
	if (total == 0)
		timeline_cancel(tl); /* the passes of the device waits that found nothing */
	else
		timeline_end(tl);
	modules_asked_by(m, was);
	return total;
}

int modules_coldplug(struct modules *m)
{
	return modules_coldplug_then(m, NULL, NULL);
}

int modules_load_fs(struct modules *m, const char *type)
{
	char alias[128];
	int n = type ? snprintf(alias, sizeof(alias), "fs-%s", type) : -1;
	if (!m || n < 0 || (size_t)n >= sizeof(alias))
		return 0;
	const char *was = modules_asked_by(m, "root filesystem");
	int r = modules_load(m, alias, false);
	modules_asked_by(m, was);
	return r;
}

/* "kernel: fs-ext4" for a request of the kernel (a kworker runs the usermode helper), else the
 * name of the program that ran modprobe ("lvm: dm-mod"). */
static void modprobe_asker(const char *request, char *buf, size_t size)
{
	char path[64], comm[32] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f || !fgets(comm, sizeof(comm), f))
		/* no /proc yet: /init has not mounted it, so nothing but the kernel runs */
		snprintf(comm, sizeof(comm), "%s",
			 access("/proc/self", F_OK) < 0 ? "kworker" : "?");
	comm[strcspn(comm, "\n")] = 0;
	snprintf(buf, size, "%s: %s", startswith(comm, "kworker") ? "kernel" : comm, request);
}

int modules_modprobe_main(int argc, char **argv)
{
	/* The kernel runs "/sbin/modprobe -q -- NAME" (kernel/kmod.c). */
	const char *name = NULL;
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' || (streq(argv[i], "--") && i + 1 < argc && (i++, true))) {
			name = argv[i];
			break;
		}
	if (!name) {
		fprintf(stderr, "usage: modprobe [-q] [--] MODULE\n");
		return 2;
	}
	log_setup("initkit-modprobe", true);
	struct modules *m;
	if (modules_new(&m, NULL) < 0)
		return 1;
	char asker[TIMELINE_NOTE_MAX];
	modprobe_asker(name, asker, sizeof(asker));
	modules_asked_by(m, asker);
	int r = modules_load(m, name, false);
	modules_free(m);
	/* PID 1's timeline is in another process: hand the modules over through /run */
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	for (size_t i = 0; i < n; i++)
		timeline_modprobe_record(ev[i].name, ev[i].note, ev[i].begin_ns, ev[i].end_ns);
	return r > 0 ? 0 : 1;
}
