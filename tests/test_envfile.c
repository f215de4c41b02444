/* Tests for initrd/envfile.c: KEY=VALUE files (/etc/vconsole.conf, /etc/default/keyboard). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../initrd/envfile.h"

struct env_case {
	const char *name, *text, *key;
	int want;
	const char *want_value;
};

/* The Debian file as keyboard-configuration writes it. */
static const char debian_keyboard[] = "# KEYBOARD CONFIGURATION FILE\n\n"
				      "# Consult the keyboard(5) manual page.\n\n"
				      "XKBMODEL=\"pc105\"\n"
				      "XKBLAYOUT=\"de\"\n"
				      "XKBVARIANT=\"nodeadkeys\"\n"
				      "XKBOPTIONS=\"\"\n\n"
				      "BACKSPACE=\"guess\"\n";

static const struct env_case cases[] = {
	{"plain", "KEYMAP=de\n", "KEYMAP", 1, "de"},
	{"no newline at end", "KEYMAP=de", "KEYMAP", 1, "de"},
	{"double quotes", "KEYMAP=\"de-latin1\"\n", "KEYMAP", 1, "de-latin1"},
	{"single quotes", "KEYMAP='de latin1'\n", "KEYMAP", 1, "de latin1"},
	{"escaped quote", "X=\"a\\\"b\"\n", "X", 1, "a\"b"},
	{"backslash unquoted", "X=a\\ b\n", "X", 1, "a b"},
	{"comment after", "KEYMAP=de # German\n", "KEYMAP", 1, "de"},
	{"export and blanks", "  export KEYMAP=fr\n", "KEYMAP", 1, "fr"},
	{"last wins", "KEYMAP=de\nKEYMAP=fr\n", "KEYMAP", 1, "fr"},
	{"commented out", "#KEYMAP=de\n", "KEYMAP", 0, ""},
	{"other key with the same start", "KEYMAPX=de\nXKEYMAP=fr\n", "KEYMAP", 0, ""},
	{"spaces around = are not an assignment", "KEYMAP = de\n", "KEYMAP", 0, ""},
	{"empty value", "XKBOPTIONS=\"\"\n", "XKBOPTIONS", 1, ""},
	{"Debian XKBLAYOUT", debian_keyboard, "XKBLAYOUT", 1, "de"},
	{"Debian XKBVARIANT", debian_keyboard, "XKBVARIANT", 1, "nodeadkeys"},
	{"Debian XKBOPTIONS empty", debian_keyboard, "XKBOPTIONS", 1, ""},
	{"CRLF line", "KEYMAP=de\r\n", "KEYMAP", 1, "de\r"},
	{"open quote", "FONT=x\nKEYMAP=\"de\n", "KEYMAP", -EINVAL, ""},
	{"too long", "KEYMAP=0123456789abcdef0123456789abcdef\n", "KEYMAP", -ENAMETOOLONG, ""},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct env_case *c = &cases[i];
		char out[32] = "";
		unsigned line = 0;
		int r = envfile_get(c->text, strlen(c->text), c->key, out, sizeof(out), &line);
		if (r != c->want || (r == 1 && strcmp(out, c->want_value) != 0))
			fail_msg("%s: got %d '%s', want %d '%s'", c->name, r, out, c->want,
				 c->want_value);
		if (r == -EINVAL && line != 2)
			fail_msg("%s: line %u, want 2", c->name, line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};
	return cmocka_run_group_tests_name("envfile", tests, NULL, NULL);
}
