/* LUKS unlocking with libcryptsetup (never the cryptsetup tool, never our own header
 * parsing). Order: hooks (which may open devices themselves), then every volume from
 * /etc/crypttab and rd.luks.*: an existing mapping of the same LUKS device counts as
 * success, anything else under that name is refused; key file, then passphrases that
 * opened earlier volumes, then the console prompt. */
#include "luks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <libdevmapper.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bootconf.h"
#include "console.h"
#include "crypttab.h"
#include "devices.h"
#include "kmod.h"
#include "image.h"
#include "log.h"
#include "luks_decide.h"
#include "luks_parallel.h"
#include "passphrase.h"
#include "timeline.h"
#include "tpm2_unlock.h"
#include "util.h"

#define CRYPTTAB IMAGE_CRYPTTAB
#define HOOKS_DIR IMAGE_HOOKS_DIR

static void crypt_log_to_ours(int level, const char *msg, void *usrptr)
{
	(void)usrptr;
	char line[512];
	snprintf(line, sizeof(line), "%s", msg);
	line[strcspn(line, "\n")] = 0;
	if (level == CRYPT_LOG_ERROR)
		log_warning("libcryptsetup: %s", line);
	else
		log_debug("libcryptsetup: %s", line);
}

/* Runs every executable in HOOKS_DIR in name order; a failing hook is reported, not fatal
 * (the volumes it should have opened are then unlocked here as usual). */
static void run_hooks(void)
{
	struct dirent **names;
	int n = scandir(HOOKS_DIR, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", HOOKS_DIR, names[i]->d_name);
		struct stat st;
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111)) {
			log_info("luks: running hook %s", path);
			int tl = timeline_begin(TIMELINE_HOOK, names[i]->d_name, NULL);
			pid_t pid = fork();
			if (pid == 0) {
				/* Its own session: a daemon it leaves behind is found and
				 * stopped before the switch (killall.c), never inherited by
				 * stage 2 through our terminal or process group. */
				setsid();
				char *const argv[] = {path, NULL};
				char *const envp[] = {"PATH=/sbin:/bin:/usr/sbin:/usr/bin",
						      "INITKIT_HOOK=pre-unlock", NULL};
				execve(path, argv, envp);
				_exit(127);
			}
			int status = 0;
			while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			timeline_end(tl);
			if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				log_warning("luks: hook %s failed (status %d); going on", path,
					    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* The kernel's view of an existing mapping: /sys/block/dm-N/dm/{name,uuid,suspended}. */
static void dm_sysfs_facts(const char *name, struct luks_active_facts *f, char *uuid,
			   size_t uuid_size)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char p[512], buf[256] = "";
		if (!startswith(de->d_name, "dm-"))
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/dm/name", de->d_name);
		if (read_line(p, buf, sizeof(buf)) < 0 || !streq(buf, name))
			continue;
		f->exists = true;
		snprintf(p, sizeof(p), "/sys/block/%s/dm/uuid", de->d_name);
		if (read_line(p, uuid, uuid_size) == 0)
			f->dm_uuid = uuid;
		snprintf(p, sizeof(p), "/sys/block/%s/dm/suspended", de->d_name);
		f->suspended = read_line(p, buf, sizeof(buf)) == 0 && buf[0] == '1';
		break;
	}
	if (d)
		closedir(d);
}

/* libdevmapper's own messages: into our log at debug level, never bare on the console
 * (libcryptsetup puts libdm's default stderr logger back after each of its calls). */
__attribute__((format(printf, 5, 6))) static void
dm_log_to_ours(int level, const char *file, int line, int dm_errno, const char *f, ...)
{
	char msg[512];
	va_list ap;
	(void)level, (void)file, (void)line, (void)dm_errno;
	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	log_debug("libdevmapper: %s", msg);
}

/* A dm device's live table (by name, or by number when name is NULL). The caller destroys
 * the task; dm_task_secure_data() wipes the ioctl buffers, which carry the key. */
static struct dm_task *dm_table(const char *name, unsigned major, unsigned minor)
{
	dm_log_with_errno_init(dm_log_to_ours);
	struct dm_task *dmt = dm_task_create(DM_DEVICE_TABLE);
	if (!dmt)
		return NULL;
	if ((name ? dm_task_set_name(dmt, name)
		  : dm_task_set_major_minor(dmt, (int)major, (int)minor, 0)) &&
	    dm_task_secure_data(dmt) && dm_task_run(dmt))
		return dmt;
	dm_task_destroy(dmt);
	return NULL;
}

/* A key in the kernel keyring (":SIZE:logon:DESCRIPTION"): its bytes cannot be read back.
 * What can be checked is that it is named and sized as libcryptsetup 2.6 names our volume
 * key ("cryptsetup:<LUKS UUID>-d<digest>", a logon key of our volume key size). */
static enum luks_key_check keyring_check(struct crypt_device *cd, const char *spec, size_t len)
{
	char want[160];
	unsigned size;
	int n = 0;
	const char *uuid = crypt_get_uuid(cd);
	snprintf(want, sizeof(want), ":%d:logon:cryptsetup:%s-d", crypt_get_volume_key_size(cd),
		 uuid ? uuid : "?");
	if (!uuid || len <= strlen(want) || strncmp(spec, want, strlen(want)) ||
	    sscanf(spec, ":%u:%n", &size, &n) != 1 || !n)
		return LUKS_KEY_KEYRING_FOREIGN;
	for (size_t i = strlen(want); i < len; i++)
		if (spec[i] < '0' || spec[i] > '9')
			return LUKS_KEY_KEYRING_FOREIGN;
	return LUKS_KEY_IN_KEYRING;
}

/* Does our header's digest accept the key in the table (hex)? */
static enum luks_key_check key_check(struct crypt_device *cd, const char *hex, size_t len)
{
	char key[512];
	enum luks_key_check k = LUKS_KEY_DIFFERS;
	if (len && hex[0] == ':')
		return keyring_check(cd, hex, len);
	if (len % 2 || len / 2 > sizeof(key))
		return LUKS_KEY_DIFFERS;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			goto out;
		key[i] = (char)v;
	}
	if (crypt_volume_key_verify(cd, key, len / 2) >= 0)
		k = LUKS_KEY_MATCHES;
out:
	explicit_bzero(key, sizeof(key));
	return k;
}

/* Through the NAME_dif mapping of a LUKS2 --integrity volume to the disk below it. */
static void follow_integrity(const char *name, struct luks_active_facts *f)
{
	char p[128], dif[256], want[256];
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/dm/name", f->backing_major, f->backing_minor);
	snprintf(want, sizeof(want), "%s_dif", name);
	if (read_line(p, dif, sizeof(dif)) < 0 || !streq(dif, want))
		return;
	struct dm_task *dmt = dm_table(NULL, f->backing_major, f->backing_minor);
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	unsigned long long off;
	if (!dmt)
		return;
	/* exactly one target (no next), an integrity target at 0, under a crypt at 0 */
	if (!dm_get_next_target(dmt, NULL, &start, &length, &type, &params) && type &&
	    streq(type, "integrity") && start == 0 && f->table_offset == 0 &&
	    luks_integrity_params_parse(params, &f->backing_major, &f->backing_minor, &off) == 0) {
		f->via_integrity = true;
		f->table_offset = off;
	}
	dm_task_destroy(dmt);
}

/* The live table: one crypt target, its device (through NAME_dif), offset, cipher, key. */
static void dm_table_facts(struct crypt_device *cd, const char *name, struct luks_active_facts *f,
			   char *type_buf, size_t type_size, char *cipher_buf, size_t cipher_size)
{
	struct dm_task *dmt = dm_table(name, 0, 0);
	void *next = NULL;
	uint64_t start, length;
	char *type, *params;
	struct luks_crypt_params cp;
	if (!dmt)
		return;
	do {
		next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
		if (!type)
			break;
		if (f->n_targets++ == 0) {
			snprintf(type_buf, type_size, "%s", type);
			f->target_type = type_buf;
		}
	} while (next);
	if (f->n_targets == 1 && streq(type_buf, "crypt") && start == 0 &&
	    luks_crypt_params_parse(params, &cp) == 0) {
		snprintf(cipher_buf, cipher_size, "%.*s", (int)cp.cipher_len, cp.cipher);
		f->table_cipher = cipher_buf;
		f->backing_major = cp.major, f->backing_minor = cp.minor;
		f->table_offset = cp.offset;
		f->table_iv_offset = cp.iv_offset;
		f->table_sector_size = cp.sector_size;
		f->key = key_check(cd, cp.key, cp.key_len);
		if (cp.integrity)
			follow_integrity(name, f);
	}
	dm_task_destroy(dmt);
}

/* Decides what an existing mapping called vol->name means for us. */
static enum luks_decision check_existing(struct crypt_device *cd, const struct luks_volume *vol,
					 const char *dev)
{
	char dm_uuid[256] = "", msg[1024], type[64] = "", cipher[128] = "", want[160];
	struct stat st;
	struct luks_active_facts f = {
		.name = vol->name,
		.header_uuid = crypt_get_uuid(cd),
		.header_type = crypt_get_type(cd),
		.device = dev,
		.want_offset = crypt_get_data_offset(cd),
		.want_iv_offset = crypt_get_iv_offset(cd),
		.want_sector_size = (unsigned)crypt_get_sector_size(cd),
	};
	dm_sysfs_facts(vol->name, &f, dm_uuid, sizeof(dm_uuid));
	if (!f.exists)
		return LUKS_NOT_ACTIVE;
	switch (crypt_status(NULL, vol->name)) {
	case CRYPT_INACTIVE:
		f.status = LUKS_DM_INACTIVE;
		break;
	case CRYPT_ACTIVE:
		f.status = LUKS_DM_ACTIVE;
		break;
	case CRYPT_BUSY:
		f.status = LUKS_DM_BUSY;
		break;
	default:
		f.status = LUKS_DM_INVALID;
		break;
	}
	if (crypt_get_cipher(cd) && crypt_get_cipher_mode(cd)) {
		snprintf(want, sizeof(want), "%s-%s", crypt_get_cipher(cd),
			 crypt_get_cipher_mode(cd));
		f.want_cipher = want;
	}
	dm_table_facts(cd, vol->name, &f, type, sizeof(type), cipher, sizeof(cipher));
	if (stat(dev, &st) == 0 && S_ISBLK(st.st_mode))
		f.device_major = major(st.st_rdev), f.device_minor = minor(st.st_rdev);
	enum luks_decision d = luks_decide_active(&f, msg, sizeof(msg));
	if (d == LUKS_ACTIVE_SAME && f.key == LUKS_KEY_IN_KEYRING)
		log_warning("luks: %s", msg); /* accepted on labels for the key: say so */
	else if (d == LUKS_ACTIVE_SAME)
		log_notice("luks: %s", msg);
	else if (d != LUKS_NOT_ACTIVE)
		log_error("luks: %s", msg);
	return d;
}

/* Time spent waiting for a human at the prompt, kept out of the unlock time we report. */
static uint64_t prompt_wait_ms;

/* A key derived in parallel for a later volume from a passphrase just typed (its index in
 * the store once kept): used when that volume comes to try that passphrase. */
struct spec_key {
	bool valid;
	size_t slot; /* the passphrase's index in the store */
	int r;	     /* 0: key in run->keys; -EPERM: that passphrase opens no keyslot */
	size_t key_size;
};

struct luks_run {
	struct luks_config cfg;
	struct passphrase_store store;
	bool *settled; /* per volume: unlocked, or given up (nofail) */
	size_t n_pending;
	struct modules *mods;  /* for the modules loaded while the prompt waits */
	pid_t modules_pid;     /* that loader, until reaped */
	bool modules_started;  /* once per boot */
	struct luks_keys keys; /* one locked key per volume */
	struct spec_key *spec; /* per volume */
	int *meanwhile;	       /* per volume: 1 not tried while the prompt waited; 0 opened
				  then with its key file; else that attempt's -errno */
	char **meanwhile_dev;  /* the device it was opened on */
	char **devs;	       /* per volume: its device, resolved at the start of a pass */
	pthread_t prep;	       /* the key-file thread while the prompt waits */
	bool prep_running;
};

static uint32_t activate_flags(const struct luks_volume *vol)
{
	return (vol->discard ? CRYPT_ACTIVATE_ALLOW_DISCARDS : 0) |
	       (vol->no_read_wq ? CRYPT_ACTIVATE_NO_READ_WORKQUEUE : 0) |
	       (vol->no_write_wq ? CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE : 0) |
	       (vol->readonly ? CRYPT_ACTIVATE_READONLY : 0);
}

/* "DEV (UUID) is /dev/mapper/NAME [flags] (N ms, ...)": what the live dm table says, read
 * back through libcryptsetup. */
static void log_unlocked(struct crypt_device *cd, const struct luks_volume *vol, const char *dev,
			 uint64_t ms)
{
	struct crypt_active_device cad = {0};
	crypt_get_active_device(cd, vol->name, &cad);
	log_notice("luks: %s (%s) is /dev/mapper/%s [%s%s%s%s] (%llu ms, not counting the prompt)",
		   dev, crypt_get_uuid(cd), vol->name,
		   cad.flags & CRYPT_ACTIVATE_READONLY ? "ro" : "rw",
		   cad.flags & CRYPT_ACTIVATE_ALLOW_DISCARDS ? ",discard" : "",
		   cad.flags & CRYPT_ACTIVATE_NO_READ_WORKQUEUE ? ",no-read-workqueue" : "",
		   cad.flags & CRYPT_ACTIVATE_NO_WRITE_WORKQUEUE ? ",no-write-workqueue" : "",
		   (unsigned long long)ms);
}

/* While the prompt waits: a child process loads dm_mod, dm_crypt and the crypto modules the
 * header's cipher needs, so none of it follows Enter (the kernel would otherwise ask for them
 * through /sbin/modprobe during the table load). A process, not a thread: libkmod's context
 * and the timeline are not thread-safe; its loads go into the timeline through the modprobe
 * records. Nothing is written to a disk. The names are chosen once the prompt is written
 * (console_prompt_then()); the fork happens in the thread below. */
static char module_names[8][LUKS_MODULE_NAME_MAX];
static size_t n_module_names;

static void modules_meanwhile_choose(struct luks_run *run, struct crypt_device *cd)
{
	n_module_names = 0;
	if (!run->mods || run->modules_started)
		return;
	run->modules_started = true;
	snprintf(module_names[0], LUKS_MODULE_NAME_MAX, "dm_mod");
	snprintf(module_names[1], LUKS_MODULE_NAME_MAX, "dm_crypt");
	n_module_names = 2 + luks_crypto_modules(crypt_get_cipher(cd), crypt_get_cipher_mode(cd),
						 module_names + 2, ARRAY_SIZE(module_names) - 2);
}

static void modules_meanwhile_fork(struct luks_run *run)
{
	const size_t n = n_module_names;
	char(*names)[LUKS_MODULE_NAME_MAX] = module_names;
	if (n == 0)
		return;
	pid_t pid = fork();
	if (pid < 0)
		return; /* the kernel asks for them later, as before */
	if (pid > 0) {
		run->modules_pid = pid;
		return;
	}
	uint64_t t0 = now_ms();
	char list[512] = "";
	for (size_t i = 0; i < n; i++) {
		uint64_t b = timeline_now_ns();
		int r = modules_load(run->mods, names[i], false);
		timeline_modprobe_record(names[i], "luks: while the prompt waits", b,
					 timeline_now_ns());
		if (r > 0)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 *list ? ", " : "", names[i]);
	}
	log_info("luks: %s loaded while the prompt waits (%llu ms)", *list ? list : "nothing",
		 (unsigned long long)(now_ms() - t0));
	_exit(0);
}

static void modules_meanwhile_join(struct luks_run *run)
{
	while (run->modules_pid > 0 && waitpid(run->modules_pid, NULL, 0) < 0 && errno == EINTR)
		;
	run->modules_pid = 0;
}

/* The thread that runs while the prompt waits: it forks the module loader, then opens the
 * key-file volumes after the one prompting (a thread:
 * the main thread only sits in the console read meanwhile, so device-mapper calls are not
 * concurrent). Only success is taken from here; a failure is tried and reported again in
 * order, exactly as before. */
struct prep_item {
	struct luks_run *run;
	size_t i;
	char *dev;
	uint64_t begin_ns, end_ns, unlock_ns;
};
static struct prep_item prep_items[64];
static size_t n_prep_items;

static void *keyfiles_meanwhile(void *arg)
{
	modules_meanwhile_fork(arg);
	for (size_t k = 0; k < n_prep_items; k++) {
		struct prep_item *it = &prep_items[k];
		const struct luks_volume *vol = &it->run->cfg.volumes[it->i];
		struct crypt_device *cd = NULL;
		it->begin_ns = timeline_now_ns();
		int r = luks_crypt_init(&cd, it->dev, vol->header);
		if (r >= 0)
			r = crypt_load(cd, CRYPT_LUKS, NULL);
		it->unlock_ns = timeline_now_ns();
		if (r >= 0)
			r = crypt_activate_by_keyfile_device_offset(
				cd, vol->name, CRYPT_ANY_SLOT, vol->keyfile, vol->keyfile_size,
				vol->keyfile_offset, activate_flags(vol));
		it->end_ns = timeline_now_ns();
		it->run->meanwhile[it->i] = r >= 0 ? 0 : r;
		if (r >= 0) {
			log_info("luks: %s opened with key file %s", vol->name, vol->keyfile);
			log_unlocked(cd, vol, it->dev, (it->end_ns - it->begin_ns) / 1000000);
		}
		luks_crypt_free(cd);
	}
	return NULL;
}

static void keyfiles_meanwhile_start(struct luks_run *run, size_t cur)
{
	char uuid[256];
	n_prep_items = 0;
	if (run->prep_running)
		return;
	/* the module loader is forked from the thread too: the prompt must not wait for it */
	for (size_t i = cur + 1; i < run->cfg.n_volumes && n_prep_items < ARRAY_SIZE(prep_items);
	     i++) {
		const struct luks_volume *vol = &run->cfg.volumes[i];
		struct luks_active_facts f = {0};
		char *dev = NULL;
		if (run->settled[i] || !vol->keyfile || run->meanwhile[i] != 1)
			continue;
		dm_sysfs_facts(vol->name, &f, uuid, sizeof(uuid));
		if (f.exists || !run->devs[i] || !(dev = strdup(run->devs[i])))
			continue; /* already open: judged in order, as before */
		prep_items[n_prep_items++] = (struct prep_item){.run = run, .i = i, .dev = dev};
	}
	if ((n_prep_items || n_module_names) &&
	    pthread_create(&run->prep, NULL, keyfiles_meanwhile, run) == 0) {
		run->prep_running = true;
		return;
	}
	for (; n_prep_items; n_prep_items--)
		free(prep_items[n_prep_items - 1].dev);
	modules_meanwhile_fork(run); /* no thread: as a plain fork */
}

static void keyfiles_meanwhile_join(struct luks_run *run)
{
	if (!run->prep_running)
		return;
	pthread_join(run->prep, NULL);
	run->prep_running = false;
	n_module_names = 0;
	for (size_t k = 0; k < n_prep_items; k++) {
		struct prep_item *it = &prep_items[k];
		const char *name = run->cfg.volumes[it->i].name;
		if (run->meanwhile[it->i] == 0) {
			timeline_add(TIMELINE_VOLUME, name, it->dev, it->begin_ns, it->end_ns);
			timeline_add(TIMELINE_UNLOCK, name, "key file, while the prompt waited",
				     it->unlock_ns, it->end_ns);
			run->meanwhile_dev[it->i] = it->dev;
		} else {
			free(it->dev);
		}
	}
	n_prep_items = 0;
}

struct meanwhile_arg {
	struct luks_run *run;
	size_t cur;
	struct crypt_device *cd;
};

static void meanwhile_start(void *arg)
{
	struct meanwhile_arg *ma = arg;
	modules_meanwhile_choose(ma->run, ma->cd);
	keyfiles_meanwhile_start(ma->run, ma->cur);
}

/* Reads a passphrase with echo off from whichever console answers first (console.h: the
 * prompt is shown on every console). Meanwhile the modules are loaded and the key-file
 * volumes opened (joined after the KDF, before anything is activated with the key). Returns
 * its length,
 * -ENODATA when every console reached end of input, or -errno. */
static ssize_t prompt_passphrase(struct luks_run *run, size_t cur, struct crypt_device *cd,
				 char *buf, size_t size)
{
	const struct luks_volume *vol = &run->cfg.volumes[cur];
	const char *uuid = crypt_get_uuid(cd);
	char prompt[512], from[CONSOLE_NAME_MAX] = "";
	snprintf(prompt, sizeof(prompt), "Passphrase for %s (UUID %s): ", vol->name,
		 uuid ? uuid : "?");
	struct meanwhile_arg ma = {.run = run, .cur = cur, .cd = cd};
	uint64_t t0 = now_ms();
	int tl = timeline_begin(TIMELINE_PROMPT, vol->name, "prompt shown until key entered");
	/* the module names, the key-file list and the thread only once the prompt is out */
	ssize_t len =
		console_prompt_then(prompt, buf, size, from, sizeof(from), meanwhile_start, &ma);
	timeline_end(tl);
	prompt_wait_ms += now_ms() - t0;
	if (len >= 0)
		log_info("luks: %s: passphrase typed on %s", vol->name, from);
	else {
		/* no key (Ctrl-D, a read error): the caller goes on to the next volume at once,
		 * which may be one the thread is opening; it and the loader end first */
		keyfiles_meanwhile_join(run);
		modules_meanwhile_join(run);
	}
	return len;
}

static void spec_forget(struct luks_run *run)
{
	for (size_t j = 0; j < run->cfg.n_volumes; j++) {
		run->spec[j].valid = false;
		luks_keys_forget(&run->keys, j);
	}
}

/* /proc/meminfo's MemAvailable, 0 when unknown. */
static uint64_t mem_available_kb(void)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	unsigned long long kb = 0;
	text = read_small_file("/proc/meminfo", &len);
	const char *p = text ? strstr(text, "MemAvailable:") : NULL;
	if (p && sscanf(p, "MemAvailable: %llu", &kb) != 1)
		kb = 0;
	return kb;
}

/* The passphrase just typed for volume cur, and every later volume that would try it next
 * (device there, no key file, no mapping of its name yet): their KDFs at once, on up to the
 * online CPUs. Returns job 0's result (cur's key in run->keys); the later volumes' results
 * wait in run->spec for their turn. */
static int derive_in_parallel(struct luks_run *run, size_t cur, struct crypt_device *cd,
			      const char *pass, size_t len, size_t *key_size)
{
	struct luks_kdf_job jobs[64];
	char *devs[64] = {0};
	char uuid[256];
	size_t n = 0;
	spec_forget(run);
	jobs[n++] = (struct luks_kdf_job){.name = run->cfg.volumes[cur].name,
					  .cd = cd,
					  .pass = pass,
					  .pass_len = len,
					  .key = luks_keys_at(&run->keys, cur)};
	/* a passphrase the store cannot keep is not tried on later volumes */
	for (size_t i = cur + 1;
	     run->store.n < PASSPHRASE_KEEP && i < run->cfg.n_volumes && n < ARRAY_SIZE(jobs);
	     i++) {
		const struct luks_volume *vol = &run->cfg.volumes[i];
		struct luks_active_facts f = {0};
		if (run->settled[i] || vol->keyfile || run->meanwhile[i] == 0)
			continue;
		dm_sysfs_facts(vol->name, &f, uuid, sizeof(uuid));
		if (f.exists || !run->devs[i] || !(devs[n] = strdup(run->devs[i])))
			continue;
		jobs[n] = (struct luks_kdf_job){.name = vol->name,
						.device = devs[n],
						.header = vol->header,
						.pass = pass,
						.pass_len = len,
						.key = luks_keys_at(&run->keys, i)};
		n++;
	}
	uint64_t t0 = now_ms(), mem_kb = mem_available_kb();
	unsigned threads =
		luks_kdf_run_budget(jobs, n,
				    luks_parallel_threads(sysconf(_SC_NPROCESSORS_ONLN), n, mem_kb,
							  luks_kdf_memory_kb(cd)),
				    mem_kb / 2);
	for (size_t k = 0; k < n; k++) {
		if (jobs[k].begin_ns)
			timeline_add(TIMELINE_UNLOCK, jobs[k].name,
				     k ? "key derived in parallel"
				       : "key derived (typed passphrase)",
				     jobs[k].begin_ns, jobs[k].end_ns);
		if (k == 0)
			continue;
		size_t i = (size_t)(jobs[k].key - run->keys.buf) / LUKS_KEY_MAX;
		if (jobs[k].r == 0 || jobs[k].r == -EPERM)
			run->spec[i] = (struct spec_key){.valid = true,
							 .slot = run->store.n,
							 .r = jobs[k].r,
							 .key_size = jobs[k].key_size};
		free(devs[k]);
	}
	if (n > 1)
		log_info(
			"luks: %s: keys of %zu volumes derived in parallel on %u threads (%llu ms)",
			run->cfg.volumes[cur].name, n, threads,
			(unsigned long long)(now_ms() - t0));
	if (jobs[0].r != 0)
		spec_forget(run);
	*key_size = jobs[0].key_size;
	return jobs[0].r;
}

/* Activates volume i with its key derived in parallel (cd loaded). */
static int activate_with_key(struct luks_run *run, size_t i, struct crypt_device *cd,
			     size_t key_size, uint32_t flags)
{
	int r = crypt_activate_by_volume_key(cd, run->cfg.volumes[i].name,
					     luks_keys_at(&run->keys, i), key_size, flags);
	luks_keys_forget(&run->keys, i);
	return r;
}

static int activate_with_passphrases(struct luks_run *run, size_t cur, struct crypt_device *cd,
				     uint32_t flags)
{
	const struct luks_volume *vol = &run->cfg.volumes[cur];
	struct passphrase_store *s = &run->store;
	const char *uuid = crypt_get_uuid(cd);
	for (size_t i = 0; i < s->n; i++) {
		struct spec_key *sk = &run->spec[cur];
		int r;
		if (sk->valid && sk->slot == i && sk->r == -EPERM) {
			sk->valid = false; /* derived in parallel: this passphrase opens no slot */
			continue;
		}
		int tl = timeline_begin(TIMELINE_UNLOCK, vol->name, "earlier passphrase");
		if (sk->valid && sk->slot == i) {
			sk->valid = false;
			r = activate_with_key(run, cur, cd, sk->key_size, flags);
		} else {
			r = crypt_activate_by_passphrase(cd, vol->name, CRYPT_ANY_SLOT, s->buf[i],
							 s->len[i], flags);
		}
		timeline_end(tl);
		if (r >= 0) {
			log_info("luks: %s opened with a passphrase given earlier", vol->name);
			return 0;
		}
		if (r != -EPERM)
			return r;
	}
	char *scratch = passphrase_store_scratch(s);
	for (unsigned attempt = 1; vol->tries == 0 || attempt <= vol->tries; attempt++) {
		ssize_t len = prompt_passphrase(run, cur, cd, scratch, PASSPHRASE_MAX);
		if (len == -ENODATA) {
			/* Ctrl-D or a hung-up line: more attempts would only burn a KDF run
			 * each (forever with tries=0). */
			log_error("luks: %s (%s): end of input on the console; no more attempts",
				  vol->name, uuid ? uuid : "?");
			return -ENOKEY;
		}
		if (len < 0)
			return log_error_errno((int)len, "luks: %s: cannot read the console: %m",
					       vol->name);
		size_t key_size = 0;
		int r = derive_in_parallel(run, cur, cd, scratch, (size_t)len, &key_size);
		/* the KDF needs no module and no device-mapper: the work begun while the prompt
		 * waited may go on until here, before anything is activated */
		keyfiles_meanwhile_join(run);
		modules_meanwhile_join(run);
		int tl = timeline_begin(TIMELINE_UNLOCK, vol->name, "passphrase");
		if (r == 0)
			r = activate_with_key(run, cur, cd, key_size, flags);
		else if (r != -EPERM) /* anything unexpected: the way it always went */
			r = crypt_activate_by_passphrase(cd, vol->name, CRYPT_ANY_SLOT, scratch,
							 (size_t)len, flags);
		timeline_end(tl);
		if (r >= 0) {
			passphrase_store_keep(s, (size_t)len);
			return 0;
		}
		spec_forget(run); /* derived from a passphrase that is not kept */
		passphrase_store_drop(s);
		if (r != -EPERM)
			return r;
		log_error("luks: %s (%s): wrong passphrase (attempt %u of %u)", vol->name,
			  uuid ? uuid : "?", attempt, vol->tries);
	}
	return -EPERM;
}

static int unlock_volume(struct luks_run *run, size_t cur, const char *dev)
{
	const struct luks_volume *vol = &run->cfg.volumes[cur];
	struct passphrase_store *s = &run->store;
	struct crypt_device *cd = NULL;
	uint32_t flags = activate_flags(vol);
	uint64_t t0 = now_ms();
	prompt_wait_ms = 0;
	int tl_vol = timeline_begin(TIMELINE_VOLUME, vol->name, dev);
	int tl = timeline_begin(TIMELINE_HEADER, vol->name, vol->header ? vol->header : dev);
	int r = vol->header ? crypt_init_data_device(&cd, vol->header, dev) : crypt_init(&cd, dev);
	if (r < 0)
		return timeline_end(tl_vol),
		       log_error_errno(r, "luks: %s: cannot use %s%s%s: %m", vol->name, dev,
				       vol->header ? " with header " : "",
				       vol->header ? vol->header : "");
	r = crypt_load(cd, CRYPT_LUKS, NULL);
	timeline_end(tl);
	if (r < 0) {
		log_error_errno(r, "luks: %s: %s is not a valid LUKS device (%s): %m", vol->name,
				vol->header ? vol->header : dev, vol->source);
		goto out;
	}
	enum luks_decision d = check_existing(cd, vol, dev);
	if (d != LUKS_NOT_ACTIVE) {
		r = d == LUKS_ACTIVE_SAME ? 0 : -EEXIST;
		goto out;
	}
	if (vol->keyfile) {
		tl = timeline_begin(TIMELINE_UNLOCK, vol->name, "key file");
		/* tried while a prompt waited (and failed): not a second KDF run */
		r = run->meanwhile[cur] < 0
			    ? run->meanwhile[cur]
			    : crypt_activate_by_keyfile_device_offset(
				      cd, vol->name, CRYPT_ANY_SLOT, vol->keyfile,
				      vol->keyfile_size, vol->keyfile_offset, flags);
		timeline_end(tl);
		if (r >= 0) {
			log_info("luks: %s opened with key file %s", vol->name, vol->keyfile);
			r = 0;
			goto out;
		}
		log_warning_errno(r,
				  "luks: %s: key file %s did not unlock it (%m); asking for a "
				  "passphrase",
				  vol->name, vol->keyfile);
	}
	r = tpm2_unlock_volume(cd, vol, flags, s, &prompt_wait_ms);
	if (r != 0 && r != -EEXIST)
		r = activate_with_passphrases(run, cur, cd, flags);
	if (r == -EEXIST) /* a hook or another process got there meanwhile: judge it again */
		r = check_existing(cd, vol, dev) == LUKS_ACTIVE_SAME ? 0 : -EEXIST;
	else if (r < 0 && r != -EPERM && r != -ENOKEY)
		log_error_errno(r, "luks: %s: activating %s failed: %m", vol->name, dev);
out:
	if (r == 0)
		log_unlocked(cd, vol, dev, now_ms() - t0 - prompt_wait_ms);
	crypt_free(cd);
	timeline_end(tl_vol);
	return r;
}

int luks_run_begin(const struct boot_config *bc, struct luks_run **ret)
{
	size_t len = 0;
	int mlock_error = 0;
	*ret = NULL;
	if (!bc->luks_enabled) {
		log_info("luks: disabled by rd.luks=0");
		return 0;
	}
	_cleanup_free_ char *tab = read_small_file(CRYPTTAB, &len);
	_cleanup_free_ struct luks_cmdline_entry *e = calloc(bc->n_luks + 1, sizeof(*e));
	struct luks_run *run = calloc(1, sizeof(*run));
	if (!e || !run) {
		free(run);
		return -ENOMEM;
	}
	for (size_t i = 0; i < bc->n_luks; i++)
		e[i] = (struct luks_cmdline_entry){bc->luks[i].key, bc->luks[i].value,
						   bc->luks[i].source};
	int r = luks_config_build(tab, len, CRYPTTAB, e, bc->n_luks, &run->cfg);
	for (size_t i = 0; i < run->cfg.n_diags; i++)
		log_msg(run->cfg.diags[i].level == LUKS_DIAG_ERROR     ? LOG_ERR
			: run->cfg.diags[i].level == LUKS_DIAG_WARNING ? LOG_WARNING
								       : LOG_INFO,
			"luks: %s", run->cfg.diags[i].message);
	/* libcryptsetup refuses LUKS2 without its locking directory (shared/FACTS.md). */
	mkdir("/run/cryptsetup", 0700);
	/* Hooks run even when no volume is configured here: a remote-unlock or kexec hook may
	 * open devices that root= then names directly. */
	run_hooks();
	if (r < 0 || run->cfg.n_volumes == 0) {
		luks_run_end(run);
		return r;
	}
	crypt_set_log_callback(NULL, crypt_log_to_ours, NULL);
	run->settled = calloc(run->cfg.n_volumes, sizeof(bool));
	run->spec = calloc(run->cfg.n_volumes, sizeof(*run->spec));
	run->meanwhile = calloc(run->cfg.n_volumes, sizeof(int));
	run->meanwhile_dev = calloc(run->cfg.n_volumes, sizeof(char *));
	run->devs = calloc(run->cfg.n_volumes, sizeof(char *));
	if (!run->settled || !run->spec || !run->meanwhile || !run->meanwhile_dev || !run->devs ||
	    (r = luks_keys_init(&run->keys, run->cfg.n_volumes)) < 0 ||
	    (r = passphrase_store_init(&run->store, &mlock_error)) < 0) {
		luks_run_end(run);
		return r < 0 ? r : -ENOMEM;
	}
	if (mlock_error)
		log_warning_errno(-mlock_error, "luks: cannot lock passphrase memory: %m");
	for (size_t i = 0; i < run->cfg.n_volumes; i++)
		run->meanwhile[i] = 1;
	run->n_pending = run->cfg.n_volumes;
	*ret = run;
	return 0;
}

/* A volume is settled: unlocked (k == 0), or failed. Returns k when the boot must stop. */
static int settle(struct luks_run *run, size_t i, int k)
{
	const struct luks_volume *vol = &run->cfg.volumes[i];
	run->settled[i] = true;
	run->n_pending--;
	if (k < 0 && vol->nofail) {
		log_warning("luks: %s not unlocked; nofail, going on", vol->name);
		return 0;
	}
	return k;
}

static void devs_free(struct luks_run *run)
{
	for (size_t i = 0; i < run->cfg.n_volumes; i++) {
		free(run->devs[i]);
		run->devs[i] = NULL;
	}
}

int luks_run_present(struct luks_run *run)
{
	int n = 0;
	if (!run)
		return 0;
	/* Every device of this pass is found first: libblkid scans all block devices for a
	 * UUID=, and once volumes are open that includes each new dm-crypt mapping (reads that
	 * decrypt), a delay that grew with every volume opened before. */
	for (size_t i = 0; i < run->cfg.n_volumes; i++)
		if (!run->settled[i] && run->meanwhile[i] != 0 &&
		    device_resolve(run->cfg.volumes[i].device, &run->devs[i]) < 0)
			run->devs[i] = NULL;
	for (size_t i = 0; i < run->cfg.n_volumes; i++) {
		if (!run->settled[i] && run->meanwhile[i] == 0) {
			settle(run, i, 0); /* opened with its key file while a prompt waited */
			n++;
			continue;
		}
		if (run->settled[i] || !run->devs[i])
			continue;
		int k = settle(run, i, unlock_volume(run, i, run->devs[i]));
		if (k < 0) {
			devs_free(run);
			return k;
		}
		n++;
	}
	devs_free(run);
	return n;
}

int luks_run_expire(struct luks_run *run, uint64_t elapsed_ms, uint64_t default_timeout_ms)
{
	int n = 0;
	for (size_t i = 0; run && i < run->cfg.n_volumes; i++) {
		const struct luks_volume *vol = &run->cfg.volumes[i];
		uint64_t timeout = vol->timeout_ms ? vol->timeout_ms : default_timeout_ms;
		if (run->settled[i] || timeout == UINT64_MAX || elapsed_ms < timeout)
			continue;
		log_error("luks: %s: device %s (%s) did not appear", vol->name, vol->device,
			  vol->source);
		device_log_seen();
		int k = settle(run, i, -ETIMEDOUT);
		if (k < 0)
			return k;
		n++;
	}
	return n;
}

bool luks_run_required_pending(const struct luks_run *run)
{
	for (size_t i = 0; run && i < run->cfg.n_volumes; i++)
		if (!run->settled[i] && !run->cfg.volumes[i].nofail)
			return true;
	return false;
}

void luks_run_drop_nofail(struct luks_run *run)
{
	for (size_t i = 0; run && i < run->cfg.n_volumes; i++) {
		const struct luks_volume *vol = &run->cfg.volumes[i];
		if (run->settled[i] || !vol->nofail)
			continue;
		log_warning("luks: %s: device %s (%s) is not there; nofail, not waiting for it",
			    vol->name, vol->device, vol->source);
		run->settled[i] = true;
		run->n_pending--;
	}
}

void luks_run_set_modules(struct luks_run *run, struct modules *mods)
{
	if (run)
		run->mods = mods;
}

const char *luks_run_pending(const struct luks_run *run, size_t nth)
{
	for (size_t i = 0; run && i < run->cfg.n_volumes; i++)
		if (!run->settled[i] && nth-- == 0)
			return run->cfg.volumes[i].device;
	return NULL;
}

void luks_run_end(struct luks_run *run)
{
	if (!run)
		return;
	keyfiles_meanwhile_join(run);
	modules_meanwhile_join(run);
	passphrase_store_wipe(&run->store);
	luks_keys_wipe(&run->keys);
	for (size_t i = 0; run->meanwhile_dev && i < run->cfg.n_volumes; i++)
		free(run->meanwhile_dev[i]);
	free(run->meanwhile_dev);
	free(run->devs);
	free(run->meanwhile);
	free(run->spec);
	luks_config_free(&run->cfg);
	free(run->settled);
	free(run);
}
