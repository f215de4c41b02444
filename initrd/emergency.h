/* What PID 1 does when the boot cannot go on: an emergency shell if one is in the image and
 * rd.shell allows it, then the rd.emergency= action. Never returns. */
#pragma once

#include <stdbool.h>

#include "bootconf.h"

__attribute__((noreturn)) void emergency(enum boot_emergency action, bool shell_allowed,
					 const char *why);
