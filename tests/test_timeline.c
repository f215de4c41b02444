/* Stage 1's boot timeline (initrd/timeline.c): nesting, the full buffer, the JSON serializer
 * (read back with json-c), the emergency tail, the modprobe hand-over lines and the kernel log
 * milestone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../initrd/timeline.h"

static int reset(void **state)
{
	(void)state;
	timeline_reset();
	return 0;
}

static void test_nesting(void **state)
{
	(void)state;
	timeline_start();
	int a = timeline_begin(TIMELINE_STEP, "luks+lvm", NULL);
	int b = timeline_begin(TIMELINE_VOLUME, "croot", "/dev/vda");
	timeline_mark(TIMELINE_MARK, "prompt", NULL);
	timeline_end(b);
	int c = timeline_begin(TIMELINE_LVM, "vgchange", "-ay");
	timeline_end(c);
	timeline_end(a);
	int d = timeline_begin(TIMELINE_STEP, "mount", "/dev/mapper/croot");
	timeline_end(d);
	size_t n, dropped;
	const struct timeline_event *ev = timeline_events(&n, &dropped);
	assert_int_equal(n, 5);
	assert_int_equal(dropped, 0);
	static const int parents[] = {-1, 0, 1, 0, -1};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ev[i].parent, parents[i]);
		assert_true(ev[i].end_ns >= ev[i].begin_ns && ev[i].end_ns);
	}
	assert_int_equal(ev[2].begin_ns, ev[2].end_ns);
	assert_string_equal(ev[1].note, "/dev/vda");
	assert_int_equal(ev[3].kind, TIMELINE_LVM);
	timeline_end(d); /* twice: ignored */
	timeline_end(-1);
	assert_int_equal(timeline_events(&n, NULL)[4].end_ns, ev[4].end_ns);
}

/* An early return leaves an inner span open: ending the outer one ends it too, and the next
 * event is not its child. */
static void test_end_closes_inner(void **state)
{
	(void)state;
	int a = timeline_begin(TIMELINE_STEP, "luks+lvm", NULL);
	timeline_begin(TIMELINE_HEADER, "croot", NULL);
	timeline_end(a);
	timeline_mark(TIMELINE_MARK, "after", NULL);
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	assert_int_equal(n, 3);
	assert_true(ev[1].end_ns != 0);
	assert_int_equal(ev[2].parent, -1);
}

static void test_full_buffer_drops_and_counts(void **state)
{
	(void)state;
	for (int i = 0; i < TIMELINE_MAX_EVENTS + 7; i++)
		timeline_end(timeline_begin(TIMELINE_MODULE, "m", "coldplug"));
	assert_int_equal(timeline_begin(TIMELINE_STEP, "late", NULL), -1);
	size_t n, dropped;
	timeline_events(&n, &dropped);
	assert_int_equal(n, TIMELINE_MAX_EVENTS);
	assert_int_equal(dropped, 8);
}

static void test_long_strings_truncated(void **state)
{
	(void)state;
	char name[200];
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	timeline_mark(TIMELINE_MARK, name, name);
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	assert_int_equal(strlen(ev[0].name), TIMELINE_NAME_MAX - 1);
	assert_int_equal(strlen(ev[0].note), TIMELINE_NOTE_MAX - 1);
}

/* A name cut at the buffer's end keeps UTF-8 whole: "é" straddling byte 47 is left out, not
 * halved (half a character makes timeline.json invalid UTF-8, and its SVG unreadable). */
static void test_truncation_keeps_utf8(void **state)
{
	(void)state;
	char name[64], note[80];
	memset(name, 'a', TIMELINE_NAME_MAX - 2);
	strcpy(name + TIMELINE_NAME_MAX - 2, "\xc3\xa9xyz"); /* "é" at bytes 46-47 */
	memset(note, 'b', TIMELINE_NOTE_MAX - 3);
	strcpy(note + TIMELINE_NOTE_MAX - 3, "\xe2\x82\xac!"); /* "€" at bytes 61-63 */
	timeline_mark(TIMELINE_MARK, name, note);
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	assert_int_equal(strlen(ev[0].name), TIMELINE_NAME_MAX - 2);
	assert_memory_equal(ev[0].name, name, TIMELINE_NAME_MAX - 2);
	assert_int_equal(strlen(ev[0].note), TIMELINE_NOTE_MAX - 3);
	/* a whole character that fits is kept */
	timeline_mark(TIMELINE_MARK, "Syst\xc3\xa8me", NULL);
	assert_string_equal(timeline_events(&n, NULL)[1].name, "Syst\xc3\xa8me");
}

static void test_cancel(void **state)
{
	(void)state;
	int a = timeline_begin(TIMELINE_STEP, "resume", NULL);
	timeline_cancel(a); /* nothing inside: gone */
	int b = timeline_begin(TIMELINE_STEP, "btrfs-wait", NULL);
	timeline_mark(TIMELINE_MARK, "inside", NULL);
	timeline_cancel(b); /* something inside: kept, ended */
	timeline_mark(TIMELINE_MARK, "after", NULL);
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	assert_int_equal(n, 3);
	assert_string_equal(ev[0].name, "btrfs-wait");
	assert_true(ev[0].end_ns != 0);
	assert_int_equal(ev[1].parent, 0);
	assert_int_equal(ev[2].parent, -1);
}

/* Modules the kernel's modprobe loaded: parent is the innermost span around their start. */
static void test_add_finds_parent(void **state)
{
	(void)state;
	int a = timeline_begin(TIMELINE_STEP, "luks+lvm", NULL);
	int b = timeline_begin(TIMELINE_UNLOCK, "croot", "passphrase");
	timeline_end(b);
	timeline_end(a);
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	uint64_t inside = ev[1].begin_ns + (ev[1].end_ns - ev[1].begin_ns) / 2;
	timeline_add(TIMELINE_MODULE, "dm_crypt", "kernel: dm-crypt", inside, ev[1].end_ns);
	timeline_add(TIMELINE_MODULE, "ext4", "kernel: fs-ext4", ev[0].end_ns + 1000,
		     ev[0].end_ns + 900); /* end before begin: clamped */
	ev = timeline_events(&n, NULL);
	assert_int_equal(n, 4);
	assert_int_equal(ev[2].parent, 1);
	assert_int_equal(ev[3].parent, -1);
	assert_int_equal(ev[3].end_ns, ev[3].begin_ns);
}

/* Two requests of the kernel whose modprobe runs overlap (the second began while the first
 * ran, and ended after it): siblings under the span around both, not parent and child (the
 * benchmark would count the second as the first's dependency). One held whole is nested. */
static void test_add_overlapping_siblings(void **state)
{
	(void)state;
	size_t n;
	timeline_add(TIMELINE_STEP, "modules", NULL, 1000, 9000);
	timeline_add(TIMELINE_MODULE, "ext4", "kernel: fs-ext4", 2000, 5000);
	timeline_add(TIMELINE_MODULE, "xfs", "kernel: fs-xfs", 3000, 6000);    /* overlaps ext4 */
	timeline_add(TIMELINE_MODULE, "crc32c", "kernel: crc32c", 3500, 4500); /* inside both */
	const struct timeline_event *ev = timeline_events(&n, NULL);
	assert_int_equal(n, 4);
	assert_int_equal(ev[1].parent, 0);
	assert_int_equal(ev[2].parent, 0);
	assert_int_equal(ev[3].parent, 2);
}

/* Spans nested deeper than the open stack (32): ending the one that did not fit on it ends
 * it alone; its enclosing spans stay open and are ended by their own end. */
static void test_end_too_deep(void **state)
{
	(void)state;
	int id[40];
	for (int i = 0; i < 34; i++)
		id[i] = timeline_begin(TIMELINE_STEP, "deep", NULL);
	timeline_end(id[33]);
	timeline_end(id[32]);
	size_t n;
	const struct timeline_event *ev = timeline_events(&n, NULL);
	assert_int_equal(n, 34);
	assert_true(ev[33].end_ns && ev[32].end_ns);
	for (int i = 0; i < 32; i++)
		assert_int_equal(ev[i].end_ns, 0);
	int after = timeline_begin(TIMELINE_STEP, "after", NULL);
	assert_int_equal(timeline_events(&n, NULL)[after].parent, id[31]);
	timeline_end(id[31]);
	assert_int_equal(ev[30].end_ns, 0);
	timeline_end(after);
	timeline_end(id[0]);
	for (int i = 0; i < 32; i++)
		assert_true(ev[i].end_ns != 0);
}

/* timeline_begin_again(): the turns of a wait loop (stack.c: a "luks/lvm devices" span
 * around device_wait_event()'s "uevent" poll) are one span each, not one per turn; anything
 * else recorded in between (a module loaded) starts new ones. */
static void test_begin_again(void **state)
{
	(void)state;
	int s = timeline_begin(TIMELINE_STEP, "luks+lvm", NULL);
	for (int i = 0; i < 600; i++) {
		int w = timeline_begin_again(TIMELINE_WAIT, "luks/lvm devices", "croot");
		int u = timeline_begin_again(TIMELINE_WAIT, "uevent", NULL);
		timeline_end(u);
		timeline_end(w);
		if (i == 300) /* something happened between two turns */
			timeline_mark(TIMELINE_MARK, "module", NULL);
	}
	int m = timeline_begin_again(TIMELINE_WAIT, "luks/lvm devices", "other"); /* another note */
	timeline_end(m);
	timeline_end(s);
	size_t n, dropped;
	const struct timeline_event *ev = timeline_events(&n, &dropped);
	assert_int_equal(dropped, 0);
	assert_int_equal(n, 7);
	static const int parents[] = {-1, 0, 1, 0, 0, 4, 0};
	static const char *const names[] = {"luks+lvm",	       "luks/lvm devices", "uevent",
					    "module",	       "luks/lvm devices", "uevent",
					    "luks/lvm devices"};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ev[i].parent, parents[i]);
		assert_string_equal(ev[i].name, names[i]);
		assert_true(ev[i].end_ns >= ev[i].begin_ns && ev[i].end_ns);
	}
	assert_true(ev[1].end_ns <= ev[3].begin_ns && ev[4].begin_ns >= ev[3].begin_ns);
	/* at the top level too, and an instant is never reopened */
	timeline_reset();
	timeline_mark(TIMELINE_MARK, "x", NULL);
	timeline_end(timeline_begin_again(TIMELINE_MARK, "x", NULL));
	timeline_end(timeline_begin_again(TIMELINE_MARK, "x", NULL));
	assert_int_equal((timeline_events(&n, NULL), n), 2);
}

static char *to_json(const struct timeline_event *ev, size_t n, const struct timeline_meta *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(timeline_format_json(f, ev, n, m), 0);
	fclose(f);
	return buf;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -999;
}

static void test_json(void **state)
{
	(void)state;
	const struct timeline_event ev[] = {
		{.begin_ns = 1200000000,
		 .end_ns = 1500000000,
		 .parent = -1,
		 .kind = TIMELINE_STEP,
		 .name = "luks+lvm"},
		{.begin_ns = 1210000000,
		 .end_ns = 1490000000,
		 .parent = 0,
		 .kind = TIMELINE_VOLUME,
		 .name = "cr\"o\\ot\n",
		 .note = "/dev/vda"},
		{.begin_ns = 1600000000,
		 .end_ns = 0,
		 .parent = -1,
		 .kind = TIMELINE_STEP,
		 .name = "cleanup"},
	};
	const struct timeline_meta m = {.version = "initkit 1.0 (test)",
					.start_ns = 1100000000,
					.switch_ns = 1700000000,
					.run_init_ns = 1090000000,
					.total_ms = 600,
					.dropped = 3};
	char *text = to_json(ev, 3, &m);
	json_object *root = json_tokener_parse(text);
	assert_non_null(root);
	assert_string_equal(str(root, "format"), "initkit-timeline");
	assert_int_equal(num(root, "version"), 1);
	assert_string_equal(str(root, "clock"), "CLOCK_BOOTTIME");
	assert_string_equal(str(root, "unit"), "us");
	assert_string_equal(str(root, "initkit"), "initkit 1.0 (test)");
	assert_int_equal(num(root, "total_ms"), 600);
	assert_int_equal(num(root, "dropped"), 3);
	json_object *ms, *evs;
	assert_true(json_object_object_get_ex(root, "milestones", &ms));
	assert_int_equal(num(ms, "kernel_start_us"), 0);
	assert_int_equal(num(ms, "kernel_run_init_us"), 1090000);
	assert_int_equal(num(ms, "init_start_us"), 1100000);
	assert_int_equal(num(ms, "switch_us"), 1700000);
	assert_true(json_object_object_get_ex(root, "events", &evs));
	assert_int_equal(json_object_array_length(evs), 3);
	json_object *e1 = json_object_array_get_idx(evs, 1);
	assert_string_equal(str(e1, "name"), "cr\"o\\ot\n");
	assert_string_equal(str(e1, "kind"), "volume");
	assert_string_equal(str(e1, "note"), "/dev/vda");
	assert_int_equal(num(e1, "parent"), 0);
	assert_int_equal(num(e1, "begin_us"), 1210000);
	assert_int_equal(num(e1, "end_us"), 1490000);
	/* still open at the switch: ends there, and says so */
	json_object *e2 = json_object_array_get_idx(evs, 2), *open;
	assert_int_equal(num(e2, "end_us"), 1700000);
	assert_true(json_object_object_get_ex(e2, "open", &open) && json_object_get_boolean(open));
	assert_false(json_object_object_get_ex(e1, "open", &open));
	/* one event per line: the console hand-over (stage2-marker, bench) relies on it */
	assert_non_null(strstr(text, "\n  {\"id\": 1,"));
	json_object_put(root);
	free(text);
	/* bytes that are not UTF-8 (a Latin-1 label on the command line) become U+FFFD: JSON is
	 * UTF-8, and Python's json (bench.py) refuses the file otherwise */
	const struct timeline_event bad[] = {{.begin_ns = 1,
					      .end_ns = 2,
					      .parent = -1,
					      .name = "LABEL=\xe9t\xe9 \xc3\xa9",
					      .note = "\xc3\x28\xed\xa0\x80\xf0\x9f\x98"}};
	text = to_json(bad, 1, &m);
	assert_non_null(strstr(text, "\"LABEL=\\ufffdt\\ufffd \xc3\xa9\""));
	assert_non_null(strstr(text, "\"\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""));
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p >= 0x80)
			assert_true(p[0] == 0xc3 && p[1] == 0xa9 && p++);
	root = json_tokener_parse(text);
	assert_non_null(root);
	json_object_put(root);
	free(text);
	/* without the kernel's milestone: no key */
	struct timeline_meta m2 = m;
	m2.run_init_ns = 0;
	text = to_json(ev, 0, &m2);
	assert_null(strstr(text, "kernel_run_init_us"));
	root = json_tokener_parse(text);
	assert_non_null(root);
	json_object_put(root);
	free(text);
}

static void test_tail(void **state)
{
	(void)state;
	const struct timeline_event ev[] = {
		{.begin_ns = 1000000000,
		 .end_ns = 1010000000,
		 .kind = TIMELINE_STEP,
		 .name = "config"},
		{.begin_ns = 1010000000,
		 .end_ns = 1130500000,
		 .kind = TIMELINE_STEP,
		 .name = "modules"},
		{.begin_ns = 1140000000,
		 .end_ns = 0,
		 .kind = TIMELINE_STEP,
		 .name = "root-wait",
		 .note = "UUID=1234"},
		{.begin_ns = 1150000000, .end_ns = 1150000000, .kind = TIMELINE_MARK, .name = "x"},
	};
	char buf[512];
	size_t n = timeline_format_tail(ev, 4, 1000000000, 1340000000, 3, buf, sizeof(buf));
	assert_int_equal(n, 3);
	assert_string_equal(buf, "+10.0 ms step modules (120.5 ms)\n"
				 "+140.0 ms step root-wait UUID=1234 (running for 200 ms)\n"
				 "+150.0 ms mark x");
	/* a line that does not fit is left out whole */
	n = timeline_format_tail(ev, 4, 1000000000, 1340000000, 3, buf, 40);
	assert_int_equal(n, 1);
	assert_string_equal(buf, "+10.0 ms step modules (120.5 ms)");
	assert_int_equal(timeline_format_tail(ev, 0, 0, 0, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* a module the kernel loaded before /init started: a negative offset, not +0.0 */
	const struct timeline_event early[] = {{.begin_ns = 600000000,
						.end_ns = 632300000,
						.kind = TIMELINE_MODULE,
						.name = "wp512",
						.note = "kernel: crypto-wp512"}};
	assert_int_equal(
		timeline_format_tail(early, 1, 1000000000, 1340000000, 3, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "-400.0 ms module wp512 kernel: crypto-wp512 (32.3 ms)");
}

static void test_modprobe_lines(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int r;
		uint64_t b, e;
		const char *name, *note;
	} cases[] = {
		{"1000 2000 dm_crypt kernel: dm-crypt\n", 0, 1000, 2000, "dm_crypt",
		 "kernel: dm-crypt"},
		{"5 5 ext4 kernel: fs-ext4", 0, 5, 5, "ext4", "kernel: fs-ext4"},
		{"5 6 xts\n", 0, 5, 6, "xts", ""},
		{"6 5 ext4 x\n", -EINVAL, 0, 0, NULL, NULL},  /* end before begin */
		{"-1 5 ext4 x\n", -EINVAL, 0, 0, NULL, NULL}, /* not a number */
		{"1 5  x\n", -EINVAL, 0, 0, NULL, NULL},      /* no name */
		{"1 5\n", -EINVAL, 0, 0, NULL, NULL},
		{"", -EINVAL, 0, 0, NULL, NULL},
		{"99999999999999999999999 5 a b", -EINVAL, 0, 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t b = 0, e = 0;
		char name[TIMELINE_NAME_MAX], note[TIMELINE_NOTE_MAX];
		int r = timeline_parse_modprobe_line(cases[i].line, &b, &e, name, sizeof(name),
						     note, sizeof(note));
		if (r != cases[i].r)
			fail_msg("case %zu '%s': %d, expected %d", i, cases[i].line, r, cases[i].r);
		if (r == 0 && (b != cases[i].b || e != cases[i].e || strcmp(name, cases[i].name) ||
			       strcmp(note, cases[i].note)))
			fail_msg("case %zu '%s': %llu %llu '%s' '%s'", i, cases[i].line,
				 (unsigned long long)b, (unsigned long long)e, name, note);
	}
}

static void test_kmsg_run_init(void **state)
{
	(void)state;
	static const char one[] = "6,512,1234567,-;Run /init as init process\n"
				  " SUBSYSTEM=x\n";
	assert_int_equal(timeline_kmsg_run_init(one, sizeof(one) - 1), 1234567000ull);
	static const char other[] = "6,511,1200000,-;Freeing unused kernel image\n";
	assert_int_equal(timeline_kmsg_run_init(other, sizeof(other) - 1), 0);
	static const char two[] = "6,1,5,-;hello\n4,2,777,c;Run /init as init process";
	assert_int_equal(timeline_kmsg_run_init(two, sizeof(two) - 1), 777000);
	static const char bad[] = "6,2,;Run /init as init process";
	assert_int_equal(timeline_kmsg_run_init(bad, sizeof(bad) - 1), 0);
}

/* What recording costs: printed for the README, bounded loosely so a slow machine passes. */
static void test_cost(void **state)
{
	(void)state;
	enum { N = 200 };
	uint64_t t0 = timeline_now_ns();
	for (int i = 0; i < N; i++)
		timeline_end(timeline_begin(TIMELINE_MODULE, "virtio_blk", "coldplug"));
	uint64_t per = (timeline_now_ns() - t0) / N;
	printf("timeline: one span (begin + end) costs %llu ns\n", (unsigned long long)per);
	assert_true(per < 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nesting, reset),
		cmocka_unit_test_setup(test_end_closes_inner, reset),
		cmocka_unit_test_setup(test_full_buffer_drops_and_counts, reset),
		cmocka_unit_test_setup(test_long_strings_truncated, reset),
		cmocka_unit_test_setup(test_truncation_keeps_utf8, reset),
		cmocka_unit_test_setup(test_cancel, reset),
		cmocka_unit_test_setup(test_add_finds_parent, reset),
		cmocka_unit_test_setup(test_add_overlapping_siblings, reset),
		cmocka_unit_test_setup(test_end_too_deep, reset),
		cmocka_unit_test_setup(test_begin_again, reset),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_modprobe_lines),
		cmocka_unit_test(test_kmsg_run_init),
		cmocka_unit_test_setup(test_cost, reset),
	};
	return cmocka_run_group_tests_name("timeline", tests, NULL, NULL);
}
