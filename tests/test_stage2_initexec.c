/* Which init stage 2 hands over to, and the check before exec, on a temp tree. */
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
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../initrd/initcheck.h"
#include "../stage2/initexec.h"

/* A static executable for this machine as far as any check before execve() can tell: our
 * own ELF identification (class, byte order, machine) and one PT_LOAD, no PT_INTERP. An
 * empty file is not one (the init check reads the header, as the kernel does). */
static void write_static_elf(int dirfd, const char *path)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph = {.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_align = 4096};
	int self = open("/proc/self/exe", O_RDONLY);
	assert_true(self >= 0);
	assert_int_equal(read(self, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	close(self);
	eh.e_type = ET_EXEC;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	ph.p_filesz = ph.p_memsz = sizeof(eh) + sizeof(ph);
	int fd = openat(dirfd, path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	assert_int_equal(write(fd, &ph, sizeof(ph)), (ssize_t)sizeof(ph));
	close(fd);
}

/* Copies the host file src to the same path under dirfd (parents created). */
static void copy_in(int dirfd, const char *src)
{
	char path[4096], *slash;
	snprintf(path, sizeof(path), "%s", src + 1);
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdirat(dirfd, path, 0755);
		*slash = '/';
	}
	int in = open(src, O_RDONLY), out = openat(dirfd, path, O_CREAT | O_WRONLY, 0755);
	char buf[65536];
	ssize_t n;
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* A dynamic init whose C library is missing in the new root: refused before exec, naming
 * the library (stage 1's check, run by stage 2 too). Needs root (the loader runs chrooted). */
static void test_check_missing_library(void **state)
{
	(void)state;
	char dir[] = "/tmp/initkit-s2lib-XXXXXX", why[1024], tru[4096];
	struct initcheck_result host;
	if (geteuid() != 0) {
		print_message("skipped: the loader runs chrooted, which needs root\n");
		skip();
	}
	int hostfd = open("/", O_RDONLY | O_DIRECTORY);
	if (!realpath("/bin/true", tru) || initcheck_judge(hostfd, tru, &host) < 0 ||
	    !host.dyn_loader || !initcheck_is_glibc_loader(host.dyn_loader))
		skip(); /* a static /bin/true, or not glibc */
	close(hostfd);
	assert_non_null(mkdtemp(dir));
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	copy_in(rootfd, tru);
	copy_in(rootfd, host.dyn_loader);
	int r = init_check(rootfd, tru, why, sizeof(why));
	if (r != -ENOEXEC || !strstr(why, "libc.so"))
		fail_msg("expected a refusal naming libc, got %d: %s", r, why);
	initcheck_result_free(&host);
	close(rootfd);
}

static void test_check(void **state)
{
	(void)state;
	char dir[] = "/tmp/initkit-init-XXXXXX", cmd[64];
	assert_non_null(mkdtemp(dir));
	int r = open(dir, O_RDONLY | O_DIRECTORY);
	mkdirat(r, "sbin", 0755);
	mkdirat(r, "lib", 0755);
	mkdirat(r, "lib/systemd", 0755);
	write_static_elf(r, "lib/systemd/systemd");
	close(openat(r, "sbin/noexec", O_CREAT | O_WRONLY, 0644));
	symlinkat("/lib/systemd/systemd", r, "sbin/init"); /* absolute: resolved inside root */
	symlinkat("/nowhere", r, "sbin/dangling");
	symlinkat("loop2", r, "sbin/loop1");
	symlinkat("loop1", r, "sbin/loop2");
	static const struct {
		const char *path;
		int expect;
	} cases[] = {
		{"/sbin/init", 0},
		{"/lib/systemd/systemd", 0},
		{"/sbin/noexec", -EACCES},
		{"/sbin/dangling", -ENOENT},
		{"/sbin", -ENOEXEC},
		{"/sbin/missing", -ENOENT},
		{"sbin/init", -EINVAL},
		{"/sbin/loop1", -ELOOP},
		{"/../../lib/systemd/systemd", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[512] = "";
		int got = init_check(r, cases[i].path, why, sizeof(why));
		if (got != cases[i].expect)
			fail_msg("init_check(%s) = %d (%s), expected %d", cases[i].path, got, why,
				 cases[i].expect);
		if (got < 0 && !strstr(why, cases[i].path))
			fail_msg("init_check(%s): message '%s' does not name the path",
				 cases[i].path, why);
	}
	close(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_candidates(void **state)
{
	(void)state;
	const char *c[INIT_CANDIDATES_MAX];
	assert_int_equal(init_candidates(NULL, NULL, c), 2);
	assert_string_equal(c[0], "/sbin/init");
	assert_string_equal(c[1], "/lib/systemd/systemd");
	assert_int_equal(init_candidates("/usr/bin/runit", "/bin/sh", c), 3);
	assert_string_equal(c[0], "/usr/bin/runit"); /* an argument beats the command line */
	assert_int_equal(init_candidates(NULL, "/bin/sh", c), 3);
	assert_string_equal(c[0], "/bin/sh");
	assert_int_equal(init_candidates(NULL, "/sbin/init", c), 2); /* no duplicates */
}

/* PID 1's argv: an absolute path first is the init, anything else goes to the real init. */
static void test_handover_plan(void **state)
{
	(void)state;
	struct handover h;
	char *a1[] = {"/sbin/initkit-stage2", NULL};
	handover_plan(1, a1, "", &h);
	assert_int_equal(h.n_cand, 2);
	assert_string_equal(h.cand[0], "/sbin/init");
	assert_int_equal(h.n_args, 0);

	char *a2[] = {"/sbin/initkit-stage2", "/usr/bin/runit", "single", "x=1", NULL};
	handover_plan(4, a2, "/bin/sh", &h);
	assert_string_equal(h.cand[0], "/usr/bin/runit");
	assert_int_equal(h.n_args, 2);
	assert_string_equal(h.args[0], "single");
	assert_string_equal(h.args[1], "x=1");

	char *a3[] = {"/sbin/initkit-stage2", "single", NULL}; /* the kernel passes it on */
	handover_plan(2, a3, "/bin/sh", &h);
	assert_int_equal(h.n_cand, 3);
	assert_string_equal(h.cand[0], "/bin/sh");
	assert_int_equal(h.n_args, 1);
	assert_string_equal(h.args[0], "single");
	assert_null(h.args[1]);
}

/* Every candidate failed: never return (the kernel would panic); the policy and its words. */
static void test_handover_failed(void **state)
{
	(void)state;
	static const struct {
		const char *cmdline;
		enum handover_fallback action;
		const char *message; /* substring */
		const char *warning; /* substring, "" for none */
	} cases[] = {
		{"", HANDOVER_WAIT,
		 "no init could be executed (tried 2); waiting forever (exiting would make the "
		 "kernel panic; set initkit.stage2.emergency=reboot|poweroff|halt to change this)",
		 ""},
		{"quiet rd.emergency=poweroff", HANDOVER_POWEROFF,
		 "no init could be executed (tried 2); rd.emergency=poweroff: powering off", ""},
		{"rd.emergency=poweroff initkit.stage2.emergency=reboot", HANDOVER_REBOOT,
		 "initkit.stage2.emergency=reboot: rebooting", ""},
		{"initkit.stage2.emergency=halt", HANDOVER_HALT,
		 "initkit.stage2.emergency=halt: halting", ""},
		{"rd.emergency=poweroff initkit.stage2.emergency=wait", HANDOVER_WAIT,
		 "initkit.stage2.emergency=wait: waiting forever", ""},
		{"initkit.stage2.emergency=explode rd.emergency=halt", HANDOVER_HALT,
		 "rd.emergency=halt: halting",
		 "initkit.stage2.emergency=explode: not one of wait, reboot, poweroff, halt"},
		{"rd.emergency=shell", HANDOVER_WAIT, "waiting forever",
		 "rd.emergency=shell: not one of"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct handover_failure f;
		handover_failed(2, cases[i].cmdline, &f);
		if (f.action != cases[i].action || !strstr(f.message, cases[i].message))
			fail_msg("'%s': action %d '%s', expected %d '%s'", cases[i].cmdline,
				 f.action, f.message, cases[i].action, cases[i].message);
		if (cases[i].warning[0] ? !strstr(f.warning, cases[i].warning) : f.warning[0] != 0)
			fail_msg("'%s': warning '%s', expected '%s'", cases[i].cmdline, f.warning,
				 cases[i].warning);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_missing_library),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_handover_plan),
		cmocka_unit_test(test_handover_failed),
	};
	return cmocka_run_group_tests_name("stage2_initexec", tests, NULL, NULL);
}
