/* The floor of `make bench-boot` (issue 15): a hard-coded lab /init that does only what the
 * benchmark's boot must, so every peer's /init → stage 2 can be divided by it. Not a product:
 * no configuration, no error recovery, no modprobe helper, no udev, no fsck, no init check.
 *
 *   finit_module() each module of /floor/MODS.list, in the order the image builder wrote it
 *   (qemu/bench/mkimage-floor.sh: modprobe --show-depends on the kernel's modules.dep, a
 *   module's dependencies before it), wait for the disk node, for LUKS open it with
 *   libcryptsetup and the passphrase from the command line, mount the root, move /dev /proc
 *   /sys /run into it, switch root and exec /sbin/init (the test root's stage-2 marker).
 *
 * Command line: floor.disk=/dev/vda (the disk to wait for), floor.mods=NAME (the list, plain
 * or luks), floor.luks=NAME:PASSPHRASE (open the disk as /dev/mapper/NAME and mount that).
 * Any failure prints "floor: ..." and powers off: the harness then reports it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	reboot(RB_POWER_OFF);
	_exit(1);
}

static char *arg(const char *cmdline, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = cmdline; (p = strstr(p, key)); p += kl) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		const char *v = p + kl;
		return strndup(v, strcspn(v, " \n"));
	}
	return NULL;
}

static void load_modules(const char *list)
{
	char line[4096];
	FILE *f = fopen(list, "re");
	if (!f)
		die(list);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		int fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(line);
		/* EEXIST: built in or loaded already; ENODEV: hardware-specific code this CPU
		 * cannot run (crc32c-intel without SSE4.2 under TCG) */
		if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST && errno != ENODEV)
			die(line);
		close(fd);
	}
	fclose(f);
}

static void wait_for(const char *node)
{
	struct stat st;
	const struct timespec ms = {0, 1000000};
	for (int i = 0; stat(node, &st) < 0; i++) {
		if (i > 30000)
			die(node);
		nanosleep(&ms, NULL);
	}
}

static void open_luks(const char *disk, char *spec)
{
	char *pass = strchr(spec, ':');
	struct crypt_device *cd;
	if (!pass)
		die("floor.luks=NAME:PASSPHRASE");
	*pass++ = 0;
	mkdir("/run/cryptsetup", 0700); /* libcryptsetup's LUKS2 locking directory */
	if (crypt_init(&cd, disk) < 0 || crypt_load(cd, CRYPT_LUKS, NULL) < 0 ||
	    crypt_activate_by_passphrase(cd, spec, CRYPT_ANY_SLOT, pass, strlen(pass), 0) < 0)
		die("LUKS open");
	crypt_free(cd);
}

int main(void)
{
	static const char *const api[] = {"/dev", "/proc", "/sys", "/run"};
	char cmdline[4096], path[256], root[256];

	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);
	if (n < 0)
		die("/proc/cmdline");
	cmdline[n] = 0;
	close(fd);
	char *disk = arg(cmdline, "floor.disk="), *mods = arg(cmdline, "floor.mods=");
	char *luks = arg(cmdline, "floor.luks=");
	if (!disk || !mods)
		die("floor.disk= and floor.mods= are needed");
	snprintf(path, sizeof(path), "/floor/%s.list", mods);
	load_modules(path);
	wait_for(disk);
	snprintf(root, sizeof(root), "%s", disk);
	if (luks) {
		open_luks(disk, luks);
		snprintf(root, sizeof(root), "/dev/mapper/%s", luks);
	}
	mkdir("/sysroot", 0755);
	if (mount(root, "/sysroot", "ext4", 0, NULL) < 0)
		die(root);
	for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
		snprintf(path, sizeof(path), "/sysroot%s", api[i]);
		if (mount(api[i], path, NULL, MS_MOVE, NULL) < 0)
			die(path);
	}
	if (chdir("/sysroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		die("switch root");
	execl("/sbin/init", "/sbin/init", (char *)NULL);
	die("/sbin/init");
}
