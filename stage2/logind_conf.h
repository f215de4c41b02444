/* Which logind.conf [Login] keys someone set, and where: the effective configuration computed
 * the way systemd 252's logind reads it (config_parse_many_nulstr() with
 * CONF_PATHS_NULSTR("systemd/logind.conf.d") on Debian 12, which is built with split-usr):
 *
 *   1. the main file: ONLY /etc/systemd/logind.conf (PKGSYSCONFDIR; /run, /usr/local/lib and
 *      /usr/lib copies of logind.conf are not read by 252 — later versions changed that);
 *   2. then every *.conf in logind.conf.d/ under /etc, /run, /usr/local/lib, /usr/lib, /lib
 *      (directories that resolve to one already listed, e.g. /lib -> /usr/lib, count once),
 *      sorted by file name across the directories; a name found in an earlier directory hides
 *      the same name in later ones, so a link to /dev/null or an empty file masks it; hidden
 *      files (names starting with '.') are skipped, as conf_files_list() skips them;
 *   3. within and across files the last valid assignment wins; an invalid value is ignored
 *      (logind warns); a malformed section header, invalid UTF-8 (systemd's utf8_is_valid():
 *      no surrogates, over-long forms, code points past U+10FFFF or non-characters), a line
 *      of LOGIND_LONG_LINE_MAX bytes or more, or a file that exists but cannot be read stops
 *      logind reading any further line or file.
 *
 * Root-free: everything is resolved inside a directory fd (openat2 RESOLVE_IN_ROOT). */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "logind_values.h"

struct logind_origin {
	bool set;
	char path[PATH_MAX]; /* as logind names it, e.g. /etc/systemd/logind.conf */
	unsigned line;
};

#define LOGIND_NOTES_MAX 32
#define LOGIND_NOTE_LEN 400

struct logind_conf {
	struct logind_origin origin[LOGIND_KEYS_MAX]; /* indexed like logind_keys[] */
	/* What logind would warn about ("path:line: ..."), in reading order. */
	char notes[LOGIND_NOTES_MAX][LOGIND_NOTE_LEN];
	size_t n_notes;
	bool stopped; /* logind stopped reading: later files are ignored */
	/* Where it stopped: the file and line (0: the file could not be read at all). */
	char stopped_path[PATH_MAX];
	unsigned stopped_line;
	char stopped_at[PATH_MAX + 16]; /* for messages: "path:line" or "path (unreadable)" */
	/* It stopped before reaching initkit's drop-in (in the main file, or in a drop-in whose
	 * name sorts before own_name): nothing initkit writes there is read by logind. */
	bool own_unread;
	/* Set when a file with the name of our own drop-in exists in a directory that beats /run
	 * (/etc: an administrator's mask or replacement): logind reads that one instead of ours.
	 * One in a directory behind /run is hidden by ours and not counted at all. */
	char own_overridden_by[PATH_MAX];
};

/* The drop-in directories, highest priority first, relative to the root. */
extern const char *const logind_dropin_dirs[];
#define LOGIND_MAIN_CONF "etc/systemd/logind.conf"
#define LOGIND_RUN_DROPIN_DIR "run/systemd/logind.conf.d"
/* systemd's LONG_LINE_MAX: read_line() fails on a line this long (a stop); files have no
 * size limit. */
#define LOGIND_LONG_LINE_MAX (1U << 20)

void logind_conf_init(struct logind_conf *c);

/* One file's text, as config_parse() reads it. Returns 0, or -EBADMSG when logind would stop
 * reading (c->stopped is then set). Pure. */
int logind_conf_feed(struct logind_conf *c, const char *path, const char *text, size_t len);

/* The whole computation on the tree under rootfd. own_name is initkit's drop-in file name in
 * /run/systemd/logind.conf.d: a copy of it there is initkit's own output and is not counted.
 * A file that cannot be read is a stop, a drop-in directory that cannot be opened is skipped,
 * as in systemd. Returns 0, or -ENOMEM. */
int logind_conf_load(int rootfd, const char *own_name, struct logind_conf *c);

/* Opens path (relative) inside rootfd with symlinks resolved inside that root. */
int open_in_root(int rootfd, const char *path, int flags);
/* Reads a whole file (more than max bytes: -EFBIG; SIZE_MAX for no limit) inside rootfd into
 * a malloc'ed NUL-terminated buffer. */
int read_in_root(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len);
