/* initkit-init: the stage-1 /init. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "version.h"

static void usage(void)
{
	printf("Usage: initkit-init [--version | --help]\n"
	       "The stage-1 init of an initkit initramfs; runs as PID 1 (/init).\n");
}

static void mount_api_filesystems(void)
{
	static const struct {
		const char *src, *dir, *type;
		unsigned long flags;
		const char *opts;
	} m[] = {
		{"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
		{"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
		{"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
		{"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		mkdir(m[i].dir, 0755);
		if (mount(m[i].src, m[i].dir, m[i].type, m[i].flags, m[i].opts) < 0 && errno != EBUSY)
			log_error("mount %s on %s: %m", m[i].type, m[i].dir);
	}
}

int main(int argc, char **argv)
{
	if (getpid() != 1) {
		if (argc > 1 && streq(argv[1], "--version")) {
			puts(initkit_version_line());
			return 0;
		}
		if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
			usage();
			return 0;
		}
		usage();
		return 2;
	}
	mount_api_filesystems();
	log_setup("initkit", true);
	log_notice("%s", initkit_version_line());
	log_error("no root= configured; powering off");
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
