#include "devices.h"

#include <blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kmod.h"
#include "log.h"
#include "timeline.h"
#include "uevent.h"
#include "util.h"

struct uevents {
	int fd;
	bool netlink;	    /* a uevent socket: only the kernel's messages count (below) */
	bool overflowed;    /* the kernel dropped messages (ENOBUFS) or one was cut */
	bool block_changed; /* a block device changed: libblkid's view of it is stale */
	/* block devices that appeared since the wait last looked (DEVNAME=): a kept libblkid
	 * cache does not look for new devices itself (blkid_probe_all_new does nothing for
	 * 200 s after the cache's first full probe), so the wait probes these */
	char added[32][64];
	unsigned n_added;
};

/* What the device waits did, for the line a wait logs (and the scenarios check): the cost of
 * a wait must grow with the devices that appear, never with devices times turns. */
static struct {
	unsigned batches, events, modules, full_passes, probes;
} stats;

int uevents_open(struct uevents **ret)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1 /* kernel events */};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	int size = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	int r = uevents_from_fd(fd, ret);
	if (r < 0)
		close(fd);
	return r;
}

int uevents_from_fd(int fd, struct uevents **ret)
{
	/* zeroed: a reused heap chunk would leave "overflowed" set, and the first coldplug
	 * would walk /sys again for nothing (or a stale "block_changed" reset libblkid) */
	struct uevents *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	int domain = 0;
	socklen_t len = sizeof(domain);
	u->netlink =
		getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_NETLINK;
	u->fd = fd;
	*ret = u;
	return 0;
}

void uevents_close(struct uevents *u)
{
	if (!u)
		return;
	close(u->fd);
	free(u);
}

/* Reads every pending uevent and acts on each one alone: the module for its MODALIAS (once
 * per modalias: coldplug and earlier events share the list), a note when a block device
 * changed. Nothing here walks /sys: a device that appears costs its own messages only.
 * Returns the number of messages read. */
static int uevents_drain(struct uevents *u, struct modules *m)
{
	char buf[8192 + 1]; /* the kernel's messages are at most 2 KiB (UEVENT_BUFFER_SIZE) */
	int count = 0;
	const char *was = modules_asked_by(m, "uevent");
	for (;;) {
		struct sockaddr_nl from = {0};
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
		struct msghdr msg = {.msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1};
		ssize_t n = recvmsg(u->fd, &msg, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* the socket overflowed: some devices' messages are lost for good, a
			 * block device's "change" among them maybe */
			u->overflowed = u->block_changed = true;
			continue;
		}
		if (n < 0)
			break;
		/* Only the kernel (port 0) speaks for devices: a process with CAP_NET_ADMIN can
		 * send to group 1 too (as systemd-udevd, we ignore it) */
		if (u->netlink && (msg.msg_namelen < sizeof(from) || from.nl_family != AF_NETLINK ||
				   from.nl_pid != 0)) {
			log_debug(
				"devices: ignoring a uevent message from port %u (not the kernel)",
				(unsigned)from.nl_pid);
			continue;
		}
		if ((size_t)n > sizeof(buf) - 1) {
			/* cut: its MODALIAS or its "change" may be what was lost */
			u->overflowed = u->block_changed = true;
			continue;
		}
		count++;
		struct uevent ev;
		if (uevent_parse(buf, (size_t)n, &ev) < 0)
			continue;
		unsigned todo = uevent_decide(&ev);
		if (todo & UEVENT_LOAD && m)
			stats.modules += (unsigned)modules_load_alias_once(m, ev.modalias);
		if (todo & UEVENT_BLOCK_CHANGED)
			u->block_changed = true;
		if (todo & UEVENT_BLOCK_ADDED) {
			if (u->n_added < sizeof(u->added) / sizeof(u->added[0]) &&
			    strlen(ev.devname) < sizeof(u->added[0]))
				strcpy(u->added[u->n_added++], ev.devname);
			else
				u->block_changed = true; /* too many to name: probe all afresh */
		}
	}
	modules_asked_by(m, was);
	stats.events += (unsigned)count;
	return count;
}

/* The safe way, for when the messages cannot tell what is new: every modalias under
 * /sys/devices (those handled before are skipped, but every directory is read). */
static void coldplug_full(struct modules *m, const char *why)
{
	if (!m)
		return;
	stats.full_passes++;
	log_debug("devices: scanning /sys/devices for modules (%s)", why);
	modules_coldplug(m);
}

struct coldplug_events {
	struct uevents *u;
	struct modules *m;
};

int uevents_more(struct uevents *u, struct modules *m)
{
	int n = uevents_drain(u, m);
	if (u->overflowed) { /* events were lost (or cut): walk again */
		u->overflowed = false;
		return -ENOBUFS;
	}
	return n;
}

static int coldplug_more(void *arg)
{
	struct coldplug_events *c = arg;
	return uevents_more(c->u, c->m);
}

int devices_coldplug(struct uevents *u, struct modules *m)
{
	struct coldplug_events c = {u, m};
	return modules_coldplug_then(m, u ? coldplug_more : NULL, &c);
}

int device_tag_from_udev_path(const char *path, char *out, size_t size)
{
	static const struct {
		const char *dir, *tag;
	} links[] = {
		{"/dev/disk/by-uuid/", "UUID="},
		{"/dev/disk/by-label/", "LABEL="},
		{"/dev/disk/by-partuuid/", "PARTUUID="},
		{"/dev/disk/by-partlabel/", "PARTLABEL="},
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		const char *p = startswith(path, links[i].dir);
		size_t n = strlen(links[i].tag);
		if (!p)
			continue;
		if (!*p || strchr(p, '/') || n >= size)
			return -EINVAL;
		memcpy(out, links[i].tag, n);
		/* udev writes bytes outside its safe set as \xHH ("my\x20disk", "a\x2fb") */
		for (; *p; p++) {
			unsigned v;
			char c = *p;
			if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1 &&
			    isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
				c = (char)v;
				p += 3;
			}
			if (!c || n + 1 >= size)
				return -EINVAL;
			out[n++] = c;
		}
		out[n] = 0;
		return 1;
	}
	return 0;
}

/* device_resolve() with libblkid's cache in *keep (NULL: a fresh one, put after): a tag is
 * then looked up among the devices probed before and those the uevents announced (probed
 * into the cache by uevents_probe_added: libblkid's own blkid_probe_all_new does nothing on a
 * cache fully probed less than 200 s ago), so a wait's turn costs what appeared, not every
 * device again. */
static int resolve(const char *spec, blkid_cache *keep, char **ret)
{
	struct stat st;
	char tag[1024];
	/* No udev makes /dev/disk/by-* in stage 1; real crypttabs and command lines use them. */
	if (startswith(spec, "/dev/disk/") && stat(spec, &st) < 0 &&
	    device_tag_from_udev_path(spec, tag, sizeof(tag)) == 1)
		spec = tag;
	if (spec[0] == '/') {
		if (stat(spec, &st) < 0 || !S_ISBLK(st.st_mode))
			return -ENODEV;
		*ret = strdup(spec);
		return *ret ? 0 : -ENOMEM;
	}
	/* A fresh cache each time unless the caller keeps one: devices come and go during early
	 * boot, and there is no udev to maintain /dev/disk/by-*, so libblkid scans
	 * /proc/partitions itself. */
	blkid_cache cache = keep ? *keep : NULL;
	if (!cache && blkid_get_cache(&cache, "/dev/null") < 0)
		return -ENOMEM;
	char *dev = blkid_evaluate_tag(spec, NULL, &cache);
	if (keep)
		*keep = cache;
	else
		blkid_put_cache(cache);
	if (!dev)
		return -ENODEV;
	*ret = dev;
	return 0;
}

int device_resolve(const char *spec, char **ret)
{
	return resolve(spec, NULL, ret);
}

int device_matches(const char *spec, char *list, size_t size)
{
	char tag[1024], name[64];
	if (startswith(spec, "/dev/disk/") &&
	    device_tag_from_udev_path(spec, tag, sizeof(tag)) == 1)
		spec = tag;
	const char *eq = strchr(spec, '=');
	if (spec[0] == '/' || !eq || (size_t)(eq - spec) >= sizeof(name))
		return 1; /* a path names one device */
	snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
	blkid_cache cache = NULL;
	if (blkid_get_cache(&cache, "/dev/null") < 0)
		return -ENOMEM;
	blkid_probe_all(cache);
	blkid_dev_iterate it = blkid_dev_iterate_begin(cache);
	blkid_dev_set_search(it, name, eq + 1);
	int n = 0;
	size_t used = 0;
	if (size)
		list[0] = 0;
	for (blkid_dev d; blkid_dev_next(it, &d) == 0;) {
		/* the cache may hold devices that are gone: verify each */
		d = blkid_verify(cache, d);
		if (!d)
			continue;
		n++;
		int k = snprintf(list + used, size - used, "%s%s", used ? " " : "",
				 blkid_dev_devname(d));
		if (k > 0 && used + (size_t)k < size)
			used += (size_t)k;
	}
	blkid_dev_iterate_end(it);
	blkid_put_cache(cache);
	return n;
}

int device_wait_event(struct uevents *u, struct modules *m, uint64_t max_ms)
{
	/* Wake at least every 500 ms anyway: a filesystem label can change without an event
	 * for the device. */
	struct pollfd pfd = {.fd = u ? u->fd : -1, .events = POLLIN};
	int tl = timeline_begin_again(TIMELINE_WAIT, "uevent", NULL); /* one span per wait */
	int polled = poll(&pfd, 1, (int)(max_ms < 500 ? max_ms : 500));
	timeline_end(tl);
	if (polled > 0 && u) {
		int n = uevents_drain(u, m); /* the kernel's messages only */
		bool lost = u->overflowed;
		if (n == 0 && !lost)
			return 0; /* woken for nothing (another sender's message): a quiet turn */
		stats.batches++;
		/* No race to cover with a pass over /sys: the socket was opened before the first
		 * coldplug, so a device is either in that pass or in a message. Only messages the
		 * kernel dropped leave a device unseen. */
		if (lost) {
			u->overflowed = false;
			log_warning("devices: kernel uevents were lost (socket overflow); scanning "
				    "/sys/devices once for the devices they announced");
			coldplug_full(m, "uevents lost");
		}
		return 1;
	}
	if (!u) /* no uevents at all (uevents_open failed): look at every device each turn */
		coldplug_full(m, "polling, no uevents");
	return 0;
}

/* Probes into cache the block devices that appeared since the last call (a NULL cache: none,
 * a fresh one looks at every device), so a kept cache knows them. */
static void uevents_probe_added(struct uevents *u, blkid_cache cache)
{
	for (unsigned i = 0; u && cache && i < u->n_added; i++) {
		char path[80];
		snprintf(path, sizeof(path), "/dev/%s", u->added[i]);
		blkid_get_dev(cache, path, BLKID_DEV_NORMAL);
	}
	if (u)
		u->n_added = 0;
}

/* Whether a block device changed since the last call (a "change" uevent). */
static bool uevents_take_block_changed(struct uevents *u)
{
	bool changed = u && u->block_changed;
	if (u)
		u->block_changed = false;
	return changed;
}

uint64_t device_block_generation(void)
{
	/* FNV-1a over each name in /sys/class/block and its size (a card reader's or a slow
	 * disk's medium appears as a size change, with no new name); order-independent by
	 * summing per device */
	uint64_t sum = 0;
	DIR *d = opendir("/sys/class/block");
	for (struct dirent *de; d && (de = readdir(d));) {
		char path[300], size[32] = "";
		uint64_t h = 1469598103934665603ULL;
		snprintf(path, sizeof(path), "/sys/class/block/%s/size", de->d_name);
		read_line(path, size, sizeof(size));
		for (const char *c = de->d_name; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		for (const char *c = size; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		sum += h;
	}
	if (d)
		closedir(d);
	return sum;
}

int device_wait(const char *spec, uint64_t timeout_ms, struct uevents *u, struct modules *m,
		const char *what, char **ret)
{
	return device_wait_type(spec, timeout_ms, u, m, what, ret, NULL);
}

int device_wait_type(const char *spec, uint64_t timeout_ms, struct uevents *u, struct modules *m,
		     const char *what, char **ret, char **type)
{
	uint64_t start = now_ms(), fresh_at = start;
	bool announced = false;
	unsigned batches0 = stats.batches, events0 = stats.events, modules0 = stats.modules,
		 passes0 = stats.full_passes;
	blkid_cache cache = NULL; /* kept between turns woken by uevents */
	int tl = timeline_begin(TIMELINE_WAIT, spec, what), r;
	for (;;) {
		if (resolve(spec, &cache, ret) == 0) {
			r = 0;
			break;
		}
		uint64_t elapsed = now_ms() - start;
		if (timeout_ms != UINT64_MAX && elapsed >= timeout_ms) {
			r = -ETIMEDOUT;
			break;
		}
		if (!announced && elapsed >= 1000) {
			log_notice("waiting for %s device %s (timeout %s)", what, spec,
				   timeout_ms == UINT64_MAX ? "none" : "rd.timeout");
			announced = true;
		}
		int woke = device_wait_event(u, m,
					     timeout_ms == UINT64_MAX ? 500 : timeout_ms - elapsed);
		/* Probe every device afresh after a quiet turn (a label can change without a
		 * message), a block device's "change" or "remove", or 2 s of turns; else only the
		 * ones the messages announced. */
		if (!woke || uevents_take_block_changed(u) || now_ms() - fresh_at >= 2000) {
			blkid_put_cache(cache);
			cache = NULL;
			fresh_at = now_ms();
		}
		uevents_probe_added(u, cache);
	}
	if (type) {
		/* libblkid's cache probed the device when it matched the tag (blkid_verify, a
		 * safe probe: an ambivalent device has no tags at all), and a device probed
		 * under 2 s ago is not probed again */
		*type = r == 0 && cache ? blkid_get_tag_value(cache, "TYPE", *ret) : NULL;
		if (*type)
			log_debug("devices: %s %s: type %s from the wait's probe", what, *ret,
				  *type);
	}
	blkid_put_cache(cache);
	timeline_end(tl);
	unsigned batches = stats.batches - batches0;
	if (r == 0 && (announced || batches))
		log_info("%s %s appeared as %s after %llu ms (uevents: %u batches, %u messages, "
			 "%u modules for them; %u full coldplug passes)",
			 what, spec, *ret, (unsigned long long)(now_ms() - start), batches,
			 stats.events - events0, stats.modules - modules0,
			 stats.full_passes - passes0);
	return r;
}

int device_probe(const char *dev, char **type)
{
	*type = NULL;
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *t = NULL;
	if (!pr)
		return errno > 0 ? -errno : -EIO;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	int r = blkid_do_safeprobe(pr);
	if (r == 0 && blkid_probe_lookup_value(pr, "TYPE", &t, NULL) == 0)
		r = (*type = strdup(t)) ? 0 : -ENOMEM;
	else
		r = r == -2 ? -ENOTUNIQ : r == 1 || r == 0 ? -ENOENT : -EIO;
	blkid_free_probe(pr);
	/* counted, so a test sees a probe repeated (qemu/scenarios/root-type-probe-once.scn) */
	log_debug("devices: superblock probe #%u of the boot: %s: %s", ++stats.probes, dev,
		  *type ? *type : strerror(-r));
	return r;
}

char *device_probe_type(const char *dev)
{
	char *type;
	return device_probe(dev, &type) == 0 ? type : NULL;
}

void device_log_seen(void)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *de;
	int n = 0;
	blkid_cache cache = NULL;
	blkid_get_cache(&cache, "/dev/null");
	blkid_probe_all(cache);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char dev[300], tags[512] = "";
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		blkid_dev bdev = blkid_get_dev(cache, dev, BLKID_DEV_NORMAL);
		if (bdev) {
			blkid_tag_iterate it = blkid_tag_iterate_begin(bdev);
			const char *type, *value;
			while (blkid_tag_next(it, &type, &value) == 0) {
				size_t len = strlen(tags);
				snprintf(tags + len, sizeof(tags) - len, " %s=%s", type, value);
			}
			blkid_tag_iterate_end(it);
		}
		_cleanup_free_ char *type = NULL;
		bool two = !tags[0] && device_probe(dev, &type) == -ENOTUNIQ;
		log_error("  seen: %s%s", dev,
			  tags[0] ? tags
			  : two	  ? " (more than one filesystem signature, so no UUID or LABEL: "
				    "libblkid's ambivalent result; wipefs -n lists them)"
				  : " (nothing libblkid recognises)");
		n++;
	}
	if (d)
		closedir(d);
	if (n == 0)
		log_error("  seen: no block devices at all (driver missing from the image?)");
	blkid_put_cache(cache);
}
