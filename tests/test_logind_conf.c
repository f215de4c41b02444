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

#define streq(a, b) (strcmp((a), (b)) == 0)

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
	{"a BOM is stripped from the first line that has one, not only line 1 (bom_seen)",
	 {{MAIN, "# logind.conf\n[Login]\n\xef\xbb\xbfKillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":3",
	 NULL},
	{"only one BOM is stripped: a second one is part of the key",
	 {{MAIN, "\xef\xbb\xbf[Login]\n\xef\xbb\xbfKillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 NULL,
	 "Unknown key name '\xef\xbb\xbfKillUserProcesses'"},
	{"\\n\\r is one line end, as read_line() takes it",
	 {{MAIN, "[Login]\n\rKillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":2",
	 NULL},
	{"\\r\\r is two line ends",
	 {{MAIN, "[Login]\r\rKillUserProcesses=yes\n"}},
	 "KillUserProcesses",
	 "/" MAIN ":3",
	 NULL},
	{"a logind.conf.d that is no directory is skipped, later directories are read",
	 {{"etc/systemd/logind.conf.d", KUP_YES}, {USR_D "50-vendor.conf", KUP_YES}},
	 "KillUserProcesses",
	 "/" USR_D "50-vendor.conf:2",
	 "cannot open"},
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
		if (streq(e->content, "/")) {
			assert_int_equal(mkdirat(dirfd, e->path, 0755), 0);
			continue;
		}
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

/* A file with initkit's name behind /run (/usr/local/lib, /usr/lib, /lib) does not replace
 * initkit's: initkit's /run file hides it, so it is not read and not counted, even when it
 * sets a key or would stop logind. */
static void test_own_name_behind_run(void **state)
{
	(void)state;
	static struct logind_conf c;
	static const char *const dirs[] = {LOCAL_D, USR_D, "lib/systemd/logind.conf.d/"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s", dirs[i], OWN);
		struct tree_case tc = {"vendor file with initkit's name",
				       {{path, KUP_YES}, {NULL, NULL}},
				       "KillUserProcesses",
				       NULL,
				       NULL};
		run_case(&tc, &c);
		int k = logind_key_index("KillUserProcesses");
		if (c.own_overridden_by[0] || c.origin[k].set)
			fail_msg("%s: overridden by '%s', KillUserProcesses %s", path,
				 c.own_overridden_by, c.origin[k].set ? "set" : "unset");
		struct tree_case stop = {"vendor file with initkit's name stops logind",
					 {{path, "[Login\n"}, {NULL, NULL}},
					 "KillUserProcesses",
					 NULL,
					 NULL};
		run_case(&stop, &c);
		if (c.stopped || c.own_unread)
			fail_msg("%s: counted as a stop at %s", path, c.stopped_at);
	}
}

struct utf8_case {
	const char *name;
	const char *bytes;
	bool valid;
};

/* systemd's utf8_encoded_valid_unichar() + unichar_is_valid(), applied by parse_line() to the
 * whole line: an invalid character is not a bad value but a stop. */
static void test_utf8(void **state)
{
	(void)state;
	static const struct utf8_case cases[] = {
		{"ASCII", "bob", true},
		{"U+0080", "\xc2\x80", true},
		{"U+00E9", "j\xc3\xbcrgen", true},
		{"U+20AC", "\xe2\x82\xac", true},
		{"U+D7FF (last before the surrogates)", "\xed\x9f\xbf", true},
		{"U+E000 (first after the surrogates)", "\xee\x80\x80", true},
		{"U+FDCF (before the non-characters)", "\xef\xb7\x8f", true},
		{"U+FDF0 (after the non-characters)", "\xef\xb7\xb0", true},
		{"U+FFFD", "\xef\xbf\xbd", true},
		{"U+FEFF (a BOM inside a line)", "a\xef\xbb\xbf", true},
		{"U+1F600", "\xf0\x9f\x98\x80", true},
		{"U+10FFFD (last valid)", "\xf4\x8f\xbf\xbd", true},
		{"lone continuation byte", "\x80", false},
		{"0xff", "\xff", false},
		{"truncated sequence", "\xe2\x82", false},
		{"over-long 2 bytes (C0)", "\xc0\xaf", false},
		{"over-long 3 bytes", "\xe0\x80\x80", false},
		{"over-long 3 bytes for U+07FF", "\xe0\x9f\xbf", false},
		{"over-long 4 bytes", "\xf0\x80\x80\xaf", false},
		{"surrogate U+D800", "\xed\xa0\x80", false},
		{"surrogate U+DFFF", "\xed\xbf\xbf", false},
		{"above U+10FFFF", "\xf4\x90\x80\x80", false},
		{"U+1FFFFF", "\xf7\xbf\xbf\xbf", false},
		{"5-byte form", "\xf8\x88\x80\x80\x80", false},
		{"6-byte form", "\xfc\x84\x80\x80\x80\x80", false},
		{"non-character U+FDD0", "\xef\xb7\x90", false},
		{"non-character U+FDEF", "\xef\xb7\xaf", false},
		{"non-character U+FFFE", "\xef\xbf\xbe", false},
		{"non-character U+FFFF", "\xef\xbf\xbf", false},
		{"non-character U+1FFFE", "\xf0\x9f\xbf\xbe", false},
		{"non-character U+10FFFF", "\xf4\x8f\xbf\xbf", false},
	};
	static struct logind_conf c;
	int kup = logind_key_index("KillUserProcesses");
	int kou = logind_key_index("KillOnlyUsers");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), LOGIN "KillOnlyUsers=%s\n", cases[i].bytes);
		struct tree_case tc = {
			cases[i].name,
			{{MAIN, text}, {ETC_D "50-admin.conf", KUP_YES}, {NULL, NULL}},
			"KillUserProcesses",
			NULL,
			NULL};
		run_case(&tc, &c);
		if (cases[i].valid) {
			if (c.stopped || !c.origin[kou].set || !c.origin[kup].set)
				fail_msg("%s: valid, yet %s%s", cases[i].name,
					 c.stopped ? "a stop at " : "not every key counted",
					 c.stopped ? c.stopped_at : "");
			continue;
		}
		/* A stop: the value is not counted, and neither is the drop-in after it. */
		if (!c.stopped || strcmp(c.stopped_at, "/" MAIN ":2") != 0 || !c.own_unread ||
		    c.origin[kou].set || c.origin[kup].set)
			fail_msg("%s: expected a stop at /" MAIN ":2 before initkit's drop-in; got "
				 "%s, KillOnlyUsers %s, KillUserProcesses %s",
				 cases[i].name, c.stopped ? c.stopped_at : "no stop",
				 c.origin[kou].set ? "set" : "unset",
				 c.origin[kup].set ? "set" : "unset");
	}
}

static void write_file(int dirfd, const char *path, const char *text, size_t len)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* systemd limits the length of a line (LONG_LINE_MAX, 1 MiB), never the size of a file. */
static void test_sizes(void **state)
{
	(void)state;
	static struct logind_conf c;
	const size_t big = (1 << 20) + 4096;
	char *text = malloc(big + 256); /* the last comment line and the key run past big */
	assert_non_null(text);
	int kup = logind_key_index("KillUserProcesses");

	/* 1 MiB and more of short comment lines, then the key: read and counted. */
	size_t len = 0;
	while (len < big)
		len += (size_t)sprintf(text + len, "# %060u\n", (unsigned)len);
	len += (size_t)sprintf(text + len, KUP_YES);
	char dir[] = "/tmp/initkit-logind-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	build_tree(rootfd, (const struct entry[]){{ETC_D "50-big.conf", ""}, {NULL, NULL}});
	write_file(rootfd, ETC_D "50-big.conf", text, len);
	logind_conf_init(&c);
	assert_int_equal(logind_conf_load(rootfd, OWN, &c), 0);
	if (c.stopped || !c.origin[kup].set)
		fail_msg("a %zu-byte drop-in: %s", len,
			 c.stopped ? c.stopped_at : "key not counted");

	/* One line of LONG_LINE_MAX bytes: a stop at that line. */
	memset(text, 'x', 1 << 20);
	len = 1 << 20;
	len += (size_t)sprintf(text + len, "\n" KUP_YES);
	logind_conf_init(&c);
	assert_int_equal(logind_conf_feed(&c, "/x.conf", text, len), -EBADMSG);
	assert_string_equal(c.stopped_at, "/x.conf:1");
	/* One byte less is a line like any other. */
	logind_conf_init(&c);
	assert_int_equal(logind_conf_feed(&c, "/x.conf", text + 1, len - 1), 0);
	assert_true(c.origin[kup].set);
	assert_int_equal(c.origin[kup].line, 3);
	close(rootfd);
	rm_rf(dir);
	free(text);
}

/* More drop-ins than the old fixed list (256) held: none is dropped. */
static void test_many_dropins(void **state)
{
	(void)state;
	static struct logind_conf c;
	char dir[] = "/tmp/initkit-logind-XXXXXX";
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	build_tree(rootfd, (const struct entry[]){{ETC_D "a.conf", ""},
						  {USR_D "50-vendor.conf", KUP_YES},
						  {NULL, NULL}});
	for (int i = 0; i < 300; i++) {
		char name[64];
		snprintf(name, sizeof(name), ETC_D "70-admin-%03d.conf", i);
		write_file(rootfd, name, "", 0);
	}
	logind_conf_init(&c);
	assert_int_equal(logind_conf_load(rootfd, OWN, &c), 0);
	int kup = logind_key_index("KillUserProcesses");
	if (!c.origin[kup].set)
		fail_msg("/usr/lib's drop-in after 301 in /etc was not read");
	assert_string_equal(c.origin[kup].path, "/" USR_D "50-vendor.conf");
	close(rootfd);
	rm_rf(dir);
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
		{{"a directory named *.conf sorting after ours: a stop, ours is read",
		  {{ETC_D "zz.conf", "/"}, {ETC_D "50-admin.conf", KUP_YES}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" ETC_D "zz.conf:0",
		 false},
		{{"a directory named *.conf sorting before ours: ours is unread",
		  {{USR_D "00-aaa.conf", "/"}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" USR_D "00-aaa.conf:0",
		 true},
		{{"the main file is a directory: a stop before every drop-in",
		  {{MAIN, "/"}},
		  "KillUserProcesses",
		  NULL,
		  NULL},
		 "/" MAIN ":0",
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

	/* A NUL ends a line; "\n\0" is one line end, "\0\n" two (read_line()). */
	const char nul1[] = "[Login]\n\0RemoveIPC=no\n";
	logind_conf_init(&c);
	assert_int_equal(logind_conf_feed(&c, "/x.conf", nul1, sizeof(nul1) - 1), 0);
	assert_int_equal(c.origin[k].line, 2);
	const char nul2[] = "[Login]\0\nRemoveIPC=no\n";
	logind_conf_init(&c);
	assert_int_equal(logind_conf_feed(&c, "/x.conf", nul2, sizeof(nul2) - 1), 0);
	assert_int_equal(c.origin[k].line, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_table),
		cmocka_unit_test(test_own_name_masked_by_admin),
		cmocka_unit_test(test_stop_before_own),
		cmocka_unit_test(test_feed_is_pure),
		cmocka_unit_test(test_own_name_behind_run),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_many_dropins),
	};
	return cmocka_run_group_tests_name("logind_conf", tests, NULL, NULL);
}
