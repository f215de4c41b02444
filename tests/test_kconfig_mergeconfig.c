#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kconfig/mergeconfig.h"

/* Expected texts and messages are what scripts/kconfig/merge_config.sh (6.1) prints and writes
 * for the same files; tests/kconfig/real-tree.sh compares with the real script on real input. */
struct mc_case {
	const char *name;
	const char *base;
	const char *frags[3]; /* f1.config, f2.config, f3.config */
	bool builtin, redundant, strict;
	const char *expect_text;
	const char *expect_msgs;
	bool expect_violation;
};

static const struct mc_case cases[] = {
	{"append and redefine",
	 "CONFIG_A=y\nCONFIG_B=m\n",
	 {"CONFIG_B=y\n"},
	 false,
	 false,
	 false,
	 "CONFIG_A=y\n\nCONFIG_B=y\n",
	 "Value of CONFIG_B is redefined by fragment f1.config:\nPrevious value: CONFIG_B=m\n"
	 "New value: CONFIG_B=y\n\n",
	 false},
	{"is not set replaces",
	 "CONFIG_A=y\n",
	 {"# CONFIG_A is not set\n"},
	 false,
	 false,
	 false,
	 "\n# CONFIG_A is not set\n",
	 "Value of CONFIG_A is redefined by fragment f1.config:\nPrevious value: CONFIG_A=y\n"
	 "New value: # CONFIG_A is not set\n\n",
	 false},
	{"same value is silent",
	 "CONFIG_A=y\n",
	 {"CONFIG_A=y\n"},
	 false,
	 false,
	 false,
	 "\nCONFIG_A=y\n",
	 "",
	 false},
	{"-r reports redundancy",
	 "CONFIG_A=y\n",
	 {"CONFIG_A=y\n"},
	 false,
	 true,
	 false,
	 "\nCONFIG_A=y\n",
	 "Value of CONFIG_A is redundant by fragment f1.config:\n",
	 false},
	{"-y keeps y over m",
	 "CONFIG_A=y\n",
	 {"CONFIG_A=m\nCONFIG_B=y\n"},
	 true,
	 false,
	 false,
	 "CONFIG_A=y\n\nCONFIG_B=y\n",
	 "Previous value: CONFIG_A=y\nNew value: CONFIG_A=m\n-y passed, will not demote y to m\n\n",
	 false},
	{"-y still lets n replace y",
	 "CONFIG_A=y\n",
	 {"# CONFIG_A is not set\n"},
	 true,
	 false,
	 false,
	 "\n# CONFIG_A is not set\n",
	 "Value of CONFIG_A is redefined by fragment f1.config:\nPrevious value: CONFIG_A=y\n"
	 "New value: # CONFIG_A is not set\n\n",
	 false},
	{"-s flags a redefinition",
	 "CONFIG_A=y\n",
	 {"CONFIG_A=m\n"},
	 false,
	 false,
	 true,
	 "\nCONFIG_A=m\n",
	 "Value of CONFIG_A is redefined by fragment f1.config:\nPrevious value: CONFIG_A=y\n"
	 "New value: CONFIG_A=m\n\n",
	 true},
	{"sed quirk: CONFIG_PROC also deletes CONFIG_IKCONFIG_PROC",
	 "CONFIG_IKCONFIG_PROC=y\nCONFIG_PROC=y\n",
	 {"CONFIG_PROC=n\n"},
	 false,
	 false,
	 false,
	 "\nCONFIG_PROC=n\n",
	 "Value of CONFIG_PROC is redefined by fragment f1.config:\nPrevious value: CONFIG_PROC=y\n"
	 "New value: CONFIG_PROC=n\n\n",
	 false},
	{"grep -w: a comment naming the symbol counts",
	 "# CONFIG_A: see below\nCONFIG_A=y\n",
	 {"CONFIG_A=m\n"},
	 false,
	 false,
	 false,
	 "# CONFIG_A: see below\n\nCONFIG_A=m\n",
	 "Value of CONFIG_A is redefined by fragment f1.config:\nPrevious value: # CONFIG_A: see "
	 "below CONFIG_A=y\nNew value: CONFIG_A=m\n\n",
	 false},
	{"comments of the fragment are kept",
	 "CONFIG_A=y\n",
	 {"# hello\nCONFIG_B=y\n"},
	 false,
	 false,
	 false,
	 "CONFIG_A=y\n\n# hello\nCONFIG_B=y\n",
	 "",
	 false},
	{"missing final newlines",
	 "CONFIG_A=y",
	 {"CONFIG_B=m\nCONFIG_A=n", "CONFIG_A=y"},
	 false,
	 false,
	 false,
	 "\nCONFIG_B=m\n\nCONFIG_A=y",
	 "Value of CONFIG_A is redefined by fragment f1.config:\nPrevious value: CONFIG_A=y\n"
	 "New value: CONFIG_A=n\n\nValue of CONFIG_A is redefined by fragment f2.config:\nPrevious "
	 "value: CONFIG_A=n\nNew value: CONFIG_A=y\n\n",
	 false},
	{"is not set must end the line",
	 "CONFIG_A=y\n",
	 {"# CONFIG_A is not set here\n"},
	 false,
	 false,
	 false,
	 "CONFIG_A=y\n\n# CONFIG_A is not set here\n",
	 "",
	 false},
	{"empty base", "", {"CONFIG_A=y\n"}, false, false, false, "\nCONFIG_A=y\n", "", false},
};

static void test_mergeconfig_table(void **state)
{
	(void)state;
	static const char *const names[] = {"f1.config", "f2.config", "f3.config"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mc_case *c = &cases[i];
		struct mc_opts o = {.builtin = c->builtin,
				    .warn_redundant = c->redundant,
				    .strict = c->strict,
				    .prefix = "CONFIG_"};
		struct mc_text t;
		assert_int_equal(mc_text_from(&t, c->base, strlen(c->base)), 0);
		char *msgs = NULL, *text = NULL;
		size_t ms = 0, ts = 0;
		FILE *f = open_memstream(&msgs, &ms);
		bool violated = false;
		for (size_t j = 0; j < 3 && c->frags[j]; j++)
			assert_int_equal(mc_merge_fragment(&t, names[j], c->frags[j],
							   strlen(c->frags[j]), &o, f, &violated),
					 0);
		fclose(f);
		assert_int_equal(mc_text_render(&t, &text, &ts), 0);
		if (strcmp(text, c->expect_text) != 0 || strcmp(msgs, c->expect_msgs) != 0 ||
		    violated != c->expect_violation)
			fail_msg("case '%s':\n  expected text [%s]\n  got           [%s]\n"
				 "  expected msgs [%s]\n  got           [%s]",
				 c->name, c->expect_text, text, c->expect_msgs, msgs);
		free(msgs);
		free(text);
		mc_text_free(&t);
	}
}

/* The final check: like the script, except for "is not set" of an absent symbol. */
static void test_mergeconfig_check(void **state)
{
	(void)state;
	const char *merged = "CONFIG_A=y\n# CONFIG_GONE is not set\nCONFIG_B=m\n# CONFIG_C is "
			     "not set\nCONFIG_D=y\nCONFIG_E=n\nCONFIG_F=n\n# CONFIG_G is not set\n";
	const char *actual = "CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\n# CONFIG_E is not set\n"
			     "# CONFIG_G is not set\n";
	struct mc_text t;
	assert_int_equal(mc_text_from(&t, merged, strlen(merged)), 0);
	char *msgs = NULL;
	size_t ms = 0;
	FILE *f = open_memstream(&msgs, &ms);
	assert_int_equal(mc_check(&t, actual, strlen(actual), "CONFIG_", f), 3);
	fclose(f);
	assert_string_equal(msgs, "Value requested for CONFIG_B not in final .config\n"
				  "Requested value:  CONFIG_B=m\nActual value:     CONFIG_B=y\n\n"
				  "Value requested for CONFIG_C not in final .config\n"
				  "Requested value:  # CONFIG_C is not set\n"
				  "Actual value:     CONFIG_C=y\n\n"
				  "Value requested for CONFIG_D not in final .config\n"
				  "Requested value:  CONFIG_D=y\nActual value:     \n\n");
	free(msgs);
	mc_text_free(&t);
}

/* $CONFIG_="" : every word is a candidate name (sed's rule still applies). */
static void test_mergeconfig_empty_prefix(void **state)
{
	(void)state;
	struct mc_opts o = {.prefix = ""};
	struct mc_text t;
	const char *base = "A=y\nXA=y\nB=y\n", *frag = "A=n\n";
	assert_int_equal(mc_text_from(&t, base, strlen(base)), 0);
	char *msgs = NULL, *text = NULL;
	size_t ms = 0, ts = 0;
	FILE *f = open_memstream(&msgs, &ms);
	bool violated = false;
	assert_int_equal(mc_merge_fragment(&t, "f", frag, strlen(frag), &o, f, &violated), 0);
	fclose(f);
	assert_int_equal(mc_text_render(&t, &text, &ts), 0);
	assert_string_equal(text, "B=y\n\nA=n\n");
	free(msgs);
	free(text);
	mc_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mergeconfig_table),
		cmocka_unit_test(test_mergeconfig_check),
		cmocka_unit_test(test_mergeconfig_empty_prefix),
	};
	return cmocka_run_group_tests_name("kconfig_mergeconfig", tests, NULL, NULL);
}
