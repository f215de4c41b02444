/* The emergency policy: shell first when allowed and present, then the rd.emergency= action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>

#include "../initrd/emergency.h"

static void test_plan_table(void **state)
{
	(void)state;
	static const struct {
		enum boot_emergency action;
		bool allowed, present;
		bool shell;
		int cmd;
		const char *message;
	} cases[] = {
		{BOOT_EMERGENCY_WAIT, false, true, false, 0, "waiting forever"},
		{BOOT_EMERGENCY_WAIT, true, true, true, 0, "waiting forever"},
		{BOOT_EMERGENCY_WAIT, true, false, false, 0, "waiting forever"},
		{BOOT_EMERGENCY_REBOOT, false, true, false, RB_AUTOBOOT,
		 "rd.emergency=reboot: rebooting"},
		{BOOT_EMERGENCY_POWEROFF, true, true, true, RB_POWER_OFF,
		 "rd.emergency=poweroff: powering off"},
		{BOOT_EMERGENCY_POWEROFF, false, false, false, RB_POWER_OFF,
		 "rd.emergency=poweroff: powering off"},
		{BOOT_EMERGENCY_HALT, false, true, false, RB_HALT_SYSTEM,
		 "rd.emergency=halt: halting"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct emergency_plan p =
			emergency_plan(cases[i].action, cases[i].allowed, cases[i].present);
		if (p.shell != cases[i].shell || p.reboot_cmd != cases[i].cmd ||
		    strncmp(p.message, cases[i].message, strlen(cases[i].message)) != 0)
			fail_msg("case %zu (action %d, rd.shell %d, /bin/sh %d): shell %d cmd %#x "
				 "'%s'",
				 i, cases[i].action, cases[i].allowed, cases[i].present, p.shell,
				 p.reboot_cmd, p.message);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_table),
	};
	return cmocka_run_group_tests_name("emergency", tests, NULL, NULL);
}
