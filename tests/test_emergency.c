/* The emergency policy: shell first when allowed and present, then the rd.emergency= action. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* After the switch the shell that is missing is the new root's, not the image's. */
static void test_no_shell_note(void **state)
{
	(void)state;
	assert_non_null(strstr(emergency_no_shell_note(false), "no /bin/sh in the image"));
	assert_non_null(strstr(emergency_no_shell_note(true), "no /bin/sh in the new root"));
}

/* The wait loop's reaping: children that exited are collected without blocking. */
static void test_reap(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(0);
		siginfo_t si;
		/* wait until it is a zombie, without reaping it */
		assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	}
	assert_int_equal(emergency_reap(), 2);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(emergency_reap(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_table),
		cmocka_unit_test(test_no_shell_note),
		cmocka_unit_test(test_reap),
	};
	return cmocka_run_group_tests_name("emergency", tests, NULL, NULL);
}
