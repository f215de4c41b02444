/* Tests for initrd/killall.c: which processes stage 1 stops before the switch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../initrd/killall.h"

/* Case tables leave trailing fields zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct kill_case {
	const char *name, *stat, *cmdline;
	size_t cmdline_len; /* 0: strlen(cmdline) + 1, or 0 when cmdline is NULL or "" */
	bool want;
	unsigned uid;
	bool parent_kthread;
};

/* Fields after comm: state ppid pgrp session tty_nr tpgid flags ... */
static const struct kill_case cases[] = {
	{"hook's daemon, reparented to us", "312 (dropbear) S 1 312 312 0 -1 4194560 0 0",
	 "/sbin/dropbear", 0, true},
	{"hook still running", "300 (sh) S 1 300 300 0 -1 4194304 0", "/bin/sh", 0, true},
	{"ourselves (PID 1)", "1 (init) S 0 1 1 0 -1 4194560 0", "/init", 0, false},
	{"@ opt-out (root storage daemon)", "400 (iscsid) S 1 400 400 0 -1 4194560 0", "@iscsid", 0,
	 false},
	{"kernel thread by flag", "15 (kworker/0:1) I 2 0 0 0 -1 69238880 0", "", 0, false},
	{"kthreadd", "2 (kthreadd) S 0 0 0 0 -1 2129984 0", "", 0, false},
	{"kernel usermode helper (modprobe, child of a kernel thread)",
	 "77 (modprobe) R 45 0 0 0 -1 4194304 0", "/sbin/modprobe", 0, false, 0, true},
	{"argv blanked by the process itself (not a kernel thread)",
	 "88 (x) S 1 88 88 0 -1 4194304 0", NULL, 0, true},
	{"@ opt-out is for root only (systemd's rule)", "401 (d) S 1 401 401 0 -1 4194560 0",
	 "@nobody-daemon", 0, true, 65534},
	{"@ with an unknown uid", "402 (d) S 1 402 402 0 -1 4194560 0", "@d", 0, true,
	 (unsigned)-1},
	{"zombie", "90 (old) Z 1 90 90 0 -1 4194308 0", "", 0, false},
	{"comm with spaces and parens", "91 (a) b (c)) S 1 91 91 0 -1 4194304 0", "/bin/x", 0,
	 true},
	{"@ only in a later argument", "92 (d) S 1 92 92 0 -1 4194304 0", "/bin/d\0@x", 10, true},
	{"garbage", "not a stat line", "/bin/x", 0, false},
	{"truncated after comm", "93 (x)", "/bin/x", 0, false},
};

static void test_should_kill(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kill_case *c = &cases[i];
		size_t len = c->cmdline_len ? c->cmdline_len
			     : c->cmdline   ? strlen(c->cmdline) + 1
					    : 0;
		if (c->cmdline && !*c->cmdline)
			len = 0;
		bool got = killall_should_kill(c->stat, c->cmdline ? c->cmdline : "", len, c->uid,
					       c->parent_kthread);
		if (got != c->want)
			fail_msg("case '%s': expected %s", c->name, c->want ? "kill" : "spare");
	}
}

static void test_parse_stat(void **state)
{
	(void)state;
	long pid, ppid;
	char st;
	unsigned long flags;
	assert_int_equal(killall_parse_stat("91 (a) b (c)) S 7 91 91 0 -1 4194304 0", &pid, &st,
					    &ppid, &flags),
			 0);
	assert_int_equal(pid, 91);
	assert_int_equal(st, 'S');
	assert_int_equal(ppid, 7);
	assert_int_equal(flags, 4194304);
	assert_int_equal(killall_parse_stat("93 (x)", &pid, &st, &ppid, &flags), -EINVAL);
	assert_int_equal(killall_parse_stat(NULL, &pid, &st, &ppid, &flags), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_should_kill),
		cmocka_unit_test(test_parse_stat),
	};
	return cmocka_run_group_tests_name("killall", tests, NULL, NULL);
}
