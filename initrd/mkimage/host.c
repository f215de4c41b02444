/* initkit-mkimage --host: the modules, files and settings this machine's boot needs (see
 * host.h). The sysfs walk follows what peers do (dracut's hostonly, initramfs-tools'
 * MODULES=dep, booster): /sys/dev/block/MAJ:MIN, a partition's disk, a dm/md device's
 * slaves/ recursively, and every ancestor's modalias and bound driver; everything is resolved
 * with libkmod against the target kernel's modules. */
#include "host.h"

#include <blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libdevmapper.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "../lvm.h"

/* The why column and messages are built with snprintf into fixed buffers: a sysfs path long
 * enough to be cut there only shortens a line of the table. Paths that are used (sysfs
 * lookups, key files) go through path_printf, which reports truncation. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* Passphrase keyboards that peers' users needed after a keyboard change (a USB keyboard
 * plugged into a laptop, a dock, a KVM switch): the PS/2 (i8042 + atkbd) and USB HID drivers,
 * the USB host controllers, and the I2C-HID chain of current laptops' built-in keyboards
 * (i2c-hid-acpi on an Intel LPSS / DesignWare I2C controller). Included when the target
 * kernel has them as modules (README: "Keyboards"). */
static const char *const keyboard_safe_set[] = {
	"i8042",
	"atkbd",
	"usbhid",
	"hid_generic",
	"xhci_pci",
	"ehci_pci",
	"ohci_pci",
	"uhci_hcd",
	"i2c_hid_acpi",
	"intel_lpss_pci",
	"i2c_designware_platform",
};

/* --universal: a portable image's storage, filesystems and keyboards, without detection. */
static const char *const universal_set[] = {
	"virtio_pci",
	"virtio_blk",
	"virtio_scsi",
	"nvme",
	"ahci",
	"ata_piix",
	"sd_mod",
	"sr_mod",
	"usb_storage",
	"uas",
	"mmc_block",
	"sdhci_pci",
	"sdhci_acpi",
	"mptsas",
	"megaraid_sas",
	"hpsa",
	"xen_blkfront",
	"hv_storvsc",
	"vmw_pvscsi",
	"dm_mod",
	"dm_crypt",
	"raid1",
	"raid456",
	"ext4",
	"btrfs",
	"xfs",
	"vfat",
	"f2fs",
	"hid_apple", /* and the keyboard safe set (host_universal) */
};

/* Filesystems that are no block device stage 1 can find: the image cannot boot them. */
static const char *const unsupported_fs[] = {
	"nfs",	 "nfs4",  "cifs",   "smb3", "9p",   "virtiofs", "zfs",	"overlay",
	"tmpfs", "ramfs", "rootfs", "aufs", "fuse", "fuseblk",	"ceph", "glusterfs",
};

#define KEY_ENTER 28
#define KEY_A 30

struct hctx {
	const struct host_options *o;
	struct host_plan *plan;
	int rootfd;
	bool recorded; /* --host-root: a recorded tree, not this machine */
	struct kmod_ctx *kmod;
	char *mountinfo, *cmdline;
	char **crypt_names, **crypt_uuids; /* dm-crypt devices under root, /usr, resume */
	size_t n_crypt;
	char purpose[300];   /* "root /dev/vda", for the why column */
	char btrfs_uuid[64]; /* the root's btrfs, from /sys/fs/btrfs/UUID */
	/* what a refused device logs at: LOG_ERR for root and /usr (the build stops), a warning
	 * for the resume device (the image is built without resume) */
	enum log_level refuse_level;
	bool under_luks2; /* walking the devices under a LUKS2 mapping */
	bool keyboard;	  /* walking a keyboard: a driver missing in the target is a note */
};

/* --- pure helpers --- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, strlen(src) + 1);
	unescape(dst);
	return 0;
}

/* One mountinfo line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SOURCE SUPER */
static int mountinfo_line(char *line, struct host_mount *m, char *mnt, size_t mnt_size)
{
	char *f[32], *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(line, " ", &save); t && n < ARRAY_SIZE(f);
	     t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	size_t dash = 6;
	while (dash < n && !streq(f[dash], "-"))
		dash++;
	if (n < 6 || dash + 3 > n || sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
		return -EINVAL;
	if (copy_field(mnt, mnt_size, f[4]) < 0 || copy_field(m->root, sizeof(m->root), f[3]) ||
	    copy_field(m->fstype, sizeof(m->fstype), f[dash + 1]) ||
	    copy_field(m->source, sizeof(m->source), f[dash + 2]) ||
	    copy_field(m->options, sizeof(m->options), f[dash + 3 < n ? dash + 3 : dash + 2]))
		return -ENAMETOOLONG;
	return 0;
}

/* The mount at path (prefix: the mount containing path, the longest mount point). Mounts
 * stacked on one mount point: the top one wins, the mount no other mount there sits on
 * (mountinfo's parent ID); lines are not always in stacking order (a mount moved on top of
 * another keeps its place, 6.8+ lists by mount ID). */
static int mountinfo_scan(const char *text, const char *path, bool prefix, struct host_mount *m,
			  char *mountpoint, size_t size)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL, mnt[512], best_mnt[512] = "";
	unsigned long ids[256], parents[256];
	size_t n_ids = 0, best = 0;
	unsigned long best_id = 0;
	int r = -ENOENT;
	if (!copy)
		return -ENOMEM;
	/* pass 1: the mount point, then the IDs of every mount on it */
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct host_mount cur = {0};
		unsigned long id = 0, par = 0;
		if (sscanf(line, "%lu %lu", &id, &par) != 2 ||
		    mountinfo_line(line, &cur, mnt, sizeof(mnt)) < 0)
			return -EINVAL;
		size_t l = strlen(mnt);
		bool hit = streq(mnt, path);
		if (prefix && !hit)
			hit = streq(mnt, "/") || (strncmp(path, mnt, l) == 0 && path[l] == '/');
		if (!hit || (prefix && l < best))
			continue;
		if (!streq(mnt, best_mnt))
			n_ids = 0; /* a longer mount point */
		snprintf(best_mnt, sizeof(best_mnt), "%s", mnt);
		best = l;
		if (n_ids < ARRAY_SIZE(ids))
			ids[n_ids] = id, parents[n_ids++] = par;
		r = 0;
	}
	if (r < 0)
		return r;
	/* the top: an ID no other mount on that point has as its parent (else the last line) */
	best_id = ids[n_ids - 1];
	for (size_t i = 0; i < n_ids; i++) {
		bool below = false;
		for (size_t k = 0; k < n_ids && !below; k++)
			below = k != i && parents[k] == ids[i];
		if (!below)
			best_id = ids[i];
	}
	/* pass 2: that line */
	free(copy);
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long id = 0;
		if (sscanf(line, "%lu", &id) != 1 || id != best_id)
			continue;
		struct host_mount cur = {0};
		if (mountinfo_line(line, &cur, mnt, sizeof(mnt)) < 0 || !streq(mnt, best_mnt))
			continue;
		*m = cur;
		if (mountpoint)
			snprintf(mountpoint, size, "%s", mnt);
		return 0;
	}
	return -ENOENT;
}

int host_mountinfo_find(const char *text, const char *mountpoint, struct host_mount *m)
{
	return mountinfo_scan(text, mountpoint, false, m, NULL, 0);
}

int host_mountinfo_containing(const char *text, const char *path, struct host_mount *m,
			      char *mountpoint, size_t size)
{
	return mountinfo_scan(text, path, true, m, mountpoint, size);
}

int host_cmdline_get(const char *cmdline, const char *key, char *value, size_t size)
{
	size_t kl = strlen(key);
	int found = 0;
	const char *p = cmdline;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *start = p;
		bool quoted = false;
		while (*p && (quoted || !isspace((unsigned char)*p))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		size_t len = (size_t)(p - start);
		if (len == 2 && strncmp(start, "--", 2) == 0)
			break;
		if (len >= kl && strncmp(start, key, kl) == 0 && (len == kl || start[kl] == '=')) {
			const char *v = len == kl ? start + kl : start + kl + 1;
			size_t vl = len == kl ? 0 : len - kl - 1;
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				v++, vl -= 2;
			snprintf(value, size, "%.*s", (int)vl, v);
			found = 1; /* the last one wins, as for the kernel's parameters */
		}
	}
	return found;
}

bool host_keybits_has(const char *text, unsigned bit)
{
	unsigned long long words[16];
	size_t n = 0;
	const char *p = text;
	while (*p && n < ARRAY_SIZE(words)) {
		char *end;
		while (*p == ' ')
			p++;
		if (!isxdigit((unsigned char)*p))
			break;
		words[n++] = strtoull(p, &end, 16);
		p = end;
	}
	/* the last word holds bits 0..63 */
	size_t w = bit / 64;
	return w < n && (words[n - 1 - w] >> (bit % 64)) & 1;
}

static void add_name(char (*out)[64], size_t max, size_t *n, const char *fmt, const char *a,
		     const char *b)
{
	if (*n >= max)
		return;
	snprintf(out[*n], 64, fmt, a, b);
	for (size_t i = 0; i < *n; i++)
		if (streq(out[i], out[*n]))
			return;
	(*n)++;
}

/* dm-crypt's cipher spec: "aes-xts-plain64", "aes-cbc-essiv:sha256", "capi:xts(aes)-plain64":
 * the crypto API names the kernel will ask for, as the aliases modules declare them. */
static void crypt_cipher_modules(const char *spec, char (*out)[64], size_t max, size_t *n)
{
	char buf[128], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", spec);
	if (startswith(buf, "capi:")) {
		char *dash = strrchr(buf + 5, '-');
		if (dash)
			*dash = 0;
		add_name(out, max, n, "crypto-%s%s", buf + 5, "");
		char *open = strchr(buf + 5, '('), *close = strrchr(buf + 5, ')');
		if (open && close && close > open) {
			*close = 0;
			add_name(out, max, n, "crypto-%s%s", open + 1, "");
			*open = 0;
			add_name(out, max, n, "crypto-%s%s", buf + 5, "");
		}
		return;
	}
	char *cipher = strtok_r(buf, "-", &save), *mode = strtok_r(NULL, "-", &save),
	     *iv = strtok_r(NULL, "-", &save);
	if (!cipher)
		return;
	add_name(out, max, n, "crypto-%s%s", cipher, "");
	if (mode) {
		add_name(out, max, n, "crypto-%s%s", mode, "");
		char both[64];
		snprintf(both, sizeof(both), "%s(%s)", mode, cipher);
		add_name(out, max, n, "crypto-%s%s", both, "");
	}
	char *colon = iv ? strchr(iv, ':') : NULL;
	if (colon) { /* essiv:sha256 */
		*colon = 0;
		add_name(out, max, n, "crypto-%s%s", iv, "");
		add_name(out, max, n, "crypto-%s%s", colon + 1, "");
	}
}

int host_dm_table_modules(const char *line, char (*out)[64], size_t max, char *type_out,
			  size_t type_size)
{
	static const struct {
		const char *type, *module;
	} targets[] = {
		{"linear", "dm_mod"},
		{"striped", "dm_mod"},
		{"error", "dm_mod"},
		{"zero", "dm_mod"},
		{"crypt", "dm_crypt"},
		{"mirror", "dm_mirror"},
		{"snapshot", "dm_snapshot"},
		{"snapshot-origin", "dm_snapshot"},
		{"snapshot-merge", "dm_snapshot"},
		{"raid", "dm_raid"},
		{"thin", "dm_thin_pool"},
		{"thin-pool", "dm_thin_pool"},
		{"cache", "dm_cache"},
		{"integrity", "dm_integrity"},
		{"writecache", "dm_writecache"},
	};
	char type[64] = "", params[256] = "";
	size_t n = 0;
	if (sscanf(line, "%*s %*s %63s %255s", type, params) < 1)
		return -EINVAL;
	snprintf(type_out, type_size, "%s", type);
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		if (!streq(targets[i].type, type))
			continue;
		add_name(out, max, &n, "%s%s", targets[i].module, "");
		if (streq(type, "crypt") && params[0])
			crypt_cipher_modules(params, out, max, &n);
		/* dm-raid asks md for the personality ("md-raid1") with request_module(): its
		 * module is no dependency of dm-raid's; raid5_ls, raid6_zr... are raid456's */
		if (streq(type, "raid") && startswith(params, "raid")) {
			char level[16];
			snprintf(level, sizeof(level), "%.*s", (int)strcspn(params, "_"), params);
			add_name(out, max, &n, "md-%s%s", level, "");
		}
		/* dm-cache asks for its policy the same way; smq is LVM's default */
		if (streq(type, "cache"))
			add_name(out, max, &n, "dm_cache_smq%s%s", "", "");
		return (int)n;
	}
	return -EOPNOTSUPP;
}

int host_crypttab_fields(char *line, char *fields[4])
{
	char *save = NULL;
	int n = 0;
	for (int i = 0; i < 4; i++)
		fields[i] = "";
	char *hash = line;
	while (*hash && isspace((unsigned char)*hash))
		hash++;
	if (*hash == '#' || !*hash)
		return 0;
	for (char *t = strtok_r(line, " \t\n", &save); t && n < 4;
	     t = strtok_r(NULL, " \t\n", &save))
		fields[n++] = t;
	return n;
}

bool host_crypttab_has_option(const char *options, const char *opt)
{
	size_t l = strlen(opt);
	for (const char *p = options; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == l && strncmp(p, opt, l) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

int host_swaps_pick(const char *text, char *path, size_t size)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;
	unsigned long long best = 0;
	int found = 0;
	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[512], type[32];
		unsigned long long sz;
		if (sscanf(line, "%511s %31s %llu", name, type, &sz) != 3 ||
		    !streq(type, "partition") || startswith(name, "/dev/zram"))
			continue;
		unescape(name);
		if (!found || sz > best) {
			best = sz;
			snprintf(path, size, "%s", name);
			found = 1;
		}
	}
	return found;
}

int host_resume_conf(const char *text, char *value, size_t size)
{
	int found = 0;
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && isspace((unsigned char)*p))
			p++, len--;
		if (len > 7 && strncmp(p, "RESUME=", 7) == 0) {
			const char *v = p + 7;
			size_t vl = len - 7;
			while (vl && isspace((unsigned char)v[vl - 1]))
				vl--;
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
				v++, vl -= 2;
			snprintf(value, size, "%.*s", (int)vl, v);
			found = vl && !streq(value, "none") && !streq(value, "auto");
		}
		p = end ? end + 1 : NULL;
	}
	return found;
}

/* "a/b/../c" → "a/c"; path relative to the root, no leading '/'. */
static void path_normalize(char *path)
{
	char *parts[128], out[4096] = "";
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (streq(t, "."))
			continue;
		if (streq(t, "..")) {
			if (n)
				n--;
			continue;
		}
		if (n < ARRAY_SIZE(parts))
			parts[n++] = t;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "/" : "",
			 parts[i]);
	memcpy(path, out, strlen(out) + 1);
}

/* --- the plan --- */

static int plan_item(struct host_plan *p, enum host_kind kind, const char *name, const char *why)
{
	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].kind == kind && streq(p->items[i].name, name))
			return 0;
	struct host_item *items = realloc(p->items, (p->n_items + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	p->items = items;
	items[p->n_items] = (struct host_item){kind, strdup(name), strdup(why)};
	if (!items[p->n_items].name || !items[p->n_items].why)
		return -ENOMEM;
	p->n_items++;
	return 1;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **q = realloc(*v, (*n + 2) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	*v = q;
	q[*n] = strdup(s);
	q[*n + 1] = NULL;
	if (!q[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int plan_module(struct host_plan *p, const char *name, const char *why)
{
	int r = plan_item(p, HOST_MODULE, name, why);
	return r <= 0 ? r : strv_push(&p->modules, &p->n_modules, name);
}

/* A setting for the image config, unless the kernel command line has the key already. */
static int plan_setting(struct hctx *h, const char *key, const char *value, const char *why)
{
	char line[1024], have[512];
	snprintf(line, sizeof(line), "%s=%s", key, value);
	if (host_cmdline_get(h->cmdline, key, have, sizeof(have))) {
		char note[1200];
		snprintf(note, sizeof(note), "%s (not written: the kernel command line has %s=%s)",
			 why, key, have);
		return plan_item(h->plan, HOST_NOTE, line, note);
	}
	int r = plan_item(h->plan, HOST_SETTING, line, why);
	return r <= 0 ? r : strv_push(&h->plan->sets, &h->plan->n_sets, line);
}

void host_plan_free(struct host_plan *p)
{
	for (size_t i = 0; i < p->n_items; i++)
		free(p->items[i].name), free(p->items[i].why);
	for (size_t i = 0; i < p->n_modules; i++)
		free(p->modules[i]);
	for (size_t i = 0; i < p->n_sets; i++)
		free(p->sets[i]);
	for (size_t i = 0; i < p->n_keyfiles; i++)
		free(p->keyfiles[i]);
	free(p->items), free(p->modules), free(p->sets), free(p->keyfiles);
	free(p->crypttab), free(p->lvm_config);
	*p = (struct host_plan){0};
}

void host_plan_print(const struct host_plan *p)
{
	static const char *const kinds[] = {"module", "built-in", "file", "setting", "note"};
	printf("  host: %-8s %-28s %s\n", "KIND", "NAME", "WHY");
	for (size_t i = 0; i < p->n_items; i++)
		printf("  host: %-8s %-28s %s\n", kinds[p->items[i].kind], p->items[i].name,
		       p->items[i].why);
}

/* --- libkmod: the target kernel --- */

/* Resolves a module name or alias (modalias, fs-ext4, crypto-xts) against the target kernel:
 * loadable modules go into the plan, built-in ones are listed as such. Returns how many
 * modules matched (0: none), or -errno. */
static int resolve(struct hctx *h, const char *lookup, const char *why)
{
	struct kmod_list *list = NULL, *l;
	char what[600];
	int r = kmod_module_new_from_lookup(h->kmod, lookup, &list), n = 0;
	if (r < 0)
		return 0; /* a malformed alias matches nothing */
	snprintf(what, sizeof(what), "%s", why);
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		const char *name = kmod_module_get_name(mod);
		if (r >= 0)
			r = kmod_module_get_path(mod)
				    ? plan_module(h->plan, name, what)
				    : plan_item(h->plan, HOST_BUILTIN, name, what);
		kmod_module_unref(mod);
		n++;
	}
	kmod_module_unref_list(list);
	return r < 0 ? r : n;
}

/* --- the tree: sysfs, proc, etc below the root --- */

static char *read_rel(struct hctx *h, const char *rel, size_t *len)
{
	_cleanup_close_ int fd = openat(h->rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t k;
	while (buf && (k = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)k;
		if (n == cap) {
			char *b = realloc(buf, 2 * cap + 1);
			if (!b)
				break;
			buf = b, cap *= 2;
		}
	}
	if (!buf || (n == cap))
		return free(buf), NULL;
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* One sysfs attribute, its trailing newline removed. */
static int attr(struct hctx *h, const char *dir, const char *name, char *out, size_t size)
{
	char rel[4096];
	if (path_printf(rel, sizeof(rel), "%s/%s", dir, name) < 0)
		return -ENAMETOOLONG;
	_cleanup_free_ char *text = read_rel(h, rel, NULL);
	if (!text)
		return -ENOENT;
	text[strcspn(text, "\n")] = 0;
	snprintf(out, size, "%s", text);
	return 0;
}

static bool exists(struct hctx *h, const char *dir, const char *name)
{
	char rel[4096];
	struct stat st;
	return path_printf(rel, sizeof(rel), "%s/%s", dir, name) == 0 &&
	       fstatat(h->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* dir/link, a sysfs symlink, as a path relative to the root. */
static int link_resolve(struct hctx *h, const char *dir, const char *link, char *out, size_t size)
{
	char rel[4096], target[4096];
	if (path_printf(rel, sizeof(rel), "%s/%s", dir, link) < 0)
		return -ENAMETOOLONG;
	ssize_t n = readlinkat(h->rootfd, rel, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	char *slash = strrchr(rel, '/');
	*slash = 0;
	if (target[0] == '/') /* absolute: below the root */
		snprintf(out, size, "%s", target + 1);
	else if (path_printf(out, size, "%s/%s", rel, target) < 0)
		return -ENAMETOOLONG;
	path_normalize(out);
	return 0;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void parent(char *path)
{
	char *s = strrchr(path, '/');
	if (s)
		*s = 0;
	else
		path[0] = 0;
}

/* One device's bound driver in the target kernel: driver/module (a modular or named built-in
 * driver), else the driver's name, which libkmod also finds as "virtio-pci" for virtio_pci.
 * Returns the number of modules found (0: no driver bound, or not in the target kernel). */
static int resolve_driver(struct hctx *h, const char *dev, bool *missing)
{
	char drv[4096], mod[4096], why[1400];
	if (link_resolve(h, dev, "driver", drv, sizeof(drv)) < 0)
		return 0;
	/* driver/module: the module the driver is (or would be, built in with a module name) */
	bool named = link_resolve(h, drv, "module", mod, sizeof(mod)) == 0;
	const char *name = named ? base(mod) : base(drv);
	snprintf(why, sizeof(why), "%s: %s bound to driver %s", h->purpose, base(dev), base(drv));
	/* a PCIe port (root port, switch) between the CPU and a disk or USB controller: its
	 * driver (never a module: CONFIG_PCIEPORTBUS is bool, module pcieportdrv) serves AER,
	 * hotplug and PME only; the bridge forwards without it. Its modalias would match
	 * shpchp, a hotplug driver. */
	if (streq(base(drv), "pcieport")) {
		snprintf(why, sizeof(why),
			 "%s: %s is a PCIe port; its driver pcieport (AER, hotplug, PME, never a "
			 "module) is not needed to reach the devices behind it",
			 h->purpose, base(dev));
		return plan_item(h->plan, HOST_NOTE, "pcieport", why) < 0 ? -ENOMEM : 1;
	}
	int r = resolve(h, name, why);
	if (r == 0) {
		snprintf(
			why, sizeof(why),
			"%s: %s: driver %s is not in the target kernel (neither a module nor built "
			"in); using the device's modalias",
			h->purpose, base(dev), base(drv));
		plan_item(h->plan, HOST_NOTE, base(drv), why);
		/* without a module name (built in here, e.g. sd, mmcblk) the target may still
		 * have it under its module's name: only the modalias can tell */
		*missing = named;
	}
	return r;
}

/* Every ancestor of dir below sys/devices: its bound driver; its modalias only when no driver
 * is bound or the driver is not in the target kernel (every module a modalias matches would
 * bring serio_raw along with atkbd, and a PCI bridge's hotplug driver along with the disk). */
static int walk_ancestors(struct hctx *h, const char *dir)
{
	char p[4096], value[1024], why[1400];
	snprintf(p, sizeof(p), "%s", dir);
	for (; startswith(p, "sys/devices/") && !streq(p, "sys/devices"); parent(p)) {
		bool missing = false;
		int r = resolve_driver(h, p, &missing);
		if (r < 0)
			return r;
		if (r == 0 && attr(h, p, "modalias", value, sizeof(value)) == 0 && value[0]) {
			snprintf(why, sizeof(why), "%s: %s modalias %s", h->purpose, base(p),
				 value);
			if ((r = resolve(h, value, why)) < 0)
				return r;
		}
		/* the device a disk hangs on works on this kernel and has no driver in the
		 * target one (--kver): the image could not reach the disk */
		if (r == 0 && missing && !h->keyboard) {
			char drv[4096], mod[4096];
			link_resolve(h, p, "driver", drv, sizeof(drv));
			link_resolve(h, drv, "module", mod, sizeof(mod));
			log_msg(h->refuse_level,
				"%s: %s is driven by %s (module %s) here, and the kernel in %s has "
				"no such module, built-in driver or modalias match",
				h->purpose, base(p), base(drv), base(mod), h->o->moddir);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int walk_block(struct hctx *h, const char *dir, int depth);

static int push_crypt(struct hctx *h, const char *name, const char *dmuuid)
{
	/* CRYPT-LUKS2-<32 hex digits>-NAME: the LUKS UUID without its dashes */
	char uuid[64] = "";
	const char *hex = startswith(dmuuid, "CRYPT-LUKS2-") ?: startswith(dmuuid, "CRYPT-LUKS1-");
	if (hex && strlen(hex) >= 32)
		snprintf(uuid, sizeof(uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
			 hex + 16, hex + 20);
	for (size_t i = 0; i < h->n_crypt; i++)
		if (streq(h->crypt_names[i], name))
			return 0;
	size_t n = h->n_crypt;
	int r = strv_push(&h->crypt_names, &n, name);
	return r ?: strv_push(&h->crypt_uuids, &h->n_crypt, uuid);
}

/* The table of one dm device: libdevmapper on this machine, DIR/dmsetup/NAME in a recorded
 * tree. Returns malloc'ed lines or NULL (logged). */
static char *dm_table(struct hctx *h, const char *dir, const char *name)
{
	char rel[512], dev[32];
	if (h->recorded) {
		snprintf(rel, sizeof(rel), "dmsetup/%s", name);
		char *t = read_rel(h, rel, NULL);
		if (!t)
			log_msg(h->refuse_level,
				"--host-root: %s/%s: no table of dm device %s recorded (the output "
				"of `dmsetup table %s`)",
				h->o->root, rel, name, name);
		return t;
	}
	unsigned maj, min;
	if (attr(h, dir, "dev", dev, sizeof(dev)) < 0 || sscanf(dev, "%u:%u", &maj, &min) != 2)
		return NULL;
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TABLE);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (dmt && f && dm_task_set_major(dmt, (int)maj) && dm_task_set_minor(dmt, (int)min) &&
	    dm_task_run(dmt)) {
		void *next = NULL;
		uint64_t start, length;
		char *type, *params;
		do {
			next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
			if (type) /* only the cipher is used: params hold a key otherwise */
				fprintf(f, "%llu %llu %s %.*s\n", (unsigned long long)start,
					(unsigned long long)length, type,
					(int)(params ? strcspn(params, " ") : 0),
					params ? params : "");
		} while (next);
	} else {
		log_msg(h->refuse_level,
			"%s: cannot read the table of dm device %s (%s, needs root and "
			"/dev/mapper/control)",
			h->purpose, name, dev);
	}
	if (f)
		fclose(f);
	if (dmt)
		dm_task_destroy(dmt);
	if (text && !len)
		free(text), text = NULL;
	return text;
}

/* What a dm device is, from its dm uuid: a LUKS mapping (CRYPT-LUKS1/2-: crypttab, --luks) or
 * an LV (LVM-: --lvm). dm-crypt without LUKS is refused: stage 1 opens LUKS only. */
static int dm_identity(struct hctx *h, const char *name, const char *uuid)
{
	char why[1400];
	/* LUKS2 with authenticated encryption (NAME_dif, dm-integrity) or an interrupted
	 * reencryption: cryptsetup sets these up itself when it opens the LUKS2 device above */
	if ((startswith(uuid, "CRYPT-INTEGRITY-") || startswith(uuid, "CRYPT-SUBDEV-")) &&
	    h->under_luks2) {
		snprintf(why, sizeof(why),
			 "%s: dm device %s, a layer of the LUKS2 device above it (cryptsetup sets "
			 "it up)",
			 h->purpose, name);
		return plan_item(h->plan, HOST_NOTE, name, why) < 0 ? -ENOMEM : 0;
	}
	if (!startswith(uuid, "CRYPT-") && !startswith(uuid, "LVM-")) {
		log_msg(h->refuse_level,
			"%s: dm device %s (dm uuid '%s') is neither a LUKS volume nor an LVM "
			"logical volume; stage 1 cannot set it up",
			h->purpose, name, uuid);
		return -EOPNOTSUPP;
	}
	if (startswith(uuid, "CRYPT-")) {
		if (!startswith(uuid, "CRYPT-LUKS")) {
			log_msg(h->refuse_level,
				"%s: dm device %s is dm-crypt without LUKS (%s); stage 1 opens "
				"LUKS "
				"volumes only",
				h->purpose, name, uuid);
			return -EOPNOTSUPP;
		}
		h->plan->luks = true;
		int r = push_crypt(h, name, uuid);
		if (r < 0)
			return r;
	}
	if (startswith(uuid, "LVM-")) {
		char vg[128], lv[128];
		if (lvm_dm_name_split(name, vg, sizeof(vg), lv, sizeof(lv)) == 0) {
			char vglv[260];
			snprintf(vglv, sizeof(vglv), "%s/%s", vg, lv);
			snprintf(why, sizeof(why), "%s: logical volume %s (LVM)", h->purpose, vglv);
			plan_item(h->plan, HOST_NOTE, vglv, why);
		}
		h->plan->lvm = true;
	}
	return 0;
}

static int walk_dm(struct hctx *h, const char *dir, int depth)
{
	char name[256] = "", uuid[256] = "", why[1400], type[64];
	attr(h, dir, "dm/name", name, sizeof(name));
	attr(h, dir, "dm/uuid", uuid, sizeof(uuid));
	_cleanup_free_ char *table = dm_table(h, dir, name);
	if (!table)
		return -EIO;
	char *save = NULL;
	for (char *line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mods[16][64];
		int n = host_dm_table_modules(line, mods, ARRAY_SIZE(mods), type, sizeof(type));
		if (n < 0) {
			log_msg(h->refuse_level,
				"%s: dm device %s (%s) uses the device-mapper target '%s', which "
				"--host does not know (add its modules with --module and build "
				"without --host)",
				h->purpose, name, base(dir), type);
			return -EOPNOTSUPP;
		}
		snprintf(why, sizeof(why), "%s: dm device %s, target %s", h->purpose, name, type);
		for (int i = 0; i < n; i++) {
			int r = resolve(h, mods[i], why);
			if (r < 0)
				return r;
		}
	}
	int r = dm_identity(h, name, uuid);
	if (r < 0)
		return r;
	/* the devices under it */
	char slaves[4096];
	snprintf(slaves, sizeof(slaves), "%s/slaves", dir);
	_cleanup_close_ int fd = openat(h->rootfd, slaves, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d)
		fd = -1;
	bool outer = h->under_luks2;
	h->under_luks2 = startswith(uuid, "CRYPT-LUKS2-");
	for (struct dirent *e; d && r == 0 && (e = readdir(d));) {
		char below[4096];
		if (e->d_name[0] == '.' || link_resolve(h, slaves, e->d_name, below, sizeof(below)))
			continue;
		r = walk_block(h, below, depth + 1);
	}
	h->under_luks2 = outer;
	if (d)
		closedir(d);
	return r;
}

/* A namespace of an NVMe subsystem with native multipath (CONFIG_NVME_MULTIPATH, a controller
 * that reports multi-controller capability): its block device lives under
 * sys/devices/virtual/nvme-subsystem/nvme-subsysN/, which links to each controller (nvmeN)
 * of the subsystem; each controller is walked up like a disk's parent. */
static int walk_nvme_head(struct hctx *h, const char *dir)
{
	char subsys[4096], ctrl[4096], why[1400];
	int r = 0, n = 0;
	snprintf(subsys, sizeof(subsys), "%s", dir);
	parent(subsys);
	_cleanup_close_ int fd = openat(h->rootfd, subsys, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d)
		fd = -1;
	for (struct dirent *e; d && r >= 0 && (e = readdir(d));) {
		const char *num = startswith(e->d_name, "nvme");
		if (!num || !*num || strspn(num, "0123456789") != strlen(num) ||
		    link_resolve(h, subsys, e->d_name, ctrl, sizeof(ctrl)) < 0)
			continue;
		snprintf(why, sizeof(why), "%s: %s is a multipath namespace of %s, controller %s",
			 h->purpose, base(dir), base(subsys), e->d_name);
		r = plan_item(h->plan, HOST_NOTE, e->d_name, why);
		r = r < 0 ? r : walk_ancestors(h, ctrl);
		n++;
	}
	if (d)
		closedir(d);
	if (r >= 0 && !n) {
		log_msg(h->refuse_level,
			"%s: %s: no controller of NVMe subsystem %s found in %s/%s", h->purpose,
			base(dir), base(subsys), h->o->root, subsys);
		return -EOPNOTSUPP;
	}
	return r < 0 ? r : 0;
}

static int walk_block(struct hctx *h, const char *dir, int depth)
{
	char disk[4096];
	if (depth > 16)
		return -ELOOP;
	if (exists(h, dir, "partition")) {
		snprintf(disk, sizeof(disk), "%s", dir);
		parent(disk);
		return walk_block(h, disk, depth + 1);
	}
	if (exists(h, dir, "dm"))
		return walk_dm(h, dir, depth);
	if (exists(h, dir, "md")) {
		log_msg(h->refuse_level,
			"%s: %s is an md RAID array; stage 1 does not assemble md arrays",
			h->purpose, base(dir));
		return -EOPNOTSUPP;
	}
	if (startswith(dir, "sys/devices/virtual/nvme-subsystem/"))
		return walk_nvme_head(h, dir);
	if (startswith(dir, "sys/devices/virtual/")) {
		log_msg(h->refuse_level,
			"%s: %s is a virtual block device (loop, zram, nbd, ...) that stage 1 "
			"cannot set up",
			h->purpose, base(dir));
		return -EOPNOTSUPP;
	}
	snprintf(disk, sizeof(disk), "%s", dir);
	parent(disk);
	return walk_ancestors(h, disk);
}

/* The sysfs directory of a block device, from its number. */
static int block_dir(struct hctx *h, unsigned major, unsigned minor, char *out, size_t size)
{
	char dev[64];
	snprintf(dev, sizeof(dev), "%u:%u", major, minor);
	return link_resolve(h, "sys/dev/block", dev, out, size);
}

/* A recorded device (its first bytes) as a 1 MiB device in memory, zero-padded: libblkid's btrfs
 * and swap probes look only at the first 68 KiB but refuse a device that ends there. */
static int recorded_device(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int mfd = fd < 0 ? -1 : memfd_create("initkit-host-device", MFD_CLOEXEC);
	char buf[65536];
	ssize_t n;
	if (mfd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n)
			n = -1;
	if (n < 0 || ftruncate(mfd, 1 << 20) < 0) {
		close(mfd);
		return -1;
	}
	return mfd;
}

struct probe {
	char type[64], uuid[128], label[128];
};

/* libblkid on the device: DIR/dev/block/MAJ:MIN (a recorded tree's fixture), else on this
 * machine /dev/KERNELNAME. */
static int probe(struct hctx *h, const char *dir, struct probe *pr)
{
	char dev[64], path[4096];
	*pr = (struct probe){0};
	if (attr(h, dir, "dev", dev, sizeof(dev)) < 0)
		return -ENOENT;
	if (path_printf(path, sizeof(path), "%s/dev/block/%s", h->o->root, dev) < 0)
		return -ENAMETOOLONG;
	if (access(path, R_OK) < 0 && !h->recorded) {
		_cleanup_free_ char *text = NULL;
		char rel[4096];
		snprintf(rel, sizeof(rel), "%s/uevent", dir);
		text = read_rel(h, rel, NULL);
		const char *dn = text ? strstr(text, "DEVNAME=") : NULL;
		if (dn)
			snprintf(path, sizeof(path), "/dev/%.*s", (int)strcspn(dn + 8, "\n"),
				 dn + 8);
	}
	_cleanup_close_ int memfd = h->recorded ? recorded_device(path) : -1;
	blkid_probe bp = memfd >= 0 ? blkid_new_probe() : blkid_new_probe_from_filename(path);
	if (bp && memfd >= 0 && blkid_probe_set_device(bp, memfd, 0, 0) < 0) {
		blkid_free_probe(bp);
		bp = NULL;
	}
	if (!bp)
		return -ENODATA;
	blkid_probe_enable_superblocks(bp, 1);
	blkid_probe_set_superblocks_flags(bp, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
						      BLKID_SUBLKS_LABEL);
	int r = blkid_do_safeprobe(bp);
	const char *v;
	if (r == 0 && blkid_probe_lookup_value(bp, "TYPE", &v, NULL) == 0)
		snprintf(pr->type, sizeof(pr->type), "%s", v);
	if (r == 0 && blkid_probe_lookup_value(bp, "UUID", &v, NULL) == 0)
		snprintf(pr->uuid, sizeof(pr->uuid), "%s", v);
	if (r == 0 && blkid_probe_lookup_value(bp, "LABEL", &v, NULL) == 0)
		snprintf(pr->label, sizeof(pr->label), "%s", v);
	blkid_free_probe(bp);
	return r == 0 ? 0 : -ENODATA;
}

/* A device spec (resume=, a mount source): UUID=, LABEL=, /dev/disk/by-uuid/, /dev/mapper/,
 * /dev/NAME, MAJ:MIN. Fills dir; returns 0 or -ENOENT. */
static int find_spec(struct hctx *h, const char *spec, char *dir, size_t size)
{
	unsigned maj, min;
	char end;
	const char *uuid = startswith(spec, "UUID=") ?: startswith(spec, "/dev/disk/by-uuid/");
	const char *label = startswith(spec, "LABEL=") ?: startswith(spec, "/dev/disk/by-label/");
	const char *mapper = startswith(spec, "/dev/mapper/");
	if (sscanf(spec, "%u:%u%c", &maj, &min, &end) == 2)
		return block_dir(h, maj, min, dir, size);
	if (!uuid && !label && !mapper && startswith(spec, "/dev/") &&
	    !startswith(spec, "/dev/disk/"))
		return link_resolve(h, "sys/class/block", base(spec), dir, size);
	_cleanup_close_ int fd = openat(h->rootfd, "sys/class/block", O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	int r = -ENOENT;
	if (d)
		fd = -1;
	for (struct dirent *e; d && r < 0 && (e = readdir(d));) {
		char cand[4096], name[256];
		struct probe pr;
		if (e->d_name[0] == '.' ||
		    link_resolve(h, "sys/class/block", e->d_name, cand, sizeof(cand)) < 0)
			continue;
		if (mapper) {
			if (attr(h, cand, "dm/name", name, sizeof(name)) < 0 ||
			    !streq(name, mapper))
				continue;
		} else if (probe(h, cand, &pr) < 0 ||
			   !streq(uuid ? pr.uuid : pr.label, uuid ?: label)) {
			continue;
		}
		snprintf(dir, size, "%s", cand);
		r = 0;
	}
	if (d)
		closedir(d);
	return r;
}

/* --- what needs it --- */

static bool fs_unsupported(const char *fstype)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported_fs); i++)
		if (streq(fstype, unsupported_fs[i]) || startswith(fstype, "fuse."))
			return true;
	return false;
}

/* The members of a btrfs filesystem: /sys/fs/btrfs/UUID/devices/, found by the kernel name
 * of the mount's source device. */
static int walk_btrfs(struct hctx *h, const char *source_dir)
{
	_cleanup_close_ int fd = openat(h->rootfd, "sys/fs/btrfs", O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	int r = -ENOENT;
	if (d)
		fd = -1;
	for (struct dirent *e; d && r == -ENOENT && (e = readdir(d));) {
		char devs[512];
		snprintf(devs, sizeof(devs), "sys/fs/btrfs/%s/devices", e->d_name);
		if (e->d_name[0] == '.' || !exists(h, devs, base(source_dir)))
			continue;
		_cleanup_close_ int dfd = openat(h->rootfd, devs, O_RDONLY | O_DIRECTORY);
		DIR *m = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (m)
			dfd = -1;
		r = 0;
		snprintf(h->btrfs_uuid, sizeof(h->btrfs_uuid), "%s", e->d_name);
		for (struct dirent *k; m && r == 0 && (k = readdir(m));) {
			char member[4096];
			if (k->d_name[0] == '.' ||
			    link_resolve(h, devs, k->d_name, member, sizeof(member)) < 0)
				continue;
			char why[600];
			snprintf(why, sizeof(why), "%s: member of btrfs %s", h->purpose, e->d_name);
			plan_item(h->plan, HOST_NOTE, k->d_name, why);
			r = walk_block(h, member, 0);
		}
		if (m)
			closedir(m);
	}
	if (d)
		closedir(d);
	return r == -ENOENT ? walk_block(h, source_dir, 0) : r;
}

/* The filesystem's module: the type the kernel mounted it as decides (a superblock can say
 * ext3 where ext4 mounts it); the superblock's type is shown next to it. */
static int mount_fs_module(struct hctx *h, const struct host_mount *m, const struct probe *pr,
			   bool probed)
{
	char why[1400], spec[128];
	if (!probed)
		snprintf(why, sizeof(why),
			 "%s: filesystem %s (as mounted; superblock not readable)", h->purpose,
			 m->fstype);
	else if (streq(pr->type, m->fstype))
		snprintf(why, sizeof(why), "%s: filesystem %s (superblock)", h->purpose, m->fstype);
	else
		snprintf(why, sizeof(why), "%s: filesystem %s (as mounted; the superblock says %s)",
			 h->purpose, m->fstype, pr->type);
	snprintf(spec, sizeof(spec), "fs-%s", m->fstype);
	int r = resolve(h, spec, why);
	if (r == 0 && (r = resolve(h, m->fstype, why)) == 0) {
		log_error("%s: the target kernel has no %s filesystem (no module fs-%s, not built "
			  "in); not written",
			  h->purpose, m->fstype, m->fstype);
		return -ENOENT;
	}
	return r < 0 ? r : 0;
}

/* udev's DIR/dev/disk/by-uuid/ link to the kernel name: readable where the device is not (not
 * root, a sandbox). 1 found (uuid copied), 0 not. */
static int udev_uuid(struct hctx *h, const char *kname, char *uuid, size_t size)
{
	_cleanup_close_ int fd =
		openat(h->rootfd, "dev/disk/by-uuid", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	int found = 0;
	if (d)
		fd = -1;
	for (struct dirent *e; d && !found && (e = readdir(d));) {
		char target[4096];
		ssize_t n = e->d_name[0] == '.'
				    ? -1
				    : readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (streq(base(target), kname) && strlen(e->d_name) < size) {
			snprintf(uuid, size, "%s", e->d_name);
			found = 1;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* root= (a dm device by its /dev/mapper name: an LV path lets stage 1 activate its VG; else
 * the filesystem UUID; else the kernel name), rootflags=subvol= and --fsck for the root. */
static int root_settings(struct hctx *h, const struct host_mount *m, const char *dir,
			 const struct probe *pr, bool probed)
{
	char why[1400], spec[600], name[256];
	if (attr(h, dir, "dm/name", name, sizeof(name)) == 0)
		snprintf(spec, sizeof(spec), "/dev/mapper/%s", name);
	else if (probed && pr->uuid[0])
		snprintf(spec, sizeof(spec), "UUID=%s", pr->uuid);
	else if (streq(m->fstype, "btrfs") && h->btrfs_uuid[0])
		snprintf(spec, sizeof(spec), "UUID=%s", h->btrfs_uuid);
	else if (udev_uuid(h, base(dir), name, sizeof(name)))
		snprintf(spec, sizeof(spec), "UUID=%s", name);
	else
		snprintf(spec, sizeof(spec), "/dev/%s", base(dir));
	snprintf(why, sizeof(why), "root: %s mounted on /", m->source);
	if (startswith(spec, "/dev/") && !startswith(spec, "/dev/mapper/")) {
		/* a kernel name: sda and sdb swap when a disk is added or probed in another order
		 */
		snprintf(why, sizeof(why),
			 "root: %s mounted on /; its UUID is unknown (superblock not readable, no "
			 "/dev/disk/by-uuid link): a kernel name, which can change between boots; "
			 "run as root or --set root=UUID=...",
			 m->source);
		log_warning("%s", why);
	}
	int r = plan_setting(h, "root", spec, why);
	if (r >= 0 && streq(m->fstype, "btrfs") && !streq(m->root, "/")) {
		snprintf(spec, sizeof(spec), "subvol=%s", m->root + 1);
		r = plan_setting(h, "rootflags", spec, "root: a btrfs subvolume");
	}
	if (r < 0 ||
	    !(streq(m->fstype, "ext4") || streq(m->fstype, "ext3") || streq(m->fstype, "ext2")))
		return r < 0 ? r : 0;
	if (access(h->o->fsck_binary, X_OK) == 0) {
		h->plan->fsck = true;
		snprintf(why, sizeof(why), "root is %s: checked before mounting (--fsck)",
			 m->fstype);
		r = plan_item(h->plan, HOST_FILE, "/sbin/e2fsck", why);
	} else {
		snprintf(why, sizeof(why),
			 "root is %s, but %s does not exist: no check before mounting (apt-get "
			 "install e2fsck-static, or --fsck-binary PATH)",
			 m->fstype, h->o->fsck_binary);
		r = plan_item(h->plan, HOST_NOTE, "fsck", why);
	}
	return r < 0 ? r : 0;
}

/* The filesystem mounted at mnt ("/" or "/usr"): its device chain, its module, and for the
 * root the root=, rootflags= and fsck settings. Returns 0, 1 when nothing is mounted there
 * (only for /usr), or -errno (logged). */
static int detect_mount(struct hctx *h, const char *mnt, const char *what)
{
	struct host_mount m;
	char dir[4096];
	int r = host_mountinfo_find(h->mountinfo, mnt, &m);
	if (r == -ENOENT && !streq(mnt, "/"))
		return 1;
	if (r < 0)
		return log_error_errno(r, "%s/proc/self/mountinfo: no %s mount found: %m",
				       h->o->root, mnt);
	snprintf(h->purpose, sizeof(h->purpose), "%s %s", what, m.source);
	if (fs_unsupported(m.fstype) || (m.major == 0 && !streq(m.fstype, "btrfs"))) {
		log_error("%s: %s is %s on %s, not a block device filesystem stage 1 can mount; "
			  "--host cannot build an image for it; not written",
			  what, mnt, m.fstype, m.source);
		return -EOPNOTSUPP;
	}
	/* mountinfo's root field: the directory of the filesystem mounted here; only btrfs has
	 * a way to mount a directory (a subvolume, rootflags=subvol=) from stage 1 */
	if (streq(mnt, "/") && !streq(m.root, "/") && !streq(m.fstype, "btrfs")) {
		log_error("root: / is the directory %s of the %s filesystem on %s (a bind mount); "
			  "stage 1 mounts the whole filesystem, whose top is not this root; "
			  "--host cannot build an image for it",
			  m.root, m.fstype, m.source);
		return -EOPNOTSUPP;
	}
	if (m.major == 0) /* btrfs: an anonymous device number; its members are in sysfs */
		r = find_spec(h, m.source, dir, sizeof(dir));
	else
		r = block_dir(h, m.major, m.minor, dir, sizeof(dir));
	if (r < 0) {
		log_error("%s: %s on %s (%u:%u): not found in %s/sys; not written", what, mnt,
			  m.source, m.major, m.minor, h->o->root);
		return -ENOENT;
	}
	r = streq(m.fstype, "btrfs") ? walk_btrfs(h, dir) : walk_block(h, dir, 0);
	if (r < 0)
		return r;
	struct probe pr;
	bool probed = probe(h, dir, &pr) == 0 && pr.type[0];
	r = mount_fs_module(h, &m, &pr, probed);
	if (r < 0 || !streq(mnt, "/"))
		return r;
	return root_settings(h, &m, dir, &pr, probed);
}

/* What the plan held before a walk that may be given up (the resume device's). */
struct plan_mark {
	size_t n_items, n_modules, n_crypt;
	bool luks, lvm;
};

static struct plan_mark plan_mark(const struct hctx *h)
{
	return (struct plan_mark){h->plan->n_items, h->plan->n_modules, h->n_crypt, h->plan->luks,
				  h->plan->lvm};
}

static void plan_rollback(struct hctx *h, const struct plan_mark *m)
{
	struct host_plan *p = h->plan;
	for (size_t i = m->n_items; i < p->n_items; i++)
		free(p->items[i].name), free(p->items[i].why);
	for (size_t i = m->n_modules; i < p->n_modules; i++)
		free(p->modules[i]), p->modules[i] = NULL;
	for (size_t i = m->n_crypt; i < h->n_crypt; i++)
		free(h->crypt_names[i]), free(h->crypt_uuids[i]);
	p->n_items = m->n_items, p->n_modules = m->n_modules, h->n_crypt = m->n_crypt;
	p->luks = m->luks, p->lvm = m->lvm;
}

static bool on_encrypted(struct hctx *h, const char *path);

/* The key file of crypttab entry name, as a path on this machine (below the recorded root):
 * 1 when the entry has one (not none, -, a device), 0 otherwise. */
static int crypttab_keyfile(struct hctx *h, const char *name, char *path, size_t size)
{
	_cleanup_free_ char *tab = read_rel(h, "etc/crypttab", NULL);
	char *save = NULL;
	for (char *line = tab ? strtok_r(tab, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		if (host_crypttab_fields(line, f) < 2 || !streq(f[0], name))
			continue;
		if (!f[2][0] || streq(f[2], "none") || streq(f[2], "-") ||
		    startswith(f[2], "/dev/"))
			return 0;
		return path_printf(path, size, "%s%s", h->recorded ? h->o->root : "", f[2]) == 0;
	}
	return 0;
}

/* The hibernation device: resume= on the command line, Debian's conf.d/resume, else the
 * largest active swap partition. Never an error: resume never blocks a boot. */
static int detect_resume(struct hctx *h)
{
	char spec[512], dir[4096], why[1400], from[300];
	bool write = false;
	if (host_cmdline_get(h->cmdline, "noresume", spec, sizeof(spec)))
		return plan_item(h->plan, HOST_NOTE, "resume",
				 "noresume on the kernel command line");
	_cleanup_free_ char *conf = read_rel(h, "etc/initramfs-tools/conf.d/resume", NULL);
	_cleanup_free_ char *swaps = read_rel(h, "proc/swaps", NULL);
	if (host_cmdline_get(h->cmdline, "resume", spec, sizeof(spec))) {
		snprintf(from, sizeof(from), "resume=%s on the kernel command line", spec);
	} else if (conf && host_resume_conf(conf, spec, sizeof(spec)) > 0) {
		snprintf(from, sizeof(from), "RESUME=%s in /etc/initramfs-tools/conf.d/resume",
			 spec);
		write = true;
	} else if (swaps && host_swaps_pick(swaps, spec, sizeof(spec)) > 0) {
		snprintf(from, sizeof(from), "%s, the largest active swap partition in /proc/swaps",
			 spec);
		write = true;
	} else {
		return plan_item(h->plan, HOST_NOTE, "resume",
				 "no resume=, no conf.d/resume, no swap partition in /proc/swaps");
	}
	snprintf(h->purpose, sizeof(h->purpose), "resume %s", spec);
	if (find_spec(h, spec, dir, sizeof(dir)) < 0) {
		snprintf(why, sizeof(why), "%s: device not found; its drivers are not detected",
			 from);
		return plan_item(h->plan, HOST_NOTE, "resume", why);
	}
	/* a device stage 1 cannot resume from (swap on plain dm-crypt with a random key, zram,
	 * md): warned about, its drivers taken out again, the image built without resume */
	struct plan_mark mark = plan_mark(h);
	h->refuse_level = LOG_WARNING;
	int r = walk_block(h, dir, 0);
	h->refuse_level = LOG_ERR;
	/* a swap chosen here (not by the user's resume=) whose LUKS volume opens with a key
	 * file the image cannot hold (on the encrypted root, or unreadable): stage 1 would ask
	 * for a passphrase it may not have at every boot; initramfs-tools' cryptroot hook skips
	 * such a resume target too */
	for (size_t i = mark.n_crypt; r == 0 && write && i < h->n_crypt; i++) {
		char key[4096];
		if (!crypttab_keyfile(h, h->crypt_names[i], key, sizeof(key)) ||
		    (access(key, R_OK) == 0 &&
		     !on_encrypted(h, key + strlen(h->recorded ? h->o->root : ""))))
			continue;
		log_warning("%s: LUKS volume %s opens with the key file %s, which the image "
			    "cannot hold (unreadable, or on an encrypted filesystem)",
			    h->purpose, h->crypt_names[i], key);
		r = -EOPNOTSUPP;
	}
	if (r == -EOPNOTSUPP || r == -EIO) {
		plan_rollback(h, &mark);
		snprintf(why, sizeof(why),
			 "%s: stage 1 cannot resume from it (see the warning); no resume= written",
			 from);
		log_warning("%s", why);
		return plan_item(h->plan, HOST_NOTE, "resume", why);
	}
	if (r < 0)
		return r;
	if (write) {
		struct probe pr;
		char name[256], value[600];
		if (attr(h, dir, "dm/name", name, sizeof(name)) == 0)
			snprintf(value, sizeof(value), "/dev/mapper/%s", name);
		else if (probe(h, dir, &pr) == 0 && streq(pr.type, "swap") && pr.uuid[0])
			snprintf(value, sizeof(value), "UUID=%s", pr.uuid);
		else
			snprintf(value, sizeof(value), "%s", spec);
		r = plan_setting(h, "resume", value, from);
	} else {
		r = plan_item(h->plan, HOST_NOTE, "resume", from);
	}
	return r < 0 ? r : 0;
}

/* Every input device that can type a passphrase (reports Enter and A), walked up like a
 * disk; then the safe set. */
static int detect_keyboards(struct hctx *h)
{
	_cleanup_close_ int fd = openat(h->rootfd, "sys/class/input", O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	int r = 0;
	if (d)
		fd = -1;
	for (struct dirent *e; d && r >= 0 && (e = readdir(d));) {
		char dir[4096], keys[1024], name[256] = "";
		if (!startswith(e->d_name, "input") ||
		    link_resolve(h, "sys/class/input", e->d_name, dir, sizeof(dir)) < 0 ||
		    attr(h, dir, "capabilities/key", keys, sizeof(keys)) < 0 ||
		    !host_keybits_has(keys, KEY_ENTER) || !host_keybits_has(keys, KEY_A))
			continue;
		attr(h, dir, "name", name, sizeof(name));
		snprintf(h->purpose, sizeof(h->purpose), "keyboard %s \"%s\"", e->d_name, name);
		h->keyboard = true;
		/* a Bluetooth keyboard (bus 0005) needs pairing and bluetoothd, which stage 1 does
		 * not have: its radio's drivers and firmware would only make the image bigger */
		char alias[1024];
		if (attr(h, dir, "modalias", alias, sizeof(alias)) == 0 &&
		    startswith(alias, "input:b0005")) {
			r = plan_item(h->plan, HOST_NOTE, e->d_name,
				      "Bluetooth keyboard: not usable in stage 1 (no pairing, no "
				      "bluetoothd); its drivers are left out");
			continue;
		}
		parent(dir); /* the input device's own modalias names input handlers, not drivers */
		r = walk_ancestors(h, dir);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < ARRAY_SIZE(keyboard_safe_set) && r >= 0; i++)
		r = resolve(h, keyboard_safe_set[i],
			    "keyboard safe set (a passphrase after a keyboard change)");
	return r < 0 ? r : 0;
}

/* Whether the filesystem holding path sits on dm-crypt (a key file there must not be copied
 * into the unencrypted image). */
static bool on_encrypted(struct hctx *h, const char *path)
{
	struct host_mount m;
	char mnt[512], dir[4096];
	if (host_mountinfo_containing(h->mountinfo, path, &m, mnt, sizeof(mnt)) < 0 ||
	    block_dir(h, m.major, m.minor, dir, sizeof(dir)) < 0)
		return true; /* unknown: do not copy */
	char stack[8][4096];
	size_t n = 1;
	snprintf(stack[0], sizeof(stack[0]), "%s", dir);
	while (n) {
		char cur[4096], uuid[256] = "", slaves[4096];
		snprintf(cur, sizeof(cur), "%s", stack[--n]);
		if (exists(h, cur, "partition"))
			parent(cur);
		if (attr(h, cur, "dm/uuid", uuid, sizeof(uuid)) == 0 && startswith(uuid, "CRYPT-"))
			return true;
		snprintf(slaves, sizeof(slaves), "%s/slaves", cur);
		_cleanup_close_ int fd = openat(h->rootfd, slaves, O_RDONLY | O_DIRECTORY);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		if (d)
			fd = -1;
		for (struct dirent *e; d && (e = readdir(d));)
			if (e->d_name[0] != '.' && n < ARRAY_SIZE(stack))
				link_resolve(h, slaves, e->d_name, stack[n], sizeof(stack[n])) == 0
					? n++
					: 0;
		if (d)
			closedir(d);
	}
	return false;
}

/* A detached LUKS header (header=PATH): copied into the image at the same path, or stage 1
 * cannot open the volume at all (no passphrase fallback): an error when it is unreadable. */
static int crypttab_header(struct hctx *h, char *f[4], const char *why)
{
	const char *p = f[3];
	char hdr[4096], src[8300], note[1400];
	while (p && *p && !startswith(p, "header="))
		p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
	if (!p || !*p)
		return 0;
	snprintf(hdr, sizeof(hdr), "%.*s", (int)strcspn(p + 7, ","), p + 7);
	if (hdr[0] != '/')
		return 0; /* PATH:DEVICE or relative: stage 1 reports it */
	if (path_printf(src, sizeof(src), "%s%s", h->recorded ? h->o->root : "", hdr) < 0 ||
	    access(src, R_OK) < 0) {
		log_error(
			"/etc/crypttab entry %s: its detached LUKS header %s is not readable (%m); "
			"stage 1 could not open the volume without it",
			f[0], src);
		return -ENOENT;
	}
	int r = path_printf(src, sizeof(src), "%s%s:%s", h->recorded ? h->o->root : "", hdr, hdr);
	r = r ?: strv_push(&h->plan->keyfiles, &h->plan->n_keyfiles, src);
	snprintf(note, sizeof(note), "detached LUKS header of %s (%s)", f[0], why);
	return r ?: (plan_item(h->plan, HOST_FILE, hdr, note) < 0 ? -ENOMEM : 0);
}

/* Stage 1 has no udev: of /dev/disk/ it resolves only by-uuid, by-label, by-partuuid and
 * by-partlabel (as tags). */
static bool stage1_resolves(const char *dev)
{
	return !startswith(dev, "/dev/disk/") || startswith(dev, "/dev/disk/by-uuid/") ||
	       startswith(dev, "/dev/disk/by-label/") ||
	       startswith(dev, "/dev/disk/by-partuuid/") ||
	       startswith(dev, "/dev/disk/by-partlabel/");
}

/* One crypttab entry for the image; its key file is copied when that is safe, else the
 * entry asks for the passphrase. luks_uuid: the LUKS UUID of a device found under root, /usr
 * or resume ("" or NULL when unknown). */
static int crypttab_entry(struct hctx *h, FILE *out, char *f[4], const char *why,
			  const char *luks_uuid)
{
	char keypath[4096], note[1400], dev[128];
	const char *key = f[2];
	const char *source = f[1];
	if (!stage1_resolves(source)) {
		if (luks_uuid && luks_uuid[0]) {
			snprintf(dev, sizeof(dev), "UUID=%s", luks_uuid);
			snprintf(note, sizeof(note),
				 "%s: %s written as %s (stage 1 has no udev to make "
				 "/dev/disk/by-id and by-path links)",
				 f[0], source, dev);
			if (plan_item(h->plan, HOST_NOTE, source, note) < 0)
				return -ENOMEM;
			source = dev;
		} else {
			log_warning("/etc/crypttab entry %s: %s: stage 1 has no udev to make "
				    "/dev/disk/by-id and by-path links and will not find it; use "
				    "UUID= there",
				    f[0], source);
		}
	}
	int hr = crypttab_header(h, f, why);
	if (hr < 0)
		return hr;
	bool keep = !key[0] || streq(key, "none") || streq(key, "-") || startswith(key, "/dev/");
	if (!keep) {
		if (path_printf(keypath, sizeof(keypath), "%s%s", h->recorded ? h->o->root : "",
				key) < 0 ||
		    access(keypath, R_OK) < 0) {
			snprintf(note, sizeof(note),
				 "%s: key file %s not readable; the image asks for the passphrase",
				 f[0], key);
			key = "none";
		} else if (on_encrypted(h, key)) {
			snprintf(
				note, sizeof(note),
				"%s: key file %s lives on an encrypted filesystem; not copied into "
				"the unencrypted image, which asks for the passphrase",
				f[0], key);
			key = "none";
		} else {
			char spec[8300];
			snprintf(spec, sizeof(spec), "%s:%s", keypath, key);
			int r = strv_push(&h->plan->keyfiles, &h->plan->n_keyfiles, spec);
			snprintf(note, sizeof(note), "key file of %s (%s)", f[0], why);
			r = r ?: plan_item(h->plan, HOST_FILE, key, note);
			if (r < 0)
				return r;
			note[0] = 0;
		}
		if (note[0]) {
			log_warning("%s", note);
			plan_item(h->plan, HOST_NOTE, f[2], note);
		}
	}
	/* noauto: stage 1 skips such an entry unless the command line names it (no dependency
	 * engine pulls it in through root=, as systemd's does): dropped for a needed volume */
	char opts[1024] = "";
	for (const char *o = f[3]; o && *o;) {
		size_t len = strcspn(o, ",");
		if (!(luks_uuid && len == 6 && strncmp(o, "noauto", 6) == 0))
			snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%s%.*s",
				 opts[0] ? "," : "", (int)len, o);
		o = o[len] ? o + len + 1 : NULL;
	}
	if (luks_uuid && host_crypttab_has_option(f[3], "noauto")) {
		snprintf(note, sizeof(note),
			 "%s: noauto dropped (stage 1 would skip the entry; the volume is under "
			 "root, /usr or resume)",
			 f[0]);
		if (plan_item(h->plan, HOST_NOTE, "noauto", note) < 0)
			return -ENOMEM;
	}
	fprintf(out, "%s\t%s\t%s\t%s\n", f[0], source, key, opts[0] ? opts : "luks");
	return 0;
}

/* The image's crypttab: the host's entries for the LUKS devices found under root, /usr and
 * resume, and the ones marked initramfs; a found device without an entry gets one. */
static int build_crypttab(struct hctx *h)
{
	_cleanup_free_ char *tab = read_rel(h, "etc/crypttab", NULL);
	bool *have = calloc(h->n_crypt + 1, sizeof(*have));
	char *text = NULL, why[600];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int r = have && out ? 0 : -ENOMEM, n = 0;
	char *save = NULL;
	for (char *line = tab ? strtok_r(tab, "\n", &save) : NULL; line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		if (host_crypttab_fields(line, f) < 2)
			continue;
		bool needed = false;
		const char *luks_uuid = NULL;
		for (size_t i = 0; i < h->n_crypt; i++)
			if (streq(h->crypt_names[i], f[0]))
				needed = have[i] = true, luks_uuid = h->crypt_uuids[i];
		if (!needed && !host_crypttab_has_option(f[3], "initramfs"))
			continue;
		snprintf(why, sizeof(why), "/etc/crypttab entry %s: %s", f[0],
			 needed ? "a LUKS device under root, /usr or resume" : "marked initramfs");
		r = plan_item(h->plan, HOST_NOTE, f[0], why);
		r = r < 0 ? r : crypttab_entry(h, out, f, why, luks_uuid);
		n++;
	}
	for (size_t i = 0; i < h->n_crypt && r >= 0; i++) {
		if (have[i])
			continue;
		if (!h->crypt_uuids[i][0]) {
			log_error("dm-crypt device %s: no /etc/crypttab entry and no LUKS UUID in "
				  "its "
				  "dm uuid; not written",
				  h->crypt_names[i]);
			r = -EINVAL;
			break;
		}
		fprintf(out, "%s\tUUID=%s\tnone\tluks\n", h->crypt_names[i], h->crypt_uuids[i]);
		snprintf(why, sizeof(why),
			 "entry %s generated: LUKS device under root, /usr or resume that "
			 "/etc/crypttab does not name",
			 h->crypt_names[i]);
		r = plan_item(h->plan, HOST_NOTE, h->crypt_names[i], why);
		n++;
	}
	if (out)
		fclose(out);
	free(have);
	if (r >= 0 && n) {
		h->plan->crypttab = text;
		h->plan->luks = true;
		r = plan_item(h->plan, HOST_FILE, "/etc/crypttab", "the LUKS volumes above");
	} else {
		free(text);
	}
	return r < 0 ? r : 0;
}

static int hctx_open(struct hctx *h, const struct host_options *o, struct host_plan *plan)
{
	static const char *const no_config[] = {NULL};
	*h = (struct hctx){
		.o = o, .plan = plan, .recorded = !streq(o->root, "/"), .refuse_level = LOG_ERR};
	h->rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->rootfd < 0)
		return log_error_errno(-errno, "--host-root %s: %m", o->root);
	h->kmod = kmod_new(o->moddir, no_config);
	if (!h->kmod || kmod_load_resources(h->kmod) < 0)
		return log_error_errno(-ENOENT, "%s: cannot load the module indexes", o->moddir);
	return 0;
}

static void hctx_close(struct hctx *h)
{
	if (h->rootfd >= 0)
		close(h->rootfd);
	kmod_unref(h->kmod);
	free(h->mountinfo), free(h->cmdline);
	for (size_t i = 0; i < h->n_crypt; i++)
		free(h->crypt_names[i]), free(h->crypt_uuids[i]);
	free(h->crypt_names), free(h->crypt_uuids);
}

int host_detect(const struct host_options *o, struct host_plan *plan)
{
	struct hctx h;
	int r = hctx_open(&h, o, plan);
	if (r == 0) {
		h.mountinfo = read_rel(&h, "proc/self/mountinfo", NULL);
		h.cmdline = read_rel(&h, "proc/cmdline", NULL) ?: strdup("");
		if (!h.mountinfo)
			r = log_error_errno(-ENOENT, "%s/proc/self/mountinfo: cannot read it",
					    o->root);
	}
	r = r ?: detect_mount(&h, "/", "root");
	if (r == 0) {
		int u = detect_mount(&h, "/usr", "/usr");
		if (u < 0)
			r = u;
		else if (u == 0)
			plan_item(
				plan, HOST_NOTE, "/usr",
				"a separate /usr: its devices are unlocked and activated in stage "
				"1; stage 2 mounts it");
	}
	if (r == 0 && (r = detect_resume(&h)) > 0)
		r = 0;
	r = r ?: detect_keyboards(&h);
	r = r ?: build_crypttab(&h);
	if (r == 0 && plan->lvm) {
		char conf[4096];
		path_printf(conf, sizeof(conf), "%s/etc/lvm/lvm.conf",
			    streq(o->root, "/") ? "" : o->root);
		if (access(conf, R_OK) == 0) {
			plan->lvm_config = strdup(conf);
			plan_item(plan, HOST_FILE, "/etc/lvm/lvm.conf",
				  "LVM under root or resume: the host's device filters "
				  "(--lvm-config)");
		}
		plan_item(plan, HOST_FILE, "/sbin/lvm", "LVM under root or resume (--lvm)");
	}
	hctx_close(&h);
	return r;
}

int host_universal(const char *moddir, struct host_plan *plan)
{
	struct host_options o = {.root = "/", .moddir = moddir};
	struct hctx h;
	int r = hctx_open(&h, &o, plan);
	for (size_t i = 0; i < ARRAY_SIZE(universal_set) && r >= 0; i++)
		r = resolve(&h, universal_set[i], "--universal");
	for (size_t i = 0; i < ARRAY_SIZE(keyboard_safe_set) && r >= 0; i++)
		r = resolve(&h, keyboard_safe_set[i], "--universal");
	hctx_close(&h);
	return r < 0 ? r : 0;
}
