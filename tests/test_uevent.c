/* Tests for initrd/uevent.c: the kernel's uevent messages, and what a device wait does with
 * each (load its modalias, note a changed block device, or nothing). The messages are real:
 * recorded from Debian's 6.1 kernel in QEMU (virtio disks, a GPT partition, a USB keyboard,
 * a dm device). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../initrd/uevent.h"

/* Case tables leave trailing fields zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A message as the kernel sends it: fields separated by NULs ('|' here, for readability). */
struct msg_case {
	const char *text;
	int ret;
	const char *action, *devpath, *subsystem, *devtype, *modalias;
	unsigned todo;
};

static const struct msg_case cases[] = {
	/* a virtio disk's PCI function, then the virtio device virtio_pci makes of it */
	{"add@/devices/pci0000:00/0000:00:08.0|ACTION=add|DEVPATH=/devices/pci0000:00/0000:00:08.0|"
	 "SUBSYSTEM=pci|PCI_CLASS=10000|PCI_ID=1AF4:1001|PCI_SUBSYS_ID=1AF4:0002|"
	 "PCI_SLOT_NAME=0000:00:08.0|MODALIAS=pci:"
	 "v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00|"
	 "SEQNUM=1201",
	 0, "add", "/devices/pci0000:00/0000:00:08.0", "pci", NULL,
	 "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00", UEVENT_LOAD},
	{"add@/devices/pci0000:00/0000:00:08.0/virtio0|ACTION=add|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0/virtio0|SUBSYSTEM=virtio|"
	 "MODALIAS=virtio:d00000002v00001AF4|SEQNUM=1203",
	 0, "add", "/devices/pci0000:00/0000:00:08.0/virtio0", "virtio", NULL,
	 "virtio:d00000002v00001AF4", UEVENT_LOAD},
	/* the disk and a partition: no modalias, nothing to load; a device to probe */
	{"add@/devices/pci0000:00/0000:00:08.0/virtio0/block/vda|ACTION=add|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0/virtio0/block/vda|SUBSYSTEM=block|MAJOR=254|"
	 "MINOR=0|DEVNAME=vda|DEVTYPE=disk|DISKSEQ=2|SEQNUM=1206",
	 0, "add", "/devices/pci0000:00/0000:00:08.0/virtio0/block/vda", "block", "disk", NULL,
	 UEVENT_BLOCK_ADDED},
	{"add@/devices/pci0000:00/0000:00:08.0/virtio0/block/vda/vda64|ACTION=add|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0/virtio0/block/vda/vda64|SUBSYSTEM=block|"
	 "MAJOR=259|MINOR=48|DEVNAME=vda64|DEVTYPE=partition|DISKSEQ=2|PARTN=64|"
	 "PARTNAME=initkit-root-part|SEQNUM=1330",
	 0, "add", "/devices/pci0000:00/0000:00:08.0/virtio0/block/vda/vda64", "block", "partition",
	 NULL, UEVENT_BLOCK_ADDED},
	/* a medium or a resize: the disk's probe results are stale */
	{"change@/devices/pci0000:00/0000:00:08.0/virtio0/block/vda|ACTION=change|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0/virtio0/block/vda|SUBSYSTEM=block|"
	 "RESIZE=1|DEVNAME=vda|DEVTYPE=disk|SEQNUM=1400",
	 0, "change", "/devices/pci0000:00/0000:00:08.0/virtio0/block/vda", "block", "disk", NULL,
	 UEVENT_BLOCK_CHANGED},
	/* a device-mapper device (LVM, dm-crypt) announces itself with a change */
	{"change@/devices/virtual/block/dm-0|ACTION=change|DEVPATH=/devices/virtual/block/dm-0|"
	 "SUBSYSTEM=block|DM_COOKIE=4194304|DEVNAME=dm-0|DEVTYPE=disk|SEQNUM=1500",
	 0, "change", "/devices/virtual/block/dm-0", "block", "disk", NULL, UEVENT_BLOCK_CHANGED},
	/* a USB keyboard: the interface's modalias, and the HID device's */
	{"add@/devices/pci0000:00/0000:00:1d.0/usb2/2-1/2-1:1.0|ACTION=add|"
	 "DEVPATH=/devices/pci0000:00/0000:00:1d.0/usb2/2-1/2-1:1.0|SUBSYSTEM=usb|"
	 "DEVTYPE=usb_interface|PRODUCT=627/1/0|TYPE=0/0/0|INTERFACE=3/1/1|"
	 "MODALIAS=usb:v0627p0001d0000dc00dsc00dp00ic03isc01ip01in00|SEQNUM=1601",
	 0, "add", "/devices/pci0000:00/0000:00:1d.0/usb2/2-1/2-1:1.0", "usb", "usb_interface",
	 "usb:v0627p0001d0000dc00dsc00dp00ic03isc01ip01in00", UEVENT_LOAD},
	{"add@/devices/pci0000:00/0000:00:1d.0/usb2/2-1/2-1:1.0/0003:0627:0001.0001|ACTION=add|"
	 "DEVPATH=/devices/pci0000:00/0000:00:1d.0/usb2/2-1/2-1:1.0/0003:0627:0001.0001|"
	 "SUBSYSTEM=hid|HID_ID=0003:00000627:00000001|HID_NAME=QEMU QEMU USB Keyboard|"
	 "MODALIAS=hid:b0003g0001v00000627p00000001|SEQNUM=1602",
	 0, "add", "/devices/pci0000:00/0000:00:1d.0/usb2/2-1/2-1:1.0/0003:0627:0001.0001", "hid",
	 NULL, "hid:b0003g0001v00000627p00000001", UEVENT_LOAD},
	/* a driver bound to an existing device: its modalias once more (loaded once anyway) */
	{"bind@/devices/pci0000:00/0000:00:08.0|ACTION=bind|DEVPATH=/devices/pci0000:00/"
	 "0000:00:08.0|"
	 "SUBSYSTEM=pci|DRIVER=virtio-pci|MODALIAS=pci:"
	 "v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00",
	 0, "bind", "/devices/pci0000:00/0000:00:08.0", "pci", NULL,
	 "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00", UEVENT_LOAD},
	/* a device that goes: never load for it */
	{"remove@/devices/pci0000:00/0000:00:08.0/virtio0|ACTION=remove|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0/virtio0|SUBSYSTEM=virtio|"
	 "MODALIAS=virtio:d00000002v00001AF4|SEQNUM=1700",
	 0, "remove", "/devices/pci0000:00/0000:00:08.0/virtio0", "virtio", NULL,
	 "virtio:d00000002v00001AF4", 0},
	/* a partition table re-read (BLKRRPART): the partitions go and come back under the
	 * same names, the disk gets no "change"; the removal makes the probes stale */
	{"remove@/devices/pci0000:00/0000:00:08.0/virtio0/block/vda/vda1|ACTION=remove|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0/virtio0/block/vda/vda1|SUBSYSTEM=block|"
	 "MAJOR=254|MINOR=1|DEVNAME=vda1|DEVTYPE=partition|DISKSEQ=2|PARTN=1|SEQNUM=1800",
	 0, "remove", "/devices/pci0000:00/0000:00:08.0/virtio0/block/vda/vda1", "block",
	 "partition", NULL, UEVENT_BLOCK_CHANGED},
	{"unbind@/devices/pci0000:00/0000:00:08.0|ACTION=unbind|"
	 "DEVPATH=/devices/pci0000:00/0000:00:08.0|SUBSYSTEM=pci|MODALIAS=pci:v1",
	 0, "unbind", "/devices/pci0000:00/0000:00:08.0", "pci", NULL, "pci:v1", 0},
	/* the header alone is a message (old kernels, and the fields may be cut) */
	{"add@/devices/platform/serial8250", 0, "add", "/devices/platform/serial8250"},
	/* an empty MODALIAS= is no modalias */
	{"add@/devices/x|ACTION=add|MODALIAS=", 0, "add", "/devices/x"},
	/* stray empty fields are skipped */
	{"add@/devices/x||ACTION=add||MODALIAS=a:b|", 0, "add", "/devices/x", NULL, NULL, "a:b",
	 UEVENT_LOAD},
	/* not kernel messages, or messages that contradict themselves: never acted on */
	{"libudev|\xfe\xed\xca\xfe", -EINVAL},
	{"", -EINVAL},
	{"add", -EINVAL},
	{"@/devices/x", -EINVAL},
	{"add@", -EINVAL},
	{"add@devices/x", -EINVAL},
	{"add@/devices/x|ACTION=remove", -EINVAL},
	{"add@/devices/x|ACTION=addx", -EINVAL},
	{"add@/devices/x|DEVPATH=/devices/y", -EINVAL},
	{"add@/devices/x|MODALIAS", -EINVAL},
};

static size_t to_message(const char *text, char *buf, size_t size)
{
	size_t n = strlen(text);
	assert_true(n + 1 <= size);
	for (size_t i = 0; i < n; i++)
		buf[i] = text[i] == '|' ? '\0' : text[i];
	return n;
}

static void check_field(const char *text, const char *name, const char *want, const char *got)
{
	if (!want && got)
		fail_msg("'%.60s': %s: expected none, got '%s'", text, name, got);
	if (want && (!got || strcmp(want, got)))
		fail_msg("'%.60s': %s: expected '%s', got '%s'", text, name, want,
			 got ? got : "(none)");
}

static void test_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct msg_case *c = &cases[i];
		char buf[1024];
		size_t n = to_message(c->text, buf, sizeof(buf));
		struct uevent ev;
		int r = uevent_parse(buf, n, &ev);
		if (r != c->ret)
			fail_msg("'%.60s': expected %d, got %d", c->text, c->ret, r);
		if (r < 0)
			continue;
		check_field(c->text, "action", c->action, ev.action);
		check_field(c->text, "devpath", c->devpath, ev.devpath);
		check_field(c->text, "subsystem", c->subsystem, ev.subsystem);
		check_field(c->text, "devtype", c->devtype, ev.devtype);
		check_field(c->text, "modalias", c->modalias, ev.modalias);
		unsigned todo = uevent_decide(&ev);
		if (todo != c->todo)
			fail_msg("'%.60s': expected to do %#x, got %#x", c->text, c->todo, todo);
	}
}

/* The kernel does not end a datagram with a NUL: the last field is read up to len only, and
 * bytes after len (a previous, longer message in the same buffer) never leak into it. */
static void test_last_field_unterminated(void **state)
{
	(void)state;
	char buf[128];
	memset(buf, 'X', sizeof(buf));
	const char text[] = "add@/devices/x|MODALIAS=virtio:d00000002v00001AF4";
	size_t n = to_message(text, buf, sizeof(buf));
	buf[n] = 'X'; /* no terminator after the datagram */
	struct uevent ev;
	assert_int_equal(uevent_parse(buf, n, &ev), 0);
	assert_string_equal(ev.modalias, "virtio:d00000002v00001AF4");
	assert_int_equal(uevent_decide(&ev), UEVENT_LOAD);
}

/* Every event of one coldplug-free device wait, replayed as one batch: the decision loads
 * each distinct modalias of what appeared and nothing for what went. */
static void test_batch(void **state)
{
	(void)state;
	size_t loads = 0, stale = 0, added = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[1024];
		struct uevent ev;
		size_t n = to_message(cases[i].text, buf, sizeof(buf));
		if (uevent_parse(buf, n, &ev) < 0)
			continue;
		unsigned todo = uevent_decide(&ev);
		loads += (todo & UEVENT_LOAD) != 0;
		stale += (todo & UEVENT_BLOCK_CHANGED) != 0;
		added += (todo & UEVENT_BLOCK_ADDED) != 0;
	}
	assert_int_equal(loads, 6);
	assert_int_equal(stale, 3); /* two changes, a partition removed */
	assert_int_equal(added, 2); /* a disk, a partition */
}

/* A block device that appears is named for the wait to probe it (no pass over every device);
 * a name that is not a plain relative one under /dev is never probed. */
static void test_block_added(void **state)
{
	(void)state;
	static const struct {
		const char *text, *devname;
		unsigned todo;
	} adds[] = {
		{"add@/devices/virtual/block/dm-0|ACTION=add|DEVPATH=/devices/virtual/block/dm-0|"
		 "SUBSYSTEM=block|MAJOR=253|MINOR=0|DEVNAME=dm-0|DEVTYPE=disk|SEQNUM=1499",
		 "dm-0", UEVENT_BLOCK_ADDED},
		{"add@/devices/x/block/c0d0|SUBSYSTEM=block|DEVNAME=cciss/c0d0", "cciss/c0d0",
		 UEVENT_BLOCK_ADDED},
		{"add@/devices/x/block/a|SUBSYSTEM=block|DEVNAME=../a", "../a", 0},
		{"add@/devices/x/block/a|SUBSYSTEM=block|DEVNAME=/dev/a", "/dev/a", 0},
		{"add@/devices/x/block/a|SUBSYSTEM=block|DEVNAME=", NULL, 0},
		{"add@/devices/x/block/a|SUBSYSTEM=block", NULL, 0},
		/* not a block device: a tty's node is nothing to probe */
		{"add@/devices/virtual/tty/tty1|SUBSYSTEM=tty|DEVNAME=tty1", "tty1", 0},
		/* a block device that changes is stale, not new */
		{"change@/devices/virtual/block/dm-0|SUBSYSTEM=block|DEVNAME=dm-0", "dm-0",
		 UEVENT_BLOCK_CHANGED},
	};
	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		char buf[512];
		struct uevent ev;
		size_t n = to_message(adds[i].text, buf, sizeof(buf));
		assert_int_equal(uevent_parse(buf, n, &ev), 0);
		check_field(adds[i].text, "devname", adds[i].devname, ev.devname);
		if (uevent_decide(&ev) != adds[i].todo)
			fail_msg("'%.60s': expected to do %#x, got %#x", adds[i].text, adds[i].todo,
				 uevent_decide(&ev));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_last_field_unterminated),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_block_added),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
