/* libFuzzer target: logind.conf as systemd 252's config_parse() reads it
 * (stage2/logind_conf.c logind_conf_feed). The input is fed as the main file, then again as a
 * drop-in, so notes and origins accumulate across files as they do at boot.
 *
 * The text is passed without a terminator: logind_conf_feed() once read past len when it
 * did not end in a newline (regressions/logind_conf/). */
#include <errno.h>

#include "fuzz.h"
#include "stage2/logind_conf.h"

static struct logind_conf conf; /* ~200 KiB: not on the stack */

static void check(const struct logind_conf *c)
{
	FUZZ_CHECK(c->n_notes <= LOGIND_NOTES_MAX);
	for (size_t i = 0; i < c->n_notes; i++)
		FUZZ_CHECK(strnlen(c->notes[i], LOGIND_NOTE_LEN) < LOGIND_NOTE_LEN);
	for (size_t i = 0; i < logind_keys_count; i++)
		if (c->origin[i].set)
			FUZZ_CHECK(c->origin[i].line >= 1 &&
				   strnlen(c->origin[i].path, PATH_MAX) < PATH_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	logind_conf_init(&conf);
	int r = logind_conf_feed(&conf, "/etc/systemd/logind.conf", text, size);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	FUZZ_CHECK((r == -EBADMSG) == conf.stopped);
	check(&conf);
	if (r == 0) {
		r = logind_conf_feed(&conf, "/usr/lib/systemd/logind.conf.d/50-fuzz.conf", text,
				     size);
		FUZZ_CHECK(r == 0 || r == -EBADMSG);
		check(&conf);
	}
	free(text);
	return 0;
}
