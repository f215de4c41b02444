/* Apply or leave alone: the defaults against the effective logind configuration of a tree,
 * the drop-in text, and writing it (the QEMU scenarios in miniature, without root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../stage2/dropin.h"
#include "../stage2/plan.h"

static struct stage2_defaults d;
static struct logind_conf c;
static struct plan p;

static int write_file(int dirfd, const char *path, const char *text)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdirat(dirfd, buf, 0755);
		*s = '/';
	}
	if (strncmp(text, "->", 2) == 0)
		return symlinkat(text + 2, dirfd, path);
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

struct scenario {
	const char *name;
	const char *admin_path, *admin_text;
	const char *cmdline;
	const char *expect_line;   /* report line for KillUserProcesses */
	const char *expect_dropin; /* substring of the written drop-in, NULL: no drop-in */
};

static const struct scenario scenarios[] = {
	{"(a) nothing configured", NULL, NULL, "",
	 "applied KillUserProcesses=no (built-in default)",
	 "[Login]\n# from built-in default\n"
	 "KillUserProcesses=no\n"},
	{"(b) admin main file", "etc/systemd/logind.conf", "[Login]\nKillUserProcesses=yes\n", "",
	 "left alone KillUserProcesses: set by /etc/systemd/logind.conf:2 (default no from "
	 "built-in default not applied)",
	 NULL},
	{"(c) admin drop-in", "etc/systemd/logind.conf.d/50-admin.conf",
	 "[Login]\nKillUserProcesses=yes\n", "",
	 "left alone KillUserProcesses: set by /etc/systemd/logind.conf.d/50-admin.conf:2 "
	 "(default no from built-in default not applied)",
	 NULL},
	{"(d) kernel command line", NULL, NULL, "quiet initkit.logind.KillUserProcesses=yes",
	 "applied KillUserProcesses=yes (kernel command line)", "KillUserProcesses=yes\n"},
	{"(d') command line does not beat the admin", "etc/systemd/logind.conf",
	 "[Login]\nKillUserProcesses=no\n", "initkit.logind.KillUserProcesses=yes",
	 "left alone KillUserProcesses: set by /etc/systemd/logind.conf:2 (default yes from "
	 "kernel command line not applied)",
	 NULL},
	{"initkit config file", "etc/initkit/logind-defaults.conf",
	 "KillUserProcesses=yes\nHandleLidSwitch=lock\n", "",
	 "applied KillUserProcesses=yes (/etc/initkit/logind-defaults.conf:1)",
	 "KillUserProcesses=yes\n# from "
	 "/etc/initkit/logind-defaults.conf:2\nHandleLidSwitch=lock\n"},
	{"admin masks initkit's drop-in", "etc/systemd/logind.conf.d/" STAGE2_DROPIN_NAME,
	 "->/dev/null", "",
	 "not applied KillUserProcesses=no (built-in default): "
	 "/etc/systemd/logind.conf.d/00-initkit-defaults.conf replaces initkit's drop-in",
	 NULL},
	{"a malformed section header in the main file: logind never reads the drop-in",
	 "etc/systemd/logind.conf", "[Login\nKillUserProcesses=yes\n",
	 "initkit.logind.KillUserProcesses=yes",
	 "not applied KillUserProcesses=yes (kernel command line): logind stops reading at "
	 "/etc/systemd/logind.conf:1, before initkit's drop-in",
	 NULL},
	{"a malformed section header in a drop-in sorting before ours",
	 "usr/lib/systemd/logind.conf.d/00-early.conf", "[Login]\n[Login\n", "",
	 "not applied KillUserProcesses=no (built-in default): logind stops reading at "
	 "/usr/lib/systemd/logind.conf.d/00-early.conf:2, before initkit's drop-in",
	 NULL},
	{"a malformed section header in a drop-in sorting after ours: ours is read",
	 "etc/systemd/logind.conf.d/50-late.conf", "[Login\nKillUserProcesses=yes\n", "",
	 "applied KillUserProcesses=no (built-in default)", "KillUserProcesses=no\n"},
	{"a BOM on a later line is stripped: the administrator's yes is kept, no drop-in",
	 "etc/systemd/logind.conf", "# logind.conf\n[Login]\n\xef\xbb\xbfKillUserProcesses=yes\n",
	 "",
	 "left alone KillUserProcesses: set by /etc/systemd/logind.conf:3 (default no from "
	 "built-in default not applied)",
	 NULL},
	{"a vendor file with initkit's name behind /run is hidden by ours, not counted",
	 "usr/lib/systemd/logind.conf.d/" STAGE2_DROPIN_NAME, "[Login]\nKillUserProcesses=yes\n",
	 "", "applied KillUserProcesses=no (built-in default)", "KillUserProcesses=no\n"},
	{"a hidden drop-in is not the administrator's setting",
	 "etc/systemd/logind.conf.d/.50-admin.conf", "[Login]\nKillUserProcesses=yes\n", "",
	 "applied KillUserProcesses=no (built-in default)", "KillUserProcesses=no\n"},
};

/* What main() does, minus logging: defaults, effective config, plan, write. */
static void run(int rootfd, const char *cmdline, char *dropin, size_t size)
{
	char *text = NULL;
	size_t len = 0;
	static char out[8192];

	defaults_init(&d);
	if (read_in_root(rootfd, STAGE2_CONFIG, 1 << 20, &text, &len) == 0)
		defaults_feed_config(&d, "/" STAGE2_CONFIG, text, len);
	free(text);
	defaults_feed_cmdline(&d, cmdline);
	logind_conf_init(&c);
	assert_int_equal(logind_conf_load(rootfd, STAGE2_DROPIN_NAME, &c), 0);
	plan_build(&d, &c, &p);
	int n = p.n_apply ? plan_render(&d, &p, out, sizeof(out)) : 0;
	assert_true(n >= 0);
	assert_int_equal(
		dropin_write(rootfd, STAGE2_DROPIN_NAME, p.n_apply ? out : NULL, (size_t)n), 0);
	dropin[0] = '\0';
	text = NULL;
	if (read_in_root(rootfd, LOGIND_RUN_DROPIN_DIR "/" STAGE2_DROPIN_NAME, 1 << 20, &text,
			 &len) == 0)
		snprintf(dropin, size, "%s", text);
	free(text);
}

static void test_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		char dir[] = "/tmp/initkit-plan-XXXXXX", line[8192], dropin[8192], cmd[64];
		assert_non_null(mkdtemp(dir));
		int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
		assert_true(rootfd >= 0);
		assert_int_equal(mkdirat(rootfd, "run", 0755), 0);
		if (s->admin_path)
			assert_int_equal(write_file(rootfd, s->admin_path, s->admin_text), 0);
		run(rootfd, s->cmdline, dropin, sizeof(dropin));
		plan_describe(&d, &c, &p, (size_t)logind_key_index("KillUserProcesses"), line,
			      sizeof(line));
		if (strcmp(line, s->expect_line) != 0)
			fail_msg("%s: reported '%s', expected '%s'", s->name, line, s->expect_line);
		if (s->expect_dropin ? !strstr(dropin, s->expect_dropin) : dropin[0] != '\0')
			fail_msg("%s: drop-in is '%s', expected %s%s", s->name, dropin,
				 s->expect_dropin ? "it to contain " : "none",
				 s->expect_dropin ? s->expect_dropin : "");
		/* A second run (generator after PID 1, daemon-reload) comes to the same result:
		 * initkit's own drop-in does not count as someone setting the key. */
		char again[8192];
		run(rootfd, s->cmdline, again, sizeof(again));
		assert_string_equal(again, dropin);
		close(rootfd);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* The count main() turns into "not applied" and a non-zero exit (generator, CLI). */
static void test_unread_counted(void **state)
{
	(void)state;
	char dir[] = "/tmp/initkit-plan-XXXXXX", dropin[8192], cmd[64];
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	mkdirat(rootfd, "run", 0755);
	run(rootfd, "initkit.logind.IdleAction=lock", dropin, sizeof(dropin));
	assert_int_equal(p.n_apply, 2);
	assert_int_equal(p.n_unread, 0);
	/* The main file breaks afterwards: the next run reports both defaults unread and
	 * removes the drop-in from the earlier run (nothing in it is read any more). */
	assert_int_equal(write_file(rootfd, "etc/systemd/logind.conf", "[Login]\n[Logind\n"), 0);
	run(rootfd, "initkit.logind.IdleAction=lock", dropin, sizeof(dropin));
	assert_int_equal(p.n_apply, 0);
	assert_int_equal(p.n_unread, 2);
	assert_string_equal(dropin, "");
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_stale_dropin_removed(void **state)
{
	(void)state;
	char dir[] = "/tmp/initkit-plan-XXXXXX", dropin[8192], cmd[64];
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	mkdirat(rootfd, "run", 0755);
	run(rootfd, "", dropin, sizeof(dropin));
	assert_non_null(strstr(dropin, "KillUserProcesses=no"));
	/* The admin sets the key afterwards: the next run removes initkit's file. */
	assert_int_equal(
		write_file(rootfd, "etc/systemd/logind.conf", "[Login]\nKillUserProcesses=1\n"), 0);
	run(rootfd, "", dropin, sizeof(dropin));
	assert_string_equal(dropin, "");
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_stale_dropin_removed),
		cmocka_unit_test(test_unread_counted),
	};
	return cmocka_run_group_tests_name("stage2_plan", tests, NULL, NULL);
}
