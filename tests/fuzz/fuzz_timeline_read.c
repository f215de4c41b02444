/* libFuzzer target: stage 2's reader of /run/initkit/timeline.json (stage2/timeline_read.c),
 * and, for every document it accepts, the blame list and the SVG (stage2/timeline_plot.c):
 * a file in /run that anything running as root in stage 1 could have written. */
#include <errno.h>

#include "fuzz.h"
#include "stage2/timeline_plot.h"
#include "stage2/timeline_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), err[256];
	struct timeline_doc doc;
	int r = timeline_doc_parse(text, strlen(text), &doc, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	FUZZ_CHECK(r == 0 || (err[0] && strnlen(err, sizeof(err)) < sizeof(err)));
	if (r == 0) {
		for (size_t i = 0; i < doc.n; i++) {
			const struct timeline_doc_event *e = &doc.ev[i];
			FUZZ_CHECK(e->parent >= -1 && e->parent < (int)i);
			FUZZ_CHECK(e->end_us >= e->begin_us);
			FUZZ_CHECK(e->depth == (e->parent < 0 ? 0 : doc.ev[e->parent].depth + 1));
		}
		FILE *null = fopen("/dev/null", "w");
		FUZZ_CHECK(null);
		FUZZ_CHECK(timeline_blame(null, &doc) == 0);
		FUZZ_CHECK(timeline_svg(null, &doc) == 0);
		fclose(null);
		timeline_doc_free(&doc);
	}
	free(text);
	return 0;
}
