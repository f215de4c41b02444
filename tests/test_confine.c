/* The X-Initkit-* keys and the drop-in (stage2/confine.c): what is accepted, the message for
 * what is not (file, line, key, value), and that the administrator's settings win. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "../stage2/confine.h"
#include "confine_fixture.h"

static int read_text(const char *text, struct unit_conf *c, struct confine_request *r, char *err)
{
	unit_conf_init(c);
	assert_int_equal(
		unitfile_parse(c, "/etc/systemd/system/u.service", text, strlen(text), "Service"),
		0);
	return confine_read(c, r, err, 1024);
}

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err;
	} cases[] = {
		{"[Service]\nExecStart=/bin/x\nX-Initkit-Confine=fullapivfs\n",
		 "/etc/systemd/system/u.service:3: X-Initkit-Confine=fullapivfs: not full-apivfs, "
		 "chroot-only or no"},
		{"[Service]\nX-Initkit-Harden=max\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-Harden=max: not strict, "
		 "strict-offline "
		 "or no"},
		{"[Service]\nX-Initkit-Confin=full-apivfs\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-Confin=full-apivfs: unknown initkit "
		 "key "
		 "(X-Initkit-Confine, -ConfinePaths, -ConfineBinSh, -ConfinePresets, "
		 "-ConfineCredential, -Harden)"},
		{"[Service]\nExecStart=/bin/x\nX-Initkit-Confine=chroot-only\n"
		 "X-Initkit-ConfinePaths=/a relative\n",
		 "/etc/systemd/system/u.service:4: X-Initkit-ConfinePaths=/a relative: relative: "
		 "not "
		 "an absolute path"},
		{"[Service]\nX-Initkit-ConfinePaths=/a/%i\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-ConfinePaths=/a/%i: /a/%i: a "
		 "specifier "
		 "cannot be resolved before the unit starts"},
		{"[Service]\nX-Initkit-ConfinePresets=nss ssl\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-ConfinePresets=nss ssl: unknown "
		 "preset "
		 "'ssl' (nss, dns, tls)"},
		{"[Service]\nX-Initkit-ConfineCredential=token\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-ConfineCredential=token: not ID:PATH"},
		{"[Service]\nX-Initkit-ConfineCredential=a/b:/etc/x\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-ConfineCredential=a/b:/etc/x: 'a/b' "
		 "is "
		 "not a valid credential name"},
		{"[Service]\nX-Initkit-ConfineBinSh=bash\n",
		 "/etc/systemd/system/u.service:2: X-Initkit-ConfineBinSh=bash: not 'no' or the "
		 "absolute path of a shell: not an absolute path"},
		{"[Service]\nExecStart=/bin/x\nX-Initkit-ConfinePaths=/a\n",
		 "/etc/systemd/system/u.service:3: X-Initkit-ConfinePaths=/a: has no effect "
		 "without "
		 "X-Initkit-Confine="},
		{"[Service]\nExecStart=/bin/x\nRootDirectoryStartOnly=yes\n"
		 "X-Initkit-Confine=full-apivfs\n",
		 "/etc/systemd/system/u.service:3: RootDirectoryStartOnly=yes: "
		 "ExecStartPre=/ExecStartPost= would run outside the confined root; "
		 "X-Initkit-Confine= (/etc/systemd/system/u.service:4) does not support it"},
		{"[Service]\nExecStart=/bin/x\nRuntimeDirectory=x\nRuntimeDirectoryMode=0770\n"
		 "X-Initkit-Confine=full-apivfs\n",
		 "/etc/systemd/system/u.service:4: RuntimeDirectoryMode=0770: the confined root "
		 "would be writable by group or others on the host (it is a RuntimeDirectory=); "
		 "X-Initkit-Confine= (/etc/systemd/system/u.service:5) does not support it"},
		{"[Service]\nExecStart=/bin/x\nRootDirectory=/srv\nX-Initkit-Confine=full-apivfs\n",
		 "/etc/systemd/system/u.service:3: RootDirectory=/srv: the unit has its own root; "
		 "X-Initkit-Confine= (/etc/systemd/system/u.service:4) would replace it"},
		{"[Service]\nExecStart=/usr/lib/%p/daemon\nX-Initkit-Confine=full-apivfs\n",
		 "/etc/systemd/system/u.service:2: ExecStart=/usr/lib/%p/daemon: the executable's "
		 "path has a specifier; its closure cannot be computed before the unit starts"},
		/* "+" runs a command with full privileges in the host's root */
		{"[Service]\nExecStartPre=-+/usr/bin/pre arg\nExecStart=/bin/x\n"
		 "X-Initkit-Confine=full-apivfs\n",
		 "/etc/systemd/system/u.service:2: ExecStartPre=-+/usr/bin/pre arg: '+' runs this "
		 "command with full privileges and without the root's read-only and inaccessible "
		 "paths; a confined unit cannot have it"},
		{"[Service]\nExecStart=/bin/x ; +/bin/y\nX-Initkit-Confine=chroot-only\n",
		 "/etc/systemd/system/u.service:2: ExecStart=/bin/x ; +/bin/y: '+' runs this "
		 "command with full privileges and without the root's read-only and inaccessible "
		 "paths; a confined unit cannot have it"},
		{"[Service]\nType=oneshot\nX-Initkit-Confine=full-apivfs\n",
		 "/etc/systemd/system/u.service:3: X-Initkit-Confine=full-apivfs: the unit has no "
		 "ExecStart="},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct unit_conf c;
		struct confine_request r;
		char err[1024] = "";
		int e = read_text(cases[i].text, &c, &r, err);
		if (e != -EINVAL || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu: %d '%s'\n  expected '%s'", i, e, err, cases[i].err);
		confine_request_free(&r);
		unit_conf_free(&c);
	}
}

static void test_accepted(void **state)
{
	(void)state;
	struct unit_conf c;
	struct confine_request r;
	char err[1024] = "";
	assert_int_equal(read_text("[Service]\nExecStartPre=-!/usr/bin/pre arg ; /usr/bin/pre2\n"
				   "ExecStart=@/usr/sbin/d d --x\nExecStart=\nExecStart=true\n"
				   "RootDirectoryStartOnly=no\nRuntimeDirectoryMode=0750\n"
				   "X-Initkit-Confine=chroot-only\nX-Initkit-ConfineBinSh=no\n"
				   "X-Initkit-ConfinePaths=/etc/d \\\n  -/run/d.sock\n"
				   "X-Initkit-ConfinePresets=dns tls\n"
				   "X-Initkit-ConfineCredential=tok:/etc/d/token\n"
				   "X-Initkit-Harden=strict-offline\n",
				   &c, &r, err),
			 1);
	assert_int_equal(r.mode, CONFINE_CHROOT_ONLY);
	assert_int_equal(r.harden, HARDEN_STRICT_OFFLINE);
	assert_null(r.binsh);
	assert_int_equal(r.n_execs, 3); /* pre, pre2, true (the reset dropped /usr/sbin/d) */
	assert_string_equal(r.execs[0], "/usr/bin/pre");
	assert_string_equal(r.execs[1], "/usr/bin/pre2");
	assert_string_equal(r.execs[2], "true");
	assert_int_equal(r.n_paths, 2);
	assert_string_equal(r.paths[1], "-/run/d.sock");
	assert_int_equal(r.presets, PRESET_DNS | PRESET_TLS);
	assert_string_equal(r.creds[0], "tok:/etc/d/token");
	confine_request_free(&r);
	unit_conf_free(&c);
	/* an administrator's drop-in turns a vendor's confinement off: no complaint about the
	 * vendor's other keys; empty assignments reset the lists */
	assert_int_equal(read_text("[Service]\nExecStart=/bin/x\nX-Initkit-Confine=full-apivfs\n"
				   "X-Initkit-ConfinePaths=/etc/x\nX-Initkit-ConfinePresets=nss\n"
				   "X-Initkit-Confine=no\n",
				   &c, &r, err),
			 0);
	confine_request_free(&r);
	unit_conf_free(&c);
	assert_int_equal(
		read_text("[Service]\nExecStart=/bin/x\nX-Initkit-Confine=full-apivfs\n"
			  "X-Initkit-ConfinePaths=/etc/x /etc/y\nX-Initkit-ConfinePresets=nss\n"
			  "X-Initkit-ConfineCredential=a:/etc/a\n"
			  "X-Initkit-ConfinePaths=\nX-Initkit-ConfinePaths=/etc/z\n"
			  "X-Initkit-ConfinePresets=\nX-Initkit-ConfinePresets=dns\n"
			  "X-Initkit-ConfineCredential=\n",
			  &c, &r, err),
		1);
	assert_int_equal(r.n_paths, 1);
	assert_string_equal(r.paths[0], "/etc/z");
	assert_int_equal(r.presets, PRESET_DNS);
	assert_int_equal(r.n_creds, 0);
	confine_request_free(&r);
	unit_conf_free(&c);
	/* nothing asked */
	assert_int_equal(read_text("[Service]\nExecStart=/bin/x\n", &c, &r, err), 0);
	confine_request_free(&r);
	unit_conf_free(&c);
}

static char *dropin(const char *text, int rootfd)
{
	struct unit_conf c;
	struct confine_request r;
	char err[1024] = "";
	struct closure cl;
	char *out = NULL;
	size_t len;
	assert_int_equal(read_text(text, &c, &r, err), 1);
	closure_init(&cl, rootfd);
	if (r.mode != CONFINE_NONE && confine_closure(&r, &cl) < 0)
		fail_msg("closure: %s", cl.error);
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(
		confine_dropin(&r, &c, &cl, "u.service", "/etc/systemd/system/u.service", f), 0);
	fclose(f);
	closure_free(&cl);
	confine_request_free(&r);
	unit_conf_free(&c);
	return out;
}

static void test_dropin(void **state)
{
	(void)state;
	struct closure cl_;
	char dir[64];
	int rootfd = fx_root(dir);
	fx_elf_file(rootfd, "/lib64/ld.so", NULL, NULL, NULL, NULL);
	static const char *const needs[] = {"libc.so.6", NULL};
	fx_elf_file(rootfd, "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld.so", NULL, NULL,
		    NULL);
	fx_elf_file(rootfd, "/usr/bin/dash", "/lib64/ld.so", needs, NULL, NULL);
	fx_link(rootfd, "/bin/sh", "/usr/bin/dash");
	fx_elf_file(rootfd, "/usr/sbin/d", "/lib64/ld.so", needs, NULL, NULL);
	fx_text(rootfd, "/etc/resolv.conf", "nameserver 10.0.2.3\n");
	char *t = dropin("[Service]\nExecStart=d\nProtectSystem=full\nUser=svc\n"
			 "X-Initkit-Confine=full-apivfs\nX-Initkit-ConfinePresets=dns\n"
			 "X-Initkit-ConfineCredential=tok:/etc/token\nX-Initkit-Harden=strict\n"
			 "PrivateUsers=no\n",
			 rootfd);
	static const char *const want[] = {
		"RuntimeDirectory=initkit/confine/%n\n",
		"RootDirectory=/run/initkit/confine/%n\n",
		"InaccessiblePaths=-+/run/initkit/confine/%n\n",
		"ReadOnlyPaths=+/\n",
		"MountAPIVFS=yes\n",
		"BindReadOnlyPaths=/usr/sbin/d\n", /* found in systemd's search path */
		"BindReadOnlyPaths=/bin/sh\n",
		"BindReadOnlyPaths=/usr/bin/dash\n",
		"BindReadOnlyPaths=/usr/lib/x86_64-linux-gnu/libc.so.6\n",
		"BindReadOnlyPaths=/etc/resolv.conf\n",
		"LoadCredential=tok:/etc/token\n",
		"# ProtectSystem: left as /etc/systemd/system/u.service:3 sets it\n",
		"# PrivateUsers: left as /etc/systemd/system/u.service:9 sets it\n",
		"# DynamicUser: left as the unit sets User= or DynamicUser=\n",
		"SystemCallFilter=@system-service\n",
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(t, want[i]))
			fail_msg("missing '%s' in:\n%s", want[i], t);
	assert_null(strstr(t, "ProtectSystem=strict"));
	assert_null(strstr(t, "PrivateNetwork"));
	free(t);
	/* strict-offline cuts the network; chroot-only has no API file systems; a shell of
	 * one's own is bound at /bin/sh */
	t = dropin("[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Confine=chroot-only\n"
		   "X-Initkit-ConfineBinSh=/usr/bin/dash\nX-Initkit-Harden=strict-offline\n",
		   rootfd);
	assert_non_null(strstr(t, "PrivateNetwork=yes\n"));
	assert_non_null(strstr(t, "RestrictAddressFamilies=AF_UNIX\n"));
	assert_non_null(strstr(t, "MountAPIVFS=no\n"));
	assert_non_null(strstr(t, "BindReadOnlyPaths=/usr/bin/dash:/bin/sh\n"));
	free(t);
	/* ... also when a #!/bin/sh script needs /bin/sh: one mount on /bin/sh, the chosen one */
	fx_write(rootfd, "/usr/sbin/script", "#!/bin/sh\n", 10, 0755);
	fx_elf_file(rootfd, "/usr/bin/bash", "/lib64/ld.so", needs, NULL, NULL);
	t = dropin("[Service]\nExecStart=/usr/sbin/script\nX-Initkit-Confine=chroot-only\n"
		   "X-Initkit-ConfineBinSh=/usr/bin/bash\n",
		   rootfd);
	assert_non_null(strstr(t, "BindReadOnlyPaths=/usr/bin/bash:/bin/sh\n"));
	assert_null(strstr(t, "BindReadOnlyPaths=/bin/sh\n"));
	free(t);
	t = dropin("[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Confine=chroot-only\n"
		   "X-Initkit-ConfineBinSh=/usr/bin/dash\nX-Initkit-Harden=strict-offline\n",
		   rootfd);
	assert_non_null(strstr(t, "DynamicUser=yes\n"));
	assert_null(strstr(t, "PrivateTmp=yes\nPrivateTmp")); /* each key once */
	free(t);
	/* a credential's source under a bound directory would be visible inside: refused */
	fx_text(rootfd, "/etc/d/token", "secret\n");
	fx_text(rootfd, "/etc/d/d.conf", "x\n");
	static const struct {
		const char *text, *err;
	} visible[] = {
		{"[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Confine=full-apivfs\n"
		 "X-Initkit-ConfinePaths=/etc/d\nX-Initkit-ConfineCredential=tok:/etc/d/token\n",
		 "X-Initkit-ConfineCredential=tok:/etc/d/token: /etc/d/token would be visible "
		 "inside the root (/etc/d is bound: X-Initkit-ConfinePaths)"},
		{"[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Confine=full-apivfs\n"
		 "X-Initkit-ConfinePaths=/etc/d/token\nX-Initkit-ConfineCredential=tok:/etc/d/"
		 "token\n",
		 "X-Initkit-ConfineCredential=tok:/etc/d/token: /etc/d/token would be visible "
		 "inside the root (/etc/d/token is bound: X-Initkit-ConfinePaths)"},
		{"[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Confine=full-apivfs\n"
		 "X-Initkit-ConfinePaths=-/etc/d\nX-Initkit-ConfineCredential=tok:/etc/d/token\n",
		 "X-Initkit-ConfineCredential=tok:/etc/d/token: /etc/d/token would be visible "
		 "inside the root (/etc/d is bound: X-Initkit-ConfinePaths)"},
	};
	for (size_t i = 0; i < sizeof(visible) / sizeof(visible[0]); i++) {
		struct unit_conf c;
		struct confine_request r;
		char err[1024] = "";
		assert_int_equal(read_text(visible[i].text, &c, &r, err), 1);
		closure_init(&cl_, rootfd);
		assert_int_equal(confine_closure(&r, &cl_), -EINVAL);
		if (strcmp(cl_.error, visible[i].err))
			fail_msg("case %zu: '%s'\n  expected '%s'", i, cl_.error, visible[i].err);
		closure_free(&cl_);
		confine_request_free(&r);
		unit_conf_free(&c);
	}
	/* an executable whose path BindReadOnlyPaths= would split or expand is refused */
	fx_elf_file(rootfd, "/opt/my app/d", "/lib64/ld.so", needs, NULL, NULL);
	fx_elf_file(rootfd, "/opt/a:b/d", "/lib64/ld.so", needs, NULL, NULL);
	static const struct {
		const char *text, *err;
	} unbindable[] = {
		{"[Service]\nExecStart=\"/opt/my app/d\" x\nX-Initkit-Confine=full-apivfs\n",
		 "'/opt/my app/d' (executable (/opt/my app/d)) cannot be given to "
		 "BindReadOnlyPaths= (blank, control character, ':', '%', quote or backslash)"},
		{"[Service]\nExecStart=/opt/a:b/d\nX-Initkit-Confine=full-apivfs\n",
		 "'/opt/a:b/d' (executable (/opt/a:b/d)) cannot be given to "
		 "BindReadOnlyPaths= (blank, control character, ':', '%', quote or backslash)"},
	};
	for (size_t i = 0; i < sizeof(unbindable) / sizeof(unbindable[0]); i++) {
		struct unit_conf c;
		struct confine_request r;
		char err[1024] = "";
		assert_int_equal(read_text(unbindable[i].text, &c, &r, err), 1);
		closure_init(&cl_, rootfd);
		assert_int_equal(confine_closure(&r, &cl_), -EINVAL);
		if (strcmp(cl_.error, unbindable[i].err))
			fail_msg("case %zu: '%s'\n  expected '%s'", i, cl_.error,
				 unbindable[i].err);
		closure_free(&cl_);
		confine_request_free(&r);
		unit_conf_free(&c);
	}
	/* ... a sibling of the same prefix is not under it */
	fx_text(rootfd, "/etc/d2", "x\n");
	t = dropin("[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Confine=full-apivfs\n"
		   "X-Initkit-ConfinePaths=/etc/d2\nX-Initkit-ConfineCredential=tok:/etc/d/token\n",
		   rootfd);
	assert_non_null(strstr(t, "LoadCredential=tok:/etc/d/token\n"));
	free(t);
	/* hardening alone: no root */
	t = dropin("[Service]\nExecStart=/usr/sbin/d\nX-Initkit-Harden=strict\n", rootfd);
	assert_null(strstr(t, "RootDirectory"));
	assert_non_null(strstr(t, "ProtectSystem=strict\n"));
	free(t);
	fx_cleanup(rootfd, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_dropin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
