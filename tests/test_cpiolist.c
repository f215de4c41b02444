/* Tests for initrd/mkimage/cpiolist.c: gen_init_cpio lists → entries (rendered one line each) and
 * errors (line number + the offending line). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../initrd/mkimage/cpio.h"
#include "../initrd/mkimage/cpiolist.h"
#include "newc_field.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const char *type_name(enum cpiolist_type t)
{
	static const char *const names[] = {"file", "dir", "nod", "slink", "pipe", "sock"};
	return names[t];
}

/* "type name [location] mode(octal, with type bits) uid gid [maj:min] [links=a,b]" */
static void render(const struct cpiolist *l, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < l->n_entries && o < size; i++) {
		const struct cpiolist_entry *e = &l->entries[i];
		o += (size_t)snprintf(buf + o, size - o, "%s%s %s%s%s %o %u %u", i ? "; " : "",
				      type_name(e->type), e->name, e->location ? " " : "",
				      e->location ? e->location : "", (unsigned)e->mode,
				      (unsigned)e->uid, (unsigned)e->gid);
		if (e->type == CPIOLIST_NOD && o < size)
			o += (size_t)snprintf(buf + o, size - o, " %u:%u", e->rmajor, e->rminor);
		for (size_t k = 0; k < e->n_links && o < size; k++)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
					      k ? "," : " links=", e->links[k]);
	}
}

static const char *lookup(const char *name, void *userdata)
{
	(void)userdata;
	if (strcmp(name, "KDIR") == 0)
		return "/usr/src/linux";
	if (strcmp(name, "SELF") == 0)
		return "${SELF}";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

struct list_case {
	const char *name;
	const char *text;
	const char *entries;
	const char *errors[4]; /* substrings, in order; all errors must be matched */
};

static const struct list_case cases[] = {
	{"kernel usage example",
	 "# A simple initramfs\n"
	 "dir /dev 0755 0 0\n"
	 "nod /dev/console 0600 0 0 c 5 1\n"
	 "dir /root 0700 0 0\n"
	 "dir /sbin 0755 0 0\n"
	 "file /sbin/kinit /usr/src/klibc/kinit/kinit 0755 0 0\n",
	 "dir /dev 40755 0 0; nod /dev/console 20600 0 0 5:1; dir /root 40700 0 0; "
	 "dir /sbin 40755 0 0; file /sbin/kinit /usr/src/klibc/kinit/kinit 100755 0 0"},
	{"slink pipe sock block device",
	 "slink /bin/sh busybox 0777 0 0\npipe /run/fifo 0600 0 0\nsock /run/s 0660 0 5\n"
	 "nod /dev/vda 0660 0 6 b 254 0",
	 "slink /bin/sh busybox 120777 0 0; pipe /run/fifo 10600 0 0; sock /run/s 140660 0 5; "
	 "nod /dev/vda 60660 0 6 254:0"},
	{"hard links", "file /bin/a /build/a 0755 0 0 /bin/b /bin/c\n",
	 "file /bin/a /build/a 100755 0 0 links=/bin/b,/bin/c"},
	{"tabs, blank lines, trailing blanks, CRLF",
	 "\n\t\ndir\t/etc\t0755\t0\t0  \r\n   \nslink /x y 0777 0 0\r\n",
	 "dir /etc 40755 0 0; slink /x y 120777 0 0"},
	{"setuid and sticky bits", "file /bin/su /b/su 4755 0 0\ndir /tmp 1777 0 0",
	 "file /bin/su /b/su 104755 0 0; dir /tmp 41777 0 0"},
	{"variable expansion in location",
	 "file /lib/m.ko ${KDIR}/m.ko 0644 0 0\nfile /x ${KDIR}${UNSET}/x 0644 0 0\n"
	 "file /y pre${KDIR 0644 0 0\nslink /l ${KDIR} 0777 0 0",
	 "file /lib/m.ko /usr/src/linux/m.ko 100644 0 0; file /x /usr/src/linux/x 100644 0 0; "
	 "file /y pre${KDIR 100644 0 0; slink /l ${KDIR} 120777 0 0"},
	{"a comment only when # is first",
	 "  # not a comment\n#dir /x 0755 0 0\n",
	 "",
	 {"cpio.list:1: unknown type '#' (file, dir, nod, slink, pipe, sock): '  # not a "
	  "comment'"}},
	{"unknown type",
	 "dir /a 0755 0 0\nlink /b /a 0777 0 0\ndir /c 0755 0 0\n",
	 "dir /a 40755 0 0; dir /c 40755 0 0",
	 {"cpio.list:2: unknown type 'link' (file, dir, nod, slink, pipe, sock): 'link /b /a "
	  "0777 0 0'"}},
	{"field counts",
	 "dir /a 0755 0\nfile /b /src 0644 0\nnod /c 0600 0 0 c 5\nslink /d e 0777 0 0 extra",
	 "",
	 {"cpio.list:1: 'dir' takes 4 fields after the type, found 3: 'dir /a 0755 0'",
	  "cpio.list:2: 'file' takes at least 5 fields after the type, found 4",
	  "cpio.list:3: 'nod' takes 7 fields", "cpio.list:4: 'slink' takes 5 fields"}},
	{"bad numbers",
	 "dir /a 0758 0 0\ndir /b 0755x 0 0\ndir /c 0755 -1 0\ndir /d 17777 0 0",
	 "",
	 {"cpio.list:1: mode '0758' is not octal", "cpio.list:2: mode '0755x'",
	  "cpio.list:3: uid/gid '-1 0' are not non-negative numbers", "cpio.list:4: mode '17777'"}},
	{"bad device",
	 "nod /dev/x 0600 0 0 x 1 2\nnod /dev/y 0600 0 0 c one 2",
	 "",
	 {"cpio.list:1: device type 'x' is neither b nor c",
	  "cpio.list:2: major/minor 'one 2' are not numbers"}},
	{"empty location after expansion",
	 "file /e ${UNSET} 0644 0 0\nfile /f ${EMPTY} 0644 0 0",
	 "",
	 {"cpio.list:1: location '${UNSET}' is empty", "cpio.list:2: location '${EMPTY}'"}},
	{"self-referencing variable",
	 "file /s ${SELF} 0644 0 0",
	 "",
	 {"cpio.list:1: variable expansion in '${SELF}' does not end"}},
	/* init/initramfs.c maybe_link() unlinks an existing name before linking it: a link
	 * under the file's own name, in any spelling, deletes the file at boot. */
	{"names normalised: leading /, //, ./, /./, trailing /",
	 "dir .//etc/./x/ 0755 0 0\nfile t/a /s 0644 0 0 //t/b ./t/c\nslink ./l y 0777 0 0",
	 "dir /etc/x 40755 0 0; file /t/a /s 100644 0 0 links=/t/b,/t/c; slink /l y 120777 0 0"},
	{"hard link under the file's own name, any spelling",
	 "file /t/a /s 0755 0 0 /t/a\nfile /t/a /s 0755 0 0 t/a\n"
	 "file t/a /s 0755 0 0 //t/a\nfile /t/a /s 0755 0 0 /t/b ./t/a",
	 "",
	 {"cpio.list:1: hard link '/t/a' is the file's own name '/t/a' (the kernel would unlink",
	  "cpio.list:2: hard link 't/a' is the file's own name '/t/a'",
	  "cpio.list:3: hard link '//t/a' is the file's own name '/t/a'",
	  "cpio.list:4: hard link './t/a' is the file's own name '/t/a'"}},
	{"hard link given twice, '..' and the root as names",
	 "file /t/a /s 0755 0 0 /t/b t/b\ndir /x/../etc 0755 0 0\nfile /t/a /s 0755 0 0 /.\n"
	 "dir ./ 0755 0 0",
	 "",
	 {"cpio.list:1: hard link 't/b' is given twice",
	  "cpio.list:2: name '/x/../etc' has a '..' component",
	  "cpio.list:3: hard link '/.' is the root",
	  "cpio.list:4: name './' is empty or the root"}},
	/* chown(2) with (uid_t)-1 changes nothing: the entry would stay root's (setuid root). */
	{"uid/gid 4294967295 refused, 4294967294 accepted",
	 "file /b /s 04755 4294967295 4294967295\ndir /d 0755 0 4294967295\n"
	 "dir /e 0755 4294967294 4294967294",
	 "dir /e 40755 4294967294 4294967294",
	 {"cpio.list:1: uid/gid '4294967295 4294967295': 4294967295 is (uid_t)-1, which the "
	  "kernel's chown() takes as 'no change'",
	  "cpio.list:2: uid/gid '0 4294967295': 4294967295 is (uid_t)-1"}},
	{"root and NUL",
	 "dir / 0755 0 0\ndir /a\0b 0755 0 0",
	 "",
	 {"cpio.list:1: name '/' is empty or the root", "cpio.list:2: NUL byte in line"}},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct list_case *c = &cases[i];
		struct cpiolist l = {0};
		/* the NUL case passes its full literal length */
		size_t len = strlen(c->text);
		if (strstr(c->name, "NUL"))
			len += 1 + strlen(c->text + len + 1);
		if (cpiolist_parse(c->text, len, "cpio.list", lookup, NULL, &l) != 0)
			fail_msg("case '%s': cpiolist_parse failed", c->name);
		char got[2048];
		render(&l, got, sizeof(got));
		if (strcmp(got, c->entries) != 0)
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", c->name, c->entries,
				 got);
		size_t n_want = 0;
		while (n_want < 4 && c->errors[n_want])
			n_want++;
		char all[2048] = "";
		for (size_t k = 0, o = 0; k < l.n_errors && o < sizeof(all); k++)
			o += (size_t)snprintf(all + o, sizeof(all) - o, "\n  %s",
					      l.errors[k].message);
		if (l.n_errors != n_want)
			fail_msg("case '%s': expected %zu errors, got %zu:%s", c->name, n_want,
				 l.n_errors, all);
		for (size_t k = 0; k < n_want; k++)
			if (!strstr(l.errors[k].message, c->errors[k]))
				fail_msg("case '%s': error %zu should contain \"%s\":%s", c->name,
					 k, c->errors[k], all);
		cpiolist_free(&l);
	}
}

/* The entry's fields go straight into cpio_write_entry: the archive carries the type bits,
 * ids and device numbers as listed. */
static void test_maps_onto_cpio(void **state)
{
	(void)state;
	const char *text = "nod /dev/console 0600 0 5 c 5 1\nslink /bin/sh busybox 0777 0 0\n";
	struct cpiolist l = {0};
	assert_int_equal(cpiolist_parse(text, strlen(text), NULL, NULL, NULL, &l), 0);
	assert_int_equal(l.n_entries, 2);
	struct cpio c;
	cpio_init(&c, 0);
	const struct cpiolist_entry *e = &l.entries[0];
	assert_int_equal(cpio_write_entry(&c, e->name, e->mode, e->uid, e->gid, NULL, 0, e->rmajor,
					  e->rminor),
			 0);
	assert_newc_field(c.buf, NEWC_MODE, "00002180");
	assert_newc_field(c.buf, NEWC_GID, "00000005");
	assert_newc_field(c.buf, NEWC_RDEVMAJOR, "00000005");
	assert_newc_field(c.buf, NEWC_RDEVMINOR, "00000001");
	assert_string_equal((char *)c.buf + 110, "dev/console");
	e = &l.entries[1];
	assert_int_equal(cpio_write_entry(&c, e->name, e->mode, e->uid, e->gid, e->location,
					  strlen(e->location), 0, 0),
			 0);
	cpio_free(&c);
	cpiolist_free(&l);
}

/* A list's file keeps its uid/gid and its hard links share one inode in the archive
 * (gen_init_cpio: "file /bin/tool data 04755 1000 1000 /bin/alias"). */
static void test_file_owner_and_links(void **state)
{
	(void)state;
	const char *text = "file /bin/tool /src/tool 04755 1000 1001 /bin/alias\n";
	struct cpiolist l = {0};
	assert_int_equal(cpiolist_parse(text, strlen(text), NULL, NULL, NULL, &l), 0);
	assert_int_equal(l.n_entries, 1);
	const struct cpiolist_entry *e = &l.entries[0];
	const char *names[] = {e->name, e->links[0]};
	struct cpio c;
	cpio_init(&c, 0);
	assert_int_equal(
		cpio_write_file_links(&c, names, 1 + e->n_links, e->mode, e->uid, e->gid, "elf", 3),
		0);
	assert_newc_field(c.buf, NEWC_MODE, "000089ED");
	assert_newc_field(c.buf, NEWC_UID, "000003E8");
	assert_newc_field(c.buf, NEWC_GID, "000003E9");
	assert_newc_field(c.buf, NEWC_NLINK, "00000002");
	assert_newc_field(c.buf, NEWC_FILESIZE, "00000000"); /* data goes on the last name */
	/* second header: same inode, the data */
	size_t second = 116 + 4; /* "bin/tool\0" (9) -> 110+9 padded to 120 */
	assert_memory_equal(c.buf + second, "070701", 6);
	assert_memory_equal(c.buf + second + NEWC_INO, c.buf + NEWC_INO, 8);
	assert_newc_field(c.buf + second, NEWC_FILESIZE, "00000003");
	cpio_free(&c);
	cpiolist_free(&l);
}

/* Without a lookup function, ${VAR} comes from the environment, like the kernel's tool. */
static void test_environment(void **state)
{
	(void)state;
	setenv("CPIOLIST_TEST_DIR", "/opt/x", 1);
	const char *text = "file /a ${CPIOLIST_TEST_DIR}/a 0644 0 0";
	struct cpiolist l = {0};
	assert_int_equal(cpiolist_parse(text, strlen(text), NULL, NULL, NULL, &l), 0);
	assert_int_equal(l.n_entries, 1);
	assert_string_equal(l.entries[0].location, "/opt/x/a");
	assert_int_equal(l.entries[0].line, 1);
	cpiolist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_maps_onto_cpio),
		cmocka_unit_test(test_file_owner_and_links),
		cmocka_unit_test(test_environment),
	};
	return cmocka_run_group_tests_name("cpiolist", tests, NULL, NULL);
}
