#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/conf.h"

/* Renders settings and errors by line: "1:[key]=[value] 2:[flag] 3:error: message". */
static void render(const struct conf *c, char *buf, size_t size)
{
	size_t n = 0;
	unsigned last = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_settings; i++)
		last = c->settings[i].line > last ? c->settings[i].line : last;
	for (size_t i = 0; i < c->n_errors; i++)
		last = c->errors[i].line > last ? c->errors[i].line : last;
	for (unsigned line = 1; line <= last; line++) {
		for (size_t i = 0; i < c->n_settings; i++) {
			const struct conf_setting *s = &c->settings[i];
			if (s->line != line)
				continue;
			n += snprintf(buf + n, size - n, "%s%u:[%s]", n ? " " : "", line, s->key);
			if (s->value)
				n += snprintf(buf + n, size - n, "=[%s]", s->value);
		}
		for (size_t i = 0; i < c->n_errors; i++)
			if (c->errors[i].line == line)
				n += snprintf(buf + n, size - n, "%s%u:error: %s", n ? " " : "",
					      line, c->errors[i].message);
	}
	assert_true(n < size);
}

struct conf_case {
	const char *name;
	const char *input;
	size_t len; /* 0: strlen(input) */
	const char *expect;
};

static const struct conf_case conf_cases[] = {
	{"empty", "", 0, ""},
	{"comments and blank lines", "# c\n\n   # d\n\t\n", 0, ""},
	{"value and flag", "root=/dev/vda1\nro\n", 0, "1:[root]=[/dev/vda1] 2:[ro]"},
	{"blanks around =", "  rootfstype = ext4  \n", 0, "1:[rootfstype]=[ext4]"},
	{"value containing =", "root=UUID=0b1c", 0, "1:[root]=[UUID=0b1c]"},
	{"no final newline", "a=1", 0, "1:[a]=[1]"},
	{"CRLF line ends", "ro\r\nquiet\r\n", 0, "1:[ro] 2:[quiet]"},
	{"quoted value with space", "init=\"/sbin/my init\"", 0, "1:[init]=[/sbin/my init]"},
	{"escapes in quotes", "k=\"a \\\"q\\\" \\\\ \\x\"", 0, "1:[k]=[a \"q\" \\ \\x]"},
	{"parts join", "k=a\"b c\"d", 0, "1:[k]=[ab cd]"},
	{"backslash outside quotes", "k=a\\ b", 0, "1:[k]=[a b]"},
	{"empty value", "k=", 0, "1:[k]=[]"},
	{"empty quoted value", "k=\"\"", 0, "1:[k]=[]"},
	{"comment after empty value", "k= # c", 0, "1:[k]=[]"},
	{"# inside a word", "k=a#b", 0, "1:[k]=[a#b]"},
	{"# directly after =", "k=#b", 0, "1:[k]=[#b]"},
	{"# after whitespace", "k=a #b c", 0, "1:[k]=[a]"},
	{"# in quotes", "k=\"a #b\"", 0, "1:[k]=[a #b]"},
	{"flag with comment", "quiet # shh", 0, "1:[quiet]"},
	{"repeats kept", "ro\nro", 0, "1:[ro] 2:[ro]"},
	{"key characters", "rd.luks.name:x_y-z=1", 0, "1:[rd.luks.name:x_y-z]=[1]"},
	{"missing key", "=x", 0, "1:error: missing key before '='"},
	{"unquoted whitespace", "k=a b", 0,
	 "1:error: k: unquoted whitespace in the value (use double quotes)"},
	{"unterminated quote", "k=\"abc", 0, "1:error: k: unterminated double quote"},
	{"backslash at end", "k=abc\\", 0, "1:error: k: backslash at the end of the line"},
	{"two flags on a line", "ro quiet", 0,
	 "1:error: ro: expected '=' or the end of the line, found 'q'"},
	{"bad key character", "k!y=1", 0, "1:error: invalid character '!' in key 'k'"},
	{"# glued to a key", "ro#c", 0, "1:error: invalid character '#' in key 'ro'"},
	{"quoted key", "\"k\"=v", 0, "1:error: invalid character '\"' in key ''"},
	{"high byte in key", "a\xff=1", 0, "1:error: invalid character byte 0xff in key 'a'"},
	{"NUL byte", "a=1\0\nb=2", 8, "1:error: NUL byte in the line 2:[b]=[2]"},
	{"errors do not stop the parse", "a=1\nk=\"x\nb=2\n", 0,
	 "1:[a]=[1] 2:error: k: unterminated double quote 3:[b]=[2]"},
	{"realistic",
	 "# written by initkit-mkimage\nroot=LABEL=root\nrootfstype=ext4\n"
	 "rootflags=\"data=ordered,commit=30\"\nro\nrd.modules-load=virtio_blk,ext4\n"
	 "rd.timeout=30s\nrd.emergency=poweroff\ninit=\"/sbin/my init\"  # note\n",
	 0,
	 "2:[root]=[LABEL=root] 3:[rootfstype]=[ext4] 4:[rootflags]=[data=ordered,commit=30] "
	 "5:[ro] 6:[rd.modules-load]=[virtio_blk,ext4] 7:[rd.timeout]=[30s] "
	 "8:[rd.emergency]=[poweroff] 9:[init]=[/sbin/my init]"},
};

static void test_conf_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
		const struct conf_case *t = &conf_cases[i];
		struct conf c;
		char got[2048];
		size_t len = t->len ? t->len : strlen(t->input);
		assert_int_equal(conf_parse(t->input, len, &c), 0);
		render(&c, got, sizeof(got));
		if (strcmp(got, t->expect) != 0) {
			print_error("case '%s':\n  expected '%s'\n  got      '%s'\n", t->name,
				    t->expect, got);
			failed++;
		}
		conf_free(&c);
	}
	assert_int_equal(failed, 0);
}

/* 64 KiB of garbage must parse without a crash; every setting has a key. */
static void test_garbage(void **state)
{
	(void)state;
	static const char alphabet[] = "\"=\\ #a.\t\n\r\0\xff";
	static char buf[65536];
	unsigned seed = 4242;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned v = (seed >> 16) & 0xff;
			buf[i] = (round & 1) ? (char)v : alphabet[v % (sizeof(alphabet) - 1)];
		}
		struct conf c;
		assert_int_equal(conf_parse(buf, sizeof(buf), &c), 0);
		assert_true(c.n_settings + c.n_errors > 0);
		for (size_t i = 0; i < c.n_settings; i++)
			assert_true(c.settings[i].key[0] != '\0');
		conf_free(&c);
	}
}

static void test_null_input(void **state)
{
	(void)state;
	struct conf c;
	assert_int_equal(conf_parse(NULL, 0, &c), 0);
	assert_int_equal(c.n_settings + c.n_errors, 0);
	conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_table),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_null_input),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
