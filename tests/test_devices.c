/* Tests for initrd/devices.c: udev's /dev/disk/by-* links as libblkid tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../initrd/devices.h"
#include "../initrd/timeline.h"

/* Case tables leave trailing fields zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct tag_case {
	const char *path;
	int ret;
	const char *tag;
};

static const struct tag_case cases[] = {
	{"/dev/disk/by-uuid/7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002", 1,
	 "UUID=7b2d3d6f-5b5f-4e1c-8e6a-2a1c8b3f0002"},
	{"/dev/disk/by-label/initkit-root", 1, "LABEL=initkit-root"},
	{"/dev/disk/by-partuuid/8c3e4e70-6c60-4f2d-9f7b-3b2d9c4f0003", 1,
	 "PARTUUID=8c3e4e70-6c60-4f2d-9f7b-3b2d9c4f0003"},
	{"/dev/disk/by-partlabel/initkit-root-part", 1, "PARTLABEL=initkit-root-part"},
	/* udev escapes '/' and ' ' (and other unsafe bytes) as \xHH */
	{"/dev/disk/by-label/a\\x2fb", 1, "LABEL=a/b"},
	{"/dev/disk/by-label/my\\x20root\\x20disk", 1, "LABEL=my root disk"},
	{"/dev/disk/by-partlabel/EFI\\x20System\\x20Partition", 1,
	 "PARTLABEL=EFI System Partition"},
	{"/dev/disk/by-label/not\\xzzescape", 1, "LABEL=not\\xzzescape"},
	{"/dev/disk/by-label/end\\x2", 1, "LABEL=end\\x2"},
	{"/dev/disk/by-label/nul\\x00byte", -EINVAL},
	{"/dev/disk/by-label/", -EINVAL},
	{"/dev/disk/by-uuid/a/b", -EINVAL},
	{"/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001", 0},
	{"/dev/disk/by-path/pci-0000:00:04.0", 0},
	{"/dev/vda", 0},
	{"UUID=x", 0},
};

static void test_udev_paths(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char tag[128] = "";
		int r = device_tag_from_udev_path(cases[i].path, tag, sizeof(tag));
		if (r != cases[i].ret)
			fail_msg("'%s': expected %d, got %d", cases[i].path, cases[i].ret, r);
		if (r == 1 && strcmp(tag, cases[i].tag))
			fail_msg("'%s': expected '%s', got '%s'", cases[i].path, cases[i].tag, tag);
	}
}

/* The tag must fit with its NUL; one byte short is an error, never a cut-off tag. */
static void test_too_long(void **state)
{
	(void)state;
	char tag[12];
	assert_int_equal(device_tag_from_udev_path("/dev/disk/by-label/abcde", tag, sizeof(tag)),
			 1);
	assert_string_equal(tag, "LABEL=abcde");
	assert_int_equal(device_tag_from_udev_path("/dev/disk/by-label/abcdef", tag, sizeof(tag)),
			 -EINVAL);
	assert_int_equal(device_tag_from_udev_path("/dev/disk/by-label/x", tag, 6), -EINVAL);
}

/* A device wait of minutes polls hundreds of times (every 500 ms, and at every uevent): its
 * polls are one timeline span, or 512 events are gone in four minutes and the rest of the boot
 * (unlock, mount, the step the emergency path shows running) is dropped. */
static void test_wait_polls_one_span(void **state)
{
	(void)state;
	timeline_reset();
	int w = timeline_begin(TIMELINE_WAIT, "UUID=x", "root");
	for (int i = 0; i < 1000; i++)
		device_wait_event(NULL, NULL, 0);
	timeline_end(w);
	int mount = timeline_begin(TIMELINE_STEP, "mount", "/dev/vda");
	timeline_end(mount);
	size_t n, dropped;
	const struct timeline_event *ev = timeline_events(&n, &dropped);
	assert_int_equal(dropped, 0);
	assert_int_equal(n, 3);
	assert_string_equal(ev[1].name, "uevent");
	assert_int_equal(ev[1].parent, 0);
	assert_true(ev[1].end_ns >= ev[1].begin_ns && ev[1].end_ns);
	assert_string_equal(ev[2].name, "mount");
	timeline_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udev_paths),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_wait_polls_one_span),
	};
	return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
