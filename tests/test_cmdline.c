#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/cmdline.h"

/* Renders a parse as "[key]=[value] [flag] -- [arg]" so one string states the whole result. */
static void render(const struct cmdline *c, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_params; i++) {
		const struct cmdline_param *p = &c->params[i];
		n += snprintf(buf + n, size - n, "%s[%s]", n ? " " : "", p->key);
		if (p->value)
			n += snprintf(buf + n, size - n, "=[%s]", p->value);
	}
	if (c->n_init_args)
		n += snprintf(buf + n, size - n, "%s--", n ? " " : "");
	for (size_t i = 0; i < c->n_init_args; i++)
		n += snprintf(buf + n, size - n, " [%s]", c->init_args[i]);
	assert_true(n < size);
}

struct split_case {
	const char *name;
	const char *input;
	size_t len; /* 0: strlen(input) */
	const char *expect;
};

static const struct split_case split_cases[] = {
	{"empty", "", 0, ""},
	{"only whitespace and newline", "  \t\n", 0, ""},
	{"flags", "ro quiet", 0, "[ro] [quiet]"},
	{"proc newline ends last word", "root=/dev/vda1 rw\n", 0, "[root]=[/dev/vda1] [rw]"},
	{"value with =", "root=UUID=0b1c-7e4e", 0, "[root]=[UUID=0b1c-7e4e]"},
	{"quoted value", "init=\"/a b\" x", 0, "[init]=[/a b] [x]"},
	{"quoted word", "\"init=/a b\" x", 0, "[init]=[/a b] [x]"},
	{"empty value", "key=", 0, "[key]=[]"},
	{"empty quoted value", "key=\"\"", 0, "[key]=[]"},
	{"lone quote after =", "x=\"", 0, "[x]=[]"},
	{"inner quotes stay (kernel)", "a\"b c\"d e", 0, "[a\"b c\"d] [e]"},
	{"quote not at word end stays", "k=\"a b\"c", 0, "[k]=[a b\"c]"},
	{"unterminated value quote runs to end", "k=\"a b c", 0, "[k]=[a b c]"},
	{"unterminated word quote runs to end", "\"un x=1", 0, "[un x]=[1]"},
	{"leading = is part of the key", "=foo", 0, "[=foo]"},
	{"first = after position 0 splits", "=a=b", 0, "[=a]=[b]"},
	{"tabs and newlines separate", "a\tb\nc\rd", 0, "[a] [b] [c] [d]"},
	{"NBSP separates (kernel ctype)",
	 "a\xa0"
	 "b",
	 0, "[a] [b]"},
	{"repeats kept in order", "ro rw ro", 0, "[ro] [rw] [ro]"},
	{"lone empty quotes dropped", "\"\" a", 0, "[a]"},
	{"lone quote", "\"", 0, ""},
	{"dashes start init args", "a -- b c=d \"e f\" g=\"h i\"", 0,
	 "[a] -- [b] [c=d] [e f] [g=h i]"},
	{"second -- is an init arg", "a -- b -- c", 0, "[a] -- [b] [--] [c]"},
	{"--=x is not the separator", "--=x y", 0, "[--]=[x] [y]"},
	{"quoted -- is the separator", "\"--\" x", 0, "-- [x]"},
	{"empty init arg kept", "-- \"\"", 0, "-- []"},
	{"NUL ends the command line", "ro\0rw", 5, "[ro]"},
	{"len bounds the input", "ro rw", 2, "[ro]"},
	{"realistic",
	 "BOOT_IMAGE=/vmlinuz-6.1.0 root=LABEL=root ro quiet rd.modules-load=a,b "
	 "console=ttyS0 init=/sbin/init -- --log-level=debug single\n",
	 0,
	 "[BOOT_IMAGE]=[/vmlinuz-6.1.0] [root]=[LABEL=root] [ro] [quiet] [rd.modules-load]=[a,b] "
	 "[console]=[ttyS0] [init]=[/sbin/init] -- [--log-level=debug] [single]"},
};

static void test_split_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *t = &split_cases[i];
		struct cmdline c;
		char got[1024];
		size_t len = t->len ? t->len : strlen(t->input);
		assert_int_equal(cmdline_parse(t->input, len, &c), 0);
		render(&c, got, sizeof(got));
		if (strcmp(got, t->expect) != 0) {
			print_error("case '%s': input '%s'\n  expected '%s'\n  got      '%s'\n",
				    t->name, t->input, t->expect, got);
			failed++;
		}
		assert_non_null(c.init_args);
		cmdline_free(&c);
	}
	assert_int_equal(failed, 0);
}

/* 4 KiB of garbage (quotes, '=', NULs, high bytes) must split without a crash, every key
 * non-empty, and the init argv NULL-terminated. */
static void test_garbage(void **state)
{
	(void)state;
	static const char alphabet[] = "\"=\" -a\t\n\0\xa0\xff=--\"";
	char buf[4096];
	unsigned seed = 12345;
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned v = (seed >> 16) & 0xff;
			/* half the rounds: no NUL, so the whole buffer is read */
			buf[i] = (round & 1) ? (char)v : alphabet[v % (sizeof(alphabet) - 1)];
			if (!(round & 1) && buf[i] == '\0')
				buf[i] = 'x';
		}
		struct cmdline c;
		assert_int_equal(cmdline_parse(buf, sizeof(buf), &c), 0);
		for (size_t i = 0; i < c.n_params; i++)
			assert_true(c.params[i].key[0] != '\0');
		assert_null(c.init_args[c.n_init_args]);
		cmdline_free(&c);
	}
}

static void test_null_input(void **state)
{
	(void)state;
	struct cmdline c;
	assert_int_equal(cmdline_parse(NULL, 0, &c), 0);
	assert_int_equal(c.n_params, 0);
	assert_non_null(c.init_args);
	assert_null(c.init_args[0]);
	cmdline_free(&c);
	cmdline_free(&c); /* a freed cmdline is empty: freeing again is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_null_input),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
