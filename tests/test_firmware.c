/* Tests for initrd/firmware.c: the kernel's firmware search order on a temporary directory
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

#include "../initrd/firmware.h"

#define KVER "6.1.0-57-amd64"

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
		int r = firmware_find(fd, cases[i].name, KVER, &f);
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
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168d-1.fw", KVER, &f), 1);
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168e-2.fw", KVER, &f), 1);
	/* a second module declaring the same file: found, not added twice */
	assert_int_equal(firmware_find(fd, "rtl_nic/rtl8168d-1.fw", KVER, &f), 1);
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
	assert_int_equal(firmware_find(fd, "brcm/brcmfmac*-sdio.*.bin", KVER, &f), 2);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.rel[0], "brcm/brcmfmac43455-sdio.raspberrypi,4-model-b.bin");
	assert_string_equal(f.rel[1], "brcm/brcmfmac43430-sdio.AP6212.bin.xz");
	assert_int_equal(firmware_find(fd, "brcm/brcmfmac*-usb.*.bin", KVER, &f), 0);
	firmware_files_free(&f);
	close(fd);
}

static void test_unsafe_names(void **state)
{
	(void)state;
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	struct firmware_files f = {0};
	static const char *const bad[] = {"/etc/shadow", "../etc/shadow", "rtl_nic/../../x", "a/..",
					  ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (firmware_find(fd, bad[i], KVER, &f) != -EINVAL)
			fail_msg("'%s' should be refused", bad[i]);
	assert_int_equal(firmware_find(fd, "rtl_nic/..fw", KVER, &f), 0); /* just a name */
	assert_int_equal(f.n, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_order),
		cmocka_unit_test(test_accumulates_without_duplicates),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_unsafe_names),
	};
	return cmocka_run_group_tests_name("firmware", tests, setup, teardown);
}
