#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/bootconf.h"
#include "../initrd/cmdline.h"
#include "../initrd/conf.h"

#define CONF_PATH "/etc/initkit.conf"

struct out {
	char *buf;
	size_t n, size;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	o->n += vsnprintf(o->buf + o->n, o->size - o->n, fmt, ap);
	va_end(ap);
	assert_true(o->n < o->size);
}

static void put_strv(struct out *o, const char *name, char *const *v)
{
	if (!v[0])
		return;
	put(o, " %s=[", name);
	for (size_t i = 0; v[i]; i++)
		put(o, "%s%s", i ? "," : "", v[i]);
	put(o, "]");
}

/* Renders only what differs from the defaults, so "" means "all defaults". */
static void render(const struct boot_config *bc, char *buf, size_t size)
{
	static const char *const rw[] = {"", " ro", " rw"};
	struct out o = {buf, 0, size};
	buf[0] = '\0';
	if (bc->root)
		put(&o, " root=%s", bc->root);
	if (bc->rootfstype)
		put(&o, " rootfstype=%s", bc->rootfstype);
	if (bc->rootflags)
		put(&o, " rootflags=%s", bc->rootflags);
	put(&o, "%s", rw[bc->read_only]);
	if (bc->init)
		put(&o, " init=%s", bc->init);
	put_strv(&o, "args", bc->init_args);
	put_strv(&o, "modules", bc->modules);
	put_strv(&o, "blacklist", bc->blacklist);
	if (bc->timeout_ms == BOOT_TIMEOUT_INFINITY)
		put(&o, " timeout=infinity");
	else if (bc->timeout_ms != BOOT_TIMEOUT_DEFAULT_MS)
		put(&o, " timeout=%llu", (unsigned long long)bc->timeout_ms);
	if (bc->emergency != BOOT_EMERGENCY_WAIT)
		put(&o, " emergency=%s", boot_emergency_name(bc->emergency));
	if (bc->shell_allowed)
		put(&o, " shell");
	if (bc->quiet)
		put(&o, " quiet");
	if (bc->debug)
		put(&o, " debug");
	if (!bc->luks_enabled)
		put(&o, " luks=0");
	if (!bc->lvm_enabled)
		put(&o, " lvm=0");
	put_strv(&o, "vg", bc->lvm_vgs);
	put_strv(&o, "lv", bc->lvm_lvs);
	if (bc->fsck_mode != BOOT_FSCK_AUTO)
		put(&o, " fsck.mode=%s", boot_fsck_mode_name(bc->fsck_mode));
	if (bc->fsck_repair != BOOT_FSCK_PREEN)
		put(&o, " fsck.repair=%s", boot_fsck_repair_name(bc->fsck_repair));
	if (bc->resume)
		put(&o, " resume=%s", bc->resume);
	if (bc->resume_offset_set)
		put(&o, " resume_offset=%llu", (unsigned long long)bc->resume_offset);
	if (bc->noresume)
		put(&o, " noresume");
	if (bc->vconsole_keymap)
		put(&o, " vconsole.keymap=%s", bc->vconsole_keymap);
	if (bc->rd_vconsole_keymap)
		put(&o, " rd.vconsole.keymap=%s", bc->rd_vconsole_keymap);
	for (size_t i = 0; i < bc->n_luks; i++)
		put(&o, " L(%s=%s@%s)", bc->luks[i].key,
		    bc->luks[i].value ? bc->luks[i].value : "-", bc->luks[i].source);
	for (size_t i = 0; i < bc->n_errors; i++) {
		char line[512];
		assert_true(boot_error_format(&bc->errors[i], line, sizeof(line)) <
			    (int)sizeof(line));
		put(&o, " E(%s)", line);
	}
	if (o.n)
		memmove(buf, buf + 1, o.n); /* drop the leading space */
}

struct case_ {
	const char *name;
	const char *conf;
	const char *cmdline;
	const char *expect;
};

static const struct case_ cases[] = {
	{"defaults", "", "", ""},
	{"root and ro", "", "root=/dev/vda1 ro", "root=/dev/vda1 ro"},
	{"command line overrides the image", "root=LABEL=a\nrw\nrootfstype=xfs\n", "root=UUID=x",
	 "root=UUID=x rootfstype=xfs rw"},
	{"last scalar wins", "", "rootfstype=ext4 rootfstype=xfs ro rw", "rootfstype=xfs rw"},
	{"rootflags= clears", "rootflags=discard", "rootflags=", ""},
	{"rootflags quoted", "", "rootflags=\"a,b c\"", "rootflags=a,b c"},
	{"modules accumulate, dedupe with -/_", "rd.modules-load=a,b",
	 "rd.modules-load=c,,a rd.modules_load=d-e rd.modules-load=d_e", "modules=[a,b,c,d-e]"},
	{"blacklist from both keys", "", "module_blacklist=x rd.driver.blacklist=y,x",
	 "blacklist=[x,y]"},
	{"bad module list rejected whole", "", "rd.modules-load=a,b/c",
	 "E(kernel command line: rd.modules-load=a,b/c: not a comma-separated list of module "
	 "names)"},
	{"timeout seconds", "", "rd.timeout=10", "timeout=10000"},
	{"timeout spans", "", "rd.timeout=\"1min 30s\"", "timeout=90000"},
	{"timeout 0 is forever", "", "rd.timeout=0", "timeout=infinity"},
	{"timeout bad keeps the image's", "rd.timeout=5s", "rd.timeout=soon",
	 "timeout=5000 E(kernel command line: rd.timeout=soon: not a time span (e.g. 30, 10s, "
	 "500ms, 2min, infinity))"},
	{"emergency", "", "rd.emergency=poweroff", "emergency=poweroff"},
	{"emergency bad", "", "rd.emergency=explode",
	 "E(kernel command line: rd.emergency=explode: not one of reboot, poweroff, halt, wait)"},
	{"shell bare", "", "rd.shell", "shell"},
	{"shell revoked", "rd.shell", "rd.shell=0", ""},
	{"shell bad", "", "rd.shell=maybe",
	 "E(kernel command line: rd.shell=maybe: not a boolean (1/yes/true/on or 0/no/false/off))"},
	{"quiet and debug", "", "quiet rd.debug", "quiet debug"},
	{"luks off", "", "rd.luks=no", "luks=0"},
	{"luks entries kept in order with sources", "rd.luks.name=u1=croot\n",
	 "rd.luks.uuid=u2 luks.options=discard rd.luks.key",
	 "L(rd.luks.name=u1=croot@/etc/initkit.conf:1) L(rd.luks.uuid=u2@kernel command line) "
	 "L(luks.options=discard@kernel command line) L(rd.luks.key=-@kernel command line)"},
	{"lvm off", "", "rd.lvm=0", "lvm=0"},
	{"lvm vg and lv repeat, in order, exact duplicates dropped", "rd.lvm.vg=debian-vg\n",
	 "rd.lvm.vg=b rd.lvm.lv=fedora/root rd.lvm.vg=debian-vg rd.lvm.lv=fedora/swap "
	 "rd.lvm.lv=fedora/root",
	 "vg=[debian-vg,b] lv=[fedora/root,fedora/swap]"},
	{"lvm names: '-' and '_' differ, '+' and '.' allowed", "",
	 "rd.lvm.vg=a-b rd.lvm.vg=a_b rd.lvm.lv=v.1/l+2", "vg=[a-b,a_b] lv=[v.1/l+2]"},
	{"lvm vg bad name", "", "rd.lvm.vg=-x rd.lvm.vg=a/b rd.lvm.vg=..",
	 "E(kernel command line: rd.lvm.vg=-x: not a volume group name (A-Z a-z 0-9 + _ . -, not "
	 "starting with -)) E(kernel command line: rd.lvm.vg=a/b: not a volume group name (A-Z "
	 "a-z 0-9 + _ . -, not starting with -)) E(kernel command line: rd.lvm.vg=..: not a "
	 "volume group name (A-Z a-z 0-9 + _ . -, not starting with -))"},
	{"lvm lv: the VG part is an LVM name too", "", "rd.lvm.lv=-vg/root",
	 "E(kernel command line: rd.lvm.lv=-vg/root: not VG/LV (two LVM names: A-Z a-z 0-9 + _ . "
	 "-, "
	 "not starting with -))"},
	{"lvm lv needs VG/LV", "", "rd.lvm.lv=root rd.lvm.lv=vg/ rd.lvm.lv=vg/a/b rd.lvm.vg",
	 "E(kernel command line: rd.lvm.lv=root: not VG/LV (two LVM names: A-Z a-z 0-9 + _ . -, "
	 "not starting with -)) E(kernel command line: rd.lvm.lv=vg/: not VG/LV (two LVM names: "
	 "A-Z a-z 0-9 + _ . -, not starting with -)) E(kernel command line: rd.lvm.lv=vg/a/b: not "
	 "VG/LV (two LVM names: A-Z a-z 0-9 + _ . -, not starting with -)) E(kernel command line: "
	 "rd.lvm.vg: needs a value)"},
	{"fsck mode and repair", "", "fsck.mode=force fsck.repair=yes",
	 "fsck.mode=force fsck.repair=yes"},
	{"fsck skip and no, from the image", "fsck.mode=skip\nfsck.repair=no\n", "",
	 "fsck.mode=skip fsck.repair=no"},
	{"fsck command line wins; auto and preen are the defaults",
	 "fsck.mode=skip\nfsck.repair=no\n", "fsck.mode=auto fsck.repair=preen", ""},
	{"fsck.repair takes a boolean as systemd does", "", "fsck.repair=0", "fsck.repair=no"},
	{"fsck.repair boolean yes", "", "fsck.repair=true", "fsck.repair=yes"},
	{"fastboot and forcefsck, last wins", "", "forcefsck fastboot", "fsck.mode=skip"},
	{"forcefsck", "", "fsck.mode=skip forcefsck", "fsck.mode=force"},
	{"fsck bad values keep the previous ones", "fsck.mode=force\n",
	 "fsck.mode=always fsck.repair=maybe fsck.mode fsck.repair fastboot=1",
	 "fsck.mode=force E(kernel command line: fsck.mode=always: not one of auto, force, skip) "
	 "E(kernel command line: fsck.repair=maybe: not one of preen, yes, no) E(kernel command "
	 "line: fsck.mode: not one of auto, force, skip) E(kernel command line: fsck.repair: not "
	 "one of preen, yes, no) E(kernel command line: fastboot=1: takes no value)"},
	{"fsck bad value in the image names the line", "\nfsck.repair=auto\n", "",
	 "E(/etc/initkit.conf:2: fsck.repair=auto: not one of preen, yes, no)"},
	{"keymaps: the command line wins over the image; both keys kept", "vconsole.keymap=de\n",
	 "vconsole.keymap=fr rd.vconsole.keymap=us", "vconsole.keymap=fr rd.vconsole.keymap=us"},
	{"keymap without a value", "", "rd.vconsole.keymap",
	 "E(kernel command line: rd.vconsole.keymap: needs a value)"},
	{"resume: every spec root= takes, the last one wins", "resume=LABEL=swap\n",
	 "resume=UUID=1b2c resume=PARTUUID=8c3e resume=PARTLABEL=sw resume=/dev/vda2",
	 "resume=/dev/vda2"},
	{"the kernel's hibernate=no and hibernate=noresume forbid resuming", "",
	 "resume=/dev/vda2 hibernate=no", "resume=/dev/vda2 noresume"},
	{"hibernate=noresume", "", "hibernate=noresume resume=/dev/vda2",
	 "resume=/dev/vda2 noresume"},
	{"nohibernate forbids resuming", "resume=/dev/vda2\n", "nohibernate",
	 "resume=/dev/vda2 noresume"},
	{"hibernate=protect_image says nothing on resuming", "",
	 "hibernate=protect_image resume=/dev/vda2", "resume=/dev/vda2"},
	{"resume: an LV path, from the image", "resume=/dev/mapper/debian--vg-swap_1\n", "",
	 "resume=/dev/mapper/debian--vg-swap_1"},
	{"resume: /dev/VG/LV and by-uuid links are paths", "",
	 "resume=/dev/fedora/swap resume=/dev/disk/by-uuid/1b2c", "resume=/dev/disk/by-uuid/1b2c"},
	{"resume bad keeps the image's", "resume=UUID=1b2c\n", "resume=0802 resume=LABEL= resume=/",
	 "resume=UUID=1b2c E(kernel command line: resume=0802: not a device path or a UUID=, "
	 "LABEL=, "
	 "PARTUUID=, PARTLABEL= tag) E(kernel command line: resume=LABEL=: not a device path or a "
	 "UUID=, LABEL=, PARTUUID=, PARTLABEL= tag) E(kernel command line: resume=/: not a device "
	 "path or a UUID=, LABEL=, PARTUUID=, PARTLABEL= tag)"},
	{"resume without value", "", "resume", "E(kernel command line: resume: needs a value)"},
	{"resume_offset decimal, command line over image", "resume_offset=1\n",
	 "resume_offset=34816", "resume_offset=34816"},
	{"resume_offset 0 and the largest", "",
	 "resume-offset=0 resume_offset=18446744073709551615",
	 "resume_offset=18446744073709551615"},
	{"resume_offset malformed keeps the image's", "resume_offset=7\n",
	 "resume_offset=0x100 resume_offset=-1 resume_offset=12k "
	 "resume_offset=18446744073709551616 "
	 "resume_offset= resume_offset",
	 "resume_offset=7 E(kernel command line: resume_offset=0x100: not an unsigned decimal page "
	 "offset (e.g. 34816)) E(kernel command line: resume_offset=-1: not an unsigned decimal "
	 "page "
	 "offset (e.g. 34816)) E(kernel command line: resume_offset=12k: not an unsigned decimal "
	 "page offset (e.g. 34816)) E(kernel command line: resume_offset=18446744073709551616: not "
	 "an unsigned decimal page offset (e.g. 34816)) E(kernel command line: resume_offset=: "
	 "needs "
	 "a value) E(kernel command line: resume_offset: needs a value)"},
	{"noresume kept with resume=, in either order", "noresume\n", "resume=/dev/vda2",
	 "resume=/dev/vda2 noresume"},
	{"noresume=0 from the command line revokes the image's", "noresume\n", "noresume=0", ""},
	{"noresume bad", "", "noresume=perhaps",
	 "E(kernel command line: noresume=perhaps: not a boolean (1/yes/true/on or "
	 "0/no/false/off))"},
	{"resume conf with line", "root=/dev/vda\n\nresume_offset=ten\n", "",
	 "root=/dev/vda E(/etc/initkit.conf:3: resume_offset=ten: not an unsigned decimal page "
	 "offset (e.g. 34816))"},
	{"init and its arguments", "init=/sbin/a", "init=/bin/sh -- -c \"echo hi\"",
	 "init=/bin/sh args=[-c,echo hi]"},
	{"init relative rejected", "", "init=sbin/init",
	 "E(kernel command line: init=sbin/init: not an absolute path)"},
	{"unknown ignored", "splash=1\n", "console=ttyS0 foo bar=baz BOOT_IMAGE=/vmlinuz", ""},
	{"root bad keeps the image's", "root=LABEL=r", "root=0801",
	 "root=LABEL=r E(kernel command line: root=0801: not a device path or a UUID=, LABEL=, "
	 "PARTUUID=, PARTLABEL= tag)"},
	{"root empty tag", "", "root=UUID=",
	 "E(kernel command line: root=UUID=: not a device path or a UUID=, LABEL=, PARTUUID=, "
	 "PARTLABEL= tag)"},
	{"root without value", "", "root", "E(kernel command line: root: needs a value)"},
	{"ro with a value", "", "ro=1", "E(kernel command line: ro=1: takes no value)"},
	{"conf syntax error with line", "a=1\nk=\"x\n", "",
	 "E(/etc/initkit.conf:2: k: unterminated double quote)"},
	{"conf bad value with line", "\nrd.timeout=soon\nrd.emergency=halt\n", "",
	 "emergency=halt E(/etc/initkit.conf:2: rd.timeout=soon: not a time span (e.g. 30, 10s, "
	 "500ms, 2min, infinity))"},
};

static void test_apply_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_ *t = &cases[i];
		struct conf conf;
		struct cmdline cmd;
		struct boot_config bc;
		char got[2048];
		assert_int_equal(conf_parse(t->conf, strlen(t->conf), &conf), 0);
		assert_int_equal(cmdline_parse(t->cmdline, strlen(t->cmdline), &cmd), 0);
		assert_int_equal(boot_config_init(&bc), 0);
		assert_int_equal(boot_config_apply_conf(&bc, &conf, CONF_PATH), 0);
		assert_int_equal(boot_config_apply_cmdline(&bc, &cmd), 0);
		render(&bc, got, sizeof(got));
		if (strcmp(got, t->expect) != 0) {
			print_error("case '%s':\n  expected '%s'\n  got      '%s'\n", t->name,
				    t->expect, got);
			failed++;
		}
		boot_config_free(&bc);
		cmdline_free(&cmd);
		conf_free(&conf);
	}
	assert_int_equal(failed, 0);
}

struct span_case {
	const char *input;
	int ret;
	uint64_t ms;
};

static const struct span_case span_cases[] = {
	{"30", 0, 30000},
	{"10s", 0, 10000},
	{"500ms", 0, 500},
	{"2min", 0, 120000},
	{"1min 30s", 0, 90000},
	{"5m30s", 0, 330000},
	{"1.5s", 0, 1500},
	{"1 h", 0, 3600000},
	{"1us", 0, 1}, /* rounded up to a whole millisecond */
	{"0", 0, 0},
	{"infinity", 0, BOOT_TIMEOUT_INFINITY},
	{" 2 seconds ", 0, 2000},
	{"1w", 0, 604800000},
	{"", -EINVAL, 0},
	{"s", -EINVAL, 0},
	{"-5", -EINVAL, 0},
	{"10 parsecs", -EINVAL, 0},
	{"10s,5", -EINVAL, 0},
	{"99999999999999999999", -ERANGE, 0},
	{"99999999999999w", -ERANGE, 0},
};

static void test_timespan_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(span_cases) / sizeof(span_cases[0]); i++) {
		const struct span_case *t = &span_cases[i];
		uint64_t ms = 0;
		int r = boot_parse_timespan_ms(t->input, &ms);
		if (r != t->ret || (r == 0 && ms != t->ms)) {
			print_error("timespan '%s': expected %d/%llu, got %d/%llu\n", t->input,
				    t->ret, (unsigned long long)t->ms, r, (unsigned long long)ms);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_bool(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int ret;
	} t[] = {{NULL, 1},	{"1", 1},	{"yes", 1},	  {"TRUE", 1}, {"on", 1},
		 {"y", 1},	{"0", 0},	{"no", 0},	  {"off", 0},  {"False", 0},
		 {"", -EINVAL}, {"2", -EINVAL}, {"yess", -EINVAL}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (boot_parse_bool(t[i].in) != t[i].ret)
			fail_msg("bool '%s': expected %d", t[i].in ? t[i].in : "(bare)", t[i].ret);
}

/* Reads a fixture; unit-check runs from build/, a manual run may be from the top. */
static char *read_fixture(const char *name, size_t *len)
{
	char path[256];
	FILE *f = NULL;
	for (int i = 0; i < 2 && !f; i++) {
		snprintf(path, sizeof(path), "%stests/initrd-fixtures/%s", i ? "" : "../", name);
		f = fopen(path, "re");
	}
	if (!f)
		fail_msg("fixture %s not found", name);
	static char buf[8192];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

struct fixture_case {
	const char *conf; /* fixture names, NULL: none */
	const char *cmdline;
	const char *expect;
};

static const struct fixture_case fixture_cases[] = {
	{"initkit.conf", NULL,
	 "root=UUID=0b1c7e4e-8a6f-4a55-9d44-0c6f3c1b2a10 rootfstype=ext4 "
	 "rootflags=data=ordered,commit=30 ro init=/sbin/my init modules=[virtio_blk,ext4] "
	 "emergency=poweroff"},
	{"initkit.conf", "cmdline-debian-grub.txt",
	 "root=UUID=5a3e7c1d-2b4f-4e8a-9c61-0d7f3b2a1e95 rootfstype=ext4 "
	 "rootflags=data=ordered,commit=30 ro init=/sbin/my init modules=[virtio_blk,ext4] "
	 "emergency=poweroff quiet"},
	/* this machine's own /proc/cmdline: a "--" tail for the init, and a newline at the end */
	{NULL, "cmdline-firecracker.txt",
	 "args=[--firecracker-init,--addr,0.0.0.0:2024,--max-ws-buffer-size,32768,"
	 "--block-local-connections,--log-vsock-port,5002,--control-vsock-port,5001,"
	 "--listen-vsock-port,2024,--tcp-readiness-only,--auth-required] quiet"},
};

static void test_fixtures(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(fixture_cases) / sizeof(fixture_cases[0]); i++) {
		const struct fixture_case *t = &fixture_cases[i];
		struct boot_config bc;
		char got[2048];
		size_t len;
		assert_int_equal(boot_config_init(&bc), 0);
		if (t->conf) {
			struct conf conf;
			const char *buf = read_fixture(t->conf, &len);
			assert_int_equal(conf_parse(buf, len, &conf), 0);
			assert_int_equal(boot_config_apply_conf(&bc, &conf, CONF_PATH), 0);
			conf_free(&conf);
		}
		if (t->cmdline) {
			struct cmdline cmd;
			const char *buf = read_fixture(t->cmdline, &len);
			assert_int_equal(cmdline_parse(buf, len, &cmd), 0);
			assert_int_equal(boot_config_apply_cmdline(&bc, &cmd), 0);
			cmdline_free(&cmd);
		}
		render(&bc, got, sizeof(got));
		if (strcmp(got, t->expect) != 0) {
			print_error("fixture %s + %s:\n  expected '%s'\n  got      '%s'\n",
				    t->conf ? t->conf : "-", t->cmdline ? t->cmdline : "-",
				    t->expect, got);
			failed++;
		}
		boot_config_free(&bc);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_table),
		cmocka_unit_test(test_timespan_table),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_fixtures),
	};
	return cmocka_run_group_tests_name("bootconf", tests, NULL, NULL);
}
