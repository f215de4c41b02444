/* initkit's logind defaults: built in, from /etc/initkit/logind-defaults.conf, from the kernel
 * command line (initkit.logind.<Key>=<value>); a later source wins for the same key. Values are
 * checked with logind's own rules; a bad one is reported with key, value and source and
 * skipped (an earlier source's value for that key stays). Pure. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "logind_values.h"

#define STAGE2_CONFIG "etc/initkit/logind-defaults.conf"
#define STAGE2_CMDLINE_PREFIX "initkit.logind."
#define DEFAULTS_VALUE_MAX 1024
#define DEFAULTS_NOTES_MAX 32
#define DEFAULTS_NOTE_LEN 1400

struct default_setting {
	bool set;
	char value[DEFAULTS_VALUE_MAX];
	char source[PATH_MAX + 16]; /* "built-in", "/etc/initkit/logind-defaults.conf:3", ... */
};

struct stage2_defaults {
	struct default_setting key[LOGIND_KEYS_MAX];	   /* indexed like logind_keys[] */
	char notes[DEFAULTS_NOTES_MAX][DEFAULTS_NOTE_LEN]; /* rejected values, unknown keys */
	size_t n_notes;
};

/* The built-in defaults: KillUserProcesses=no (NixOS's services.logind.killUserProcesses
 * default; systemd's compiled-in one is yes). */
void defaults_init(struct stage2_defaults *d);
/* One setting from source; returns 0 or the negative errno of the rejected value. */
int defaults_set(struct stage2_defaults *d, const char *key, const char *value, const char *source);
/* The config file's text: "Key=value" lines, '#'/';' comments, an optional [Login] header. */
int defaults_feed_config(struct stage2_defaults *d, const char *path, const char *text, size_t len);
/* Every initkit.logind.<Key>=<value> of a kernel command line. */
void defaults_feed_cmdline(struct stage2_defaults *d, const char *cmdline);
