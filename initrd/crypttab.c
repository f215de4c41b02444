/* /etc/crypttab and rd.luks.* → the ordered list of LUKS volumes stage 1 unlocks.
 *
 * crypttab (systemd's crypttab(5)): one volume per line, "name device [keyfile [options]]",
 * fields separated by blanks (no quoting inside fields, as in systemd, which reads them with
 * sscanf("%ms")); lines whose first non-blank character is '#' and blank lines are skipped.
 * More than four fields is an error here (systemd silently drops them; a stray blank in the
 * options would otherwise lose options without a word). Options are separated by ',' and a
 * backslash escapes a ',' inside a value (systemd: EXTRACT_UNESCAPE_SEPARATORS).
 *
 * Command line (systemd-cryptsetup-generator(8) rules, "luks.*" accepted like "rd.luks.*"):
 *  - rd.luks=0|no disables everything; rd.luks.crypttab=0|no ignores the crypttab entries.
 *  - rd.luks.uuid=[luks-]UUID and rd.luks.name=UUID=NAME declare volumes. As soon as one is
 *    given, crypttab entries whose UUID (device UUID=/by-uuid path, or name luks-UUID) is not
 *    among them are skipped (systemd's allow list; rd.luks.crypttab=yes does not lift it).
 *  - A declared UUID that has a crypttab entry keeps that entry's name and key file (as in
 *    systemd; a different rd.luks.name= or a per-UUID rd.luks.key= is reported as ignored);
 *    rd.luks.options=UUID=OPTS replaces that entry's options entirely.
 *  - Declared UUIDs without an entry become volumes "luks-UUID" (or the rd.luks.name name) on
 *    UUID=UUID, with rd.luks.key=UUID=PATH / rd.luks.options=UUID=OPTS, else the UUID-less
 *    rd.luks.key=PATH / rd.luks.options=OPTS defaults (which apply only to these, as in
 *    systemd). They come after the crypttab volumes, in command line order.
 *  - rd.luks.timeout=[UUID=]TIME (initkit's own; systemd has none): how long to wait for the
 *    device, for volumes without x-systemd.device-timeout=. "0"/"infinity": forever.
 *  - Later entries override earlier ones. UUIDs compare without dashes and case.
 *
 * In the initrd, noauto entries are skipped unless the command line names them (we have no
 * dependency engine that would pull them in through root=). */
#include "crypttab.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DEFAULT_TRIES 3
#define UUID_HEX_LEN 32
#define DM_NAME_MAX 127 /* DM_NAME_LEN (128) including the NUL */

__attribute__((format(printf, 3, 4))) static int
diag_add(struct luks_config *cfg, enum luks_diag_level level, const char *fmt, ...)
{
	struct luks_diag *d = realloc(cfg->diags, (cfg->n_diags + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	cfg->diags = d;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&d[cfg->n_diags].message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	d[cfg->n_diags++].level = level;
	return 0;
}

static void volume_free(struct luks_volume *v)
{
	free(v->name);
	free(v->device);
	free(v->keyfile);
	free(v->header);
	free(v->source);
	free(v->tpm2_device);
	memset(v, 0, sizeof(*v));
}

static void volume_reset_options(struct luks_volume *v)
{
	free(v->header);
	v->header = NULL;
	v->keyfile_offset = v->keyfile_size = 0;
	v->tries = DEFAULT_TRIES;
	v->discard = v->no_read_wq = v->no_write_wq = v->readonly = false;
	v->nofail = v->noauto = false;
	v->timeout_ms = LUKS_TIMEOUT_DEFAULT;
	free(v->tpm2_device);
	v->tpm2_device = NULL;
	v->tpm2_pcrs = 0;
	v->tpm2_pcrs_set = false;
	v->token_timeout_ms = 0;
}

/* Takes ownership of *v (cleared on success and failure alike). */
static int volume_push(struct luks_config *cfg, struct luks_volume *v)
{
	struct luks_volume *n = realloc(cfg->volumes, (cfg->n_volumes + 1) * sizeof(*n));
	if (!n) {
		volume_free(v);
		return -ENOMEM;
	}
	cfg->volumes = n;
	n[cfg->n_volumes++] = *v;
	memset(v, 0, sizeof(*v));
	return 0;
}

static void volume_remove(struct luks_config *cfg, size_t i)
{
	volume_free(&cfg->volumes[i]);
	memmove(&cfg->volumes[i], &cfg->volumes[i + 1],
		(cfg->n_volumes - i - 1) * sizeof(cfg->volumes[0]));
	cfg->n_volumes--;
}

static bool parse_u64(const char *s, uint64_t *ret)
{
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}


/* A time span like systemd's parse_sec(): "90", "90s", "500ms", "2min", "1min30s",
 * "infinity". No unit means seconds. 0 and infinity mean "wait forever" (parse_sec_fix_0). */
static bool parse_timeout_ms(const char *s, uint64_t *ret)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {
		{"msec", 1},	 {"ms", 1},	 {"seconds", 1000},  {"second", 1000},
		{"sec", 1000},	 {"s", 1000},	 {"minutes", 60000}, {"minute", 60000},
		{"min", 60000},	 {"m", 60000},	 {"hours", 3600000}, {"hour", 3600000},
		{"hr", 3600000}, {"h", 3600000}, {"", 1000},
	};
	if (streq(s, "infinity")) {
		*ret = LUKS_TIMEOUT_INFINITY;
		return true;
	}
	if (!*s)
		return false;
	uint64_t total = 0;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return false;
		errno = 0;
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (errno)
			return false;
		size_t i, n = strspn(end, "abcdefghijklmnopqrstuvwxyz");
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (strlen(units[i].unit) == n && strncmp(end, units[i].unit, n) == 0)
				break;
		if (i == ARRAY_SIZE(units) || (n == 0 && end[0]))
			return false;
		if (v > (UINT64_MAX - 1 - total) / units[i].ms)
			return false;
		total += v * units[i].ms;
		s = end + n;
	}
	*ret = total == 0 ? LUKS_TIMEOUT_INFINITY : total;
	return true;
}

/* Normalises a UUID (with or without dashes, any case) to 32 lowercase hex digits. Accepts
 * only the two shapes systemd's id128_is_valid() accepts. */
static bool uuid_normalize(const char *s, size_t len, char out[UUID_HEX_LEN + 1])
{
	static const size_t dash_at[] = {8, 13, 18, 23};
	if (len != 32 && len != 36)
		return false;
	size_t o = 0, d = 0;
	for (size_t i = 0; i < len; i++) {
		if (len == 36 && d < ARRAY_SIZE(dash_at) && i == dash_at[d]) {
			if (s[i] != '-')
				return false;
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return false;
		out[o++] = (char)tolower((unsigned char)s[i]);
	}
	out[o] = 0;
	return true;
}

static int uuid_dashed(const char hex[UUID_HEX_LEN + 1], char **ret)
{
	return asprintf(ret, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
			hex + 20) < 0
		       ? -ENOMEM
		       : 0;
}

/* "path:DEVICE" where DEVICE looks like a device (systemd's split_locationspec()): a key or
 * header on another device, which stage 1 would have to mount first. Not supported. */
static bool has_device_part(const char *spec)
{
	const char *c = strrchr(spec, ':');
	if (!c)
		return false;
	c++;
	return c[0] == '/' || startswith(c, "UUID=") || startswith(c, "LABEL=") ||
	       startswith(c, "PARTUUID=") || startswith(c, "PARTLABEL=") || startswith(c, "ID=");
}

/* "13+15" (systemd's tpm2-pcrs= list; "," accepted too, "" is no PCR) into a bit mask. */
static bool parse_pcr_list(const char *s, uint32_t *mask)
{
	*mask = 0;
	while (*s) {
		unsigned v = 0;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			if ((v = v * 10 + (unsigned)(*s++ - '0')) > 23)
				return false;
		*mask |= 1u << v;
		if ((*s == '+' || *s == ',') && s[1])
			s++;
		else if (*s)
			return false;
	}
	return true;
}

enum opt_result { OPT_OK, OPT_DROP_VOLUME };

/* Applies one option word. Returns OPT_OK, OPT_DROP_VOLUME (error already reported) or
 * -ENOMEM. */
static int apply_option(struct luks_config *cfg, struct luks_volume *v, const char *opt,
			const char *where)
{
	const char *val;
	uint64_t u;
	int r = 0;

	if (!*opt || streq(opt, "luks") || streq(opt, "none") || streq(opt, "initramfs") ||
	    streq(opt, "x-initrd.attach") ||
	    (startswith(opt, "x-systemd.") && !startswith(opt, "x-systemd.device-timeout=")))
		return OPT_OK; /* harmless here: they steer systemd units or Debian's hooks */
	if (streq(opt, "discard"))
		v->discard = true;
	else if (streq(opt, "no-read-workqueue"))
		v->no_read_wq = true;
	else if (streq(opt, "no-write-workqueue"))
		v->no_write_wq = true;
	else if (streq(opt, "readonly") || streq(opt, "read-only"))
		v->readonly = true;
	else if (streq(opt, "nofail") || streq(opt, "fail"))
		v->nofail = streq(opt, "nofail");
	else if (streq(opt, "noauto") || streq(opt, "auto"))
		v->noauto = streq(opt, "noauto");
	else if ((val = startswith(opt, "header="))) {
		if (!*val || val[0] != '/' || has_device_part(val)) {
			r = diag_add(
				cfg, LUKS_DIAG_ERROR,
				"%s: %s: header= needs an absolute path to a file in the image "
				"(a header on another device, PATH:DEVICE, is not supported); "
				"volume '%s' skipped",
				where, opt, v->name);
			return r < 0 ? r : OPT_DROP_VOLUME;
		}
		free(v->header);
		v->header = strdup(val);
		if (!v->header)
			return -ENOMEM;
	} else if ((val = startswith(opt, "keyfile-offset="))) {
		if (parse_u64(val, &u))
			v->keyfile_offset = u;
		else
			r = diag_add(cfg, LUKS_DIAG_ERROR, "%s: %s: not a number, option ignored",
				     where, opt);
	} else if ((val = startswith(opt, "keyfile-size="))) {
		if (parse_u64(val, &u) && u <= UINT32_MAX)
			v->keyfile_size = u;
		else
			r = diag_add(cfg, LUKS_DIAG_ERROR, "%s: %s: not a number, option ignored",
				     where, opt);
	} else if ((val = startswith(opt, "tries="))) {
		if (parse_u64(val, &u) && u <= UINT32_MAX)
			v->tries = (unsigned)u;
		else
			r = diag_add(cfg, LUKS_DIAG_ERROR,
				     "%s: %s: not a number, option ignored (tries=%u)", where, opt,
				     v->tries);
	} else if ((val = startswith(opt, "x-systemd.device-timeout="))) {
		if (parse_timeout_ms(val, &u))
			v->timeout_ms = u;
		else
			r = diag_add(cfg, LUKS_DIAG_ERROR,
				     "%s: %s: not a time span (like 90, 30s, 2min), option ignored",
				     where, opt);
	} else if ((val = startswith(opt, "tpm2-device="))) {
		if (streq(val, "auto") || val[0] == '/') {
			free(v->tpm2_device);
			v->tpm2_device = streq(val, "auto") ? NULL : strdup(val);
			if (val[0] == '/' && !v->tpm2_device)
				return -ENOMEM;
		} else
			r = diag_add(cfg, LUKS_DIAG_ERROR,
				     "%s: %s: expected auto or a device path, option ignored",
				     where, opt);
	} else if ((val = startswith(opt, "tpm2-pcrs="))) {
		if (parse_pcr_list(val, &v->tpm2_pcrs))
			v->tpm2_pcrs_set = true;
		else
			r = diag_add(
				cfg, LUKS_DIAG_ERROR,
				"%s: %s: expected PCR numbers 0-23 joined by '+', option ignored",
				where, opt);
	} else if ((val = startswith(opt, "token-timeout="))) {
		/* systemd: 0 = do not wait for the device at all. */
		if (streq(val, "0"))
			v->token_timeout_ms = 0;
		else if (parse_timeout_ms(val, &u))
			v->token_timeout_ms = u;
		else
			r = diag_add(cfg, LUKS_DIAG_ERROR,
				     "%s: %s: not a time span (like 0, 10s), option ignored", where,
				     opt);
	} else if (streq(opt, "plain") || streq(opt, "tcrypt") || streq(opt, "bitlk") ||
		   streq(opt, "swap") || streq(opt, "tmp") || startswith(opt, "tmp=")) {
		r = diag_add(
			cfg, LUKS_DIAG_ERROR,
			"%s: option '%s': only LUKS volumes are supported; volume '%s' skipped",
			where, opt, v->name);
		return r < 0 ? r : OPT_DROP_VOLUME;
	} else if (streq(opt, "_netdev"))
		r = diag_add(cfg, LUKS_DIAG_WARNING,
			     "%s: option '_netdev' ignored: stage 1 has no network", where);
	else
		r = diag_add(cfg, LUKS_DIAG_WARNING,
			     "%s: unknown or unsupported option '%s' ignored", where, opt);
	return r < 0 ? r : OPT_OK;
}

/* Splits options at ',' ("\," is a literal comma) and applies each. */
static int apply_options(struct luks_config *cfg, struct luks_volume *v, const char *opts,
			 const char *where)
{
	_cleanup_free_ char *word = malloc(strlen(opts) + 1);
	if (!word)
		return -ENOMEM;
	const char *p = opts;
	int result = OPT_OK;
	for (;;) {
		size_t n = 0;
		for (; *p && *p != ','; p++) {
			if (p[0] == '\\' && (p[1] == ',' || p[1] == '\\'))
				p++;
			word[n++] = *p;
		}
		word[n] = 0;
		int r = apply_option(cfg, v, word, where);
		if (r < 0)
			return r;
		if (r == OPT_DROP_VOLUME)
			result = OPT_DROP_VOLUME;
		if (!*p)
			return result;
		p++;
	}
}

/* Device spec check: the forms stage 1 resolves. A tag value may be quoted ("..." or '...'),
 * as fstab/crypttab tags may be in systemd; the quotes are removed. */
static int device_spec_normalize(const char *spec, char **ret)
{
	static const char *const tags[] = {"UUID=", "LABEL=", "PARTUUID=", "PARTLABEL="};
	if (startswith(spec, "/dev/") && spec[5]) {
		*ret = strdup(spec);
		return *ret ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
		const char *val = startswith(spec, tags[i]);
		if (!val)
			continue;
		size_t n = strlen(val);
		if (n >= 2 && (val[0] == '"' || val[0] == '\'') && val[n - 1] == val[0])
			val++, n -= 2;
		if (n == 0)
			return -EINVAL;
		return asprintf(ret, "%s%.*s", tags[i], (int)n, val) < 0 ? -ENOMEM : 0;
	}
	return -EINVAL;
}

static bool name_valid(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n <= DM_NAME_MAX && !strchr(name, '/') && !streq(name, ".") &&
	       !streq(name, "..");
}

static struct luks_volume *volume_find(struct luks_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_volumes; i++)
		if (streq(cfg->volumes[i].name, name))
			return &cfg->volumes[i];
	return NULL;
}

/* Splits a line into at most max blank-separated fields (in place). Returns the count, or
 * max + 1 when there are more. */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *f = strtok_r(line, " \t", &save); f; f = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		fields[n++] = f;
	}
	return n;
}

static int crypttab_key(struct luks_config *cfg, struct luks_volume *v, const char *key,
			const char *where)
{
	if (!key || streq(key, "none") || streq(key, "-"))
		return OPT_OK;
	if (key[0] != '/' || has_device_part(key)) {
		int r = diag_add(
			cfg, LUKS_DIAG_ERROR, "%s: key file '%s': %s; volume '%s' skipped", where,
			key,
			has_device_part(key)
				? "a key file on another device (PATH:DEVICE) is not supported"
				: "must be an absolute path in the image, 'none' or '-'",
			v->name);
		return r < 0 ? r : OPT_DROP_VOLUME;
	}
	v->keyfile = strdup(key);
	return v->keyfile ? OPT_OK : -ENOMEM;
}

static int crypttab_line(struct luks_config *cfg, char *line, const char *where)
{
	char *f[4];
	size_t n = split_fields(line, f, 4);
	if (n == 0 || f[0][0] == '#')
		return 0;
	if (n < 2 || n > 4)
		return diag_add(cfg, LUKS_DIAG_ERROR,
				"%s: expected 'name device [keyfile [options]]', found %s field%s; "
				"line skipped",
				where, n < 2 ? "1" : "more than 4", n < 2 ? "" : "s");
	if (!name_valid(f[0]))
		return diag_add(cfg, LUKS_DIAG_ERROR,
				"%s: '%s' is not a valid mapping name (1-127 characters, no '/'); "
				"line skipped",
				where, f[0]);
	if (volume_find(cfg, f[0]))
		return diag_add(cfg, LUKS_DIAG_ERROR,
				"%s: volume '%s' is already defined earlier; line skipped", where,
				f[0]);

	struct luks_volume v = {.tries = DEFAULT_TRIES};
	int r = device_spec_normalize(f[1], &v.device);
	if (r == -EINVAL)
		return diag_add(cfg, LUKS_DIAG_ERROR,
				"%s: device '%s' is not /dev/..., UUID=, LABEL=, PARTUUID= or "
				"PARTLABEL=; line skipped",
				where, f[1]);
	if (r < 0)
		return r;
	v.name = strdup(f[0]);
	v.source = strdup(where);
	if (!v.name || !v.source) {
		volume_free(&v);
		return -ENOMEM;
	}
	r = crypttab_key(cfg, &v, n > 2 ? f[2] : NULL, where);
	if (r == OPT_OK && n > 3)
		r = apply_options(cfg, &v, f[3], where);
	if (r != OPT_OK) {
		volume_free(&v);
		return r < 0 ? r : 0;
	}
	return volume_push(cfg, &v);
}

int crypttab_parse(const char *text, size_t len, const char *source_name, struct luks_config *cfg)
{
	const char *end = text + len;
	unsigned lineno = 0;
	if (!source_name)
		source_name = "/etc/crypttab";
	for (const char *p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		_cleanup_free_ char *line = strndup(p, n);
		_cleanup_free_ char *where = NULL;
		if (!line || asprintf(&where, "%s:%u", source_name, lineno) < 0)
			return -ENOMEM;
		/* CRLF files: the '\r' is trailing blank, not part of the last field. */
		for (size_t l = strlen(line); l > 0 && line[l - 1] == '\r'; l--)
			line[l - 1] = 0;
		int r;
		if (memchr(p, 0, n))
			r = diag_add(cfg, LUKS_DIAG_ERROR, "%s: NUL byte in line; line skipped",
				     where);
		else
			r = crypttab_line(cfg, line, where);
		if (r < 0)
			return r;
		p += n + 1;
	}
	return 0;
}

/* ---- command line ---- */

struct cmd_device {
	char uuid[UUID_HEX_LEN + 1];
	char *name, *keyfile, *options;
	const char *name_src, *key_src, *opt_src, *timeout_src, *create_src;
	uint64_t timeout_ms;
	size_t order; /* position among the declaring entries (rd.luks.uuid/name) */
	bool create;
};

struct cmdline_state {
	bool enabled, read_crypttab, allow_list;
	struct cmd_device *devs;
	size_t n_devs, n_declared;
	const char *default_key, *default_key_src;
	const char *default_opts, *default_opts_src;
	uint64_t default_timeout_ms;
	const char *default_timeout_src;
};

static void cmdline_state_free(struct cmdline_state *s)
{
	for (size_t i = 0; i < s->n_devs; i++) {
		free(s->devs[i].name);
		free(s->devs[i].keyfile);
		free(s->devs[i].options);
	}
	free(s->devs);
}

static struct cmd_device *cmd_device_find(struct cmdline_state *s, const char *hex)
{
	for (size_t i = 0; i < s->n_devs; i++)
		if (streq(s->devs[i].uuid, hex))
			return &s->devs[i];
	return NULL;
}

static struct cmd_device *cmd_device_get(struct cmdline_state *s, const char *hex)
{
	struct cmd_device *d = cmd_device_find(s, hex);
	if (d)
		return d;
	d = realloc(s->devs, (s->n_devs + 1) * sizeof(*d));
	if (!d)
		return NULL;
	s->devs = d;
	d = &s->devs[s->n_devs++];
	*d = (struct cmd_device){0};
	memcpy(d->uuid, hex, sizeof(d->uuid));
	return d;
}

static int replace_str(char **dst, const char *src, size_t n)
{
	char *c = strndup(src, n);
	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

/* Splits "UUID=rest". Returns true (and the normalised UUID, rest) when the part before the
 * first '=' is a valid UUID. */
static bool split_uuid_prefix(const char *value, char hex[UUID_HEX_LEN + 1], const char **rest)
{
	const char *eq = strchr(value, '=');
	if (!eq || !uuid_normalize(value, (size_t)(eq - value), hex))
		return false;
	*rest = eq + 1;
	return true;
}

static int cmdline_bool(struct luks_config *cfg, const char *value, const char *src, bool *dst)
{
	int b = value ? parse_boolean(value) : 1;
	if (b < 0)
		return diag_add(cfg, LUKS_DIAG_WARNING, "%s: not a boolean, ignored", src);
	*dst = b;
	return 0;
}

static int cmdline_uuid(struct luks_config *cfg, struct cmdline_state *s, const char *value,
			const char *src)
{
	char hex[UUID_HEX_LEN + 1];
	const char *u = startswith(value, "luks-") ? value + 5 : value;
	if (!uuid_normalize(u, strlen(u), hex))
		return diag_add(cfg, LUKS_DIAG_ERROR, "%s: '%s' is not a UUID, ignored", src, u);
	struct cmd_device *d = cmd_device_get(s, hex);
	if (!d)
		return -ENOMEM;
	if (!d->create_src) {
		d->create_src = src;
		d->order = s->n_declared++;
	}
	d->create = s->allow_list = true;
	return 0;
}

static int cmdline_name(struct luks_config *cfg, struct cmdline_state *s, const char *value,
			const char *src)
{
	char hex[UUID_HEX_LEN + 1];
	const char *name;
	if (!split_uuid_prefix(value, hex, &name))
		return diag_add(cfg, LUKS_DIAG_ERROR, "%s: expected UUID=NAME, ignored", src);
	if (!name_valid(name))
		return diag_add(cfg, LUKS_DIAG_ERROR,
				"%s: '%s' is not a valid mapping name (1-127 characters, no '/'), "
				"ignored",
				src, name);
	struct cmd_device *d = cmd_device_get(s, hex);
	if (!d || replace_str(&d->name, name, strlen(name)) < 0)
		return -ENOMEM;
	d->name_src = src;
	if (!d->create_src) {
		d->create_src = src;
		d->order = s->n_declared++;
	}
	d->create = s->allow_list = true;
	return 0;
}

static int cmdline_options(struct cmdline_state *s, const char *value, const char *src)
{
	char hex[UUID_HEX_LEN + 1];
	const char *opts;
	if (!split_uuid_prefix(value, hex, &opts)) {
		s->default_opts = value;
		s->default_opts_src = src;
		return 0;
	}
	struct cmd_device *d = cmd_device_get(s, hex);
	if (!d || replace_str(&d->options, opts, strlen(opts)) < 0)
		return -ENOMEM;
	d->opt_src = src;
	return 0;
}

static int cmdline_key(struct luks_config *cfg, struct cmdline_state *s, const char *value,
		       const char *src)
{
	char hex[UUID_HEX_LEN + 1];
	const char *path = value;
	/* systemd: a run of [A-Za-z0-9-] followed by '=' is a UUID prefix (and must be valid). */
	size_t n = strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
	bool per_uuid = value[n] == '=';
	if (per_uuid && !split_uuid_prefix(value, hex, &path))
		return diag_add(cfg, LUKS_DIAG_ERROR, "%s: '%.*s' is not a UUID, ignored", src,
				(int)n, value);
	if (path[0] != '/' || has_device_part(path))
		return diag_add(
			cfg, LUKS_DIAG_ERROR, "%s: %s, ignored", src,
			has_device_part(path)
				? "a key file on another device (PATH:DEVICE) is not supported"
				: "key file must be an absolute path in the image");
	if (!per_uuid) {
		s->default_key = path;
		s->default_key_src = src;
		return 0;
	}
	struct cmd_device *d = cmd_device_get(s, hex);
	if (!d || replace_str(&d->keyfile, path, strlen(path)) < 0)
		return -ENOMEM;
	d->key_src = src;
	return 0;
}

static int cmdline_timeout(struct luks_config *cfg, struct cmdline_state *s, const char *value,
			   const char *src)
{
	char hex[UUID_HEX_LEN + 1];
	const char *t = value;
	bool per_uuid = split_uuid_prefix(value, hex, &t);
	uint64_t ms;
	if (!parse_timeout_ms(t, &ms))
		return diag_add(cfg, LUKS_DIAG_ERROR,
				"%s: '%s' is not a time span (like 90, 30s, 2min), ignored", src,
				t);
	if (!per_uuid) {
		s->default_timeout_ms = ms;
		s->default_timeout_src = src;
		return 0;
	}
	struct cmd_device *d = cmd_device_get(s, hex);
	if (!d)
		return -ENOMEM;
	d->timeout_ms = ms;
	d->timeout_src = src;
	return 0;
}

static int cmdline_entry(struct luks_config *cfg, struct cmdline_state *s,
			 const struct luks_cmdline_entry *e, const char *src)
{
	const char *key = startswith(e->key, "rd.") ? e->key + 3 : e->key;
	if (streq(key, "luks"))
		return cmdline_bool(cfg, e->value, src, &s->enabled);
	if (streq(key, "luks.crypttab"))
		return cmdline_bool(cfg, e->value, src, &s->read_crypttab);
	bool known = streq(key, "luks.uuid") || streq(key, "luks.name") ||
		     streq(key, "luks.options") || streq(key, "luks.key") ||
		     streq(key, "luks.timeout");
	if (!known)
		return diag_add(cfg, LUKS_DIAG_WARNING, "%s: unknown or unsupported, ignored", src);
	if (!e->value || !*e->value)
		return diag_add(cfg, LUKS_DIAG_WARNING, "%s: missing value, ignored", src);
	if (streq(key, "luks.uuid"))
		return cmdline_uuid(cfg, s, e->value, src);
	if (streq(key, "luks.name"))
		return cmdline_name(cfg, s, e->value, src);
	if (streq(key, "luks.options"))
		return cmdline_options(s, e->value, src);
	if (streq(key, "luks.key"))
		return cmdline_key(cfg, s, e->value, src);
	return cmdline_timeout(cfg, s, e->value, src);
}

/* The UUID a crypttab entry is known by, as systemd looks it up: device UUID=...,
 * /dev/disk/by-uuid/..., or a name luks-UUID. */
static bool volume_uuid(const struct luks_volume *v, char hex[UUID_HEX_LEN + 1])
{
	const char *u = startswith(v->device, "UUID=");
	if (!u)
		u = startswith(v->device, "/dev/disk/by-uuid/");
	if (u && uuid_normalize(u, strlen(u), hex))
		return true;
	u = startswith(v->name, "luks-");
	return u && uuid_normalize(u, strlen(u), hex);
}

static void apply_timeout(struct luks_volume *v, const struct cmd_device *d,
			  const struct cmdline_state *s)
{
	if (v->timeout_ms != LUKS_TIMEOUT_DEFAULT)
		return;
	if (d && d->timeout_src)
		v->timeout_ms = d->timeout_ms;
	else if (s->default_timeout_src)
		v->timeout_ms = s->default_timeout_ms;
}

/* A crypttab volume the command line names: the command line's options replace the entry's;
 * its name and key file stay (reported when the command line asked otherwise). Returns 0,
 * 1 (drop the volume) or -ENOMEM. */
static int merge_crypttab_volume(struct luks_config *cfg, struct luks_volume *v,
				 struct cmd_device *d)
{
	int r = 0;
	d->create = false;
	if (d->name && !streq(d->name, v->name))
		r = diag_add(cfg, LUKS_DIAG_WARNING,
			     "%s: %s defines this UUID as '%s'; the crypttab name is used",
			     d->name_src, v->source, v->name);
	if (r >= 0 && d->keyfile)
		r = diag_add(cfg, LUKS_DIAG_WARNING,
			     "%s: ignored, %s defines the key file of volume '%s' (%s)", d->key_src,
			     v->source, v->name, v->keyfile ? v->keyfile : "none");
	if (r < 0 || !d->options)
		return r;
	volume_reset_options(v);
	r = apply_options(cfg, v, d->options, d->opt_src);
	return r < 0 ? r : r == OPT_DROP_VOLUME;
}

static int filter_crypttab_volumes(struct luks_config *cfg, struct cmdline_state *s)
{
	for (size_t i = 0; i < cfg->n_volumes;) {
		struct luks_volume *v = &cfg->volumes[i];
		char hex[UUID_HEX_LEN + 1];
		struct cmd_device *d = volume_uuid(v, hex) ? cmd_device_find(s, hex) : NULL;
		const char *skip = NULL;
		int r = 0;
		if (!s->read_crypttab)
			skip = "rd.luks.crypttab=no";
		else if (s->allow_list && !d)
			skip = "not named by rd.luks.uuid=/rd.luks.name=";
		else if (!d && v->noauto)
			skip = "noauto";
		if (skip)
			r = diag_add(cfg, LUKS_DIAG_INFO, "%s: volume '%s' skipped (%s)", v->source,
				     v->name, skip);
		else if (d)
			r = merge_crypttab_volume(cfg, v, d);
		if (r < 0)
			return r;
		if (skip || r == 1) {
			volume_remove(cfg, i);
			continue;
		}
		v->noauto = false;
		apply_timeout(v, d, s);
		i++;
	}
	return 0;
}

static int add_cmdline_volume(struct luks_config *cfg, const struct cmdline_state *s,
			      const struct cmd_device *d)
{
	struct luks_volume v = {.tries = DEFAULT_TRIES};
	_cleanup_free_ char *dashed = NULL;
	const char *key = d->keyfile ? d->keyfile : s->default_key;
	const char *opts = d->options ? d->options : s->default_opts;
	const char *opt_src = d->options ? d->opt_src : s->default_opts_src;
	int r = uuid_dashed(d->uuid, &dashed);
	if (r < 0)
		return r;
	if (d->name)
		v.name = strdup(d->name);
	else if (asprintf(&v.name, "luks-%s", dashed) < 0)
		v.name = NULL;
	if (!v.name || asprintf(&v.device, "UUID=%s", dashed) < 0 ||
	    !(v.source = strdup(d->create_src)) || (key && !(v.keyfile = strdup(key)))) {
		volume_free(&v);
		return -ENOMEM;
	}
	if (volume_find(cfg, v.name)) {
		r = diag_add(cfg, LUKS_DIAG_ERROR,
			     "%s: volume name '%s' is already used by another volume; skipped",
			     v.source, v.name);
		volume_free(&v);
		return r;
	}
	r = opts ? apply_options(cfg, &v, opts, opt_src) : OPT_OK;
	if (r != OPT_OK) {
		volume_free(&v);
		return r < 0 ? r : 0;
	}
	v.noauto = false;
	apply_timeout(&v, d, s);
	return volume_push(cfg, &v);
}

int luks_config_apply_cmdline(struct luks_config *cfg, const struct luks_cmdline_entry *entries,
			      size_t n_entries)
{
	struct cmdline_state s = {.enabled = true, .read_crypttab = true};
	char **srcs = calloc(n_entries + 1, sizeof(char *));
	int r = srcs ? 0 : -ENOMEM;

	for (size_t i = 0; r >= 0 && i < n_entries; i++) {
		const struct luks_cmdline_entry *e = &entries[i];
		if (!e->key || !(startswith(e->key, "rd.luks") || startswith(e->key, "luks")))
			continue;
		if (e->source)
			srcs[i] = strdup(e->source);
		else if (asprintf(&srcs[i], "%s%s%s", e->key, e->value ? "=" : "",
				  e->value ? e->value : "") < 0)
			srcs[i] = NULL;
		r = srcs[i] ? cmdline_entry(cfg, &s, e, srcs[i]) : -ENOMEM;
	}
	if (r >= 0 && !s.enabled) {
		while (cfg->n_volumes)
			volume_remove(cfg, cfg->n_volumes - 1);
		cfg->disabled = true;
		goto out;
	}
	if (r >= 0)
		r = filter_crypttab_volumes(cfg, &s);
	/* Command-line volumes in the order they were declared. */
	for (size_t k = 0; r >= 0 && k < s.n_declared; k++)
		for (size_t i = 0; r >= 0 && i < s.n_devs; i++)
			if (s.devs[i].create && s.devs[i].create_src && s.devs[i].order == k)
				r = add_cmdline_volume(cfg, &s, &s.devs[i]);
out:
	cmdline_state_free(&s);
	for (size_t i = 0; srcs && i < n_entries; i++)
		free(srcs[i]);
	free(srcs);
	return r < 0 ? r : 0;
}

int luks_config_build(const char *crypttab, size_t len, const char *source_name,
		      const struct luks_cmdline_entry *entries, size_t n_entries,
		      struct luks_config *cfg)
{
	int r = crypttab ? crypttab_parse(crypttab, len, source_name, cfg) : 0;
	return r < 0 ? r : luks_config_apply_cmdline(cfg, entries, n_entries);
}

bool luks_config_has_errors(const struct luks_config *cfg)
{
	for (size_t i = 0; i < cfg->n_diags; i++)
		if (cfg->diags[i].level == LUKS_DIAG_ERROR)
			return true;
	return false;
}

void luks_config_free(struct luks_config *cfg)
{
	for (size_t i = 0; i < cfg->n_volumes; i++)
		volume_free(&cfg->volumes[i]);
	for (size_t i = 0; i < cfg->n_diags; i++)
		free(cfg->diags[i].message);
	free(cfg->volumes);
	free(cfg->diags);
	memset(cfg, 0, sizeof(*cfg));
}
