/* Tests for initrd/passphrase.c: the console line reader and the passphrase store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../initrd/passphrase.h"

/* A pipe holding input, its write end closed when eof is set (as a hung-up line). */
static int input(const char *data, size_t len, bool eof)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	if (eof)
		close(p[1]);
	return p[0];
}

struct line_case {
	const char *name, *data;
	size_t size;
	ssize_t want;
	const char *want_text;
};

static const struct line_case line_cases[] = {
	{"line with newline", "secret\nrest", 64, 6, "secret"},
	{"carriage return (serial)", "secret\r", 64, 6, "secret"},
	{"empty line is an empty passphrase", "\n", 64, 0, ""},
	{"end of input before anything (Ctrl-D, hang-up)", "", 64, -ENODATA, ""},
	{"end of input after some bytes ends the line", "abc", 64, 3, "abc"},
	{"longer than the buffer: cut, rest of line dropped", "abcdefgh\nnext", 4, 4, "abcd"},
};

static void test_read_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		char buf[64] = "";
		int fd = input(c->data, strlen(c->data), true);
		ssize_t n = passphrase_read_line(fd, buf, c->size);
		if (n != c->want)
			fail_msg("case '%s': expected %zd, got %zd", c->name, c->want, n);
		if (n >= 0 && (strlen(c->want_text) != (size_t)n || memcmp(buf, c->want_text, n)))
			fail_msg("case '%s': read '%.*s'", c->name, (int)n, buf);
		close(fd);
	}
}

/* After a line, the next read gets the next line; at the end, -ENODATA every time (so a
 * tries=0 loop ends instead of spinning on empty passphrases). */
static void test_read_after_eof(void **state)
{
	(void)state;
	char buf[16];
	int fd = input("one\n", 4, true);
	assert_int_equal(passphrase_read_line(fd, buf, sizeof(buf)), 3);
	assert_int_equal(passphrase_read_line(fd, buf, sizeof(buf)), -ENODATA);
	assert_int_equal(passphrase_read_line(fd, buf, sizeof(buf)), -ENODATA);
	close(fd);
}

/* More passphrases than the store keeps: the kept ones stay intact, with their lengths;
 * the extra one is used once and not kept. */
static void test_store_full(void **state)
{
	(void)state;
	struct passphrase_store s;
	int mlock_error;
	assert_int_equal(passphrase_store_init(&s, &mlock_error), 0);
	for (int i = 0; i < PASSPHRASE_KEEP + 3; i++) {
		char *scratch = passphrase_store_scratch(&s);
		int n = snprintf(scratch, PASSPHRASE_MAX, "pass-%d%s", i, i == 9 ? "-long" : "");
		passphrase_store_keep(&s, (size_t)n);
		assert_int_equal(scratch[0], 0); /* scratch wiped after keeping */
	}
	assert_int_equal(s.n, PASSPHRASE_KEEP);
	for (int i = 0; i < PASSPHRASE_KEEP; i++) {
		char want[32];
		int n = snprintf(want, sizeof(want), "pass-%d", i);
		assert_int_equal(s.len[i], (size_t)n);
		assert_memory_equal(s.buf[i], want, (size_t)n);
	}
	passphrase_store_wipe(&s);
	assert_null(s.buf);
	passphrase_store_wipe(&s); /* twice is harmless */
}

static void test_store_drop(void **state)
{
	(void)state;
	struct passphrase_store s;
	int mlock_error;
	assert_int_equal(passphrase_store_init(&s, &mlock_error), 0);
	char *scratch = passphrase_store_scratch(&s);
	memcpy(scratch, "wrong", 5);
	passphrase_store_drop(&s);
	assert_int_equal(s.n, 0);
	for (size_t i = 0; i < PASSPHRASE_MAX; i++)
		assert_int_equal(scratch[i], 0);
	passphrase_store_wipe(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_line),
		cmocka_unit_test(test_read_after_eof),
		cmocka_unit_test(test_store_full),
		cmocka_unit_test(test_store_drop),
	};
	return cmocka_run_group_tests_name("passphrase", tests, NULL, NULL);
}
