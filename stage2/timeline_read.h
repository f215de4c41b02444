/* Reads the boot timeline stage 1 left in /run/initkit/timeline.json (format: README.md, "Boot
 * timeline"; lib/timeline_format.h). Pure: text in, a checked tree of events out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timeline_doc_event {
	int parent;	/* index of an earlier event, or -1 */
	unsigned depth; /* 0 for a top-level event */
	char kind[16];	/* "step", "module", ... (an unknown kind is kept as it is) */
	char *name, *note;
	uint64_t begin_us, end_us;
	bool open; /* still running when stage 1 wrote the file */
};

struct timeline_doc {
	int version;
	char *initkit;		/* stage 1's version line */
	uint64_t run_init_us;	/* the kernel's "Run /init as init process"; 0: unknown */
	uint64_t init_start_us; /* /init's main() */
	uint64_t switch_us;	/* the file was written, right before switch_root */
	uint64_t total_ms;	/* stage 1's "after N ms" */
	uint64_t dropped;	/* events stage 1 had no room for */
	struct timeline_doc_event *ev;
	size_t n;
};

/* text[len] must be 0. Returns 0, or -EINVAL/-ENOMEM with a message naming what is wrong (and
 * where) in err. */
int timeline_doc_parse(const char *text, size_t len, struct timeline_doc *doc, char *err,
		       size_t err_size);
void timeline_doc_free(struct timeline_doc *doc);
