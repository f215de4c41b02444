#include "emergency.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "timeline.h"

#define SHELL "/bin/sh"

static bool switched;

void emergency_switched(void)
{
	switched = true;
}

const char *emergency_no_shell_note(bool after_switch)
{
	return after_switch ? "rd.shell: no " SHELL " in the new root"
			    : "rd.shell: no " SHELL " in the image";
}

size_t emergency_reap(void)
{
	size_t n = 0;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		n++;
	return n;
}

static void on_sigchld(int sig)
{
	(void)sig;
}

/* PID 1 waiting forever still reaps: orphans of the emergency shell or of hooks are
 * reparented to it and would stay zombies. SIGCHLD is blocked except inside sigsuspend(), so
 * a child that exits between the reaping and the wait still wakes it. */
static __attribute__((noreturn)) void wait_forever(void)
{
	sigset_t chld, old;
	struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_NOCLDSTOP};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sigdelset(&old, SIGCHLD);
	for (;;) {
		emergency_reap();
		sigsuspend(&old);
	}
}

struct emergency_plan emergency_plan(enum boot_emergency action, bool shell_allowed,
				     bool shell_present)
{
	struct emergency_plan p = {.shell = shell_allowed && shell_present};
	switch (action) {
	case BOOT_EMERGENCY_REBOOT:
		p.reboot_cmd = RB_AUTOBOOT;
		p.message = "rd.emergency=reboot: rebooting";
		break;
	case BOOT_EMERGENCY_POWEROFF:
		p.reboot_cmd = RB_POWER_OFF;
		p.message = "rd.emergency=poweroff: powering off";
		break;
	case BOOT_EMERGENCY_HALT:
		p.reboot_cmd = RB_HALT_SYSTEM;
		p.message = "rd.emergency=halt: halting";
		break;
	case BOOT_EMERGENCY_WAIT:
	default:
		p.reboot_cmd = 0;
		p.message =
			"waiting forever (set rd.emergency=reboot|poweroff|halt to change this)";
		break;
	}
	return p;
}

/* In the child: a session of its own with the console as controlling terminal, so the shell
 * gets job control and Ctrl-C/Ctrl-Z reach its foreground job (PID 1 has no controlling
 * terminal, and the kernel never gives /dev/console one on open). */
static void shell_child(void)
{
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGTERM};
	sigset_t none;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0)
		log_warning("emergency shell: setsid: %m");
	int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 1) < 0)
		log_warning("emergency shell: no controlling terminal (/dev/console: %m); "
			    "Ctrl-C will not work");
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execl(SHELL, "sh", "-i", (char *)NULL);
	_exit(127);
}

static void run_shell(void)
{
	log_notice("starting an emergency shell; exit it to continue with rd.emergency=");
	pid_t pid = fork();
	if (pid == 0)
		shell_child();
	if (pid < 0) {
		log_error("emergency shell: fork: %m");
		return;
	}
	/* PID 1 reaps every orphan; the shell is done when its own pid comes back */
	for (;;) {
		pid_t w = waitpid(-1, NULL, 0);
		if (w == pid || (w < 0 && errno == ECHILD))
			break;
	}
}

void emergency(enum boot_emergency action, bool shell_allowed, const char *why)
{
	log_error("boot failed: %s", why);
	timeline_log_tail(12);
	bool present = access(SHELL, X_OK) == 0;
	struct emergency_plan p = emergency_plan(action, shell_allowed, present);
	if (shell_allowed && !present)
		log_notice("%s", emergency_no_shell_note(switched));
	if (p.shell)
		run_shell();
	sync();
	log_error("%s", p.message);
	if (p.reboot_cmd)
		reboot(p.reboot_cmd);
	if (p.reboot_cmd)
		log_error("waiting forever (set rd.emergency=reboot|poweroff|halt to change this)");
	wait_forever();
}
