#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kconfig/kconfig_read.h"

/* Types for the typed cases, by name: B_ bool, T_ tristate, S_ string, I_ int, H_ hex. */
static enum kc_type test_types(const char *name, unsigned hash, void *userdata)
{
	(void)userdata;
	assert_int_equal(hash, kc_name_hash(name));
	static const struct {
		const char *prefix;
		enum kc_type type;
	} t[] = {{"B_", KC_TYPE_BOOL},
		 {"T_", KC_TYPE_TRISTATE},
		 {"S_", KC_TYPE_STRING},
		 {"I_", KC_TYPE_INT},
		 {"H_", KC_TYPE_HEX}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strncmp(name, t[i].prefix, 2) == 0)
			return t[i].type;
	return KC_TYPE_UNKNOWN;
}

/* "NAME=value@line ..." then " | " and the messages joined by " | ". */
static char *render(const struct kc_set *s, const struct kc_diags *d)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	for (size_t i = 0; i < s->n; i++) {
		fprintf(f, "%s%s=", i ? " " : "", s->v[i].name);
		kc_value_write(f, &s->v[i]);
		fprintf(f, "@%u", s->v[i].src.line);
	}
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, " | %s", d->v[i].text);
	fclose(f);
	return buf;
}

struct read_case {
	const char *name;
	const char *input;
	bool typed;
	const char *prefix; /* NULL: CONFIG_ */
	const char *expect;
};

static const struct read_case cases[] = {
	{"tristates", "CONFIG_A=y\nCONFIG_B=m\nCONFIG_C=n\n", false, NULL, "A=y@1 B=m@2 C=n@3"},
	{"is not set", "# CONFIG_A is not set\n", false, NULL, "A=n@1"},
	{"is not set with trailing text", "# CONFIG_A is not settled\n", false, NULL, "A=n@1"},
	{"comment without space is a comment", "#CONFIG_A is not set\n# hello\n", false, NULL, ""},
	{"is not set needs the words", "# CONFIG_A is set\n# CONFIG_B\n", false, NULL, ""},
	{"only the first char counts", "CONFIG_A=yes\nCONFIG_B=maybe\nCONFIG_C=no\n", false, NULL,
	 "A=y@1 B=m@2 C=n@3"},
	{"upper case is invalid", "CONFIG_A=Y\n", false, NULL,
	 " | t.config:1:warning: symbol value 'Y' invalid for A"},
	{"empty value is invalid", "CONFIG_A=\n", false, NULL,
	 " | t.config:1:warning: symbol value '' invalid for A"},
	{"no = is ignored", "CONFIG_A\n", false, NULL, ""},
	{"invalid symbol names are ignored, with a warning", "CONFIG_PCI-MSI=y\nCONFIG_=y\n", false,
	 NULL,
	 " | t.config:1:warning: ignoring invalid symbol name 'PCI-MSI' | t.config:2:warning: "
	 "ignoring invalid symbol name ''"},
	{"string with escapes", "CONFIG_S=\"a \\\"b\\\" \\\\ \\x\"\n", false, NULL,
	 "S=\"a \\\"b\\\" \\\\ x\"@1"},
	{"string: text after the closing quote is dropped", "CONFIG_S=\"a\"junk\n", false, NULL,
	 "S=\"a\"@1"},
	{"unterminated string", "CONFIG_S=\"abc\n", false, NULL,
	 " | t.config:1:warning: invalid string found"},
	{"backslash at the end", "CONFIG_S=\"abc\\\n", false, NULL,
	 " | t.config:1:warning: invalid string found"},
	{"int and hex", "CONFIG_I=-5\nCONFIG_H=0x1F\nCONFIG_Z=0\n", false, NULL,
	 "I=-5@1 H=0x1F@2 Z=0@3"},
	{"unknown word", "CONFIG_X=abc\n", false, NULL,
	 " | t.config:1:warning: symbol value 'abc' invalid for X"},
	{"unexpected data", "hello world\n", false, NULL,
	 " | t.config:1:warning: unexpected data: hello world"},
	{"blank-looking line with spaces", "  \n", false, NULL,
	 " | t.config:1:warning: unexpected data:   "},
	{"empty lines and CRLF", "\n\r\nCONFIG_A=y\r\n", false, NULL, "A=y@3"},
	{"CR kept without newline at EOF", "CONFIG_S=\"a\r", false, NULL,
	 " | t.config:1:warning: invalid string found"},
	{"no final newline", "CONFIG_A=m", false, NULL, "A=m@1"},
	{"override warns, last wins", "CONFIG_A=y\n# CONFIG_A is not set\n", false, NULL,
	 "A=n@2 | t.config:2:warning: override: reassigning to symbol A"},
	{"invalid first value: override still warns only after a valid one",
	 "CONFIG_A=Q\nCONFIG_A=y\n", false, NULL,
	 "A=y@2 | t.config:1:warning: symbol value 'Q' invalid for A"},
	{"prefix from CONFIG_", "FOO_A=y\nCONFIG_B=y\n# FOO_C is not set\n", false, "FOO_",
	 "A=y@1 C=n@3 | t.config:2:warning: unexpected data: CONFIG_B=y"},
	{"typed bool refuses m", "CONFIG_B_X=m\n", true, NULL,
	 " | t.config:1:warning: symbol value 'm' invalid for B_X"},
	{"typed tristate takes m", "CONFIG_T_X=m\n", true, NULL, "T_X=m@1"},
	{"typed string without quote is ignored silently", "CONFIG_S_X=abc\n", true, NULL, ""},
	{"typed string: is not set is ignored", "# CONFIG_S_X is not set\n", true, NULL, ""},
	{"typed int: is not set is invalid", "# CONFIG_I_X is not set\n", true, NULL,
	 " | t.config:1:warning: symbol value 'n' invalid for I_X"},
	{"typed int: leading zero", "CONFIG_I_X=012\n", true, NULL,
	 " | t.config:1:warning: symbol value '012' invalid for I_X"},
	{"typed hex without 0x", "CONFIG_H_X=ff\n", true, NULL, "H_X=ff@1"},
	{"typed hex: 0x alone", "CONFIG_H_X=0x\n", true, NULL,
	 " | t.config:1:warning: symbol value '0x' invalid for H_X"},
	{"typed string takes y literally quoted", "CONFIG_S_X=\"y\"\n", true, NULL, "S_X=\"y\"@1"},
};

static void test_read_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct read_case *c = &cases[i];
		struct kc_set s;
		struct kc_diags d = {0};
		kc_set_init(&s);
		int r = kconfig_read("t.config", c->input, strlen(c->input),
				     c->prefix ? c->prefix : "CONFIG_",
				     c->typed ? test_types : NULL, NULL, &s, &d);
		assert_int_equal(r, 0);
		char *got = render(&s, &d);
		if (strcmp(got, c->expect) != 0)
			fail_msg("case '%s':\n  expected [%s]\n  got      [%s]", c->name, c->expect,
				 got);
		free(got);
		kc_set_free(&s);
		kc_diags_free(&d);
	}
}

static void test_strings_freeform_tristates_not(void **state)
{
	(void)state;
	const char *in = "CONFIG_A=y\nCONFIG_S=\"x\"\nCONFIG_I=3\n";
	struct kc_set s;
	struct kc_diags d = {0};
	kc_set_init(&s);
	assert_int_equal(kconfig_read("t", in, strlen(in), "CONFIG_", NULL, NULL, &s, &d), 0);
	assert_false(kc_set_find(&s, "A")->freeform);
	assert_true(kc_set_find(&s, "S")->freeform);
	assert_true(kc_set_find(&s, "I")->freeform);
	assert_false(kc_set_find(&s, "A")->mandatory);
	kc_set_free(&s);
	kc_diags_free(&d);
}

static void test_config_prefix_env(void **state)
{
	(void)state;
	unsetenv("CONFIG_");
	assert_string_equal(kc_config_prefix(), "CONFIG_");
	setenv("CONFIG_", "BR2_", 1);
	assert_string_equal(kc_config_prefix(), "BR2_");
	unsetenv("CONFIG_");
}

static void test_write_roundtrip(void **state)
{
	(void)state;
	const char *in = "CONFIG_S=\"q\\\"b\\\\\"\n# CONFIG_N is not set\nCONFIG_H=0x10\n";
	struct kc_set s;
	struct kc_diags d = {0};
	kc_set_init(&s);
	assert_int_equal(kconfig_read("t", in, strlen(in), "CONFIG_", NULL, NULL, &s, &d), 0);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	for (size_t i = 0; i < s.n; i++)
		kc_entry_write_config(f, "CONFIG_", &s.v[i]);
	fclose(f);
	assert_string_equal(buf, in);
	free(buf);
	kc_set_free(&s);
	kc_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_table),
		cmocka_unit_test(test_strings_freeform_tristates_not),
		cmocka_unit_test(test_config_prefix_env),
		cmocka_unit_test(test_write_roundtrip),
	};
	return cmocka_run_group_tests_name("kconfig_read", tests, NULL, NULL);
}
