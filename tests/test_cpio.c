#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../initrd/mkimage/cpio.h"
#include "newc_field.h"

static void test_header_layout(void **state)
{
	(void)state;
	struct cpio c;
	cpio_init(&c, 1700000000);
	assert_int_equal(cpio_write_file(&c, "/init", 0755, "abc", 3), 0);
	/* 110-byte header + "init\0" (5) padded to 4 => 116, then 3 data bytes padded => 120 */
	assert_int_equal(c.len, 120);
	assert_memory_equal(c.buf, "070701", 6);
	assert_newc_field(c.buf, NEWC_MODE, "000081ED");
	assert_newc_field(c.buf, NEWC_MTIME, "6553F100");
	assert_newc_field(c.buf, NEWC_FILESIZE, "00000003");
	assert_string_equal((char *)c.buf + 110, "init");
	assert_memory_equal(c.buf + 116, "abc", 3);
	assert_int_equal(cpio_finish(&c), 0);
	assert_int_equal(c.len % 512, 0);
	cpio_free(&c);
}

static void test_reproducible(void **state)
{
	(void)state;
	struct cpio a, b;
	cpio_init(&a, 42);
	cpio_init(&b, 42);
	for (struct cpio *c = &a; c; c = c == &a ? &b : NULL) {
		cpio_write_dir(c, "etc", 0755);
		cpio_write_symlink(c, "sbin", "bin");
		cpio_write_file(c, "etc/x", 0644, "x", 1);
		cpio_finish(c);
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	cpio_free(&a);
	cpio_free(&b);
}

struct newc {
	unsigned ino, mode, uid, gid, nlink, size;
	char name[64];
	const unsigned char *data;
};

static unsigned field(const unsigned char *h, int i)
{
	char buf[9] = {0};
	memcpy(buf, h + 6 + 8 * i, 8);
	return (unsigned)strtoul(buf, NULL, 16);
}

/* Reads the entries back the way the kernel's unpacker parses a header. */
static size_t read_newc(const struct cpio *c, struct newc *out, size_t max)
{
	size_t n = 0, p = 0;
	while (p + 110 <= c->len && n < max) {
		const unsigned char *h = c->buf + p;
		assert_memory_equal(h, "070701", 6);
		struct newc *e = &out[n];
		e->ino = field(h, 0), e->mode = field(h, 1), e->uid = field(h, 2);
		e->gid = field(h, 3), e->nlink = field(h, 4), e->size = field(h, 6);
		unsigned namesize = field(h, 11);
		snprintf(e->name, sizeof(e->name), "%s", (const char *)h + 110);
		p = (p + 110 + namesize + 3) & ~(size_t)3;
		e->data = c->buf + p;
		p = (p + e->size + 3) & ~(size_t)3;
		if (strcmp(e->name, "TRAILER!!!") == 0)
			break;
		n++;
	}
	return n;
}

/* gen_init_cpio's hard links: one inode number, nlink = number of names, the data only on the
 * last name (the kernel creates the first, links the rest, and writes through the last). */
static void test_hard_links(void **state)
{
	(void)state;
	struct cpio c;
	cpio_init(&c, 0);
	assert_int_equal(cpio_write_file(&c, "before", 0644, "x", 1), 0);
	const char *const names[] = {"/bin/tool", "/bin/tool2", "/sbin/tool3"};
	assert_int_equal(cpio_write_file_links(&c, names, 3, 04755, 1000, 1001, "payload", 7), 0);
	assert_int_equal(cpio_write_file(&c, "after", 0644, "y", 1), 0);
	assert_int_equal(cpio_finish(&c), 0);
	struct newc e[8];
	assert_int_equal(read_newc(&c, e, 8), 5);
	assert_string_equal(e[1].name, "bin/tool");
	assert_string_equal(e[2].name, "bin/tool2");
	assert_string_equal(e[3].name, "sbin/tool3");
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(e[i].ino, e[1].ino);
		assert_int_equal(e[i].nlink, 3);
		assert_int_equal(e[i].mode, S_IFREG | 04755);
		assert_int_equal(e[i].uid, 1000);
		assert_int_equal(e[i].gid, 1001);
		assert_int_equal(e[i].size, i == 3 ? 7 : 0);
	}
	assert_memory_equal(e[3].data, "payload", 7);
	/* the inode numbers of the other entries stay unique */
	assert_int_not_equal(e[0].ino, e[1].ino);
	assert_int_not_equal(e[4].ino, e[1].ino);
	assert_int_not_equal(e[4].ino, e[0].ino);
	assert_int_equal(e[0].nlink, 1);
	cpio_free(&c);
}

/* One name: an ordinary file that keeps its owner and group (setuid to a user, not root). */
static void test_owner_kept(void **state)
{
	(void)state;
	struct cpio c;
	cpio_init(&c, 0);
	const char *const name[] = {"etc/secret"};
	assert_int_equal(cpio_write_file_links(&c, name, 1, 0640, 0, 42, "s", 1), 0);
	struct newc e[2];
	assert_int_equal(read_newc(&c, e, 2), 1);
	assert_int_equal(e[0].nlink, 1);
	assert_int_equal(e[0].uid, 0);
	assert_int_equal(e[0].gid, 42);
	assert_int_equal(e[0].mode, S_IFREG | 0640);
	assert_int_equal(e[0].size, 1);
	assert_int_equal(cpio_write_file_links(&c, name, 0, 0644, 0, 0, NULL, 0), -EINVAL);
	cpio_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_hard_links),
		cmocka_unit_test(test_owner_kept),
	};
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
