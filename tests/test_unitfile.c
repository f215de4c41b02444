/* The unit-file reader (stage2/unitfile.c) and finding a unit's files (stage2/unitload.c):
 * sections, X- keys, continuation lines, specifiers left alone, drop-in precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "../stage2/unitfile.h"
#include "../stage2/unitload.h"
#include "confine_fixture.h"

static void parse(struct unit_conf *c, const char *text)
{
	unit_conf_init(c);
	assert_int_equal(
		unitfile_parse(c, "/etc/systemd/system/x.service", text, strlen(text), "Service"),
		0);
}

static void test_sections_and_x_keys(void **state)
{
	(void)state;
	struct unit_conf c;
	parse(&c, "[Unit]\nDescription=x\nX-Initkit-Confine=wrong-section\n"
		  "[Service]\n# comment\n; comment\n  ExecStart = /usr/bin/foo %i --x=%n  \n"
		  "X-Initkit-Confine=full-apivfs\nnot an assignment\n[Install]\nWantedBy=x\n");
	assert_int_equal(c.n, 2);
	const struct unit_assign *a = unit_conf_last(&c, "X-Initkit-Confine");
	assert_non_null(a);
	assert_string_equal(a->value, "full-apivfs");
	assert_int_equal(a->line, 8);
	/* specifiers are left as written */
	assert_string_equal(unit_conf_last(&c, "ExecStart")->value, "/usr/bin/foo %i --x=%n");
	assert_null(unit_conf_last(&c, "WantedBy"));
	assert_null(unit_conf_last(&c, "x-initkit-confine")); /* keys are case-sensitive */
	unit_conf_free(&c);
}

static void test_continuation(void **state)
{
	(void)state;
	struct unit_conf c;
	parse(&c, "[Service]\nX-Initkit-ConfinePaths=/a \\\n# a comment inside\n  /b\\\n/c\r\n"
		  "ExecStart=/bin/x \\\n");
	const struct unit_assign *a = unit_conf_last(&c, "X-Initkit-ConfinePaths");
	assert_non_null(a);
	/* the backslash becomes a space, the comment line is skipped */
	assert_string_equal(a->value, "/a    /b /c");
	assert_int_equal(a->line, 2);
	/* a continuation at the end of the file ends there */
	assert_string_equal(unit_conf_last(&c, "ExecStart")->value, "/bin/x");
	unit_conf_free(&c);
}

static int count_cb(const struct unit_assign *a, void *data)
{
	(void)a;
	(*(int *)data)++;
	return 0;
}

static void test_list_reset(void **state)
{
	(void)state;
	struct unit_conf c;
	parse(&c, "[Service]\nExecStart=/a\nExecStart=\nExecStart=/b\nExecStart=/c\n");
	int n = 0;
	unit_conf_each(&c, "ExecStart", count_cb, &n);
	assert_int_equal(n, 2);
	assert_true(unit_conf_has(&c, "ExecStart"));
	unit_conf_free(&c);
}

static void test_dropin_precedence(void **state)
{
	(void)state;
	char dir[64];
	int rootfd = fx_root(dir);
	fx_text(rootfd, "/usr/lib/systemd/system/a-b.service", "[Service]\nX-K=vendor\n");
	fx_text(rootfd, "/etc/systemd/system/a-b.service", "[Service]\nX-K=admin-fragment\n");
	/* same file name: /etc hides /usr/lib; names sort across directories */
	fx_text(rootfd, "/usr/lib/systemd/system/a-b.service.d/10-x.conf",
		"[Service]\nX-K=lib10\n");
	fx_text(rootfd, "/etc/systemd/system/a-b.service.d/10-x.conf", "[Service]\nX-A=etc10\n");
	fx_text(rootfd, "/usr/lib/systemd/system/a-b.service.d/20-y.conf",
		"[Service]\nX-K=lib20\n");
	fx_text(rootfd, "/run/systemd/system/a-.service.d/15-dash.conf", "[Service]\nX-D=dash\n");
	fx_text(rootfd, "/usr/lib/systemd/system/service.d/05-all.conf", "[Service]\nX-S=all\n");
	fx_link(rootfd, "/etc/systemd/system/a-b.service.d/20-y.conf", "/dev/null"); /* masked */
	fx_text(rootfd, "/etc/systemd/system/a-b.service.d/.30-hidden.conf", "[Service]\nX-K=h\n");
	struct unit_conf c;
	char *fragment = NULL;
	unit_conf_init(&c);
	assert_int_equal(unitload_service(rootfd, "a-b.service", &c, &fragment), 0);
	assert_string_equal(fragment, "/etc/systemd/system/a-b.service");
	const struct unit_assign *k = unit_conf_last(&c, "X-K");
	assert_string_equal(k->value, "admin-fragment");
	assert_string_equal(unit_conf_last(&c, "X-A")->file,
			    "/etc/systemd/system/a-b.service.d/10-x.conf");
	assert_string_equal(unit_conf_last(&c, "X-D")->value, "dash");
	assert_string_equal(unit_conf_last(&c, "X-S")->value, "all");
	/* order: fragment, 05-all, 10-x (etc), 15-dash */
	assert_string_equal(c.v[1].key, "X-S");
	assert_string_equal(c.v[2].key, "X-A");
	assert_string_equal(c.v[3].key, "X-D");
	assert_int_equal(c.n, 4);
	free(fragment);
	unit_conf_free(&c);
	fx_cleanup(rootfd, dir);
}

static void test_template_and_mask(void **state)
{
	(void)state;
	char dir[64];
	int rootfd = fx_root(dir);
	fx_text(rootfd, "/lib/systemd/system/t@.service", "[Service]\nExecStart=/bin/t %i\n");
	fx_text(rootfd, "/etc/systemd/system/t@.service.d/a.conf", "[Service]\nX-T=template\n");
	fx_text(rootfd, "/etc/systemd/system/t@x.service.d/b.conf", "[Service]\nX-I=instance\n");
	fx_link(rootfd, "/etc/systemd/system/m.service", "/dev/null");
	/* an alias is handled under the unit's own name; a linked unit file is listed */
	fx_link(rootfd, "/etc/systemd/system/alias.service", "/lib/systemd/system/t@.service");
	fx_text(rootfd, "/opt/linked.service", "[Service]\nExecStart=/bin/l\n");
	fx_link(rootfd, "/etc/systemd/system/linked.service", "/opt/linked.service");
	fx_text(rootfd, "/lib/systemd/system/m.service", "[Service]\nExecStart=/bin/m\n");
	struct unit_conf c;
	char *fragment = NULL;
	unit_conf_init(&c);
	assert_int_equal(unitload_service(rootfd, "t@x.service", &c, &fragment), 0);
	assert_string_equal(fragment, "/lib/systemd/system/t@.service");
	assert_non_null(unit_conf_last(&c, "X-T"));
	assert_non_null(unit_conf_last(&c, "X-I"));
	free(fragment);
	unit_conf_free(&c);
	/* the unit directory decides before the name does (systemd's unit_file_find_dropin_paths):
	 * /etc's template drop-in and service.d hide /usr/lib's instance drop-ins of that name */
	fx_text(rootfd, "/usr/lib/systemd/system/t@x.service.d/a.conf", "[Service]\nX-T=lib\n");
	fx_text(rootfd, "/usr/lib/systemd/system/t@x.service.d/s.conf", "[Service]\nX-S=lib\n");
	fx_text(rootfd, "/etc/systemd/system/service.d/s.conf", "[Service]\nX-S=etc\n");
	assert_int_equal(unitload_service(rootfd, "t@x.service", &c, &fragment), 0);
	assert_string_equal(unit_conf_last(&c, "X-T")->value, "template");
	assert_string_equal(unit_conf_last(&c, "X-S")->value, "etc");
	free(fragment);
	unit_conf_free(&c);
	/* dash prefixes of an instance keep the instance: a-@x.service.d/, a-@.service.d/ */
	fx_text(rootfd, "/lib/systemd/system/a-b@.service", "[Service]\nExecStart=/bin/t\n");
	fx_text(rootfd, "/etc/systemd/system/a-@.service.d/p.conf", "[Service]\nX-P=tmpl\n");
	fx_text(rootfd, "/etc/systemd/system/a-@x.service.d/q.conf", "[Service]\nX-Q=inst\n");
	fx_text(rootfd, "/etc/systemd/system/a-.service.d/r.conf", "[Service]\nX-R=plain\n");
	assert_int_equal(unitload_service(rootfd, "a-b@x.service", &c, &fragment), 0);
	assert_non_null(unit_conf_last(&c, "X-P"));
	assert_non_null(unit_conf_last(&c, "X-Q"));
	assert_string_equal(unit_conf_last(&c, "X-P")->value, "tmpl");
	assert_string_equal(unit_conf_last(&c, "X-Q")->value, "inst");
	assert_string_equal(unit_conf_last(&c, "X-R")->value, "plain");
	free(fragment);
	unit_conf_free(&c);
	static const char *const gone[] = {
		"etc/systemd/system/a-@.service.d/p.conf",  "etc/systemd/system/a-@.service.d",
		"etc/systemd/system/a-@x.service.d/q.conf", "etc/systemd/system/a-@x.service.d",
		"etc/systemd/system/a-.service.d/r.conf",   "etc/systemd/system/a-.service.d",
		"lib/systemd/system/a-b@.service"};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (unlinkat(rootfd, gone[i], 0) < 0)
			unlinkat(rootfd, gone[i], AT_REMOVEDIR);
	unlinkat(rootfd, "usr/lib/systemd/system/t@x.service.d/a.conf", 0);
	unlinkat(rootfd, "usr/lib/systemd/system/t@x.service.d/s.conf", 0);
	unlinkat(rootfd, "usr/lib/systemd/system/t@x.service.d", AT_REMOVEDIR);
	unlinkat(rootfd, "etc/systemd/system/service.d/s.conf", 0);
	unlinkat(rootfd, "etc/systemd/system/service.d", AT_REMOVEDIR);
	assert_int_equal(unitload_service(rootfd, "m.service", &c, &fragment), -ESHUTDOWN);
	assert_int_equal(unitload_service(rootfd, "none.service", &c, &fragment), -ENOENT);
	char **names;
	int n = unitload_list_services(rootfd, &names);
	/* an instance with drop-ins of its own is listed: it may ask for something else */
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "linked.service");
	assert_string_equal(names[1], "m.service");
	assert_string_equal(names[2], "t@.service");
	assert_string_equal(names[3], "t@x.service");
	unitload_names_free(names, (size_t)n);
	unit_conf_free(&c);
	fx_cleanup(rootfd, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_and_x_keys),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_list_reset),
		cmocka_unit_test(test_dropin_precedence),
		cmocka_unit_test(test_template_and_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
