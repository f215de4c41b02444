#include "defaults.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "util.h"


__attribute__((format(printf, 2, 3))) static void note(struct stage2_defaults *d, const char *fmt,
						       ...)
{
	va_list ap;
	if (d->n_notes >= DEFAULTS_NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(d->notes[d->n_notes++], DEFAULTS_NOTE_LEN, fmt, ap);
	va_end(ap);
}

void defaults_init(struct stage2_defaults *d)
{
	memset(d, 0, sizeof(*d));
	(void)defaults_set(d, "KillUserProcesses", "no", "built-in default");
}

int defaults_set(struct stage2_defaults *d, const char *key, const char *value, const char *source)
{
	const char *why;
	int i = logind_key_index(key);
	if (i < 0) {
		note(d, "%s: unknown logind setting '%s' (ignored)", source, key);
		return i;
	}
	int r = logind_value_check(logind_keys[i].type, value, &why);
	if (r < 0) {
		note(d, "%s: %s=%s: %s (skipped)", source, key, value, why);
		return r;
	}
	if (strlen(value) >= DEFAULTS_VALUE_MAX) {
		note(d, "%s: %s: value longer than %d bytes (skipped)", source, key,
		     DEFAULTS_VALUE_MAX - 1);
		return -E2BIG;
	}
	struct default_setting *s = &d->key[i];
	s->set = true;
	snprintf(s->value, sizeof(s->value), "%s", value);
	snprintf(s->source, sizeof(s->source), "%s", source);
	return 0;
}


int defaults_feed_config(struct stage2_defaults *d, const char *path, const char *text, size_t len)
{
	_cleanup_free_ char *copy = strndup(text, len);
	char source[PATH_MAX + 16];
	unsigned line = 0;
	bool other_section = false;

	if (!copy)
		return -ENOMEM;
	for (char *cur = copy, *nl; cur; cur = nl ? nl + 1 : NULL) {
		nl = strchr(cur, '\n');
		if (nl)
			*nl = '\0';
		line++;
		char *s = strstrip(cur);
		snprintf(source, sizeof(source), "%s:%u", path, line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			other_section = !streq(s, "[Login]");
			if (other_section)
				note(d, "%s: unknown section %s, its lines are ignored", source, s);
			continue;
		}
		if (other_section)
			continue;
		char *eq = strchr(s, '=');
		if (!eq || eq == s) {
			note(d, "%s: expected Key=value, got '%s' (ignored)", source, s);
			continue;
		}
		*eq = '\0';
		(void)defaults_set(d, strstrip(s), strstrip(eq + 1), source);
	}
	return 0;
}

void defaults_feed_cmdline(struct stage2_defaults *d, const char *cmdline)
{
	char key[256], value[DEFAULTS_VALUE_MAX];
	bool has_value;
	int r;

	while ((r = cmdline_next(&cmdline, key, sizeof(key), value, sizeof(value), &has_value))) {
		if (r < 0) /* key not filled (too long): found by MemorySanitizer */
			continue;
		const char *k = startswith(key, STAGE2_CMDLINE_PREFIX);
		if (!k)
			continue;
		if (!has_value) {
			note(d, "kernel command line: %s needs a value (%s<Key>=<value>)", key,
			     STAGE2_CMDLINE_PREFIX);
			continue;
		}
		(void)defaults_set(d, k, value, "kernel command line");
	}
}
