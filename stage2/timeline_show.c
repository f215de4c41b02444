/* The --timeline command: files at the edge, the reading and drawing are pure
 * (timeline_read.c, timeline_plot.c). */
#include "timeline_show.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "timeline_format.h"
#include "timeline_plot.h"
#include "timeline_read.h"
#include "util.h"

#define MAX_SIZE (16 << 20)

static char *read_all(const char *path, size_t *len)
{
	_cleanup_fclose_ FILE *f = streq(path, "-") ? NULL : fopen(path, "re");
	FILE *in = streq(path, "-") ? stdin : f;
	if (!in)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t k = fread(buf + n, 1, cap - n, in);
		n += k;
		if (n < cap)
			break;
		char *nb = cap < MAX_SIZE ? realloc(buf, cap * 2 + 1) : NULL;
		if (!nb) {
			free(buf);
			errno = cap < MAX_SIZE ? ENOMEM : EFBIG;
			return NULL;
		}
		buf = nb, cap *= 2;
	}
	if (!buf || ferror(in)) {
		free(buf);
		errno = errno ? errno : EIO;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static int write_svg(const char *out, const struct timeline_doc *doc)
{
	char tmp[4096];
	if (path_printf(tmp, sizeof(tmp), "%s.tmp", out) < 0)
		return log_error_errno(-ENAMETOOLONG, "--svg %s: %m", out);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return log_error_errno(-errno, "--svg %s: %m", tmp);
	int r = timeline_svg(f, doc);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, out) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return log_error_errno(r, "--svg %s: %m", out);
	}
	return 0;
}

int timeline_show_main(int argc, char **argv)
{
	const char *in = TIMELINE_PATH, *svg = NULL;
	log_setup("initkit-stage2", false);
	for (int i = 2; i < argc; i++) {
		if (streq(argv[i], "--svg") && i + 1 < argc)
			svg = argv[++i];
		else if (argv[i][0] != '-' || streq(argv[i], "-"))
			in = argv[i];
		else {
			fprintf(stderr, "Usage: initkit-stage2 --timeline [FILE|-] [--svg OUT]\n");
			return 2;
		}
	}
	size_t len = 0;
	_cleanup_free_ char *text = read_all(in, &len);
	if (!text)
		return log_error_errno(-errno, "--timeline %s: %m", in), 1;
	struct timeline_doc doc;
	char err[256];
	if (timeline_doc_parse(text, len, &doc, err, sizeof(err)) < 0)
		return log_error("--timeline %s: %s", in, err), 1;
	int r = timeline_blame(stdout, &doc);
	if (r == 0 && svg)
		r = write_svg(svg, &doc);
	timeline_doc_free(&doc);
	return r < 0 ? 1 : 0;
}
