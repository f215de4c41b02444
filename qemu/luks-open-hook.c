/* Test hook for the QEMU scenarios: opens LUKS devices *before* initkit-init gets to them,
 * the way a remote-unlock script or a kexec hand-over would. Shipped in test images as
 * /etc/initkit/hooks.d/ (initkit-mkimage --hook). What to open comes from the kernel command
 * line: test.hook.open=NAME:DEVICE:KEYFILE (repeatable). Uses libcryptsetup, like any such
 * script would through the cryptsetup tool.
 *
 * For the identity checks it also plays the attacker or the unusual setup:
 *   test.hook.dm=NAME,DMUUID,TARGET,PARAMS,SECTORS  creates a raw device-mapper table ('+'
 *       stands for a space in PARAMS), e.g. an error or linear target with a forged dm UUID;
 *   test.hook.vk=NAME,DEVICE,KEYFILE,IVOFFSET        loads a crypt table by hand with the
 *       real volume key in hex (not in the keyring) and the given IV offset;
 *   test.hook.keyring=NAME,DMUUID,DESC,DEVICE,OFFSET  a crypt table whose key is a made-up
 *       logon key DESC in the kernel keyring;
 *   test.hook.integrity=NAME:DEVICE:KEYFILE:UUID     formats DEVICE as LUKS2 with
 *       --integrity hmac(sha256) (inside the guest, where dm exists) and opens it;
 *   test.hook.daemon=KIND  leaves a daemon behind, as a remote-unlock SSH server would:
 *       KIND plain (argv[0] "test-daemon"), stubborn ("test-stubborn", ignores SIGTERM),
 *       keeper ("@test-keeper", systemd's opt-out from being killed), nobody ("@test-nobody"
 *       as uid 65534: the opt-out is for root only), walker ("test-walker", forks and exits
 *       in a loop) or blank (empties its own argv). */
#include <libcryptsetup.h>
#include <libdevmapper.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <errno.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void wait_for(const char *dev);

static int open_one(char *spec)
{
	char *name = strtok(spec, ":"), *dev = strtok(NULL, ":"), *key = strtok(NULL, ":");
	struct crypt_device *cd;
	if (!name || !dev || !key) {
		fprintf(stderr, "test-hook: bad test.hook.open=%s\n", spec);
		return 1;
	}
	wait_for(dev);
	int r = crypt_init(&cd, dev);
	if (r == 0)
		r = crypt_load(cd, CRYPT_LUKS, NULL);
	if (r == 0)
		r = crypt_activate_by_keyfile_device_offset(cd, name, CRYPT_ANY_SLOT, key, 0, 0, 0);
	printf("test-hook: opened %s as %s: %s\n", dev, name, r >= 0 ? "ok" : strerror(-r));
	if (r == 0 || cd)
		crypt_free(cd);
	return r >= 0 ? 0 : 1;
}

static void wait_for(const char *dev)
{
	for (int i = 0; i < 100 && access(dev, F_OK) != 0; i++)
		usleep(100000);
}

static int dm_create(char *spec)
{
	char *name = strtok(spec, ","), *uuid = strtok(NULL, ","), *type = strtok(NULL, ","),
	     *params = strtok(NULL, ","), *sectors = strtok(NULL, ",");
	if (!name || !uuid || !type || !params || !sectors) {
		fprintf(stderr, "test-hook: bad test.hook.dm=%s\n", spec);
		return 1;
	}
	for (char *p = params; *p; p++)
		if (*p == '+')
			*p = ' ';
	if (strstr(params, "/dev/vd"))
		wait_for(strstr(params, "/dev/vd"));
	struct dm_task *dmt = dm_task_create(DM_DEVICE_CREATE);
	int ok = dmt && dm_task_set_name(dmt, name) && dm_task_set_uuid(dmt, uuid) &&
		 dm_task_add_target(dmt, 0, strtoull(sectors, NULL, 10), type, params) &&
		 dm_task_run(dmt);
	if (dmt)
		dm_task_destroy(dmt);
	dm_task_update_nodes();
	printf("test-hook: created %s target %s (dm uuid %s): %s\n", type, name, uuid,
	       ok ? "ok" : "failed");
	return ok ? 0 : 1;
}

/* The bytes of a small file (a test key file); 0 when it cannot be read. */
static size_t read_key(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size, f) : 0;
	if (f)
		fclose(f);
	return n;
}

static int dm_create_table(const char *name, const char *uuid, const char *params,
			   uint64_t sectors)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_CREATE);
	int ok = dmt && dm_task_set_name(dmt, name) && dm_task_set_uuid(dmt, uuid) &&
		 dm_task_secure_data(dmt) && dm_task_add_target(dmt, 0, sectors, "crypt", params) &&
		 dm_task_run(dmt);
	if (dmt)
		dm_task_destroy(dmt);
	dm_task_update_nodes();
	return ok;
}

/* The real volume key, loaded by hand as hex with an IV offset of our choosing. */
static int vk_table(char *spec)
{
	char *name = strtok(spec, ","), *dev = strtok(NULL, ","), *key = strtok(NULL, ","),
	     *ivoff = strtok(NULL, ",");
	struct crypt_device *cd = NULL;
	char pass[256], vk[128], params[512], uuid[128], hex[2 * sizeof(vk) + 1];
	size_t vksize = sizeof(vk);
	if (!name || !dev || !key || !ivoff)
		return 1;
	size_t n = read_key(key, pass, sizeof(pass));
	wait_for(dev);
	int r = crypt_init(&cd, dev);
	if (r == 0)
		r = crypt_load(cd, CRYPT_LUKS, NULL);
	if (r == 0)
		r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, vk, &vksize, pass, n);
	if (r >= 0) {
		for (size_t i = 0; i < vksize; i++)
			sprintf(hex + 2 * i, "%02x", (unsigned char)vk[i]);
		snprintf(params, sizeof(params), "%s-%s %s %s %s %llu", crypt_get_cipher(cd),
			 crypt_get_cipher_mode(cd), hex, ivoff, dev,
			 (unsigned long long)crypt_get_data_offset(cd));
		char *u = uuid;
		u += snprintf(uuid, sizeof(uuid), "CRYPT-%s-", crypt_get_type(cd));
		for (const char *p = crypt_get_uuid(cd); *p; p++)
			if (*p != '-')
				*u++ = *p;
		snprintf(u, sizeof(uuid) - (size_t)(u - uuid), "-%s", name);
		uint64_t bytes = 0;
		int fd = open(dev, O_RDONLY);
		if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			bytes = 0;
		if (fd >= 0)
			close(fd);
		uint64_t sectors = bytes / 512 - crypt_get_data_offset(cd);
		r = bytes && dm_create_table(name, uuid, params, sectors) ? 0 : -EIO;
	}
	printf("test-hook: loaded %s by hand (hex key, IV offset %s): %s\n", name, ivoff,
	       r >= 0 ? "ok" : strerror(-r));
	crypt_free(cd);
	return r >= 0 ? 0 : 1;
}

/* A crypt table whose key is a made-up logon key in the kernel keyring. */
static int keyring_table(char *spec)
{
	char *name = strtok(spec, ","), *uuid = strtok(NULL, ","), *desc = strtok(NULL, ","),
	     *dev = strtok(NULL, ","), *off = strtok(NULL, ",");
	char payload[64], params[512];
	if (!name || !uuid || !desc || !dev || !off)
		return 1;
	memset(payload, 0x5a, sizeof(payload));
	long k = syscall(SYS_add_key, "logon", desc, payload, sizeof(payload),
			 KEY_SPEC_THREAD_KEYRING);
	wait_for(dev);
	snprintf(params, sizeof(params), "aes-xts-plain64 :%zu:logon:%s 0 %s %s", sizeof(payload),
		 desc, dev, off);
	int ok = k >= 0 && dm_create_table(name, uuid, params, 16384);
	printf("test-hook: crypt table %s with keyring key %s: %s\n", name, desc,
	       ok ? "ok" : "failed");
	return ok ? 0 : 1;
}

static int format_integrity(char *spec)
{
	char *name = strtok(spec, ":"), *dev = strtok(NULL, ":"), *key = strtok(NULL, ":"),
	     *uuid = strtok(NULL, ":");
	struct crypt_device *cd = NULL;
	struct crypt_pbkdf_type pbkdf = {.type = CRYPT_KDF_PBKDF2, .hash = "sha256",
					 .iterations = 1000, .flags = CRYPT_PBKDF_NO_BENCHMARK};
	struct crypt_params_luks2 p2 = {.integrity = "hmac(sha256)", .sector_size = 512};
	char buf[256];
	if (!name || !dev || !key || !uuid)
		return 1;
	size_t n = read_key(key, buf, sizeof(buf));
	wait_for(dev);
	int r = crypt_init(&cd, dev);
	if (r == 0)
		r = crypt_set_pbkdf_type(cd, &pbkdf);
	if (r == 0)
		r = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-random", uuid, NULL, 96, &p2);
	if (r == 0)
		r = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0, buf, n);
	if (r >= 0)
		r = crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT, buf, n, 0);
	printf("test-hook: formatted %s with integrity and opened it as %s: %s\n", dev, name,
	       r >= 0 ? "ok" : strerror(-r));
	crypt_free(cd);
	return r >= 0 ? 0 : 1;
}

/* test.hook.run=full: leave /run (stage 1's tmpfs, which stage 2 inherits) without a free
 * byte, for the scenario where stage 2 cannot write its logind defaults. */
static int fill_run(void)
{
	if (mount("tmpfs", "/run", NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, "size=256k") < 0) {
		perror("test-hook: remount /run");
		return 1;
	}
	int fd = open("/run/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	static char block[4096];
	while (fd >= 0 && write(fd, block, sizeof(block)) > 0)
		;
	if (fd >= 0)
		close(fd);
	printf("test-hook: /run is full\n");
	return 0;
}

/* Empties our own argv as the kernel shows it (prctl PR_SET_MM_ARG_END = arg_start). */
static void blank_argv(void)
{
	char st[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(st, 1, sizeof(st) - 1, f) : 0;
	unsigned long long v = 0;
	if (f)
		fclose(f);
	st[n] = 0;
	char *p = strrchr(st, ')');
	/* arg_start is field 48; after ')' come fields 3.. */
	for (int field = 3; p && field <= 48; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 48)
			v = strtoull(p + 1, NULL, 10);
	}
	if (v && prctl(PR_SET_MM, PR_SET_MM_ARG_END, v, 0, 0) == 0)
		printf("test-hook: blanked argv of %d\n", (int)getpid());
}

/* Forks a daemon: the hook's own binary again, under the argv[0] of its kind. */
static int daemon_start(const char *kind)
{
	const char *argv0 = !strcmp(kind, "stubborn") ? "test-stubborn"
			    : !strcmp(kind, "keeper") ? "@test-keeper"
			    : !strcmp(kind, "nobody") ? "@test-nobody"
			    : !strcmp(kind, "walker") ? "test-walker"
			    : !strcmp(kind, "blank")  ? "test-blank"
						      : "test-daemon";
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		execl("/proc/self/exe", argv0, "--daemon", kind, (char *)NULL);
		_exit(127);
	}
	printf("test-hook: started daemon %s: %s\n", argv0, pid > 0 ? "ok" : "failed");
	return pid > 0 ? 0 : 1;
}

static void daemon_main(const char *kind)
{
	if (!strcmp(kind, "stubborn"))
		signal(SIGTERM, SIG_IGN);
	if (!strcmp(kind, "nobody") && setuid(65534) < 0)
		_exit(1);
	if (!strcmp(kind, "blank"))
		blank_argv();
	/* A process that keeps moving: the parent exits as soon as its child exists. */
	while (!strcmp(kind, "walker")) {
		pid_t pid = fork();
		if (pid > 0)
			_exit(0);
		usleep(20000);
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--daemon"))
		daemon_main(argv[2]);
	char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int rc = 0;
	buf[n] = 0;
	mkdir("/run/cryptsetup", 0700);
	for (char *save, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (strncmp(w, "test.hook.open=", 15) == 0)
			rc |= open_one(w + 15);
		else if (strncmp(w, "test.hook.dm=", 13) == 0)
			rc |= dm_create(w + 13);
		else if (strncmp(w, "test.hook.vk=", 13) == 0)
			rc |= vk_table(w + 13);
		else if (strncmp(w, "test.hook.keyring=", 18) == 0)
			rc |= keyring_table(w + 18);
		else if (strncmp(w, "test.hook.integrity=", 20) == 0)
			rc |= format_integrity(w + 20);
		else if (strncmp(w, "test.hook.daemon=", 17) == 0)
			rc |= daemon_start(w + 17);
		else if (strcmp(w, "test.hook.run=full") == 0)
			rc |= fill_run();
	return rc;
}
