/* initkit's own sources of logind defaults: built-in, config file, kernel command line;
 * precedence and the messages for bad values (key, value, source). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../stage2/defaults.h"

static struct stage2_defaults d;

static const struct default_setting *get(const char *key)
{
	int i = logind_key_index(key);
	assert_true(i >= 0);
	return &d.key[i];
}

static bool has_note(const char *text)
{
	for (size_t i = 0; i < d.n_notes; i++)
		if (strcmp(d.notes[i], text) == 0)
			return true;
	return false;
}

static void test_builtin(void **state)
{
	(void)state;
	defaults_init(&d);
	assert_true(get("KillUserProcesses")->set);
	assert_string_equal(get("KillUserProcesses")->value, "no");
	assert_string_equal(get("KillUserProcesses")->source, "built-in default");
	assert_false(get("HandleLidSwitch")->set);
	assert_int_equal(d.n_notes, 0);
}

static const char config[] = "# initkit logind defaults\n"
			     "KillUserProcesses = yes\n"
			     "\n"
			     "HandleLidSwitch=suspend\n"
			     "HandlePowerKey=explode\n"
			     "IdleActionSec=1h 30min\n"
			     "RuntimeDirectorySize=200%\n"
			     "NoSuchKey=1\n"
			     "just words\n"
			     "[Login]\n"
			     "KillExcludeUsers=root 'alice'\n"
			     "[Other]\n"
			     "RemoveIPC=no\n";

static void test_config_file(void **state)
{
	(void)state;
	const char *p = "/etc/initkit/logind-defaults.conf";
	defaults_init(&d);
	assert_int_equal(defaults_feed_config(&d, p, config, sizeof(config) - 1), 0);
	assert_string_equal(get("KillUserProcesses")->value, "yes");
	assert_string_equal(get("KillUserProcesses")->source,
			    "/etc/initkit/logind-defaults.conf:2");
	assert_string_equal(get("HandleLidSwitch")->value, "suspend");
	assert_string_equal(get("IdleActionSec")->value, "1h 30min");
	assert_string_equal(get("KillExcludeUsers")->value, "root 'alice'");
	assert_false(get("HandlePowerKey")->set);
	assert_false(get("RuntimeDirectorySize")->set);
	assert_false(get("RemoveIPC")->set);
	/* Each bad line is reported by source, key and value, and skipped. */
	assert_true(has_note("/etc/initkit/logind-defaults.conf:5: HandlePowerKey=explode: not a "
			     "logind action (ignore, poweroff, reboot, halt, kexec, suspend, "
			     "hibernate, hybrid-sleep, suspend-then-hibernate, factory-reset, "
			     "lock) (skipped)"));
	assert_true(
		has_note("/etc/initkit/logind-defaults.conf:7: RuntimeDirectorySize=200%: not a "
			 "size above 0 (e.g. 64M, 1G) or percentage of RAM (e.g. 10%) "
			 "(skipped)"));
	assert_true(has_note("/etc/initkit/logind-defaults.conf:8: unknown logind setting "
			     "'NoSuchKey' (ignored)"));
	assert_true(has_note("/etc/initkit/logind-defaults.conf:9: expected Key=value, got 'just "
			     "words' (ignored)"));
	assert_true(has_note("/etc/initkit/logind-defaults.conf:12: unknown section [Other], its "
			     "lines are ignored"));
	assert_int_equal(d.n_notes, 5);
}

static void test_cmdline_wins_over_file(void **state)
{
	(void)state;
	defaults_init(&d);
	defaults_feed_config(&d, "/c", config, sizeof(config) - 1);
	defaults_feed_cmdline(&d, "ro quiet initkit.logind.KillUserProcesses=off "
				  "initkit.logind.HandleLidSwitch=sleep "
				  "initkit.logind.IdleAction=lock initkit.logind.RemoveIPC "
				  "initkit.logindX=1 initkit.logind.KillOnlyUsers=\"bob carol\"");
	assert_string_equal(get("KillUserProcesses")->value, "off");
	assert_string_equal(get("KillUserProcesses")->source, "kernel command line");
	/* a bad command-line value leaves the file's value in place */
	assert_string_equal(get("HandleLidSwitch")->value, "suspend");
	assert_true(
		has_note("kernel command line: HandleLidSwitch=sleep: not a logind action "
			 "(ignore, poweroff, reboot, halt, kexec, suspend, hibernate, "
			 "hybrid-sleep, suspend-then-hibernate, factory-reset, lock) (skipped)"));
	assert_true(has_note("kernel command line: initkit.logind.RemoveIPC needs a value "
			     "(initkit.logind.<Key>=<value>)"));
	assert_string_equal(get("IdleAction")->value, "lock");
	assert_string_equal(get("KillOnlyUsers")->value, "bob carol");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_cmdline_wins_over_file),
	};
	return cmocka_run_group_tests_name("stage2_defaults", tests, NULL, NULL);
}
