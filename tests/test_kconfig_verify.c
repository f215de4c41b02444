#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kconfig/fragment.h"
#include "../kconfig/kconfig_read.h"
#include "../kconfig/kconfig_tree.h"
#include "../kconfig/verify.h"

/* A small Kconfig in the shapes the kernel's use: help texts that mention keywords, if/menu/
 * choice conditions, continuation lines, def_bool, a prompt with `if`, source lines. */
static const char kconfig_text[] = "mainmenu \"test\"\n"
				   "source \"arch/$(SRCARCH)/Kconfig\"\n"
				   "source \"init/Kconfig\"\n"
				   "source \"arch/$(HEADER_ARCH)/um/Kconfig\"\n"
				   "config PCI\n"
				   "\tbool \"PCI support\"\n"
				   "\thelp\n"
				   "\t  Say Y.\n"
				   "\n"
				   "\t  config FAKE_IN_HELP\n"
				   "\t  depends on NOTHING\n"
				   "\n"
				   "menuconfig VIRTIO_MENU\n"
				   "\tbool \"Virtio drivers\" if EXPERT\n"
				   "\tdefault y\n"
				   "if VIRTIO_MENU\n"
				   "config VIRTIO_PCI\n"
				   "\ttristate \"PCI driver for virtio devices\"\n"
				   "\tdepends on PCI\n"
				   "\tselect VIRTIO\n"
				   "endif # VIRTIO_MENU\n"
				   "menu \"Crypto\"\n"
				   "\tdepends on CRYPTO\n"
				   "config DM_CRYPT\n"
				   "\ttristate \"Crypt target support\"\n"
				   "\tdepends on BLK_DEV_DM && \\\n"
				   "\t\t(BLOCK || COMPILE_TEST)\n"
				   "\t---help---\n"
				   "\t  old style help\n"
				   "endmenu\n"
				   "choice\n"
				   "\tprompt \"Compression\"\n"
				   "\tdepends on BLK_DEV_INITRD\n"
				   "config RD_ZSTD\n"
				   "\tbool \"zstd\"\n"
				   "endchoice\n"
				   "config CMDLINE\n"
				   "\tstring \"Built-in command line\"\n"
				   "config NR_CPUS\n"
				   "\tint\n"
				   "\tdefault 64\n"
				   "config PHYS_START\n"
				   "\thex \"Physical address\"\n"
				   "config SIXTYFOUR\n"
				   "\tdef_bool y # comment\n"
				   "config TWICE\n"
				   "\tbool\n"
				   "\tdepends on A\n"
				   "config TWICE\n"
				   "\tdepends on B\n";

static void parse_tree(struct ktree *t, char ***src, size_t *n_src)
{
	ktree_init(t);
	const char *file = ktree_intern_file(t, "Kconfig");
	assert_int_equal(
		ktree_parse(t, file, kconfig_text, strlen(kconfig_text), "x86", src, n_src), 0);
}

static void test_tree_parse(void **state)
{
	(void)state;
	struct ktree t;
	char **src = NULL;
	size_t n_src = 0;
	parse_tree(&t, &src, &n_src);
	static const struct {
		const char *name;
		enum kc_type type;
		const char *depends;
	} want[] = {
		{"PCI", KC_TYPE_BOOL, ""},
		{"VIRTIO_MENU", KC_TYPE_BOOL, ""},
		{"VIRTIO_PCI", KC_TYPE_TRISTATE, "VIRTIO_MENU && PCI"},
		{"DM_CRYPT", KC_TYPE_TRISTATE, "CRYPTO && BLK_DEV_DM && (BLOCK || COMPILE_TEST)"},
		{"RD_ZSTD", KC_TYPE_BOOL, "BLK_DEV_INITRD"},
		{"CMDLINE", KC_TYPE_STRING, ""},
		{"NR_CPUS", KC_TYPE_INT, ""},
		{"PHYS_START", KC_TYPE_HEX, ""},
		{"SIXTYFOUR", KC_TYPE_BOOL, ""},
		{"TWICE", KC_TYPE_BOOL, "(A) || (B)"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ksym *k = ktree_find(&t, want[i].name);
		if (!k)
			fail_msg("%s not found", want[i].name);
		if (k->type != want[i].type || strcmp(k->depends, want[i].depends) != 0)
			fail_msg("%s: type %s depends [%s], expected %s [%s]", want[i].name,
				 kc_type_name(k->type), k->depends, kc_type_name(want[i].type),
				 want[i].depends);
	}
	assert_null(ktree_find(&t, "FAKE_IN_HELP"));
	assert_int_equal(ktree_find(&t, "VIRTIO_PCI")->src.line, 17);
	assert_int_equal(n_src, 2);
	assert_string_equal(src[0], "arch/x86/Kconfig");
	assert_string_equal(src[1], "init/Kconfig");
	for (size_t i = 0; i < n_src; i++)
		free(src[i]);
	free(src);
	ktree_free(&t);
}

struct verify_case {
	const char *name;
	const char *requested; /* a structured fragment (without header) */
	const char *actual;    /* a .config */
	int ret;
	const char *expect; /* messages joined by " | " */
};

static const struct verify_case cases[] = {
	{"all met", "PCI=y\nNR_CPUS=64\n", "CONFIG_PCI=y\nCONFIG_NR_CPUS=64\n", 0, ""},
	{"n requested, symbol absent: met", "DM_CRYPT=n\n", "CONFIG_PCI=y\n", 0, ""},
	{"n requested, is not set: met", "DM_CRYPT=n\n", "# CONFIG_DM_CRYPT is not set\n", 0, ""},
	{"n requested, y actual: lost", "PCI=n optional\n", "CONFIG_PCI=y\n", 0,
	 "r.kcm:2: warning: CONFIG_PCI=n (optional) is not in the final config: actual y"},
	{"mandatory lost: error with depends on and their values", "DM_CRYPT=y\n",
	 "CONFIG_BLK_DEV_DM=m\nCONFIG_CRYPTO=y\n", -22,
	 "r.kcm:2: error: CONFIG_DM_CRYPT=y (mandatory) is not in the final config: absent; "
	 "depends on CRYPTO && BLK_DEV_DM && (BLOCK || COMPILE_TEST) [CRYPTO=y BLK_DEV_DM=m "
	 "BLOCK=n COMPILE_TEST=n]"},
	{"optional lost: warning", "VIRTIO_PCI=y optional\n", "CONFIG_VIRTIO_PCI=m\n", 0,
	 "r.kcm:2: warning: CONFIG_VIRTIO_PCI=y (optional) is not in the final config: actual "
	 "m; depends on VIRTIO_MENU && PCI [VIRTIO_MENU=n PCI=n]"},
	{"not set actual", "PCI=y\n", "# CONFIG_PCI is not set\n", -22,
	 "r.kcm:2: error: CONFIG_PCI=y (mandatory) is not in the final config: not set"},
	{"string differs", "CMDLINE=\"a\"\n", "CONFIG_CMDLINE=\"b\"\n", -22,
	 "r.kcm:2: error: CONFIG_CMDLINE=\"a\" (mandatory) is not in the final config: actual "
	 "\"b\""},
	{"typo", "VIRTIO_PCII=y\n", "", -22,
	 "r.kcm:2: error: CONFIG_VIRTIO_PCII is not defined by any Kconfig file (typo?)"},
	{"typo, optional: warning", "VIRTIO_PCII=y optional\n", "", 0,
	 "r.kcm:2: warning: CONFIG_VIRTIO_PCII is not defined by any Kconfig file (typo?)"},
	{"typo with n: warning only, and met", "VIRTIO_PCII=n\n", "", 0,
	 "r.kcm:2: warning: CONFIG_VIRTIO_PCII is not defined by any Kconfig file (typo?)"},
	{"m for a bool", "PCI=m\n", "CONFIG_PCI=y\n", -22,
	 "r.kcm:2: error: CONFIG_PCI is a bool symbol (Kconfig:5), not m | r.kcm:2: error: "
	 "CONFIG_PCI=m (mandatory) is not in the final config: actual y"},
	{"y for an int", "NR_CPUS=y optional\n", "CONFIG_NR_CPUS=64\n", 0,
	 "r.kcm:2: warning: CONFIG_NR_CPUS is a int symbol (Kconfig:39), not y | r.kcm:2: "
	 "warning: CONFIG_NR_CPUS=y (optional) is not in the final config: actual 64"},
	{"string for a tristate", "DM_CRYPT=\"y\" optional\n", "CONFIG_DM_CRYPT=y\n", 0,
	 "r.kcm:2: warning: CONFIG_DM_CRYPT is a tristate symbol (Kconfig:24), not \"y\" | "
	 "r.kcm:2: warning: CONFIG_DM_CRYPT=\"y\" (optional) is not in the final config: actual "
	 "y"},
	{"int for a hex is fine when it is hex", "PHYS_START=1000\n", "CONFIG_PHYS_START=1000\n", 0,
	 ""},
	{"hex requested with 0x, kept by kconfig without it: met", "PHYS_START=0x1000000\n",
	 "CONFIG_PHYS_START=1000000\n", 0, ""},
	{"hex requested without 0x, written with it: met", "PHYS_START=1000000\n",
	 "CONFIG_PHYS_START=0x1000000\n", 0, ""},
	{"hex in another case, with leading zeros: met", "PHYS_START=0xABC\n",
	 "CONFIG_PHYS_START=0x0abc\n", 0, ""},
	{"another hex number: lost", "PHYS_START=0x1000000\n", "CONFIG_PHYS_START=0x200000\n", -22,
	 "r.kcm:2: error: CONFIG_PHYS_START=0x1000000 (mandatory) is not in the final config: "
	 "actual 0x200000"},
	{"int: another number is lost", "NR_CPUS=64\n", "CONFIG_NR_CPUS=640\n", -22,
	 "r.kcm:2: error: CONFIG_NR_CPUS=64 (mandatory) is not in the final config: actual 640"},
};

static void test_verify_table(void **state)
{
	(void)state;
	struct ktree t;
	char **src = NULL;
	size_t n_src = 0;
	parse_tree(&t, &src, &n_src);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct verify_case *c = &cases[i];
		char *req_text = NULL;
		assert_true(asprintf(&req_text, "#%%kconfig-merge 1\n%s", c->requested) > 0);
		struct kc_set req, act;
		struct kc_diags d = {0};
		kc_set_init(&req);
		kc_set_init(&act);
		assert_int_equal(
			fragment_read("r.kcm", req_text, strlen(req_text), "CONFIG_", &req, &d), 0);
		assert_int_equal(kconfig_read(".config", c->actual, strlen(c->actual), "CONFIG_",
					      ktree_type, &t, &act, &d),
				 0);
		struct verify_result res;
		int r = verify_config(&req, &act, &t, "CONFIG_", &res, &d);
		char *buf = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&buf, &size);
		for (size_t j = 0; j < d.n; j++)
			fprintf(f, "%s%s", j ? " | " : "", d.v[j].text);
		fclose(f);
		if (strcmp(buf, c->expect) != 0 || r != c->ret)
			fail_msg("case '%s':\n  expected [%s] (%d)\n  got      [%s] (%d)", c->name,
				 c->expect, c->ret, buf, r);
		free(buf);
		free(req_text);
		kc_set_free(&req);
		kc_set_free(&act);
		kc_diags_free(&d);
	}
	for (size_t i = 0; i < n_src; i++)
		free(src[i]);
	free(src);
	ktree_free(&t);
}

/* A lost value whose dependencies make a message longer than report_lost's stack buffer
 * (2 KB): the whole message, not a truncated one. */
static void test_verify_long_depends(void **state)
{
	(void)state;
	char *kconfig = NULL, *expect = NULL;
	size_t ks = 0, es = 0;
	FILE *k = open_memstream(&kconfig, &ks), *e = open_memstream(&expect, &es);
	fputs("config LONG\n\tbool \"l\"\n\tdepends on DEP_0", k);
	fputs("r.kcm:2: error: CONFIG_LONG=y (mandatory) is not in the final config: absent; "
	      "depends on DEP_0",
	      e);
	for (int i = 1; i < 200; i++) {
		fprintf(k, " && DEP_%d", i);
		fprintf(e, " && DEP_%d", i);
	}
	fputs("\n", k);
	fputs(" [DEP_0=n", e);
	for (int i = 1; i < 200; i++)
		fprintf(e, " DEP_%d=n", i);
	fputs("]", e);
	fclose(k);
	fclose(e);
	assert_true(es > 2048);
	struct ktree t;
	ktree_init(&t);
	const char *file = ktree_intern_file(&t, "Kconfig");
	char **src = NULL;
	size_t n_src = 0;
	assert_int_equal(ktree_parse(&t, file, kconfig, ks, "x86", &src, &n_src), 0);
	const char *req_text = "#%kconfig-merge 1\nLONG=y\n";
	struct kc_set req, act;
	struct kc_diags d = {0};
	kc_set_init(&req);
	kc_set_init(&act);
	assert_int_equal(fragment_read("r.kcm", req_text, strlen(req_text), "CONFIG_", &req, &d),
			 0);
	struct verify_result res;
	assert_int_equal(verify_config(&req, &act, &t, "CONFIG_", &res, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].text, expect);
	free(kconfig);
	free(expect);
	free(src);
	kc_set_free(&req);
	kc_set_free(&act);
	kc_diags_free(&d);
	ktree_free(&t);
}

static void test_verify_counts_without_tree(void **state)
{
	(void)state;
	const char *req_text = "#%kconfig-merge 1\nA=y\nB=n\nC=m optional\nD=y\n";
	const char *actual = "CONFIG_A=y\nCONFIG_C=y\n# CONFIG_D is not set\n";
	struct kc_set req, act;
	struct kc_diags d = {0};
	kc_set_init(&req);
	kc_set_init(&act);
	fragment_read("r", req_text, strlen(req_text), "CONFIG_", &req, &d);
	kconfig_read("a", actual, strlen(actual), "CONFIG_", NULL, NULL, &act, &d);
	struct verify_result res;
	assert_int_equal(verify_config(&req, &act, NULL, "CONFIG_", &res, &d), -22);
	assert_int_equal(res.checked, 4);
	assert_int_equal(res.matched, 2);
	assert_int_equal(res.lost_mandatory, 1);
	assert_int_equal(res.lost_optional, 1);
	assert_int_equal(res.undefined, 0);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.warnings, 1);
	kc_set_free(&req);
	kc_set_free(&act);
	kc_diags_free(&d);
}

/* Without a Kconfig tree the actual config's 1000000 reads as an int; next to the requested
 * 0x1000000 it is the same hex value. */
static void test_verify_hex_without_tree(void **state)
{
	(void)state;
	const char *req_text = "#%kconfig-merge 1\nPHYSICAL_START=0x1000000\n";
	const char *actual = "CONFIG_PHYSICAL_START=1000000\n";
	struct kc_set req, act;
	struct kc_diags d = {0};
	kc_set_init(&req);
	kc_set_init(&act);
	fragment_read("r", req_text, strlen(req_text), "CONFIG_", &req, &d);
	kconfig_read("a", actual, strlen(actual), "CONFIG_", NULL, NULL, &act, &d);
	struct verify_result res;
	assert_int_equal(verify_config(&req, &act, NULL, "CONFIG_", &res, &d), 0);
	assert_int_equal(res.matched, 1);
	assert_int_equal(res.lost_mandatory, 0);
	assert_int_equal(d.n, 0);
	kc_set_free(&req);
	kc_set_free(&act);
	kc_diags_free(&d);
}

/* --arch (or $ARCH) is the kernel's ARCH; its Kconfig files are under arch/$(SRCARCH). */
static void test_srcarch(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"x86_64", "x86"},  {"i386", "x86"},	  {"x86", "x86"},
		{"arm64", "arm64"}, {"sparc64", "sparc"}, {"parisc64", "parisc"},
		{"sh64", "sh"},	    {"riscv", "riscv"},	  {"x86_640", "x86_640"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(ktree_srcarch(cases[i][0]), cases[i][1]) != 0)
			fail_msg("ARCH=%s: SRCARCH %s, expected %s", cases[i][0],
				 ktree_srcarch(cases[i][0]), cases[i][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_parse),
		cmocka_unit_test(test_verify_table),
		cmocka_unit_test(test_verify_long_depends),
		cmocka_unit_test(test_verify_counts_without_tree),
		cmocka_unit_test(test_verify_hex_without_tree),
		cmocka_unit_test(test_srcarch),
	};
	return cmocka_run_group_tests_name("kconfig_verify", tests, NULL, NULL);
}
