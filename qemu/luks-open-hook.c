/* Test hook for the QEMU scenarios: opens LUKS devices *before* initkit-init gets to them,
 * the way a remote-unlock script or a kexec hand-over would. Shipped in test images as
 * /etc/initkit/hooks.d/ (initkit-mkimage --hook). What to open comes from the kernel command
 * line: test.hook.open=NAME:DEVICE:KEYFILE (repeatable). Uses libcryptsetup, like any such
 * script would through the cryptsetup tool. */
#include <libcryptsetup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_one(char *spec)
{
	char *name = strtok(spec, ":"), *dev = strtok(NULL, ":"), *key = strtok(NULL, ":");
	struct crypt_device *cd;
	if (!name || !dev || !key) {
		fprintf(stderr, "test-hook: bad test.hook.open=%s\n", spec);
		return 1;
	}
	for (int i = 0; i < 100 && access(dev, F_OK) != 0; i++)
		usleep(100000);
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

int main(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int rc = 0;
	buf[n] = 0;
	mkdir("/run/cryptsetup", 0700);
	for (char *save, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (strncmp(w, "test.hook.open=", 15) == 0)
			rc |= open_one(w + 15);
		else if (strcmp(w, "test.hook.run=full") == 0)
			rc |= fill_run();
	return rc;
}
