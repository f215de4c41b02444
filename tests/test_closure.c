/* The runtime closure (stage2/closure.c): real Debian binaries of the host, and crafted trees
 * for PT_INTERP, $ORIGIN/RUNPATH/RPATH, ld.so.conf includes, glibc-hwcaps, incompatible
 * libraries, loops, #! chains, links and missing libraries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "../stage2/closure.h"
#include "confine_fixture.h"

static const struct closure_entry *get(const struct closure *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, path))
			return &c->v[i];
	return NULL;
}

#define assert_in(c, path)                                                                         \
	do {                                                                                       \
		if (!get(c, path))                                                                 \
			fail_msg("%s is not in the closure", path);                                \
	} while (0)

static void test_real_debian(void **state)
{
	(void)state;
	int rootfd = open("/", O_RDONLY | O_DIRECTORY);
	struct closure c;
	closure_init(&c, rootfd);
	if (access("/usr/bin/ls", X_OK) != 0)
		skip();
	assert_int_equal(closure_add(&c, "/usr/bin/ls", "test"), 0);
	assert_in(&c, "/usr/bin/ls");
	assert_in(&c, "/lib64/ld-linux-x86-64.so.2");
	/* merged /usr: the links on the way are kept as links, their targets added */
	const struct closure_entry *e = get(&c, "/lib64/ld-linux-x86-64.so.2");
	assert_int_equal(e->kind, CLOSURE_LINK);
	assert_true(e->bind);
	bool libc = false, pcre = false;
	for (size_t i = 0; i < c.n; i++) {
		libc |= strstr(c.v[i].path, "/libc.so.6") && c.v[i].kind == CLOSURE_FILE;
		pcre |= strstr(c.v[i].path, "libpcre2-8.so") != NULL; /* libselinux's need */
	}
	assert_true(libc && pcre);
	/* a #! script: /usr/bin/ldd is a bash script in Debian */
	if (access("/usr/bin/ldd", F_OK) == 0) {
		assert_int_equal(closure_add(&c, "/usr/bin/ldd", "test"), 0);
		bool bash = false;
		for (size_t i = 0; i < c.n; i++)
			bash |= strstr(c.v[i].reason, "#! interpreter of /usr/bin/ldd") != NULL;
		assert_true(bash);
	}
	closure_free(&c);
	close(rootfd);
}

static void crafted_tree(int rootfd)
{
	static const char *const prog_needs[] = {"liba.so.1", "libconf.so", "libr.so", NULL};
	static const char *const a_needs[] = {"libb.so", "libchain.so", NULL};
	static const char *const b_needs[] = {"liba.so.1", NULL}; /* a loop */
	fx_elf_file(rootfd, "/lib/ld.so", NULL, NULL, NULL, NULL);
	fx_elf_file(rootfd, "/opt/app/bin/prog", "/lib/ld.so", prog_needs, "$ORIGIN/../lib", NULL);
	fx_elf_file(rootfd, "/opt/app/lib/liba.so.1.0", NULL, a_needs, NULL, NULL);
	fx_link(rootfd, "/opt/app/lib/liba.so.1", "liba.so.1.0");
	fx_elf_file(rootfd, "/lib/x86_64-linux-gnu/libb.so", NULL, b_needs, NULL, NULL);
	fx_elf_file(rootfd, "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libb.so", NULL, b_needs,
		    NULL, NULL);
	/* libchain.so: only through prog's... no: through liba's loader chain is not possible
	 * with RUNPATH (RUNPATH is not inherited); it is in a default directory */
	fx_elf_file(rootfd, "/usr/lib/x86_64-linux-gnu/libchain.so", NULL, NULL, NULL, NULL);
	fx_text(rootfd, "/etc/ld.so.conf", "# comment\ninclude ld.so.conf.d/*.conf\n");
	fx_text(rootfd, "/etc/ld.so.conf.d/app.conf", "/opt/conf/lib\n");
	fx_elf_file(rootfd, "/opt/conf/lib/libconf.so", NULL, NULL, NULL, NULL);
	/* a 32-bit libr.so comes first in the search, the loader skips it */
	uint8_t buf[4096];
	size_t n = fx_elf(buf, sizeof(buf), NULL, NULL, NULL, NULL, true);
	fx_write(rootfd, "/opt/conf/lib/libr.so", buf, n, 0755);
	fx_elf_file(rootfd, "/usr/lib/libr.so", NULL, NULL, NULL, NULL);
	fx_text(rootfd, "/opt/app/bin/script", "#!/opt/app/bin/wrapper -x\necho\n");
	chmod("/dev/null", 0666);
	fx_write(rootfd, "/opt/app/bin/wrapper", "#!/opt/app/bin/prog\n", 20, 0755);
	fx_write(rootfd, "/opt/app/bin/script", "#!/opt/app/bin/wrapper -x\n", 26, 0755);
}

static void test_crafted(void **state)
{
	(void)state;
	char dir[64];
	int rootfd = fx_root(dir);
	crafted_tree(rootfd);
	struct closure c;
	closure_init(&c, rootfd);
	int r = closure_add(&c, "/opt/app/bin/script", "test");
	if (r < 0)
		fail_msg("closure: %s", c.error);
	assert_in(&c, "/opt/app/bin/wrapper");	   /* #! of the script */
	assert_in(&c, "/opt/app/bin/prog");	   /* #! of the wrapper */
	assert_in(&c, "/lib/ld.so");		   /* PT_INTERP */
	assert_in(&c, "/opt/app/lib/liba.so.1.0"); /* $ORIGIN/../lib, through a link */
	assert_int_equal(get(&c, "/opt/app/lib/liba.so.1")->kind, CLOSURE_LINK);
	assert_string_equal(get(&c, "/opt/app/lib/liba.so.1")->target, "liba.so.1.0");
	assert_in(&c, "/lib/x86_64-linux-gnu/libb.so"); /* default multiarch directory */
	assert_in(&c, "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libb.so");
	assert_in(&c, "/usr/lib/x86_64-linux-gnu/libchain.so");
	assert_in(&c, "/opt/conf/lib/libconf.so");     /* ld.so.conf include */
	assert_in(&c, "/usr/lib/libr.so");	       /* the compatible one */
	assert_null(get(&c, "/opt/conf/lib/libr.so")); /* the 32-bit one is skipped */
	assert_non_null(strstr(get(&c, "/opt/conf/lib/libconf.so")->reason,
			       "needed by /opt/app/bin/prog (DT_NEEDED libconf.so)"));
	closure_free(&c);
	fx_cleanup(rootfd, dir);
}

static void test_rpath_rules(void **state)
{
	(void)state;
	char dir[64];
	int rootfd = fx_root(dir);
	static const char *const prog_needs[] = {"liba.so", NULL};
	static const char *const a_needs[] = {"libr.so", NULL};
	/* RPATH of the executable serves its libraries too (liba has neither) */
	fx_elf_file(rootfd, "/bin/prog", NULL, prog_needs, NULL, "/opt/r:$ORIGIN/../a");
	fx_elf_file(rootfd, "/a/liba.so", NULL, a_needs, NULL, NULL);
	fx_elf_file(rootfd, "/opt/r/libr.so", NULL, NULL, NULL, NULL);
	struct closure c;
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/bin/prog", "test"), 0);
	assert_in(&c, "/opt/r/libr.so");
	closure_free(&c);
	/* with DT_RUNPATH, DT_RPATH is ignored */
	fx_elf_file(rootfd, "/bin/prog2", NULL, prog_needs, "/nowhere", "/a");
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/bin/prog2", "test"), -ENOENT);
	assert_string_equal(c.error,
			    "liba.so, needed by /bin/prog2, not found (searched "
			    "DT_RUNPATH /nowhere, ld.so.conf and the default directories)");
	closure_free(&c);
	fx_cleanup(rootfd, dir);
}

static void test_missing(void **state)
{
	(void)state;
	char dir[64];
	int rootfd = fx_root(dir);
	static const char *const needs[] = {"libgone.so.3", NULL};
	fx_elf_file(rootfd, "/lib/x86_64-linux-gnu/libmid.so", NULL, needs, NULL, NULL);
	static const char *const prog_needs[] = {"libmid.so", NULL};
	fx_elf_file(rootfd, "/usr/bin/prog", NULL, prog_needs, NULL, NULL);
	struct closure c;
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/usr/bin/prog", "test"), -ENOENT);
	/* names the library and the object that needs it */
	assert_string_equal(c.error, "libgone.so.3, needed by /lib/x86_64-linux-gnu/libmid.so, "
				     "not found (searched ld.so.conf and the default directories)");
	closure_free(&c);
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/usr/bin/nothing", "executable"), -ENOENT);
	assert_string_equal(c.error, "/usr/bin/nothing: No such file or directory (executable)");
	closure_free(&c);
	/* a link loop */
	fx_link(rootfd, "/bin/l1", "l2");
	fx_link(rootfd, "/bin/l2", "l1");
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/bin/l1", "test"), -ELOOP);
	closure_free(&c);
	/* "#!/usr/bin/env PROG": PROG (found in the services' PATH) and its closure come too;
	 * a PROG that is nowhere is an error naming it and the script */
	fx_elf_file(rootfd, "/usr/bin/env", NULL, NULL, NULL, NULL);
	fx_elf_file(rootfd, "/usr/bin/python3", NULL, prog_needs, NULL, NULL);
	fx_link(rootfd, "/usr/local/bin/python3", "/usr/bin/python3"); /* found first */
	fx_write(rootfd, "/usr/bin/tool", "#!/usr/bin/env -S python3 -u\n", 29, 0755);
	fx_write(rootfd, "/usr/bin/tool2", "#! /usr/bin/env  python3\n", 25, 0755);
	fx_write(rootfd, "/usr/bin/tool3", "#!/usr/bin/env ruby\n", 20, 0755);
	fx_write(rootfd, "/usr/bin/tool4", "#!/usr/bin/env -i python3\n", 26, 0755);
	fx_elf_file(rootfd, "/lib/x86_64-linux-gnu/libgone.so.3", NULL, NULL, NULL, NULL);
	for (int i = 0; i < 2; i++) {
		closure_init(&c, rootfd);
		assert_int_equal(closure_add(&c, i ? "/usr/bin/tool2" : "/usr/bin/tool", "test"),
				 0);
		bool py = false, lib = false, link = false;
		for (size_t j = 0; j < c.n; j++) {
			py |= !strcmp(c.v[j].path, "/usr/bin/python3");
			link |= !strcmp(c.v[j].path, "/usr/local/bin/python3") && c.v[j].bind;
			lib |= !strcmp(c.v[j].path, "/lib/x86_64-linux-gnu/libmid.so");
		}
		assert_true(py && lib && link);
		closure_free(&c);
	}
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/usr/bin/tool3", "test"), -ENOENT);
	assert_string_equal(c.error, "/usr/bin/tool3: #!/usr/bin/env ruby: ruby not found in "
				     "/usr/local/sbin, /usr/local/bin, /usr/sbin, /usr/bin, "
				     "/sbin or /bin");
	closure_free(&c);
	closure_init(&c, rootfd);
	assert_int_equal(closure_add(&c, "/usr/bin/tool4", "test"), -ENOEXEC);
	assert_string_equal(c.error, "/usr/bin/tool4: #!/usr/bin/env -i: only -S is understood");
	closure_free(&c);
	/* an optional path that is missing is no error */
	closure_init(&c, rootfd);
	assert_int_equal(closure_add_optional(&c, "/etc/nothing", "preset"), 0);
	assert_int_equal(c.n, 0);
	closure_free(&c);
	fx_cleanup(rootfd, dir);
}

static void test_directory_and_cache(void **state)
{
	(void)state;
	char dir[64];
	int rootfd = fx_root(dir);
	crafted_tree(rootfd);
	/* a directory: bound whole, the programs inside bring what they need */
	static const char *const needs[] = {"libchain.so", NULL};
	fx_elf_file(rootfd, "/srv/app/bin/tool", NULL, needs, NULL, NULL);
	fx_text(rootfd, "/srv/app/data/readme", "not a program\n");
	struct closure_cache *cache = closure_cache_new();
	size_t n[2];
	for (int pass = 0; pass < 2; pass++) {
		struct closure c;
		closure_init(&c, rootfd);
		c.cache = pass ? cache : NULL;
		int r = closure_add(&c, "/srv/app", "test");
		if (r < 0)
			fail_msg("closure: %s", c.error);
		assert_int_equal(get(&c, "/srv/app")->kind, CLOSURE_DIR);
		assert_in(&c, "/usr/lib/x86_64-linux-gnu/libchain.so");
		assert_null(get(&c, "/srv/app/data/readme")); /* inside the bound directory */
		assert_int_equal(closure_add(&c, "/opt/app/bin/script", "test"), 0);
		n[pass] = c.n;
		closure_free(&c);
		assert_true(!pass || c.cache == cache); /* the cache outlives a closure */
	}
	/* the same closure with and without the cache of library probes */
	assert_int_equal(n[0], n[1]);
	assert_true(cache->n > 0);
	closure_cache_free(cache);
	fx_cleanup(rootfd, dir);
}

static int collect(const char *d, void *data)
{
	char *out = data;
	strcat(out, d);
	strcat(out, ";");
	return 0;
}

static int collect_inc(const char *p, void *data)
{
	char *out = data;
	strcat(out, "inc:");
	strcat(out, p);
	strcat(out, ";");
	return 0;
}

static void test_ldconf_and_dst(void **state)
{
	(void)state;
	char out[512] = "";
	assert_int_equal(ldconf_parse("# x\n/usr/local/lib # trailing\n  include /etc/a/*.conf "
				      "b.conf\nhwcap 0 nosegneg\n/a:/b,/c\n/old=libc5\nrelative\n",
				      collect, collect_inc, out),
			 0);
	assert_string_equal(out, "/usr/local/lib;inc:/etc/a/*.conf;inc:b.conf;/a;/b;/c;/old;");
	char buf[256];
	assert_int_equal(closure_expand_dst("$ORIGIN/../lib:${ORIGIN}x/$LIB/$PLATFORM", "/o",
					    "lib/x86_64-linux-gnu", "x86_64", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/o/../lib:/ox/lib/x86_64-linux-gnu/x86_64");
	assert_int_equal(closure_expand_dst("$ORIGINAL", "/o", "l", "p", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "$ORIGINAL");
	assert_string_equal(closure_multiarch(EM_X86_64, true), "x86_64-linux-gnu");
	assert_string_equal(closure_multiarch(EM_AARCH64, true), "aarch64-linux-gnu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_debian),    cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_rpath_rules),    cmocka_unit_test(test_missing),
		cmocka_unit_test(test_ldconf_and_dst), cmocka_unit_test(test_directory_and_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
