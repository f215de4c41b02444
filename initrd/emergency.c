#include "emergency.h"

#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

static void run_shell(void)
{
	if (access("/bin/sh", X_OK) != 0) {
		log_notice("rd.shell: no /bin/sh in the image");
		return;
	}
	log_notice("starting an emergency shell; exit it to continue with rd.emergency=");
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-i", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0)
			;
}

void emergency(enum boot_emergency action, bool shell_allowed, const char *why)
{
	log_error("boot failed: %s", why);
	if (shell_allowed)
		run_shell();
	sync();
	switch (action) {
	case BOOT_EMERGENCY_REBOOT:
		log_error("rd.emergency=reboot: rebooting");
		reboot(RB_AUTOBOOT);
		break;
	case BOOT_EMERGENCY_POWEROFF:
		log_error("rd.emergency=poweroff: powering off");
		reboot(RB_POWER_OFF);
		break;
	case BOOT_EMERGENCY_HALT:
		log_error("rd.emergency=halt: halting");
		reboot(RB_HALT_SYSTEM);
		break;
	case BOOT_EMERGENCY_WAIT:
		break;
	}
	log_error("waiting forever (set rd.emergency=reboot|poweroff|halt to change this)");
	for (;;)
		pause();
}
