/* What PID 1 does when the boot cannot go on: an emergency shell if one is in the image and
 * rd.shell allows it, then the rd.emergency= action. Never returns. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bootconf.h"

/* The decision, pure: whether to start the shell first, and what to do then. */
struct emergency_plan {
	bool shell;	     /* start /bin/sh (with the console as its controlling terminal) */
	int reboot_cmd;	     /* RB_AUTOBOOT, RB_POWER_OFF, RB_HALT_SYSTEM; 0 = wait forever */
	const char *message; /* what is logged before the action */
};
struct emergency_plan emergency_plan(enum boot_emergency action, bool shell_allowed,
				     bool shell_present);

/* After switch_root, /bin/sh is the new root's, not the image's: says so in the messages. */
void emergency_switched(void);
/* The notice when rd.shell allows a shell but there is no /bin/sh. Pure. */
const char *emergency_no_shell_note(bool after_switch);
/* Reaps every child that has exited, without waiting; returns how many. */
size_t emergency_reap(void);

__attribute__((noreturn)) void emergency(enum boot_emergency action, bool shell_allowed,
					 const char *why);
