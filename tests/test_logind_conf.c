/* The effective logind configuration computed on directory trees built in a temp dir: which
 * file and line set a key, following systemd 252's order, masking and main-file rules. */
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

#include "../stage2/logind_conf.h"

#define OWN "00-initkit-defaults.conf"
#define MAIN "etc/systemd/logind.conf"
#define ETC_D "etc/systemd/logind.conf.d/"
#define RUN_D "run/systemd/logind.conf.d/"
#define USR_D "usr/lib/systemd/logind.conf.d/"
#define LOCAL_D "usr/local/lib/systemd/logind.conf.d/"
#define LOGIN "[Login]\n"
#define KUP_YES LOGIN "KillUserProcesses=yes\n"

/* A tree entry: a file with content, or a symlink ("->target"), or a directory ("/"). */
struct entry {
	const char *path;
	const char *content;
};

struct tree_case {
	const char *name;
	struct entry files[6];
	const char *key;
	const char *expect_origin; /* "path:line", or NULL for "nobody set it" */
	const char *expect_note;   /* substring of one of the notes, or NULL */
};

static const struct tree_case cases[] = {
	{"nothing configured", {{NULL, NULL}}, "KillUserProcesses", NULL, NULL},
	{"Debian's stock logind.conf: all commented out",
	 {{MAIN, "#  This file is part of systemd.\n[Login]\n#NAutoVTs=6\n"
		 "#KillUserProcesses=no\n;KillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"admin main file sets it",
	 {{MAIN, "# admin\n[Login]\nKillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":3",
	 NULL},
	{"last assignment in a file wins",
	 {{MAIN, LOGIN "KillUserProcesses=yes\nKillUserProcesses=no\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":3",
	 NULL},
	{"admin drop-in in /etc",
	 {{ETC_D "50-admin.conf", KUP_YES}},
	 "KillUserProcesses",
	 "/" ETC_D "50-admin.conf:2",
	 NULL},
	{"drop-in beats the main file",
	 {{MAIN, KUP_YES}, {USR_D "50-vendor.conf", "[Login]\n\nKillUserProcesses=no\n"}},
	 "KillUserProcesses",
	 "/" USR_D "50-vendor.conf:3",
	 NULL},
	{"/etc drop-in masks the same name in /usr/lib (empty file)",
	 {{USR_D "50-vendor.conf", KUP_YES}, {ETC_D "50-vendor.conf", ""}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"/etc drop-in replaces the same name in /usr/lib",
	 {{USR_D "50-vendor.conf", KUP_YES}, {ETC_D "50-vendor.conf", LOGIN "\nRemoveIPC=no\n"}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"/run drop-in replaces the same name in /usr/local/lib",
	 {{LOCAL_D "50-x.conf", KUP_YES}, {RUN_D "50-x.conf", LOGIN "KillUserProcesses=0\n"}},
	 "KillUserProcesses",
	 "/" RUN_D "50-x.conf:2",
	 NULL},
	{"link to /dev/null masks",
	 {{USR_D "50-vendor.conf", KUP_YES}, {ETC_D "50-vendor.conf", "->/dev/null"}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"sorted by name across directories: /usr/lib 60- after /etc 50-",
	 {{ETC_D "50-admin.conf", KUP_YES},
	  {USR_D "60-vendor.conf", LOGIN "KillUserProcesses=no\n"}},
	 "KillUserProcesses",
	 "/" USR_D "60-vendor.conf:2",
	 NULL},
	{"sorted by name across directories: /etc 70- after /usr/lib 60-",
	 {{ETC_D "70-admin.conf", KUP_YES},
	  {USR_D "60-vendor.conf", LOGIN "KillUserProcesses=no\n"}},
	 "KillUserProcesses",
	 "/" ETC_D "70-admin.conf:2",
	 NULL},
	{"only *.conf files count",
	 {{ETC_D "50-admin.conf.disabled", KUP_YES}, {ETC_D "README", KUP_YES}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"systemd 252 reads no main file outside /etc",
	 {{"usr/lib/systemd/logind.conf", KUP_YES}},
	 "KillUserProcesses",
	 NULL,
	 "usr/lib/systemd/logind.conf: not read by systemd 252"},
	{"main file precedence: /etc's, not /usr/lib's",
	 {{"usr/lib/systemd/logind.conf", LOGIN "\n\nKillUserProcesses=no\n"}, {MAIN, KUP_YES}},
	 "KillUserProcesses",
	 "/" MAIN ":2",
	 NULL},
	{"an invalid value is ignored by logind",
	 {{MAIN, LOGIN "KillUserProcesses=maybe\n"}},
	 "KillUserProcesses",
	 NULL,
	 "/" MAIN ":2: KillUserProcesses=maybe: not a boolean"},
	{"an invalid value keeps the earlier valid one",
	 {{MAIN, KUP_YES}, {ETC_D "50-x.conf", LOGIN "KillUserProcesses=\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":2",
	 NULL},
	{"another section does not count",
	 {{MAIN, "[Journal]\nKillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 NULL,
	 "Unknown section 'Journal'"},
	{"assignment outside of a section does not count",
	 {{MAIN, "KillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 NULL,
	 "Assignment outside of section"},
	{"keys are case-sensitive",
	 {{MAIN, LOGIN "killuserprocesses=yes\n"}},
	 "KillUserProcesses",
	 NULL,
	 "Unknown key name 'killuserprocesses'"},
	{"continuation lines",
	 {{MAIN, LOGIN "KillUserProcesses=\\\n  yes\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":3",
	 NULL},
	{"CRLF line ends and a BOM",
	 {{MAIN, "\xef\xbb\xbf[Login]\r\nKillUserProcesses=yes\r\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":2",
	 NULL},
	{"a bad section header stops logind reading",
	 {{MAIN, "[Login\n"}, {ETC_D "50-admin.conf", KUP_YES}},
	 "KillUserProcesses",
	 NULL,
	 "Invalid section header"},
	{"hidden drop-ins are skipped, as systemd's conf_files_list() skips them",
	 {{ETC_D ".50-admin.conf", KUP_YES}, {USR_D ".conf", KUP_YES}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"a hidden drop-in's bad section header does not stop logind",
	 {{ETC_D ".00-swap.conf", "[Login\n"}, {ETC_D "50-admin.conf", KUP_YES}},
	 "KillUserProcesses",
	 "/" ETC_D "50-admin.conf:2",
	 NULL},
	{"bad characters in a section header stop logind (Debian's 252.39)",
	 {{MAIN, "[Lo\"gin]\n"}, {ETC_D "50-admin.conf", KUP_YES}},
	 "KillUserProcesses",
	 NULL,
	 "Bad characters in section header"},
	{"initkit's own drop-in from an earlier run is not counted",
	 {{RUN_D OWN, KUP_YES}},
	 "KillUserProcesses",
	 NULL,
	 NULL},
	{"merged /usr: /lib -> usr/lib is read once",
	 {{"lib", "->usr/lib"}, {USR_D "50-vendor.conf", KUP_YES}},
	 "KillUserProcesses",
	 "/" USR_D "50-vendor.conf:2",
	 NULL},
	{"split /usr: /lib/systemd/logind.conf.d is read last",
	 {{"lib/systemd/logind.conf.d/50-old.conf", KUP_YES}},
	 "KillUserProcesses",
	 "/lib/systemd/logind.conf.d/50-old.conf:2",
	 NULL},
	{"an absolute directory link resolves inside the root",
	 {{"etc/systemd/logind.conf.d", "->/srv/logind"}, {"srv/logind/50-x.conf", KUP_YES}},
	 "KillUserProcesses",
	 "/" ETC_D "50-x.conf:2",
	 NULL},
	{"user lists: words before a syntax error are kept",
	 {{MAIN, LOGIN "KillOnlyUsers=alice 'bob\n"}},
	 "KillOnlyUsers",
	 "/" MAIN ":2",
	 "unbalanced quote"},
	{"user lists: empty resets, and counts as set",
	 {{ETC_D "50-x.conf", LOGIN "KillExcludeUsers=\n"}},
	 "KillExcludeUsers",
	 "/" ETC_D "50-x.conf:2",
	 NULL},
	{"handle action, time and size keys",
	 {{MAIN, LOGIN "HandleLidSwitch=suspend\nIdleActionSec=30min\nRuntimeDirectorySize=10%\n"}},
	 "RuntimeDirectorySize",
	 "/" MAIN ":4",
	 NULL},
	{"a 253+ action is ignored by 252",
	 {{MAIN, LOGIN "HandlePowerKey=sleep\n"}},
	 "HandlePowerKey",
	 NULL,
	 "HandlePowerKey=sleep: not a logind action"},
};

static int mkdir_p_for(int dirfd, const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static void build_tree(int dirfd, const struct entry *files)
{
	for (const struct entry *e = files; e->path; e++) {
		assert_int_equal(mkdir_p_for(dirfd, e->path), 0);
		if (strncmp(e->content, "->", 2) == 0) {
			assert_int_equal(symlinkat(e->content + 2, dirfd, e->path), 0);
			continue;
		}
		int fd = openat(dirfd, e->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		size_t n = strlen(e->content);
		assert_int_equal(write(fd, e->content, n), (ssize_t)n);
		close(fd);
	}
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void run_case(const struct tree_case *tc, struct logind_conf *c)
{
	char dir[] = "/tmp/initkit-logind-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	build_tree(rootfd, tc->files);
	logind_conf_init(c);
	int r = logind_conf_load(rootfd, OWN, c);
	close(rootfd);
	rm_rf(dir);
	if (r < 0)
		fail_msg("%s: logind_conf_load: %s", tc->name, strerror(-r));
}

static void test_tree_table(void **state)
{
	(void)state;
	static struct logind_conf c;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tree_case *tc = &cases[i];
		run_case(tc, &c);
		int k = logind_key_index(tc->key);
		assert_true(k >= 0);
		char got[PATH_MAX + 16] = "";
		if (c.origin[k].set)
			snprintf(got, sizeof(got), "%s:%u", c.origin[k].path, c.origin[k].line);
		const char *want = tc->expect_origin ? tc->expect_origin : "";
		if (strcmp(got, want) != 0)
			fail_msg("%s: %s set by '%s', expected '%s'", tc->name, tc->key, got,
				 tc->expect_origin ? want : "(nobody)");
		if (tc->expect_note) {
			bool found = false;
			for (size_t n = 0; n < c.n_notes && !found; n++)
				found = strstr(c.notes[n], tc->expect_note) != NULL;
			if (!found)
				fail_msg("%s: no note containing '%s' (%zu notes%s%s)", tc->name,
					 tc->expect_note, c.n_notes, c.n_notes ? ", first: " : "",
					 c.n_notes ? c.notes[0] : "");
		}
	}
}

static void test_own_name_masked_by_admin(void **state)
{
	(void)state;
	static struct logind_conf c;
	const struct tree_case tc = {"admin masks initkit's drop-in",
				     {{ETC_D OWN, "->/dev/null"}, {NULL, NULL}},
				     "KillUserProcesses",
				     NULL,
				     NULL};
	run_case(&tc, &c);
	assert_string_equal(c.own_overridden_by, "/" ETC_D OWN);
	const struct tree_case tc2 = {"ours in /run",
				      {{RUN_D OWN, KUP_YES}, {NULL, NULL}},
				      "KillUserProcesses",
				      NULL,
				      NULL};
	run_case(&tc2, &c);
	assert_string_equal(c.own_overridden_by, "");
}

/* Where logind stops, and whether that is before initkit's drop-in (then nothing initkit
 * writes is read). */
static void test_stop_before_own(void **state)
{
	(void)state;
	static struct logind_conf c;
	static const struct {
		struct tree_case tc;
		const char *stopped_at; /* "path:line", "" when logind reads everything */
		bool own_unread;
	} cases[] = {
		{{"bad header in the main file",
		  {{MAIN, LOGIN "RemoveIPC=no\n[Login\n"}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" MAIN ":3",
		 true},
		{{"bad header in a drop-in sorting before ours",
		  {{USR_D "00-aaa.conf", "\n[Login"}, {ETC_D "50-admin.conf", KUP_YES}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" USR_D "00-aaa.conf:2",
		 true},
		{{"bad header in a drop-in sorting after ours",
		  {{ETC_D "50-x.conf", "[Login\n"}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" ETC_D "50-x.conf:1",
		 false},
		{{"invalid UTF-8 in the main file",
		  {{MAIN, LOGIN "RemoveIPC=\xff\n"}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" MAIN ":2",
		 true},
		{{"a bad header in a hidden drop-in is never read",
		  {{ETC_D ".00-a.conf", "[Login"}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "",
		 false},
		{{"nothing wrong",
		  {{MAIN, KUP_YES}, {ETC_D "00-aaa.conf", KUP_YES}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "",
		 false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i].tc, &c);
		char got[PATH_MAX + 16] = "";
		if (c.stopped)
			snprintf(got, sizeof(got), "%s:%u", c.stopped_path, c.stopped_line);
		if (strcmp(got, cases[i].stopped_at) != 0 || c.own_unread != cases[i].own_unread)
			fail_msg("%s: stopped at '%s', own drop-in %s; expected '%s', %s",
				 cases[i].tc.name, got, c.own_unread ? "unread" : "read",
				 cases[i].stopped_at, cases[i].own_unread ? "unread" : "read");
	}
}

static void test_feed_is_pure(void **state)
{
	(void)state;
	static struct logind_conf c;
	logind_conf_init(&c);
	const char text[] = "[Login]\nRemoveIPC=no\n[X-Vendor]\nRemoveIPC=yes\n";
	assert_int_equal(logind_conf_feed(&c, "/x.conf", text, sizeof(text) - 1), 0);
	int k = logind_key_index("RemoveIPC");
	assert_true(c.origin[k].set);
	assert_int_equal(c.origin[k].line, 2);
	assert_int_equal(c.n_notes, 0); /* X- sections are ignored silently */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_table),
		cmocka_unit_test(test_own_name_masked_by_admin),
		cmocka_unit_test(test_stop_before_own),
		cmocka_unit_test(test_feed_is_pure),
	};
	return cmocka_run_group_tests_name("logind_conf", tests, NULL, NULL);
}
