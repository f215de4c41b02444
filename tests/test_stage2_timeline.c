/* Stage 2's view of the boot timeline: the reader (stage2/timeline_read.c) on good and broken
 * documents, the blame list and the SVG's structure (stage2/timeline_plot.c) on timelines
 * recorded in QEMU (tests/timeline-fixtures/: a LUKS2 boot and an LVM-on-LUKS2 boot, as
 * `qemu/bench/bench.py --one initkit:luks` saved them). The SVG is checked as lanes —
 * kind, depth, label, in order — against a golden list, never as pixels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../stage2/timeline_plot.h"
#include "../stage2/timeline_read.h"

static char *slurp(const char *name, size_t *len)
{
	char path[4096];
	/* TIMELINE_FIXTURES: tests/timeline-fixtures by absolute path (stage2/stage2.mk) */
	snprintf(path, sizeof(path), "%s/%s", TIMELINE_FIXTURES, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("fixture %s not found", path);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void parse_fixture(const char *name, struct timeline_doc *doc)
{
	size_t len;
	char *text = slurp(name, &len), err[256];
	int r = timeline_doc_parse(text, len, doc, err, sizeof(err));
	if (r < 0)
		fail_msg("%s: %s", name, err);
	free(text);
}

static void test_read_recorded(void **state)
{
	(void)state;
	struct timeline_doc doc;
	parse_fixture("luks.json", &doc);
	assert_int_equal(doc.version, 1);
	assert_true(doc.init_start_us > 0 && doc.switch_us > doc.init_start_us);
	assert_true(doc.run_init_us > 0);
	assert_true(doc.n > 10);
	/* stage 1's "after N ms" agrees with its own clock within a few ms */
	uint64_t span_ms = (doc.switch_us - doc.init_start_us) / 1000;
	assert_true(span_ms >= doc.total_ms && span_ms <= doc.total_ms + 20);
	bool volume = false, prompt = false, unlock = false, module_in_unlock = false;
	for (size_t i = 0; i < doc.n; i++) {
		const struct timeline_doc_event *e = &doc.ev[i];
		volume |= !strcmp(e->kind, "volume") && !strcmp(e->name, "croot");
		prompt |= !strcmp(e->kind, "prompt");
		unlock |= !strcmp(e->kind, "unlock");
		/* dm_crypt, asked for by the kernel while libcryptsetup activated the volume */
		module_in_unlock |= !strcmp(e->name, "dm_crypt") && e->parent >= 0 &&
				    !strcmp(doc.ev[e->parent].kind, "unlock") &&
				    !strncmp(e->note, "kernel: ", 8);
		if (e->parent >= 0)
			assert_int_equal(e->depth, doc.ev[e->parent].depth + 1);
	}
	assert_true(volume && prompt && unlock && module_in_unlock);
	timeline_doc_free(&doc);
}

static const char MIN_HEAD[] = "{\"format\": \"initkit-timeline\", \"version\": 1, "
			       "\"milestones\": {\"init_start_us\": 1000, \"switch_us\": 5000}, "
			       "\"total_ms\": 4, ";

static void test_read_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err;
	} cases[] = {
		{"", "not JSON: empty"},
		{"{\"format\": ", "not JSON"},
		{"[1, 2]", "not a JSON object"},
		{"{} x", "text after the JSON document at byte 3"},
		{"{\"format\": \"other\"}", "not an initkit-timeline document"},
		{"{\"format\": \"initkit-timeline\"}", "\"version\" missing"},
		{"{\"format\": \"initkit-timeline\", \"version\": 2}",
		 "version 2 is newer than this reader's (1)"},
		{"{\"format\": \"initkit-timeline\", \"version\": 1}", "\"milestones\""},
		{"{\"format\": \"initkit-timeline\", \"version\": 1, \"milestones\": "
		 "{\"init_start_us\": 9, \"switch_us\": 5}}",
		 "switch_us before init_start_us"},
		{"{\"format\": \"initkit-timeline\", \"version\": 1, \"milestones\": "
		 "{\"init_start_us\": -1, \"switch_us\": 5}}",
		 "\"milestones\""},
		{"{\"format\": \"initkit-timeline\", \"version\": 1, \"milestones\": "
		 "{\"init_start_us\": 1, \"switch_us\": 5}}",
		 "\"total_ms\" missing"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timeline_doc doc;
		char err[256];
		int r = timeline_doc_parse(cases[i].text, strlen(cases[i].text), &doc, err,
					   sizeof(err));
		if (r != -EINVAL || !strstr(err, cases[i].err))
			fail_msg("case %zu: %d '%s', expected '%s'", i, r, err, cases[i].err);
		assert_null(doc.ev);
	}
	static const struct {
		const char *events, *err;
	} ev_cases[] = {
		{"\"events\": 3}", "\"events\" missing or not an array"},
		{"\"events\": [7]}", "event 0: not an object"},
		{"\"events\": [{\"parent\": 0, \"kind\": \"step\", \"begin_us\": 1, \"end_us\": "
		 "2}]}",
		 "event 0: parent 0 is not an earlier event"},
		{"\"events\": [{\"parent\": -1, \"kind\": \"step\", \"begin_us\": 1, \"end_us\": "
		 "2},"
		 "{\"parent\": 1, \"kind\": \"step\", \"begin_us\": 1, \"end_us\": 2}]}",
		 "event 1: parent 1 is not an earlier event"},
		{"\"events\": [{\"parent\": -1, \"kind\": \"step\", \"begin_us\": 3, \"end_us\": "
		 "2}]}",
		 "event 0: ends (2 us) before it begins (3 us)"},
		{"\"events\": [{\"parent\": -1, \"kind\": \"step\", \"begin_us\": \"1\", "
		 "\"end_us\": 2}]}",
		 "event 0: \"begin_us\"/\"end_us\" missing"},
		{"\"events\": [{\"parent\": -1, \"begin_us\": 1, \"end_us\": 2}]}",
		 "event 0: not an object with \"parent\" and \"kind\""},
	};
	for (size_t i = 0; i < sizeof(ev_cases) / sizeof(ev_cases[0]); i++) {
		char text[1024], err[256];
		snprintf(text, sizeof(text), "%s%s", MIN_HEAD, ev_cases[i].events);
		struct timeline_doc doc;
		int r = timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err));
		if (r != -EINVAL || !strstr(err, ev_cases[i].err))
			fail_msg("event case %zu: %d '%s', expected '%s'", i, r, err,
				 ev_cases[i].err);
	}
}

/* Fields a later version 1 adds, and kinds this reader does not know, are no error. */
static void test_read_forward_compatible(void **state)
{
	(void)state;
	char text[1024], err[256];
	snprintf(text, sizeof(text),
		 "%s\"future\": {\"x\": 1}, \"events\": [{\"id\": 0, \"parent\": -1, \"kind\": "
		 "\"tpm2\", \"name\": \"unseal\", \"begin_us\": 1500, \"end_us\": 2500, "
		 "\"colour\": \"red\"}]}\n\n",
		 MIN_HEAD);
	struct timeline_doc doc;
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	assert_int_equal(doc.n, 1);
	assert_string_equal(doc.ev[0].kind, "tpm2");
	assert_string_equal(doc.ev[0].note, "");
	assert_int_equal(doc.run_init_us, 0);
	timeline_doc_free(&doc);
}

static char *render(const struct timeline_doc *doc, int (*fn)(FILE *, const struct timeline_doc *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(fn(f, doc), 0);
	fclose(f);
	return buf;
}

static void test_blame(void **state)
{
	(void)state;
	struct timeline_doc doc;
	parse_fixture("luks.json", &doc);
	char *out = render(&doc, timeline_blame);
	char want[128];
	snprintf(want, sizeof(want), "initkit: %llu ms from /init to switch_root",
		 (unsigned long long)doc.total_ms);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "Stage 1 finished in "));
	/* longest first: the step holding the unlock comes before the volume inside it */
	char *step = strstr(out, " luks+lvm (step)"), *vol = strstr(out, " croot (volume, ");
	assert_non_null(step);
	assert_non_null(vol);
	assert_true(step < vol);
	/* every span with a duration has its line */
	size_t lines = 0, spans = 0;
	for (char *p = out; (p = strchr(p, '\n')); p++)
		lines++;
	for (size_t i = 0; i < doc.n; i++)
		spans += doc.ev[i].end_us > doc.ev[i].begin_us;
	assert_int_equal(lines, 2 + spans);
	free(out);
	timeline_doc_free(&doc);
}

/* "DEPTH KIND LABEL" per lane, in drawing order. */
static char *lanes_of(const char *svg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	for (const char *p = svg; (p = strstr(p, "<g class=\"lane ")); p++) {
		char kind[32] = "", label[128] = "";
		unsigned depth = 99;
		sscanf(p, "<g class=\"lane %31[^\"]\" data-depth=\"%u\"", kind, &depth);
		const char *l = strstr(p, "<text class=\"label\"");
		const char *end = strstr(p, "</g>");
		if (l && l < end)
			sscanf(strchr(l, '>') + 1, "%127[^<]", label);
		fprintf(f, "%u %s %s\n", depth, kind, label);
	}
	fclose(f);
	return out;
}

static void check_golden(const char *json, const char *golden)
{
	struct timeline_doc doc;
	parse_fixture(json, &doc);
	char *svg = render(&doc, timeline_svg);
	char *lanes = lanes_of(svg);
	size_t len;
	char *want = slurp(golden, &len);
	if (strcmp(lanes, want))
		fail_msg("%s: lanes differ from %s:\n%s", json, golden, lanes);
	/* the pieces around the lanes: one kernel lane, /init, the hand-over, shaded waits,
	 * the title with stage 1's figure, balanced groups, nothing outside the document */
	char title[96];
	snprintf(title, sizeof(title), "(%llu ms from /init to switch_root)",
		 (unsigned long long)doc.total_ms);
	assert_non_null(strstr(svg, title));
	assert_non_null(strstr(svg, "<g class=\"initstart\">"));
	assert_non_null(strstr(svg, "<g class=\"handover\">"));
	assert_non_null(strstr(svg, "switch_root: stage 2</text>"));
	assert_non_null(strstr(svg, ".bar.wait { fill: url(#wait); }"));
	assert_non_null(strstr(svg, "<pattern id=\"wait\""));
	size_t open = 0, close = 0;
	for (const char *p = svg; (p = strstr(p, "<g")); p++)
		open++;
	for (const char *p = svg; (p = strstr(p, "</g>")); p++)
		close++;
	assert_int_equal(open, close);
	assert_null(strstr(svg, "href=\"http")); /* self-contained */
	assert_non_null(strstr(svg, "</svg>\n"));
	free(want);
	free(lanes);
	free(svg);
	timeline_doc_free(&doc);
}

/* Names, kinds and notes reach the terminal without their control characters: a document's
 * "\u001b[2J" must not clear the screen of whoever runs --timeline. */
static void test_blame_control_chars(void **state)
{
	(void)state;
	char text[1024], err[256];
	snprintf(text, sizeof(text),
		 "%s\"events\": [{\"parent\": -1, \"kind\": \"st\\u001bep\", \"name\": "
		 "\"a\\u001b[2Jb\\r\", \"note\": \"n\\u0007\\u007f\", \"begin_us\": 1500, "
		 "\"end_us\": 2500}]}",
		 MIN_HEAD);
	struct timeline_doc doc;
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	char *out = render(&doc, timeline_blame);
	assert_non_null(strstr(out, "     1.0ms a?[2Jb? (st?ep, n?"
				    "?)\n"));
	for (const char *p = out; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && *p != 0x7f));
	free(out);
	timeline_doc_free(&doc);
}

static void test_svg_luks(void **state)
{
	(void)state;
	check_golden("luks.json", "luks.lanes");
}

static void test_svg_lvm(void **state)
{
	(void)state;
	check_golden("lvm.json", "lvm.lanes");
}

/* Names come from the boot (device specs, hook file names): markup in them stays text. */
static void test_svg_escapes(void **state)
{
	(void)state;
	char text[1024], err[256];
	snprintf(text, sizeof(text),
		 "%s\"events\": [{\"parent\": -1, \"kind\": \"ho\\\"ok<x>\", \"name\": "
		 "\"<script>&'\", \"note\": \"a\\u0001b\", \"begin_us\": 1500, \"end_us\": 1500}]}",
		 MIN_HEAD);
	struct timeline_doc doc;
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	char *svg = render(&doc, timeline_svg);
	assert_null(strstr(svg, "<script>"));
	assert_non_null(strstr(svg, "&lt;script&gt;&amp;&apos;"));
	assert_non_null(strstr(svg, "<g class=\"lane hookx\" data-depth=\"0\""));
	assert_non_null(strstr(svg, "a?b"));
	assert_non_null(strstr(svg, "<path class=\"bar hookx\"")); /* an instant: a diamond */
	free(svg);
	timeline_doc_free(&doc);
}

/* The SVG says encoding="UTF-8": a name that is not (json-c does not check; an older stage 1
 * cut "é" in two) gets U+FFFD, so a browser still reads the file. */
static void test_svg_not_utf8(void **state)
{
	(void)state;
	char text[1024], err[256];
	snprintf(text, sizeof(text),
		 "%s\"events\": [{\"parent\": -1, \"kind\": \"wait\", \"name\": "
		 "\"LABEL=\xe9t\xc3\", \"note\": \"Syst\xc3\xa8me \xed\xa0\x80\x7f\", "
		 "\"begin_us\": 1500, "
		 "\"end_us\": 1600}]}",
		 MIN_HEAD);
	struct timeline_doc doc;
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	char *svg = render(&doc, timeline_svg);
	assert_non_null(strstr(svg, "LABEL=\xef\xbf\xbdt\xef\xbf\xbd"));
	assert_non_null(strstr(svg, "Syst\xc3\xa8me \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd?"));
	for (const unsigned char *p = (const unsigned char *)svg; *p; p++)
		if (*p >= 0x80) /* only "è" and U+FFFD */
			assert_true((p[0] == 0xc3 && p[1] == 0xa8 && (p += 1)) ||
				    (p[0] == 0xef && p[1] == 0xbf && p[2] == 0xbd && (p += 2)));
	free(svg);
	timeline_doc_free(&doc);
}

/* A label longer than the label column (a luks-UUID volume name under "KDF + activation ",
 * two levels down) is cut with an ellipsis instead of running over the bars; the <title>
 * keeps it whole. */
static void test_svg_long_label(void **state)
{
	(void)state;
	char text[2048], err[256];
	snprintf(text, sizeof(text),
		 "%s\"events\": [{\"parent\": -1, \"kind\": \"step\", \"name\": \"luks+lvm\", "
		 "\"begin_us\": 1000, \"end_us\": 9000}, {\"parent\": 0, \"kind\": \"volume\", "
		 "\"name\": \"luks-6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001\", \"begin_us\": 1000, "
		 "\"end_us\": 8000}, {\"parent\": 1, \"kind\": \"unlock\", \"name\": "
		 "\"luks-6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001\", \"begin_us\": 1500, \"end_us\": "
		 "7000}]}",
		 MIN_HEAD);
	struct timeline_doc doc;
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	char *svg = render(&doc, timeline_svg);
	const char *t = strstr(svg, "<text class=\"label\" x=\"36\"");
	assert_non_null(t);
	t = strchr(t, '>') + 1;
	size_t len = (size_t)(strchr(t, '<') - t);
	/* (330 - 10 - 36) / 6 = 47 bytes at most, the last one the ellipsis */
	assert_true(len <= 47 + 2);
	assert_memory_equal(t, "KDF + activation luks-6a1c2c5e-4a4f", 35);
	assert_memory_equal(t + len - 3, "\xe2\x80\xa6", 3);
	/* the volume's label, one level up, fits whole */
	assert_non_null(strstr(svg, ">LUKS luks-6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001</text>"));
	assert_non_null(strstr(svg, "<title>luks-6a1c2c5e-4a4f-4d0b-9d59-1f0b7a2f0001 (unlock)"));
	free(svg);
	timeline_doc_free(&doc);
}

/* Modules the kernel's modprobe loaded come last in the file but are drawn where they began,
 * among their siblings. */
static void test_svg_order(void **state)
{
	(void)state;
	char text[2048], err[256];
	snprintf(text, sizeof(text),
		 "%s\"events\": ["
		 "{\"parent\": -1, \"kind\": \"step\", \"name\": \"luks+lvm\", \"begin_us\": 1000, "
		 "\"end_us\": 4000},"
		 "{\"parent\": 0, \"kind\": \"volume\", \"name\": \"croot\", \"begin_us\": 1100, "
		 "\"end_us\": 2000},"
		 "{\"parent\": 0, \"kind\": \"lvm\", \"name\": \"vgchange\", \"note\": \"-ay\", "
		 "\"begin_us\": 3000, \"end_us\": 3500},"
		 "{\"parent\": 0, \"kind\": \"module\", \"name\": \"dm_mod\", \"note\": \"lvm: "
		 "dm-mod\", \"begin_us\": 2500, \"end_us\": 2600}]}",
		 MIN_HEAD);
	struct timeline_doc doc;
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	char *svg = render(&doc, timeline_svg), *lanes = lanes_of(svg);
	assert_string_equal(lanes, "0 kernel kernel\n"
				   "0 step luks+lvm\n"
				   "1 volume LUKS croot\n"
				   "1 module dm_mod\n"
				   "1 lvm lvm vgchange -ay\n");
	free(lanes);
	free(svg);
	timeline_doc_free(&doc);
}

/* A document may claim any length of boot: the time axis keeps to a dozen ticks (a fuzzer
 * found an endless loop of ticks here: tests/fuzz/regressions/timeline_read/). */
static void test_svg_huge_times(void **state)
{
	(void)state;
	static const char text[] =
		"{\"format\": \"initkit-timeline\", \"version\": 1, \"milestones\": "
		"{\"init_start_us\": 1000, \"switch_us\": 9000000000000000000}, \"total_ms\": 4, "
		"\"events\": [{\"parent\": -1, \"kind\": \"step\", \"begin_us\": 1, "
		"\"end_us\": 9100000000000000000}]}";
	struct timeline_doc doc;
	char err[256];
	assert_int_equal(timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	char *svg = render(&doc, timeline_svg);
	size_t ticks = 0;
	for (const char *p = svg; (p = strstr(p, "class=\"tick\"")); p++)
		ticks++;
	assert_true(ticks >= 2 && ticks <= 13);
	free(svg);
	timeline_doc_free(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_recorded),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_forward_compatible),
		cmocka_unit_test(test_blame),
		cmocka_unit_test(test_blame_control_chars),
		cmocka_unit_test(test_svg_luks),
		cmocka_unit_test(test_svg_lvm),
		cmocka_unit_test(test_svg_escapes),
		cmocka_unit_test(test_svg_not_utf8),
		cmocka_unit_test(test_svg_long_label),
		cmocka_unit_test(test_svg_huge_times),
		cmocka_unit_test(test_svg_order),
	};
	return cmocka_run_group_tests_name("stage2_timeline", tests, NULL, NULL);
}
