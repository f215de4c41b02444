/* The stage-2 "init" of the QEMU test root filesystems: proves the switch happened by printing
 * a marker with /proc/uptime and its PID (which must be 1), then powers off.
 * Built statically: the test root has no libc. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char up[64] = "?";
	int fd = open("/proc/uptime", O_RDONLY);
	if (fd < 0) {
		mount("proc", "/proc", "proc", 0, NULL);
		fd = open("/proc/uptime", O_RDONLY);
	}
	if (fd >= 0) {
		ssize_t n = read(fd, up, sizeof(up) - 1);
		up[n > 0 ? n : 0] = 0;
		up[strcspn(up, " \n")] = 0;
		close(fd);
	}
	struct stat root;
	stat("/", &root);
	printf("INITKIT-STAGE2 reached: pid=%d uptime=%s argv0=%s", (int)getpid(), up, argv[0]);
	for (int i = 1; i < argc; i++)
		printf(" arg%d=%s", i, argv[i]);
	printf("\n");
	/* What the scenarios check after the switch: what is mounted, the initramfs is gone. */
	FILE *m = fopen("/proc/self/mounts", "r");
	char line[256];
	while (m && fgets(line, sizeof(line), m))
		printf("INITKIT-STAGE2 mount: %s", line);
	if (access("/init", F_OK) != 0)
		printf("INITKIT-STAGE2 no /init in new root\n");
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return 0;
}
