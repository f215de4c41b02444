/* libFuzzer target: stage 2's own defaults file (/etc/initkit/logind-defaults.conf) and the
 * initkit.logind.* kernel command line parameters (stage2/defaults.c).
 * Input: the first line is the kernel command line, the rest is the config file. */
#include <errno.h>

#include "fuzz.h"
#include "stage2/defaults.h"

static struct stage2_defaults defaults; /* ~250 KiB: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *line, *rest;
	size_t line_len, rest_len;
	fuzz_split_line(data, size, &line, &line_len, &rest, &rest_len);
	char *cmd = fuzz_strndup(line, line_len), *conf = fuzz_memdup(rest, rest_len);

	defaults_init(&defaults);
	int r = defaults_feed_config(&defaults, "/etc/initkit/logind-defaults.conf", conf,
				     rest_len);
	FUZZ_CHECK(r <= 0);
	defaults_feed_cmdline(&defaults, cmd);
	FUZZ_CHECK(defaults.n_notes <= DEFAULTS_NOTES_MAX);
	for (size_t i = 0; i < defaults.n_notes; i++)
		FUZZ_CHECK(strnlen(defaults.notes[i], DEFAULTS_NOTE_LEN) < DEFAULTS_NOTE_LEN);
	for (size_t i = 0; i < logind_keys_count; i++) {
		const struct default_setting *s = &defaults.key[i];
		FUZZ_CHECK(strnlen(s->value, sizeof(s->value)) < sizeof(s->value));
		FUZZ_CHECK(strnlen(s->source, sizeof(s->source)) < sizeof(s->source));
		/* Only values logind accepts are kept. */
		const char *why;
		if (s->set)
			FUZZ_CHECK(logind_value_check(logind_keys[i].type, s->value, &why) == 0);
	}
	free(cmd);
	free(conf);
	return 0;
}
