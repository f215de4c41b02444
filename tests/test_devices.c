/* Tests for initrd/devices.c: udev's /dev/disk/by-* links as libblkid tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../initrd/devices.h"
#include "../initrd/kmod.h"
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

/* The uevent reader over one end of a datagram socketpair (the kernel's socket stand-in);
 * the other end in *peer. */
static struct uevents *reader(int *peer)
{
	int sv[2];
	struct uevents *u = NULL;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(uevents_from_fd(sv[0], &u), 0);
	*peer = sv[1];
	return u;
}

static const char add_msg[] = "add@/devices/virtual/block/loop0\0ACTION=add\0"
			      "DEVPATH=/devices/virtual/block/loop0\0SUBSYSTEM=block\0SEQNUM=1";

/* A lost (or cut) uevent is reported once as -ENOBUFS, so the first coldplug walks /sys
 * again instead of trusting the queue (the overflow flag, not errno: 7411f46). */
static void test_more_reports_lost_events(void **state)
{
	(void)state;
	int peer;
	struct uevents *u = reader(&peer);
	assert_int_equal(uevents_more(u, NULL), 0);
	assert_int_equal(send(peer, add_msg, sizeof(add_msg), 0), (ssize_t)sizeof(add_msg));
	assert_int_equal(send(peer, add_msg, sizeof(add_msg), 0), (ssize_t)sizeof(add_msg));
	assert_int_equal(uevents_more(u, NULL), 2);
	/* longer than any kernel message: cut, its MODALIAS may be what was lost */
	static char big[9000];
	memset(big, 'x', sizeof(big));
	assert_int_equal(send(peer, big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(send(peer, add_msg, sizeof(add_msg), 0), (ssize_t)sizeof(add_msg));
	assert_int_equal(uevents_more(u, NULL), -ENOBUFS);
	assert_int_equal(uevents_more(u, NULL), 0); /* said once */
	close(peer);
	uevents_close(u);
}

/* A fresh reader has lost nothing, whatever the heap chunk it gets held before. */
static void test_fresh_reader_lost_nothing(void **state)
{
	(void)state;
	for (int i = 0; i < 64; i++) {
		/* chunks of the reader's size, dirty and freed: malloc hands one back */
		void *dirty[8];
		for (size_t j = 0; j < 8; j++)
			memset(dirty[j] = malloc(8), 0xff, 8);
		for (size_t j = 0; j < 8; j++)
			free(dirty[j]);
		int peer;
		struct uevents *u = reader(&peer);
		assert_int_equal(uevents_more(u, NULL), 0);
		close(peer);
		uevents_close(u);
	}
}

struct rounds {
	int passes[4], n_passes; /* what each walk loads */
	int mores[4], n_mores;	 /* what each more() reads */
	int walked, asked;
};

static int fake_pass(void *arg)
{
	struct rounds *r = arg;
	return r->walked < r->n_passes ? r->passes[r->walked++] : (r->walked++, 0);
}

static int fake_more(void *arg)
{
	struct rounds *r = arg;
	return r->asked < r->n_mores ? r->mores[r->asked++] : (r->asked++, 0);
}

static void test_coldplug_rounds(void **state)
{
	(void)state;
	/* one walk; what its modules made comes from the queue */
	struct rounds r = {{3}, 1, {5, 2}, 2, 0, 0};
	assert_int_equal(modules_coldplug_rounds(fake_pass, &r, fake_more, &r), 3);
	assert_int_equal(r.walked, 1);
	assert_int_equal(r.asked, 3);
	/* uevents lost: walk again until a walk loads nothing */
	r = (struct rounds){{3, 1}, 2, {5, -ENOBUFS}, 2, 0, 0};
	assert_int_equal(modules_coldplug_rounds(fake_pass, &r, fake_more, &r), 4);
	assert_int_equal(r.walked, 3);
	/* no uevent socket: the walks as before */
	r = (struct rounds){{3, 1}, 2, {0}, 0, 0, 0};
	assert_int_equal(modules_coldplug_rounds(fake_pass, &r, NULL, NULL), 4);
	assert_int_equal(r.walked, 3);
	/* the first walk loads nothing: the queue is left to the device waits */
	r = (struct rounds){{0}, 1, {5}, 1, 0, 0};
	assert_int_equal(modules_coldplug_rounds(fake_pass, &r, fake_more, &r), 0);
	assert_int_equal(r.walked, 1);
	assert_int_equal(r.asked, 0);
	/* no /sys/devices */
	r = (struct rounds){{-ENOENT}, 1, {0}, 0, 0, 0};
	assert_int_equal(modules_coldplug_rounds(fake_pass, &r, fake_more, &r), -ENOENT);
}

/* Only the kernel speaks for devices. A process with CAP_NET_ADMIN (a hook, anything run
 * as root in the initrd) can send to the uevent group too; like systemd-udevd, a wait drops
 * such a message unread: no module is loaded for its MODALIAS, no probe is made stale. Run
 * in a network namespace of its own, so no listener of the machine's uevents sees it. */
static void test_wait_ignores_other_senders(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		skip(); /* not root: nothing can send to the group either */
	struct uevents *u = NULL;
	assert_int_equal(uevents_open(&u), 0);
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	assert_true(fd >= 0);
	/* a second listener proves the message is delivered to the group */
	int witness = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	struct sockaddr_nl group = {.nl_family = AF_NETLINK, .nl_groups = 1};
	assert_int_equal(bind(witness, (struct sockaddr *)&group, sizeof(group)), 0);
	static const char msg[] = "add@/devices/virtual/initkit\0ACTION=add\0"
				  "DEVPATH=/devices/virtual/initkit\0SUBSYSTEM=initkit\0"
				  "MODALIAS=initkit:forged";
	struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_groups = 1};
	assert_int_equal(sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)sizeof(msg));
	char got[256];
	assert_int_equal(recv(witness, got, sizeof(got), MSG_DONTWAIT), (ssize_t)sizeof(msg));
	/* delivered to the wait's socket too (it wakes), but not read as an event */
	assert_int_equal(device_wait_event(u, NULL, 2000), 0);
	close(witness);
	close(fd);
	uevents_close(u);
}

/* A socket that overflowed (the kernel dropped messages: ENOBUFS) is a wake-up even when
 * nothing readable is left: the wait must then scan /sys/devices once, not take the turn for
 * a quiet one. The flood here is another sender's (dropped unread), in a namespace of its own. */
static void test_wait_overflow_is_an_event(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		skip();
	struct uevents *u = NULL;
	assert_int_equal(uevents_open(&u), 0);
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	assert_true(fd >= 0);
	static char big[6000];
	memcpy(big, "add@/devices/virtual/initkit", 28);
	struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_groups = 1};
	/* far more than the wait's receive buffer (2 MiB at most: 1 MiB, doubled) */
	for (int i = 0; i < 2000; i++)
		assert_int_equal(
			sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)),
			(ssize_t)sizeof(big));
	assert_int_equal(device_wait_event(u, NULL, 2000), 1);
	/* drained: the next turn is a quiet one */
	assert_int_equal(device_wait_event(u, NULL, 0), 0);
	close(fd);
	uevents_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udev_paths),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_wait_polls_one_span),
		cmocka_unit_test(test_more_reports_lost_events),
		cmocka_unit_test(test_fresh_reader_lost_nothing),
		cmocka_unit_test(test_coldplug_rounds),
		cmocka_unit_test(test_wait_ignores_other_senders),
		cmocka_unit_test(test_wait_overflow_is_an_event),
	};
	return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
