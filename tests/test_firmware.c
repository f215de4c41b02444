/* Tests for initrd/mkimage/firmware.c: the kernel's firmware search order on a temporary directory
 * tree standing in for /lib/firmware. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../initrd/mkimage/firmware.h"

#define KVER "6.1.0-57-amd64"

/* A kernel with both compressed forms, in its order */
static const char *const all[] = {"", ".zst", ".xz", NULL};

static char root[] = "/tmp/test_firmware.XXXXXX";

static void touch(const char *rel)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static int rm(const char *p, const struct stat *st, int f, struct FTW *w)
{
	(void)st, (void)f, (void)w;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	/* rtl8168d-1: plain beats .zst and .xz; rtl8168e-1: .zst beats .xz even in a
	 * "better" directory; rtl8168e-2: only .xz; rtl8168g-2: updates/KVER beats
	 * updates, KVER and the top; rtl8168h-1: KVER beats the top. */
	static const char *const files[] = {
		"rtl_nic/rtl8168d-1.fw",
		"rtl_nic/rtl8168d-1.fw.zst",
		"rtl_nic/rtl8168d-1.fw.xz",
		"rtl_nic/rtl8168e-1.fw.zst",
		"updates/rtl_nic/rtl8168e-1.fw.xz",
		"rtl_nic/rtl8168e-2.fw.xz",
		"updates/" KVER "/rtl_nic/rtl8168g-2.fw",
		"updates/rtl_nic/rtl8168g-2.fw",
		KVER "/rtl_nic/rtl8168g-2.fw",
		"rtl_nic/rtl8168g-2.fw",
		KVER "/rtl_nic/rtl8168h-1.fw",
		"rtl_nic/rtl8168h-1.fw",
		"rtl_nic/rtl8168f-1.fw.zst",
		"rtl_nic/rtl8168f-1.fw.xz",
		"rtl_nic/rtl8168f-2.fw.zst",
		"brcm/brcmfmac43455-sdio.raspberrypi,4-model-b.bin",
		"brcm/brcmfmac43430-sdio.AP6212.bin.xz",
		"brcm/brcmfmac43455-pcie.bin",
		"brcm/.brcmfmac-sdio.hidden.bin",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		touch(files[i]);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/rtl_nic/rtl8168dir.fw", root);
	mkdir(dir, 0755); /* a directory is not a firmware file */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(root, rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_kernel_order(void **state)
{
	(void)state;
	static const struct {
		const char *name, *found; /* found NULL: missing */
	} cases[] = {
		{"rtl_nic/rtl8168d-1.fw", "rtl_nic/rtl8168d-1.fw"},
		{"rtl_nic/rtl8168e-1.fw", "rtl_nic/rtl8168e-1.fw.zst"},
		{"rtl_nic/rtl8168e-2.fw", "rtl_nic/rtl8168e-2.fw.xz"},
		{"rtl_nic/rtl8168g-2.fw", "updates/" KVER "/rtl_nic/rtl8168g-2.fw"},
		{"rtl_nic/rtl8168h-1.fw", KVER "/rtl_nic/rtl8168h-1.fw"},
		{"rtl_nic/rtl8125a-3.fw", NULL},
		{"rtl_nic/rtl8168dir.fw", NULL},
	};
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct firmware_files f = {0};
		int r = firmware_find(fd, cases[i].name, KVER, all, &f);
		if (!cases[i].found && (r != 0 || f.n != 0))
			fail_msg("%s: expected missing, got %d (%s)", cases[i].name, r,
				 f.n ? f.rel[0] : "");
		if (cases[i].found && (r != 1 || f.n != 1 || strcmp(f.rel[0], cases[i].found)))
			fail_msg("%s: expected %s, got %d (%s)", cases[i].name, cases[i].found, r,
				 f.n ? f.rel[0] : "nothing");
		firmware_files_free(&f);
	}
	close(fd);
}

static void test_accumulates_without_duplicates(void **state)
{
	(void)state;
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct firmware_files f = {0};
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168d-1.fw", KVER, all, &f), 1);
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168e-2.fw", KVER, all, &f), 1);
	/* a second module declaring the same file: found, not added twice */
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168d-1.fw", KVER, all, &f), 1);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.rel[0], "rtl_nic/rtl8168d-1.fw");
	assert_string_equal(f.rel[1], "rtl_nic/rtl8168e-2.fw.xz");
	firmware_files_free(&f);
	close(fd);
}

/* brcmfmac declares "brcm/brcmfmac*-sdio.*.bin": every match, in name order, compressed
 * forms too, hidden files not. */
static void test_pattern(void **state)
{
	(void)state;
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct firmware_files f = {0};
	assert_int_equal(firmware_find(fd, "brcm/brcmfmac*-sdio.*.bin", KVER, all, &f), 2);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.rel[0], "brcm/brcmfmac43455-sdio.raspberrypi,4-model-b.bin");
	assert_string_equal(f.rel[1], "brcm/brcmfmac43430-sdio.AP6212.bin.xz");
	assert_int_equal(firmware_find(fd, "brcm/brcmfmac*-usb.*.bin", KVER, all, &f), 0);
	firmware_files_free(&f);
	close(fd);
}

static void test_unsafe_names(void **state)
{
	(void)state;
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct firmware_files f = {0};
	static const char *const bad[] = {
		"/../etc/shadow", "../etc/shadow", "rtl_nic/../../x", "a/..", "", "/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (firmware_find(fd, bad[i], KVER, all, &f) != -EINVAL)
			fail_msg("'%s' should be refused", bad[i]);
	assert_int_equal(firmware_find(fd, "rtl_nic/..fw", KVER, all, &f), 0); /* just a name */
	assert_int_equal(f.n, 0);
	close(fd);
}

/* The 6.1 loader builds "/lib/firmware//NAME": an absolute name is below the directory. */
static void test_absolute_name(void **state)
{
	(void)state;
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct firmware_files f = {0};
	assert_int_equal(firmware_find(fd, "/rtl_nic/rtl8168e-2.fw", KVER, all, &f), 1);
	assert_int_equal(firmware_find(fd, "//rtl_nic/rtl8168h-1.fw", KVER, all, &f), 1);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.rel[0], "rtl_nic/rtl8168e-2.fw.xz");
	assert_string_equal(f.rel[1], KVER "/rtl_nic/rtl8168h-1.fw");
	firmware_files_free(&f);
	close(fd);
}

/* Debian 6.1: XZ=y, ZSTD not set. */
static const char debian61[] = "CONFIG_FW_LOADER=y\n"
			       "CONFIG_FW_LOADER_PAGED_BUF=y\n"
			       "CONFIG_FW_LOADER_SYSFS=y\n"
			       "CONFIG_EXTRA_FIRMWARE=\"\"\n"
			       "CONFIG_FW_LOADER_USER_HELPER=y\n"
			       "# CONFIG_FW_LOADER_USER_HELPER_FALLBACK is not set\n"
			       "CONFIG_FW_LOADER_COMPRESS=y\n"
			       "CONFIG_FW_LOADER_COMPRESS_XZ=y\n"
			       "# CONFIG_FW_LOADER_COMPRESS_ZSTD is not set\n"
			       "CONFIG_FW_CACHE=y\n";

static void test_forms_from_kconfig(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int forms;
	} cases[] = {
		{debian61, FIRMWARE_XZ},
		{"CONFIG_FW_LOADER=y\nCONFIG_FW_LOADER_COMPRESS=y\n"
		 "# CONFIG_FW_LOADER_COMPRESS_XZ is not set\nCONFIG_FW_LOADER_COMPRESS_ZSTD=y\n",
		 FIRMWARE_ZST},
		{"CONFIG_FW_LOADER=m\nCONFIG_FW_LOADER_COMPRESS=y\nCONFIG_FW_LOADER_COMPRESS_XZ=y\n"
		 "CONFIG_FW_LOADER_COMPRESS_ZSTD=y",
		 FIRMWARE_XZ | FIRMWARE_ZST},
		{"CONFIG_FW_LOADER=y\n# CONFIG_FW_LOADER_COMPRESS is not set\n", 0},
		/* 5.10: FW_LOADER_COMPRESS had no sub-options and meant xz */
		{"CONFIG_FW_LOADER=y\nCONFIG_FW_LOADER_COMPRESS=y\n", FIRMWARE_XZ},
		{"# CONFIG_FW_LOADER is not set\n", 0},
		{"CONFIG_FW_LOADER_COMPRESS_XZ=y\n", -ENOENT},
		{"not a config", -ENOENT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = firmware_forms_from_kconfig(cases[i].text, strlen(cases[i].text));
		if (r != cases[i].forms)
			fail_msg("case %zu: expected %d, got %d", i, cases[i].forms, r);
	}
	assert_int_equal(firmware_forms_parse("xz"), FIRMWARE_XZ);
	assert_int_equal(firmware_forms_parse("zst,xz"), FIRMWARE_XZ | FIRMWARE_ZST);
	assert_int_equal(firmware_forms_parse("none"), 0);
	assert_int_equal(firmware_forms_parse("gz"), -EINVAL);
	assert_int_equal(firmware_forms_parse("xz,"), -EINVAL);
	assert_int_equal(firmware_forms_parse(""), -EINVAL);
}

static void join(const char *const *s, char *buf, size_t size)
{
	buf[0] = 0;
	for (size_t i = 0; s[i]; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s'%s'", i ? " " : "", s[i]);
}

/* What goes into the image for Debian's 6.1 (xz only): with both .zst and .xz the .xz (the
 * kernel cannot read .zst); with .zst only nothing (the caller warns); an unknown kernel
 * prefers .xz over .zst. */
static void test_suffixes(void **state)
{
	(void)state;
	const char *suf[4];
	char buf[64];
	firmware_suffixes(firmware_forms_from_kconfig(debian61, strlen(debian61)), suf);
	join(suf, buf, sizeof(buf));
	assert_string_equal(buf, "'' '.xz'");
	firmware_suffixes(FIRMWARE_XZ | FIRMWARE_ZST, suf);
	join(suf, buf, sizeof(buf));
	assert_string_equal(buf, "'' '.zst' '.xz'");
	firmware_suffixes(-1, suf);
	join(suf, buf, sizeof(buf));
	assert_string_equal(buf, "'' '.xz' '.zst'");

	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct firmware_files f = {0};
	static const char *const xz[] = {"", ".xz", NULL};
	static const char *const zst[] = {".zst", NULL};
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168f-1.fw", KVER, xz, &f), 1);
	assert_string_equal(f.rel[0], "rtl_nic/rtl8168f-1.fw.xz");
	/* .zst only: nothing for an xz kernel, found when asking for the unreadable forms */
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168f-2.fw", KVER, xz, &f), 0);
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168f-2.fw", KVER, zst, &f), 1);
	assert_string_equal(f.rel[1], "rtl_nic/rtl8168f-2.fw.zst");
	firmware_files_free(&f);
	firmware_suffixes(-1, suf);
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168f-1.fw", KVER, suf, &f), 1);
	assert_string_equal(f.rel[0], "rtl_nic/rtl8168f-1.fw.xz");
	firmware_files_free(&f);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_order),
		cmocka_unit_test(test_accumulates_without_duplicates),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_unsafe_names),
		cmocka_unit_test(test_absolute_name),
		cmocka_unit_test(test_forms_from_kconfig),
		cmocka_unit_test(test_suffixes),
	};
	return cmocka_run_group_tests_name("firmware", tests, setup, teardown);
}
