#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>

#include "../initrd/cpio.h"

static void test_header_layout(void **state)
{
	(void)state;
	struct cpio c;
	cpio_init(&c, 1700000000);
	assert_int_equal(cpio_write_file(&c, "/init", 0755, "abc", 3), 0);
	/* 110-byte header + "init\0" (5) padded to 4 => 116, then 3 data bytes padded => 120 */
	assert_int_equal(c.len, 120);
	assert_memory_equal(c.buf, "070701", 6);
	char field[9] = {0};
	memcpy(field, c.buf + 14, 8); /* mode */
	assert_string_equal(field, "000081ED");
	memcpy(field, c.buf + 46, 8); /* mtime */
	assert_string_equal(field, "6553F100");
	memcpy(field, c.buf + 54, 8); /* filesize */
	assert_string_equal(field, "00000003");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_reproducible),
	};
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
