/* Stage 1's boot timeline: CLOCK_BOOTTIME spans (begin/end) and instants, each with a kind, a
 * name, a note and a parent, in a fixed static buffer. Recording allocates nothing and does no
 * I/O: one clock read and a copy of two short strings. A full buffer drops the event and
 * counts it. The parent of a span is the innermost span still open when it began, so callers
 * need no bookkeeping: `int t = timeline_begin(...); ...; timeline_end(t);`.
 * Written to /run/initkit/timeline.json just before the switch (timeline_write), shown by
 * `initkit-stage2 --timeline`, and its last steps are logged by the emergency path. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "timeline_format.h"

#define TIMELINE_MAX_EVENTS 512
#define TIMELINE_NAME_MAX 48
#define TIMELINE_NOTE_MAX 64

struct timeline_event {
	uint64_t begin_ns, end_ns; /* CLOCK_BOOTTIME; end_ns 0: still open */
	int16_t parent;		   /* index of the enclosing span, -1 for none */
	uint8_t kind;		   /* enum timeline_kind */
	char name[TIMELINE_NAME_MAX];
	char note[TIMELINE_NOTE_MAX];
};

/* What the JSON carries besides the events. */
struct timeline_meta {
	const char *version;  /* initkit's version line */
	uint64_t start_ns;    /* /init's main() started */
	uint64_t switch_ns;   /* stage 1 stopped its clock (total_ms), before writing */
	uint64_t run_init_ns; /* the kernel's "Run /init as init process", 0: unknown */
	uint64_t total_ms;    /* the "after N ms" figure stage 1 logs at the switch */
	size_t dropped;	      /* events that did not fit */
};

/* CLOCK_BOOTTIME in ns: the clock of the kernel's own log timestamps. */
uint64_t timeline_now_ns(void);
/* Marks /init's start (the first call wins); the root span's time zero. */
void timeline_start(void);
/* Opens a span; returns its id for timeline_end(), or -1 when the buffer is full. */
int timeline_begin(enum timeline_kind kind, const char *name, const char *note);
/* timeline_begin(), or, when the last span under the current parent is this one (same kind,
 * name and note), ended, with only its own children recorded since: reopens it, so that a
 * loop of polls is one span, not one per turn (a device wait of minutes would fill the
 * buffer and drop the rest of the boot). */
int timeline_begin_again(enum timeline_kind kind, const char *name, const char *note);
/* Closes span id (ignored for -1) and every span opened inside it that is still open. */
void timeline_end(int id);
/* Forgets span id when nothing was recorded after it (a step that found nothing to do);
 * otherwise ends it. */
void timeline_cancel(int id);
/* An instant: begin == end. */
void timeline_mark(enum timeline_kind kind, const char *name, const char *note);
/* An event whose times are known (a module the kernel's modprobe loaded); parent: the
 * innermost recorded span that contains begin_ns. */
void timeline_add(enum timeline_kind kind, const char *name, const char *note, uint64_t begin_ns,
		  uint64_t end_ns);

/* The recorded events (read-only) and the number dropped. */
const struct timeline_event *timeline_events(size_t *n, size_t *dropped);
/* Forgets everything (tests). */
void timeline_reset(void);

/* Pure: the JSON document (README.md, "Boot timeline") for ev[0..n) to f; 0 or -errno. */
int timeline_format_json(FILE *f, const struct timeline_event *ev, size_t n,
			 const struct timeline_meta *meta);
/* Pure: one line per event of the last `last` events, "+12.3 ms step luks (running)", into
 * buf (lines separated by '\n'); for the emergency path. Returns the number of lines. */
size_t timeline_format_tail(const struct timeline_event *ev, size_t n, uint64_t start_ns,
			    uint64_t now_ns, size_t last, char *buf, size_t size);
/* Pure: parses one line of TIMELINE_MODPROBE_PATH, "BEGIN_NS END_NS NAME NOTE...".
 * 0 or -EINVAL. */
int timeline_parse_modprobe_line(const char *line, uint64_t *begin_ns, uint64_t *end_ns, char *name,
				 size_t name_size, char *note, size_t note_size);
/* Pure: the kernel's "Run /init as init process" time in ns from /dev/kmsg records
 * ("6,123,1234567,-;Run /init as init process"), 0 when absent. */
uint64_t timeline_kmsg_run_init(const char *records, size_t len);

/* Merges the modprobe lines, reads the kernel log, writes TIMELINE_PATH; total_ms: the figure
 * logged with the switch. Errors are logged, never fatal. */
void timeline_write(uint64_t total_ms, const char *version);
/* Logs the last steps (the emergency path). */
void timeline_log_tail(size_t last);
/* In the modprobe process (not PID 1): appends one line to TIMELINE_MODPROBE_PATH. */
void timeline_modprobe_record(const char *name, const char *asker, uint64_t begin_ns,
			      uint64_t end_ns);
