/* Stage 1's boot timeline; see timeline.h. Recording is the hot part (it runs for every module
 * and every wait): no allocation, no I/O, no locks (PID 1 is single-threaded; the kernel's
 * modprobe runs in its own process and appends to a file instead). */
#include "timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utf8.h"
#include "util.h"

#define OPEN_MAX_DEPTH 32

static struct timeline_event events[TIMELINE_MAX_EVENTS];
static size_t n_events, n_dropped;
static uint64_t start_ns;
/* the spans still open, innermost last: the parent of the next event */
static int16_t open_stack[OPEN_MAX_DEPTH];
static size_t n_open;

uint64_t timeline_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void merge_modprobe(void);

void timeline_start(void)
{
	if (start_ns)
		return;
	start_ns = timeline_now_ns();
	/* modules the kernel asked for before /init ran (an initcall: IMA's ima_hash=wp512):
	 * their lines are in the initramfs's own /run, which the tmpfs /init mounts next hides */
	merge_modprobe();
	unlink(TIMELINE_MODPROBE_PATH);
}

/* Truncated, never inside a UTF-8 sequence: "é" is kept whole or left out. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? utf8_prefix_len(src, size - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

static struct timeline_event *new_event(enum timeline_kind kind, const char *name, const char *note,
					int16_t parent)
{
	if (n_events == TIMELINE_MAX_EVENTS) {
		n_dropped++;
		return NULL;
	}
	struct timeline_event *e = &events[n_events++];
	e->kind = (uint8_t)kind;
	e->parent = parent;
	copy_str(e->name, sizeof(e->name), name);
	copy_str(e->note, sizeof(e->note), note);
	return e;
}

static int16_t current_parent(void)
{
	return n_open ? open_stack[n_open - 1] : -1;
}

int timeline_begin(enum timeline_kind kind, const char *name, const char *note)
{
	struct timeline_event *e = new_event(kind, name, note, current_parent());
	if (!e)
		return -1;
	e->begin_ns = timeline_now_ns();
	e->end_ns = 0;
	int id = (int)(e - events);
	if (n_open < OPEN_MAX_DEPTH)
		open_stack[n_open++] = (int16_t)id;
	return id;
}

/* How many events after a span timeline_begin_again() looks through (its children). */
#define AGAIN_LOOKBACK 8

int timeline_begin_again(enum timeline_kind kind, const char *name, const char *note)
{
	int16_t cur = current_parent();
	char nm[TIMELINE_NAME_MAX], nt[TIMELINE_NOTE_MAX];
	copy_str(nm, sizeof(nm), name);
	copy_str(nt, sizeof(nt), note);
	/* the last event under the current parent: the same span, ended, with nothing after it
	 * but its own children */
	for (size_t k = 0, i = n_events; k < AGAIN_LOOKBACK && i-- > 0; k++) {
		struct timeline_event *e = &events[i];
		if (e->parent != cur) {
			int16_t p = e->parent;
			for (size_t d = 0; p > cur && d < OPEN_MAX_DEPTH; d++)
				p = events[p].parent;
			if (p != cur)
				break; /* not under a sibling: another branch */
			continue;
		}
		if (e->kind != kind || !e->end_ns || e->begin_ns == e->end_ns ||
		    !streq(e->name, nm) || !streq(e->note, nt) || n_open == OPEN_MAX_DEPTH)
			break;
		e->end_ns = 0;
		open_stack[n_open++] = (int16_t)i;
		return (int)i;
	}
	return timeline_begin(kind, name, note);
}

void timeline_end(int id)
{
	if (id < 0 || (size_t)id >= n_events || events[id].end_ns)
		return;
	uint64_t now = timeline_now_ns();
	size_t at = n_open;
	while (at > 0 && open_stack[at - 1] != id)
		at--;
	if (at == 0) { /* not on the stack (it was too deep): its enclosing spans stay open */
		events[id].end_ns = now;
		return;
	}
	/* spans left open inside it (an early return) end with it */
	for (size_t i = at - 1; i < n_open; i++)
		if (!events[open_stack[i]].end_ns)
			events[open_stack[i]].end_ns = now;
	n_open = at - 1;
}

void timeline_cancel(int id)
{
	if (id < 0 || (size_t)id != n_events - 1 || events[id].end_ns) {
		timeline_end(id);
		return;
	}
	n_events--;
	if (n_open && open_stack[n_open - 1] == id)
		n_open--;
}

void timeline_mark(enum timeline_kind kind, const char *name, const char *note)
{
	struct timeline_event *e = new_event(kind, name, note, current_parent());
	if (e)
		e->begin_ns = e->end_ns = timeline_now_ns();
}

void timeline_add(enum timeline_kind kind, const char *name, const char *note, uint64_t begin_ns,
		  uint64_t end_ns)
{
	int16_t parent = -1;
	end_ns = end_ns > begin_ns ? end_ns : begin_ns;
	/* the innermost span that holds it whole: two requests of the kernel that overlap (one
	 * began while the other ran) are siblings, not parent and child */
	for (size_t i = 0; i < n_events; i++)
		if (events[i].kind != TIMELINE_MARK && events[i].begin_ns <= begin_ns &&
		    (!events[i].end_ns || events[i].end_ns >= end_ns))
			parent = (int16_t)i; /* later ones are nested deeper */
	struct timeline_event *e = new_event(kind, name, note, parent);
	if (e) {
		e->begin_ns = begin_ns;
		e->end_ns = end_ns;
	}
}

const struct timeline_event *timeline_events(size_t *n, size_t *dropped)
{
	*n = n_events;
	if (dropped)
		*dropped = n_dropped;
	return events;
}

void timeline_reset(void)
{
	n_events = n_dropped = n_open = 0;
	start_ns = 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t len = utf8_valid_len(p);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (len == 0)
			fputs("\\ufffd", f); /* JSON is UTF-8: a byte that is not, replaced */
		else
			fwrite(p, 1, len, f);
		p += len ? len : 1;
	}
	fputc('"', f);
}

static uint64_t us(uint64_t ns)
{
	return ns / 1000;
}

int timeline_format_json(FILE *f, const struct timeline_event *ev, size_t n,
			 const struct timeline_meta *m)
{
	fprintf(f,
		"{\"format\": \"%s\", \"version\": %d, \"clock\": \"CLOCK_BOOTTIME\", "
		"\"unit\": \"us\",\n \"initkit\": ",
		TIMELINE_FORMAT, TIMELINE_VERSION);
	json_string(f, m->version ? m->version : "");
	fprintf(f, ",\n \"milestones\": {\"kernel_start_us\": 0");
	if (m->run_init_ns)
		fprintf(f, ", \"kernel_run_init_us\": %" PRIu64, us(m->run_init_ns));
	fprintf(f,
		", \"init_start_us\": %" PRIu64 ", \"switch_us\": %" PRIu64 "},\n"
		" \"total_ms\": %" PRIu64 ", \"dropped\": %zu,\n \"events\": [",
		us(m->start_ns), us(m->switch_ns), m->total_ms, m->dropped);
	for (size_t i = 0; i < n; i++) {
		const struct timeline_event *e = &ev[i];
		const char *kind =
			e->kind < TIMELINE_N_KINDS ? timeline_kind_names[e->kind] : "mark";
		fprintf(f, "%s\n  {\"id\": %zu, \"parent\": %d, \"kind\": \"%s\", \"name\": ",
			i ? "," : "", i, e->parent, kind);
		json_string(f, e->name);
		fprintf(f, ", \"note\": ");
		json_string(f, e->note);
		/* a span still open when the file is written ends at the switch */
		uint64_t end = e->end_ns ? e->end_ns : m->switch_ns;
		fprintf(f, ", \"begin_us\": %" PRIu64 ", \"end_us\": %" PRIu64 "%s}",
			us(e->begin_ns), us(end > e->begin_ns ? end : e->begin_ns),
			e->end_ns ? "" : ", \"open\": true");
	}
	fprintf(f, "\n ]}\n");
	return ferror(f) ? -EIO : 0;
}

size_t timeline_format_tail(const struct timeline_event *ev, size_t n, uint64_t start, uint64_t now,
			    size_t last, char *buf, size_t size)
{
	size_t from = n > last ? n - last : 0, lines = 0, used = 0;
	if (size)
		buf[0] = 0;
	for (size_t i = from; i < n && used < size; i++) {
		const struct timeline_event *e = &ev[i];
		/* a module the kernel loaded before /init ran: before time zero */
		bool before = e->begin_ns < start;
		uint64_t t = before ? start - e->begin_ns : e->begin_ns - start;
		const char *kind = e->kind < TIMELINE_N_KINDS ? timeline_kind_names[e->kind] : "?";
		char dur[48];
		if (e->kind == TIMELINE_MARK || e->begin_ns == e->end_ns)
			dur[0] = 0;
		else if (!e->end_ns)
			snprintf(dur, sizeof(dur), " (running for %" PRIu64 " ms)",
				 now > e->begin_ns ? (now - e->begin_ns) / 1000000 : 0);
		else
			snprintf(dur, sizeof(dur), " (%" PRIu64 ".%01" PRIu64 " ms)",
				 (e->end_ns - e->begin_ns) / 1000000,
				 (e->end_ns - e->begin_ns) / 100000 % 10);
		int w = snprintf(buf + used, size - used,
				 "%s%c%" PRIu64 ".%01" PRIu64 " ms %s %s%s%s%s", lines ? "\n" : "",
				 before ? '-' : '+', t / 1000000, t / 100000 % 10, kind, e->name,
				 e->note[0] ? " " : "", e->note, dur);
		if (w < 0 || (size_t)w >= size - used) {
			buf[used] = 0; /* the last line did not fit: leave it out */
			break;
		}
		used += (size_t)w;
		lines++;
	}
	return lines;
}

static int parse_u64(const char *s, char **end, uint64_t *v)
{
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long x = strtoull(s, end, 10);
	if (errno)
		return -EINVAL;
	*v = x;
	return 0;
}

int timeline_parse_modprobe_line(const char *line, uint64_t *begin_ns, uint64_t *end_ns, char *name,
				 size_t name_size, char *note, size_t note_size)
{
	char *p;
	if (parse_u64(line, &p, begin_ns) < 0 || *p != ' ' || parse_u64(p + 1, &p, end_ns) < 0 ||
	    *p != ' ' || *end_ns < *begin_ns)
		return -EINVAL;
	const char *w = p + 1;
	size_t len = strcspn(w, " \n");
	if (len == 0 || len >= name_size)
		return -EINVAL;
	memcpy(name, w, len);
	name[len] = 0;
	w += len;
	if (*w == ' ')
		w++;
	len = strcspn(w, "\n");
	if (len >= note_size)
		len = note_size - 1;
	memcpy(note, w, len);
	note[len] = 0;
	return 0;
}

uint64_t timeline_kmsg_run_init(const char *rec, size_t len)
{
	static const char needle[] = ";Run /init as init process";
	const char *end = rec + len;
	for (const char *p = rec; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		/* PRIO,SEQ,USEC,FLAGS;TEXT */
		const char *semi = memchr(p, ';', (size_t)(le - p));
		if (semi && (size_t)(le - semi) >= sizeof(needle) - 1 &&
		    memcmp(semi, needle, sizeof(needle) - 1) == 0) {
			const char *c = memchr(p, ',', (size_t)(semi - p));
			c = c ? memchr(c + 1, ',', (size_t)(semi - c - 1)) : NULL;
			uint64_t usec = 0;
			bool digits = false;
			for (c = c ? c + 1 : semi; c < semi && *c >= '0' && *c <= '9'; c++) {
				usec = usec * 10 + (uint64_t)(*c - '0');
				digits = true;
			}
			if (digits)
				return usec * 1000;
		}
		p = le + 1;
	}
	return 0;
}

/* /dev/kmsg, non-blocking from the start of the buffer: one record per read(). */
static uint64_t kernel_run_init_ns(void)
{
	_cleanup_close_ int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char rec[8192];
	for (int i = 0; i < 4096; i++) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue; /* overwritten records: go on with the next */
		if (r <= 0)
			break;
		uint64_t t = timeline_kmsg_run_init(rec, (size_t)r);
		if (t)
			return t;
	}
	return 0;
}

static void merge_modprobe(void)
{
	_cleanup_fclose_ FILE *f = fopen(TIMELINE_MODPROBE_PATH, "re");
	char line[256], name[TIMELINE_NAME_MAX], note[TIMELINE_NOTE_MAX];
	uint64_t b, e;
	while (f && fgets(line, sizeof(line), f))
		if (timeline_parse_modprobe_line(line, &b, &e, name, sizeof(name), note,
						 sizeof(note)) == 0)
			timeline_add(TIMELINE_MODULE, name, note, b, e);
}

void timeline_write(uint64_t total_ms, const char *version)
{
	/* the switch is when stage 1 stopped its clock for total_ms, right before this call:
	 * not after the merge and the kernel log's thousands of reads (3-8 ms under TCG), or
	 * the timeline's own figure (switch - init start) would exceed total_ms by them */
	uint64_t switch_ns = timeline_now_ns();
	merge_modprobe();
	struct timeline_meta m = {
		.version = version,
		.start_ns = start_ns,
		.switch_ns = switch_ns,
		.run_init_ns = kernel_run_init_ns(),
		.total_ms = total_ms,
		.dropped = n_dropped,
	};
	mkdir("/run/initkit", 0755);
	_cleanup_fclose_ FILE *f = fopen(TIMELINE_PATH ".tmp", "we");
	int r = -errno;
	if (f) {
		errno = 0;
		r = timeline_format_json(f, events, n_events, &m);
		/* a stdio buffer smaller than the file (musl's is 1 KiB) fails while formatting:
		 * name the write's own error (ENOSPC), not ferror()'s EIO */
		if (r == -EIO && errno > 0)
			r = -errno;
	}
	if (f && fflush(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(TIMELINE_PATH ".tmp", TIMELINE_PATH) < 0)
		r = -errno;
	if (r < 0) {
		unlink(TIMELINE_PATH ".tmp"); /* a full /run: leave stage 2 the little room left */
		log_warning_errno(r, "timeline: cannot write %s: %m; stage 2 will not see it",
				  TIMELINE_PATH);
	}
	unlink(TIMELINE_MODPROBE_PATH);
}

void timeline_log_tail(size_t last)
{
	char buf[4096];
	size_t n = timeline_format_tail(events, n_events, start_ns, timeline_now_ns(), last, buf,
					sizeof(buf));
	if (!n)
		return;
	log_error("the last %zu steps, from /init's start:", n);
	for (char *save, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		log_error("  %s", l);
}

void timeline_modprobe_record(const char *name, const char *asker, uint64_t begin_ns,
			      uint64_t end_ns)
{
	char line[256];
	mkdir("/run/initkit", 0755);
	int n = snprintf(line, sizeof(line), "%" PRIu64 " %" PRIu64 " %s %s\n", begin_ns, end_ns,
			 name, asker);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	/* one write(), O_APPEND: lines of concurrent requests do not interleave */
	_cleanup_close_ int fd =
		open(TIMELINE_MODPROBE_PATH, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		(void)!write(fd, line, (size_t)n);
}
