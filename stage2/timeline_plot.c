/* The blame list and the SVG plot of a boot timeline; see timeline_plot.h. */
#include "timeline_plot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define LABEL_W 330 /* the names, indented by depth */
#define PLOT_W 900
#define ROW_H 18
#define TOP 70
#define INDENT 14
#define LABEL_CHAR_W 6 /* px per character of an 11px sans-serif label, generously */

static void ms_text(char *buf, size_t size, uint64_t us)
{
	if (us >= 1000000)
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "s", us / 1000000, us / 1000 % 1000);
	else
		snprintf(buf, size, "%" PRIu64 ".%01" PRIu64 "ms", us / 1000, us / 100 % 10);
}

static int by_duration(const void *a, const void *b, void *arg)
{
	const struct timeline_doc_event *ev = arg;
	const struct timeline_doc_event *x = &ev[*(const size_t *)a], *y = &ev[*(const size_t *)b];
	uint64_t dx = x->end_us - x->begin_us, dy = y->end_us - y->begin_us;
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Text from the document on a terminal: a control character ("\u001b[2J" in a name) would be
 * obeyed by it, so it is shown as '?', as systemd-analyze does. */
static void term_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

int timeline_blame(FILE *f, const struct timeline_doc *doc)
{
	char k[32], i[32], t[32];
	uint64_t kernel = doc->init_start_us, initkit = doc->switch_us - doc->init_start_us;
	ms_text(k, sizeof(k), kernel);
	ms_text(i, sizeof(i), initkit);
	ms_text(t, sizeof(t), doc->switch_us);
	fprintf(f,
		"Stage 1 finished in %s (kernel, until /init) + %s (initkit, until switch_root) "
		"= %s\n",
		k, i, t);
	fprintf(f, "initkit: %" PRIu64 " ms from /init to switch_root (stage 1's \"after N ms\")\n",
		doc->total_ms);
	if (doc->dropped)
		fprintf(f, "(%" PRIu64 " events did not fit in stage 1's buffer)\n", doc->dropped);
	size_t *order = calloc(doc->n ? doc->n : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	size_t n = 0;
	for (size_t j = 0; j < doc->n; j++)
		if (doc->ev[j].end_us > doc->ev[j].begin_us)
			order[n++] = j;
	qsort_r(order, n, sizeof(*order), by_duration, doc->ev);
	for (size_t j = 0; j < n; j++) {
		const struct timeline_doc_event *e = &doc->ev[order[j]];
		ms_text(t, sizeof(t), e->end_us - e->begin_us);
		fprintf(f, "%10s ", t);
		term_text(f, e->name);
		fputs(" (", f);
		term_text(f, e->kind);
		fputs(e->note[0] ? ", " : "", f);
		term_text(f, e->note);
		fprintf(f, ")%s\n", e->open ? " still running at the switch" : "");
	}
	free(order);
	return ferror(f) ? -EIO : 0;
}

static void xml_text(FILE *f, const char *s)
{
	for (size_t len; *s; s += len ? len : 1) {
		/* the document says UTF-8: a byte that is not (json-c does not check) would make
		 * the whole file unreadable to a browser */
		len = utf8_valid_len((const unsigned char *)s);
		if (len == 0) {
			fputs("\xef\xbf\xbd", f); /* U+FFFD */
			continue;
		}
		if (len > 1) {
			fwrite(s, 1, len, f);
			continue;
		}
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* XML 1.0 has no place for most control characters */
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
		}
	}
}

/* A class name from a kind: letters only, so a strange kind cannot break the markup. */
static void css_class(char *buf, size_t size, const char *kind)
{
	size_t n = 0;
	for (; *kind && n + 1 < size; kind++)
		if ((*kind >= 'a' && *kind <= 'z') || (*kind >= 'A' && *kind <= 'Z'))
			buf[n++] = *kind;
	buf[n] = 0;
	if (!n)
		snprintf(buf, size, "other");
}

struct plot {
	FILE *f;
	const struct timeline_doc *doc;
	double scale; /* px per us */
	unsigned row;
};

static double x_of(const struct plot *p, uint64_t us)
{
	return LABEL_W + (double)us * p->scale;
}

/* What a lane is called: the name, with what the kind means where the name alone repeats
 * (a volume's header, prompt and unlock lanes all carry its name). */
static void lane_label(const struct timeline_doc_event *e, char *buf, size_t size)
{
	static const struct {
		const char *kind, *prefix;
		bool note;
	} labels[] = {
		{"volume", "LUKS ", false},   {"header", "header load ", false},
		{"prompt", "prompt ", false}, {"unlock", "KDF + activation ", false},
		{"hook", "hook ", false},     {"lvm", "lvm ", true},
		{"wait", "wait for ", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(labels); i++)
		if (streq(e->kind, labels[i].kind)) {
			snprintf(buf, size, "%s%s%s%s", labels[i].prefix, e->name,
				 labels[i].note && e->note[0] ? " " : "",
				 labels[i].note ? e->note : "");
			return;
		}
	snprintf(buf, size, "%s", e->name);
}

static void lane(struct plot *p, size_t i)
{
	const struct timeline_doc_event *e = &p->doc->ev[i];
	char cls[16], dur[32], at[32];
	css_class(cls, sizeof(cls), e->kind);
	ms_text(dur, sizeof(dur), e->end_us - e->begin_us);
	ms_text(at, sizeof(at), e->begin_us);
	char label[160];
	lane_label(e, label, sizeof(label));
	/* the label column is LABEL_W wide: a longer label (a 41-byte luks-UUID volume name under
	 * "KDF + activation ") would run over the bars; cut with an ellipsis, whole in <title> */
	unsigned indent = 8 + e->depth * INDENT;
	size_t fit = indent + 40 < LABEL_W ? (LABEL_W - 10 - indent) / LABEL_CHAR_W : 4;
	if (strlen(label) > fit)
		memcpy(label + utf8_prefix_len(label, fit - 1), "\xe2\x80\xa6", 4); /* U+2026 */
	unsigned row = p->row++;
	double y = TOP + row * ROW_H, x = x_of(p, e->begin_us);
	double w = (double)(e->end_us - e->begin_us) * p->scale;
	bool instant = e->end_us == e->begin_us;
	fprintf(p->f, "<g class=\"lane %s\" data-depth=\"%u\" data-id=\"%zu\">", cls, e->depth, i);
	fprintf(p->f, "<title>");
	xml_text(p->f, e->name);
	fprintf(p->f, " (%s%s", cls, e->note[0] ? ": " : "");
	xml_text(p->f, e->note);
	fprintf(p->f, ") at %s, %s%s</title>\n", at, dur, e->open ? ", still running" : "");
	if (row % 2 == 0)
		fprintf(p->f,
			"  <rect class=\"row\" x=\"0\" y=\"%.0f\" width=\"%d\" height=\"%d\"/>\n",
			y, LABEL_W + PLOT_W + 120, ROW_H);
	fprintf(p->f, "  <text class=\"label\" x=\"%u\" y=\"%.0f\">", indent, y + 13);
	xml_text(p->f, label);
	fprintf(p->f, "</text>\n");
	if (instant)
		fprintf(p->f, "  <path class=\"bar %s\" d=\"M%.1f %.0f l5 7 l-5 7 l-5 -7 z\"/>\n",
			cls, x, y + 2);
	else
		fprintf(p->f,
			"  <rect class=\"bar %s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" "
			"height=\"%d\"/>\n",
			cls, x, y + 2, w < 1 ? 1 : w, ROW_H - 4);
	if (!instant)
		fprintf(p->f, "  <text class=\"dur\" x=\"%.1f\" y=\"%.0f\">%s</text>\n",
			x + (w < 1 ? 1 : w) + 4, y + 13, dur);
	fprintf(p->f, "</g>\n");
}

static int by_begin(const void *a, const void *b, void *arg)
{
	const struct timeline_doc_event *ev = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (ev[x].begin_us != ev[y].begin_us)
		return ev[x].begin_us < ev[y].begin_us ? -1 : 1;
	return x < y ? -1 : 1;
}

/* Depth-first, children in the order of their begin (the document lists them so, except
 * modules the kernel's modprobe added at the end). first[i + 1]: the first child of event i
 * (first[0]: of the root); next[i]: the sibling after i. */
static void lanes_under(struct plot *p, const size_t *first, const size_t *next, int parent)
{
	for (size_t i = first[parent + 1]; i != SIZE_MAX; i = next[i]) {
		lane(p, i);
		lanes_under(p, first, next, (int)i);
	}
}

static int draw_lanes(struct plot *p)
{
	size_t n = p->doc->n;
	size_t *order = calloc(n + 1, sizeof(size_t)), *first = calloc(n + 1, sizeof(size_t)),
	       *last = calloc(n + 1, sizeof(size_t)), *next = calloc(n + 1, sizeof(size_t));
	int r = order && first && last && next ? 0 : -ENOMEM;
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		qsort_r(order, n, sizeof(*order), by_begin, p->doc->ev);
		for (size_t i = 0; i <= n; i++)
			first[i] = last[i] = next[i] = SIZE_MAX;
		for (size_t j = 0; j < n; j++) {
			size_t i = order[j], parent = (size_t)(p->doc->ev[i].parent + 1);
			if (first[parent] == SIZE_MAX)
				first[parent] = i;
			else
				next[last[parent]] = i;
			last[parent] = i;
		}
		lanes_under(p, first, next, -1);
	}
	free(order), free(first), free(last), free(next);
	return r;
}

static void grid(struct plot *p, uint64_t end_us, unsigned height)
{
	static const uint64_t steps[] = {1000,	   2000,     5000,     10000,	 20000,	  50000,
					 100000,   200000,   500000,   1000000,	 2000000, 5000000,
					 10000000, 20000000, 60000000, 300000000};
	/* at most 12 intervals, however long the document says the boot took */
	uint64_t step = end_us / 12 + 1;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (end_us / steps[i] <= 12) {
			step = steps[i];
			break;
		}
	fprintf(p->f, "<g class=\"grid\">\n");
	for (uint64_t k = 0; k <= 12 && k * step <= end_us; k++) {
		uint64_t t = k * step;
		char label[32];
		ms_text(label, sizeof(label), t);
		fprintf(p->f,
			"  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%u\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>\n",
			x_of(p, t), TOP - 4, x_of(p, t), height, x_of(p, t) + 2, TOP - 8, label);
	}
	fprintf(p->f, "</g>\n");
}

static void milestone(struct plot *p, const char *cls, uint64_t us, unsigned height,
		      const char *text)
{
	fprintf(p->f,
		"<g class=\"%s\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%u\"/>"
		"<text x=\"%.1f\" y=\"%u\">%s</text></g>\n",
		cls, x_of(p, us), TOP - 20, x_of(p, us), height, x_of(p, us) + 3, height + 14,
		text);
}

static const char STYLE[] =
	"<style>\n"
	"  text { font-family: sans-serif; font-size: 11px; fill: #222; }\n"
	"  .title { font-size: 15px; font-weight: bold; }\n"
	"  .tick, .dur { font-size: 9px; fill: #555; }\n"
	"  .grid line { stroke: #ddd; stroke-width: 1; }\n"
	"  .row { fill: #f6f6f6; }\n"
	"  .bar { stroke: #333; stroke-width: 0.4; }\n"
	"  .bar.kernel { fill: #b8b8b8; }\n"
	"  .bar.step { fill: #4a7ebb; }\n"
	"  .bar.module { fill: #e0a040; }\n"
	"  .bar.wait { fill: url(#wait); }\n"
	"  .bar.hook { fill: #8e6bbf; }\n"
	"  .bar.volume { fill: #3f9f5f; }\n"
	"  .bar.header { fill: #86c79a; }\n"
	"  .bar.prompt { fill: url(#wait); stroke: #c04040; }\n"
	"  .bar.unlock { fill: #c04040; }\n"
	"  .bar.lvm { fill: #40a0a0; }\n"
	"  .bar.mark, .bar.other { fill: #666; }\n"
	"  .handover line, .initstart line { stroke: #c00; stroke-width: 1.5; }\n"
	"  .initstart line { stroke: #333; stroke-dasharray: 4 3; }\n"
	"  .handover text { fill: #c00; font-weight: bold; }\n"
	"</style>\n"
	"<defs><pattern id=\"wait\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	"patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eee\"/>"
	"<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#999\" stroke-width=\"3\"/>"
	"</pattern></defs>\n";

static void legend(struct plot *p, unsigned y)
{
	static const char *const kinds[] = {"kernel", "step",	"module", "wait",   "hook",
					    "volume", "header", "prompt", "unlock", "lvm"};
	fprintf(p->f, "<g class=\"legend\">\n");
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		fprintf(p->f,
			"  <rect class=\"bar %s\" x=\"%zu\" y=\"%u\" width=\"14\" height=\"10\"/>"
			"<text x=\"%zu\" y=\"%u\">%s</text>\n",
			kinds[i], 8 + i * 95, y, 26 + i * 95, y + 9, kinds[i]);
	fprintf(p->f, "</g>\n");
}

int timeline_svg(FILE *f, const struct timeline_doc *doc)
{
	struct plot p = {.f = f, .doc = doc};
	uint64_t end = doc->switch_us;
	for (size_t i = 0; i < doc->n; i++)
		if (doc->ev[i].end_us > end)
			end = doc->ev[i].end_us;
	end += end / 20 + 1;
	p.scale = (double)PLOT_W / (double)end;
	unsigned rows = (unsigned)doc->n + 1, height = TOP + rows * ROW_H + 4;
	unsigned width = LABEL_W + PLOT_W + 120, total_h = height + 50;
	char k[32], i[32];
	ms_text(k, sizeof(k), doc->init_start_us);
	ms_text(i, sizeof(i), doc->switch_us - doc->init_start_us);
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"viewBox=\"0 0 %u %u\">\n",
		width, total_h, width, total_h);
	fprintf(f, "%s<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n", STYLE);
	fprintf(f,
		"<text class=\"title\" x=\"8\" y=\"20\">Stage 1: kernel %s + initkit %s "
		"(%" PRIu64 " ms from /init to switch_root)</text>\n",
		k, i, doc->total_ms);
	fprintf(f, "<text x=\"8\" y=\"36\">");
	xml_text(f, doc->initkit ? doc->initkit : "");
	fprintf(f, "%s</text>\n", doc->dropped ? " (some events did not fit)" : "");
	grid(&p, end, height);
	/* the kernel's part: from its start to /init's first clock read. Not to the kernel log's
	 * "Run /init": its clock (local_clock) runs some ms ahead of CLOCK_BOOTTIME. */
	uint64_t kend = doc->init_start_us;
	char kd[32], ri[32], run_init[96] = "";
	ms_text(kd, sizeof(kd), kend);
	ms_text(ri, sizeof(ri), doc->run_init_us);
	if (doc->run_init_us)
		snprintf(run_init, sizeof(run_init), " (its log: Run /init at %s, printk clock)",
			 ri);
	fprintf(f,
		"<g class=\"lane kernel\" data-depth=\"0\"><title>the kernel, until /init started%s"
		"</title>\n  <text class=\"label\" x=\"8\" y=\"%d\">kernel</text>\n"
		"  <rect class=\"bar kernel\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>\n"
		"  <text class=\"dur\" x=\"%.1f\" y=\"%d\">%s</text>\n</g>\n",
		run_init, TOP + 13, x_of(&p, 0), TOP + 2, (double)kend * p.scale, ROW_H - 4,
		x_of(&p, kend) + 4, TOP + 13, kd);
	p.row = 1;
	int r = draw_lanes(&p);
	if (r < 0)
		return r;
	milestone(&p, "initstart", doc->init_start_us, height, "/init");
	milestone(&p, "handover", doc->switch_us, height, "switch_root: stage 2");
	legend(&p, height + 26);
	fprintf(f, "</svg>\n");
	return ferror(f) ? -EIO : 0;
}
