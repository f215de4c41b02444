/* Tests for initrd/crypttab.c: crypttab(5) lines and rd.luks.* entries → volumes + diags.
 * Each case renders the resulting volumes in one line and checks the diagnostics by level and
 * a substring, so a failure shows the case name, what was expected and what came out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/crypttab.h"

/* Case tables leave trailing fields (optional expectations) zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "../tests/luks-fixtures"
#endif

#define U1 "0b4b7a4a-2d5c-4a7f-9a3e-3b1d9f0a6c11"
#define U1_UPPER_NODASH "0B4B7A4A2D5C4A7F9A3E3B1D9F0A6C11"
#define U2 "8a5c3f1e-6b2d-4e7a-9c1f-2d3e4f5a6b7c"

/* "name device [key=K] [header=H] [offset=N] [size=N] [tries=N] [discard] [no-read-wq]
 *  [no-write-wq] [ro] [nofail] [timeout=MS|inf]"; volumes joined by "; ". Defaults omitted. */
static void render(const struct luks_config *cfg, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = 0;
	if (cfg->disabled)
		o += (size_t)snprintf(buf + o, size - o, "(disabled)");
	for (size_t i = 0; i < cfg->n_volumes && o < size; i++) {
		const struct luks_volume *v = &cfg->volumes[i];
		o += (size_t)snprintf(buf + o, size - o, "%s%s %s", i ? "; " : "", v->name,
				      v->device);
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (o < size)                                                                      \
			o += (size_t)snprintf(buf + o, size - o, __VA_ARGS__);                     \
	} while (0)
		if (v->keyfile)
			ADD(" key=%s", v->keyfile);
		if (v->header)
			ADD(" header=%s", v->header);
		if (v->keyfile_offset)
			ADD(" offset=%llu", (unsigned long long)v->keyfile_offset);
		if (v->keyfile_size)
			ADD(" size=%llu", (unsigned long long)v->keyfile_size);
		if (v->tries != 3)
			ADD(" tries=%u", v->tries);
		if (v->discard)
			ADD(" discard");
		if (v->no_read_wq)
			ADD(" no-read-wq");
		if (v->no_write_wq)
			ADD(" no-write-wq");
		if (v->readonly)
			ADD(" ro");
		if (v->nofail)
			ADD(" nofail");
		if (v->noauto)
			ADD(" noauto");
		if (v->timeout_ms == LUKS_TIMEOUT_INFINITY)
			ADD(" timeout=inf");
		else if (v->timeout_ms != LUKS_TIMEOUT_DEFAULT)
			ADD(" timeout=%llu", (unsigned long long)v->timeout_ms);
		if (v->tpm2_device)
			ADD(" tpm2-device=%s", v->tpm2_device);
		if (v->tpm2_pcrs_set)
			ADD(" tpm2-pcrs=0x%x", v->tpm2_pcrs);
		if (v->token_timeout_ms)
			ADD(" token-timeout=%llu", (unsigned long long)v->token_timeout_ms);
#undef ADD
	}
}

static char level_char(enum luks_diag_level l)
{
	return l == LUKS_DIAG_ERROR ? 'E' : l == LUKS_DIAG_WARNING ? 'W' : 'I';
}

/* Expected diags: "E:substring" entries, in order; all diags must be matched. */
static void check_diags(const char *name, const struct luks_config *cfg, const char *const *want)
{
	size_t n_want = 0;
	while (want && want[n_want])
		n_want++;
	char all[4096] = "";
	size_t o = 0;
	for (size_t i = 0; i < cfg->n_diags && o < sizeof(all); i++)
		o += (size_t)snprintf(all + o, sizeof(all) - o, "\n  %c: %s",
				      level_char(cfg->diags[i].level), cfg->diags[i].message);
	if (cfg->n_diags != n_want)
		fail_msg("case '%s': expected %zu diags, got %zu:%s", name, n_want, cfg->n_diags,
			 all);
	for (size_t i = 0; i < n_want; i++) {
		if (level_char(cfg->diags[i].level) != want[i][0] ||
		    !strstr(cfg->diags[i].message, want[i] + 2))
			fail_msg("case '%s': diag %zu should be %s, got:%s", name, i, want[i], all);
	}
}

struct ct_case {
	const char *name;
	const char *crypttab; /* NULL: no crypttab */
	struct luks_cmdline_entry cmdline[6];
	const char *volumes;
	const char *diags[6];
	size_t crypttab_len; /* 0: strlen(crypttab) */
};

static const struct ct_case cases[] = {
	/* ---- crypttab lines ---- */
	{"debian installer line",
	 "sda5_crypt UUID=" U1 " none luks,discard\n",
	 {{0}},
	 "sda5_crypt UUID=" U1 " discard",
	 {0}},
	{"two fields, no newline at end", "croot /dev/vda2", {{0}}, "croot /dev/vda2", {0}},
	{"comments, blanks, tabs, CRLF",
	 "# comment\n\n   \t\n  # indented comment\r\ncroot\tUUID=" U1 "\t-\tluks\r\n",
	 {{0}},
	 "croot UUID=" U1,
	 {0}},
	{"key file path",
	 "croot /dev/vda2 /etc/keys/root.key luks",
	 {{0}},
	 "croot /dev/vda2 key=/etc/keys/root.key",
	 {0}},
	{"all supported options",
	 "c /dev/vda2 /k discard,no-read-workqueue,no-write-workqueue,read-only,"
	 "header=/etc/h.img,keyfile-offset=4096,keyfile-size=64,tries=0,nofail",
	 {{0}},
	 "c /dev/vda2 key=/k header=/etc/h.img offset=4096 size=64 tries=0 discard no-read-wq "
	 "no-write-wq ro nofail",
	 {0}},
	{"readonly spelling, tries=5",
	 "c /dev/vda2 none readonly,tries=5",
	 {{0}},
	 "c /dev/vda2 tries=5 ro",
	 {0}},
	{"empty option words", "c /dev/vda2 none ,,discard,", {{0}}, "c /dev/vda2 discard", {0}},
	{"unknown option names option and line",
	 "# x\nc /dev/vda2 none luks,cipher=aes-xts-plain64",
	 {{0}},
	 "c /dev/vda2",
	 {"W:/etc/crypttab:2: unknown or unsupported option 'cipher=aes-xts-plain64' ignored"}},
	{"escaped comma stays in one option",
	 "c /dev/vda2 none cipher=xchacha12\\,aes,discard",
	 {{0}},
	 "c /dev/vda2 discard",
	 {"W:option 'cipher=xchacha12,aes' ignored"}},
	/* "\\" is an escaped backslash (systemd's EXTRACT_UNESCAPE_SEPARATORS): before a ',' it
	 * ends the value with one '\' and the ',' still separates. */
	{"escaped backslash before a comma",
	 "c /dev/vda2 none header=/etc/h\\\\,discard",
	 {{0}},
	 "c /dev/vda2 header=/etc/h\\ discard",
	 {0}},
	{"escaped backslash then escaped comma",
	 "c /dev/vda2 none header=/etc/h\\\\\\,x,discard",
	 {{0}},
	 "c /dev/vda2 header=/etc/h\\,x discard",
	 {0}},
	{"harmless options accepted silently",
	 "c /dev/vda2 none luks,initramfs,x-initrd.attach,x-systemd.automount,none",
	 {{0}},
	 "c /dev/vda2",
	 {0}},
	{"_netdev warns",
	 "c /dev/vda2 none _netdev",
	 {{0}},
	 "c /dev/vda2",
	 {"W:/etc/crypttab:1: option '_netdev' ignored"}},
	{"tpm2 options",
	 "c /dev/vda2 none tpm2-device=/dev/tpmrm0,tpm2-pcrs=7+13,token-timeout=10s",
	 {{0}},
	 "c /dev/vda2 tpm2-device=/dev/tpmrm0 tpm2-pcrs=0x2080 token-timeout=10000",
	 {0}},
	{"tpm2-device=auto, empty tpm2-pcrs, token-timeout=0",
	 "c /dev/vda2 none tpm2-device=/dev/tpm0,tpm2-device=auto,tpm2-pcrs=,token-timeout=0",
	 {{0}},
	 "c /dev/vda2 tpm2-pcrs=0x0",
	 {0}},
	{"bad tpm2 options",
	 "c /dev/vda2 none tpm2-device=tpm0,tpm2-pcrs=7+24,token-timeout=soon,tpm2-pcrs=7+",
	 {{0}},
	 "c /dev/vda2",
	 {"E:/etc/crypttab:1: tpm2-device=tpm0: expected auto or a device path",
	  "E:/etc/crypttab:1: tpm2-pcrs=7+24: expected PCR numbers 0-23",
	  "E:/etc/crypttab:1: token-timeout=soon: not a time span",
	  "E:/etc/crypttab:1: tpm2-pcrs=7+: expected PCR numbers"}},
	{"rd.luks.options sets the tpm2 options",
	 "a UUID=" U1 " none tpm2-device=/dev/tpm0\n",
	 {{"rd.luks.options", U1 "=tpm2-pcrs=0,token-timeout=2s", NULL}},
	 "a UUID=" U1 " tpm2-pcrs=0x1 token-timeout=2000",
	 {0}},
	{"bad tries keeps default",
	 "c /dev/vda2 none tries=abc",
	 {{0}},
	 "c /dev/vda2",
	 {"E:/etc/crypttab:1: tries=abc: not a number"}},
	{"bad keyfile-offset",
	 "c /dev/vda2 /k keyfile-offset=-1",
	 {{0}},
	 "c /dev/vda2 key=/k",
	 {"E:keyfile-offset=-1: not a number"}},
	{"device timeout",
	 "a /dev/vda2 none x-systemd.device-timeout=30s\n"
	 "b /dev/vdb none x-systemd.device-timeout=0\n"
	 "c /dev/vdc none x-systemd.device-timeout=1min30s\n"
	 "d /dev/vdd none x-systemd.device-timeout=soon",
	 {{0}},
	 "a /dev/vda2 timeout=30000; b /dev/vdb timeout=inf; c /dev/vdc timeout=90000; d /dev/vdd",
	 {"E:/etc/crypttab:4: x-systemd.device-timeout=soon: not a time span"}},
	{"plain/swap/tcrypt rejected",
	 "s /dev/sda7 /dev/urandom swap\nt /dev/sda2 /etc/pw tcrypt\np /dev/sda3 none plain\n"
	 "ok /dev/sda4",
	 {{0}},
	 "ok /dev/sda4",
	 {"E:/etc/crypttab:1: option 'swap': only LUKS volumes are supported; volume 's' skipped",
	  "E:/etc/crypttab:2: option 'tcrypt'", "E:/etc/crypttab:3: option 'plain'"}},
	{"noauto skipped without command line",
	 "a /dev/vda2 none noauto\nb /dev/vdb none nofail",
	 {{0}},
	 "b /dev/vdb nofail",
	 {"I:/etc/crypttab:1: volume 'a' skipped (noauto)"}},
	{"field count errors",
	 "lonely\nc /dev/vda2 none discard, luks\nok /dev/vdc",
	 {{0}},
	 "ok /dev/vdc",
	 {"E:/etc/crypttab:1: expected 'name device [keyfile [options]]', found 1 field",
	  "E:/etc/crypttab:2: expected 'name device [keyfile [options]]', found more than 4"}},
	{"duplicate name",
	 "c /dev/vda2\nc /dev/vdb",
	 {{0}},
	 "c /dev/vda2",
	 {"E:/etc/crypttab:2: volume 'c' is already defined earlier"}},
	{"bad device specs",
	 "a sda2\nb /mnt/tc_hidden\nc ID=foo\nd UUID=\ne /dev/",
	 {{0}},
	 "",
	 {"E:/etc/crypttab:1: device 'sda2' is not", "E:/etc/crypttab:2: device '/mnt/tc_hidden'",
	  "E:/etc/crypttab:3: device 'ID=foo'", "E:/etc/crypttab:4: device 'UUID='",
	  "E:/etc/crypttab:5: device '/dev/'"}},
	{"quoted tag value",
	 "a LABEL=\"data\"\nb PARTLABEL='home'",
	 {{0}},
	 "a LABEL=data; b PARTLABEL=home",
	 {0}},
	{"bad names",
	 "a/b /dev/vda2\n"
	 "x123456789x123456789x123456789x123456789x123456789x123456789x123456789"
	 "x123456789x123456789x123456789x123456789x123456789x123456789 /dev/vdb",
	 {{0}},
	 "",
	 {"E:'a/b' is not a valid mapping name", "E:/etc/crypttab:2: 'x1234"}},
	{"key file forms",
	 "a /dev/vda2 keys/a.key\nb /dev/vdb /k:LABEL=keydev\nc /dev/vdc /odd:name.key",
	 {{0}},
	 "c /dev/vdc key=/odd:name.key",
	 {"E:/etc/crypttab:1: key file 'keys/a.key': must be an absolute path",
	  "E:/etc/crypttab:2: key file '/k:LABEL=keydev': a key file on another device "
	  "(PATH:DEVICE) is not supported; volume 'b' skipped"}},
	{"header forms",
	 "a /dev/vda2 none header=hdr.img\nb /dev/vdb none header=/h:/dev/sdb1",
	 {{0}},
	 "",
	 {"E:/etc/crypttab:1: header=hdr.img: header= needs an absolute path",
	  "E:/etc/crypttab:2: header=/h:/dev/sdb1"}},
	{"NUL byte in a line",
	 "a /dev/vda2\nb /dev/\0vdb\nc /dev/vdc",
	 {{0}},
	 "a /dev/vda2; c /dev/vdc",
	 {"E:/etc/crypttab:2: NUL byte"},
	 34},

	/* ---- command line ---- */
	{"rd.luks=0 disables", "c /dev/vda2\n", {{"rd.luks", "0", NULL}}, "(disabled)", {0}},
	{"rd.luks=no beats rd.luks.uuid",
	 NULL,
	 {{"rd.luks.uuid", U1, NULL}, {"rd.luks", "no", NULL}},
	 "(disabled)",
	 {0}},
	{"rd.luks bare is yes", "c /dev/vda2\n", {{"rd.luks", NULL, NULL}}, "c /dev/vda2", {0}},
	{"rd.luks=maybe warns",
	 "c /dev/vda2\n",
	 {{"rd.luks", "maybe", NULL}},
	 "c /dev/vda2",
	 {"W:rd.luks=maybe: not a boolean"}},
	{"rd.luks.uuid restricts crypttab",
	 "a UUID=" U1 " none discard\nb UUID=" U2 "\n",
	 {{"rd.luks.uuid", U1, NULL}},
	 "a UUID=" U1 " discard",
	 {"I:/etc/crypttab:2: volume 'b' skipped (not named by rd.luks.uuid=/rd.luks.name=)"}},
	{"rd.luks.uuid without crypttab, luks- prefix",
	 NULL,
	 {{"rd.luks.uuid", "luks-" U1, "cmdline:rd.luks.uuid"}},
	 "luks-" U1 " UUID=" U1,
	 {0}},
	{"uuid normalised: case and dashes",
	 "a UUID=" U1 "\n",
	 {{"rd.luks.uuid", U1_UPPER_NODASH, NULL}},
	 "a UUID=" U1,
	 {0}},
	{"rd.luks.name", NULL, {{"rd.luks.name", U1 "=croot", NULL}}, "croot UUID=" U1, {0}},
	{"rd.luks.name twice: last wins",
	 NULL,
	 {{"rd.luks.name", U1 "=a", NULL}, {"rd.luks.name", U1 "=b", NULL}},
	 "b UUID=" U1,
	 {0}},
	{"rd.luks.name on crypttab entry keeps crypttab name",
	 "cryptroot UUID=" U1,
	 {{"rd.luks.name", U1 "=croot", NULL}},
	 "cryptroot UUID=" U1,
	 {"W:rd.luks.name=" U1 "=croot: /etc/crypttab:1 defines this UUID as 'cryptroot'"}},
	{"rd.luks.name bad forms",
	 NULL,
	 {{"rd.luks.name", "croot", NULL}, {"rd.luks.name", U1 "=a/b", NULL}},
	 "",
	 {"E:rd.luks.name=croot: expected UUID=NAME", "E:'a/b' is not a valid mapping name"}},
	{"per-uuid options replace crypttab options",
	 "a UUID=" U1 " none readonly,tries=7\n",
	 {{"rd.luks.options", U1 "=discard,tries=1", NULL}},
	 "a UUID=" U1 " tries=1 discard",
	 {0}},
	{"options without uuid apply to command-line volumes only",
	 "a UUID=" U1 " none readonly\n",
	 {{"rd.luks.options", "discard", NULL},
	  {"rd.luks.uuid", U1, NULL},
	  {"rd.luks.uuid", U2, NULL}},
	 "a UUID=" U1 " ro; luks-" U2 " UUID=" U2 " discard",
	 {0}},
	{"per-uuid options beat default options",
	 NULL,
	 {{"rd.luks.options", "discard", NULL},
	  {"rd.luks.options", U1 "=readonly", NULL},
	  {"rd.luks.uuid", U1, NULL}},
	 "luks-" U1 " UUID=" U1 " ro",
	 {0}},
	{"escaped backslash in rd.luks.options",
	 NULL,
	 {{"rd.luks.uuid", U1, NULL}, {"rd.luks.options", U1 "=header=/h\\\\,nofail", NULL}},
	 "luks-" U1 " UUID=" U1 " header=/h\\ nofail",
	 {0}},
	{"unknown option from command line names the entry",
	 NULL,
	 {{"rd.luks.uuid", U1, NULL}, {"rd.luks.options", "bogus", "rd.luks.options=bogus"}},
	 "luks-" U1 " UUID=" U1,
	 {"W:rd.luks.options=bogus: unknown or unsupported option 'bogus'"}},
	{"rd.luks.key default and per uuid",
	 NULL,
	 {{"rd.luks.key", "/etc/default.key", NULL},
	  {"rd.luks.key", U2 "=/etc/two.key", NULL},
	  {"rd.luks.uuid", U1, NULL},
	  {"rd.luks.uuid", U2, NULL}},
	 "luks-" U1 " UUID=" U1 " key=/etc/default.key; luks-" U2 " UUID=" U2 " key=/etc/two.key",
	 {0}},
	{"rd.luks.key on crypttab entry is reported, crypttab key kept",
	 "a UUID=" U1 " /etc/a.key\n",
	 {{"rd.luks.key", U1 "=/etc/other.key", NULL}},
	 "a UUID=" U1 " key=/etc/a.key",
	 {"W:rd.luks.key=" U1 "=/etc/other.key: ignored, /etc/crypttab:1 defines the key file"}},
	{"rd.luks.key bad forms",
	 NULL,
	 {{"rd.luks.key", "abc=/k", NULL},
	  {"rd.luks.key", "rel.key", NULL},
	  {"rd.luks.key", U1 "=/k:LABEL=usb", NULL}},
	 "",
	 {"E:rd.luks.key=abc=/k: 'abc' is not a UUID", "E:rd.luks.key=rel.key: key file must be",
	  "E:(PATH:DEVICE) is not supported"}},
	{"rd.luks.crypttab=no",
	 "a UUID=" U1 "\nb /dev/vdb\n",
	 {{"rd.luks.crypttab", "no", NULL}, {"rd.luks.uuid", U1, NULL}},
	 "luks-" U1 " UUID=" U1,
	 {"I:volume 'a' skipped (rd.luks.crypttab=no)", "I:volume 'b' skipped"}},
	{"rd.luks.crypttab=yes does not lift the allow list",
	 "a UUID=" U1 "\nb /dev/vdb\n",
	 {{"rd.luks.crypttab", "yes", NULL}, {"rd.luks.uuid", U1, NULL}},
	 "a UUID=" U1,
	 {"I:/etc/crypttab:2: volume 'b' skipped (not named"}},
	{"rd.luks.timeout default and per uuid",
	 "a UUID=" U1 "\nb /dev/vdb none x-systemd.device-timeout=5\nc UUID=" U2 "\n",
	 {{"rd.luks.timeout", "10", NULL}, {"rd.luks.timeout", U2 "=infinity", NULL}},
	 "a UUID=" U1 " timeout=10000; b /dev/vdb timeout=5000; c UUID=" U2 " timeout=inf",
	 {0}},
	{"rd.luks.timeout bad",
	 "a /dev/vda2",
	 {{"rd.luks.timeout", "10x", NULL}},
	 "a /dev/vda2",
	 {"E:rd.luks.timeout=10x: '10x' is not a time span"}},
	{"noauto entry named on the command line is kept",
	 "a UUID=" U1 " none noauto\n",
	 {{"rd.luks.uuid", U1, NULL}},
	 "a UUID=" U1,
	 {0}},
	{"match by luks-UUID name and by-uuid path",
	 "luks-" U1 " /dev/vda2\nb /dev/disk/by-uuid/" U2 "\nc /dev/vdc\n",
	 {{"rd.luks.uuid", U1, NULL}, {"rd.luks.uuid", U2, NULL}},
	 "luks-" U1 " /dev/vda2; b /dev/disk/by-uuid/" U2,
	 {"I:volume 'c' skipped"}},
	{"luks.* without rd. is accepted, other keys ignored",
	 NULL,
	 {{"luks.uuid", U1, NULL}, {"root", "/dev/mapper/x", NULL}, {"rd.luksfoo", "1", NULL}},
	 "luks-" U1 " UUID=" U1,
	 {"W:rd.luksfoo=1: unknown or unsupported, ignored"}},
	{"unknown rd.luks key and missing values",
	 NULL,
	 {{"rd.luks.data", U1 "=/dev/sdx", NULL},
	  {"rd.luks.uuid", NULL, NULL},
	  {"rd.luks.uuid", "", NULL}},
	 "",
	 {"W:rd.luks.data=" U1 "=/dev/sdx: unknown or unsupported", "W:rd.luks.uuid: missing value",
	  "W:rd.luks.uuid=: missing value"}},
	{"rd.luks.uuid garbage",
	 NULL,
	 {{"rd.luks.uuid", "1234", NULL}},
	 "",
	 {"E:rd.luks.uuid=1234: '1234' is not a UUID"}},
	{"command-line name clashes with crypttab name",
	 "croot UUID=" U2 "\n",
	 {{"rd.luks.name", U1 "=croot", NULL}, {"rd.luks.uuid", U2, NULL}},
	 "croot UUID=" U2,
	 {"E:rd.luks.name=" U1 "=croot: volume name 'croot' is already used by another volume"}},
	{"crypttab entry outside the allow list frees its name",
	 "croot /dev/vda2\n",
	 {{"rd.luks.name", U1 "=croot", NULL}},
	 "croot UUID=" U1,
	 {"I:volume 'croot' skipped"}},
	{"command-line volumes keep command line order",
	 NULL,
	 {{"rd.luks.uuid", U2, NULL}, {"rd.luks.name", U1 "=b", NULL}},
	 "luks-" U2 " UUID=" U2 "; b UUID=" U1,
	 {0}},
	{"per-uuid options make the volume unusable",
	 NULL,
	 {{"rd.luks.uuid", U1, NULL}, {"rd.luks.options", U1 "=plain", NULL}},
	 "",
	 {"E:rd.luks.options=" U1 "=plain: option 'plain': only LUKS volumes are supported"}},
};

static bool wants_error(const char *const *want)
{
	for (size_t i = 0; want[i]; i++)
		if (want[i][0] == 'E')
			return true;
	return false;
}

static void run_case(const struct ct_case *c)
{
	struct luks_config cfg = {0};
	size_t n = 0;
	while (n < 6 && c->cmdline[n].key)
		n++;
	size_t len = c->crypttab_len ? c->crypttab_len : c->crypttab ? strlen(c->crypttab) : 0;
	int r = luks_config_build(c->crypttab, len, NULL, c->cmdline, n, &cfg);
	if (r != 0)
		fail_msg("case '%s': luks_config_build returned %d", c->name, r);
	char got[2048];
	render(&cfg, got, sizeof(got));
	if (strcmp(got, c->volumes) != 0)
		fail_msg("case '%s':\n  expected volumes: %s\n  got:              %s", c->name,
			 c->volumes, got);
	check_diags(c->name, &cfg, c->diags);
	if (luks_config_has_errors(&cfg) != wants_error(c->diags))
		fail_msg("case '%s': luks_config_has_errors() is wrong", c->name);
	luks_config_free(&cfg);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	static char buf[8192];
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

struct fixture_case {
	const char *file;
	const char *volumes;
	const char *diags[8];
};

static const struct fixture_case fixtures[] = {
	{"crypttab-debian", "sda5_crypt UUID=" U1 " discard", {0}},
	{"crypttab-crlf", "cdata LABEL=data ro", {0}},
	{"crypttab-systemd-man",
	 "luks UUID=2505567a-9e27-4efe-a4d5-15ad146c258b; croot UUID=" U2
	 " tries=5 discard no-read-wq no-write-wq; chome PARTLABEL=home key=/etc/keys/home.key "
	 "header=/etc/keys/home.hdr offset=1024 size=64 nofail timeout=30000",
	 {"E:crypttab-systemd-man:3: option 'swap': only LUKS volumes",
	  "E:crypttab-systemd-man:4: option 'tcrypt'",
	  "E:crypttab-systemd-man:5: device '/mnt/tc_hidden'",
	  "E:crypttab-systemd-man:6: key file 'keyfile:LABEL=keydev': a key file on another "
	  "device"}},
};

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture_case *c = &fixtures[i];
		size_t len;
		const char *text = read_fixture(c->file, &len);
		struct luks_config cfg = {0};
		assert_int_equal(luks_config_build(text, len, c->file, NULL, 0, &cfg), 0);
		char got[2048];
		render(&cfg, got, sizeof(got));
		if (strcmp(got, c->volumes) != 0)
			fail_msg("fixture '%s':\n  expected volumes: %s\n  got:              %s",
				 c->file, c->volumes, got);
		check_diags(c->file, &cfg, c->diags);
		luks_config_free(&cfg);
	}
}

/* The source string of each volume names where it came from. */
static void test_sources(void **state)
{
	(void)state;
	const char *ct = "# header\nroot UUID=" U1 "\n";
	const struct luks_cmdline_entry cmd[] = {
		{"rd.luks.uuid", U1, "rd.luks.uuid=" U1},
		{"rd.luks.name", U2 "=home", NULL},
	};
	struct luks_config cfg = {0};
	assert_int_equal(luks_config_build(ct, strlen(ct), "/etc/crypttab", cmd, 2, &cfg), 0);
	assert_int_equal(cfg.n_volumes, 2);
	assert_string_equal(cfg.volumes[0].source, "/etc/crypttab:2");
	assert_string_equal(cfg.volumes[1].source, "rd.luks.name=" U2 "=home");
	luks_config_free(&cfg);
}

/* crypttab_parse alone keeps noauto entries (flagged); the command line step drops them. */
static void test_two_steps(void **state)
{
	(void)state;
	const char *ct = "a /dev/vda2 none noauto\n";
	struct luks_config cfg = {0};
	assert_int_equal(crypttab_parse(ct, strlen(ct), NULL, &cfg), 0);
	assert_int_equal(cfg.n_volumes, 1);
	assert_true(cfg.volumes[0].noauto);
	assert_int_equal(luks_config_apply_cmdline(&cfg, NULL, 0), 0);
	assert_int_equal(cfg.n_volumes, 0);
	luks_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_two_steps),
	};
	return cmocka_run_group_tests_name("crypttab", tests, NULL, NULL);
}
