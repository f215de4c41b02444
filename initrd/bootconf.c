/* Applies image config and command line settings onto struct boot_config; see bootconf.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootconf.h"
#include "cmdline.h"
#include "conf.h"
#include "util.h"

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC (UINT64_C(1000) * USEC_PER_MSEC)

/* The kernel (kernel/params.c parameq()) and systemd treat '-' and '_' in keys alike. */
static bool key_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

static char *strdup_or_null(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*oom = true;
	return d;
}

static int add_error(struct boot_config *bc, const char *key, const char *value, const char *source,
		     const char *reason)
{
	struct boot_error *e = reallocarray(bc->errors, bc->n_errors + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	bc->errors = e;
	e += bc->n_errors++;
	bool oom = false;
	e->key = strdup_or_null(key, &oom);
	e->value = strdup_or_null(value, &oom);
	e->source = strdup_or_null(source ? source : "?", &oom);
	e->reason = strdup_or_null(reason, &oom);
	return oom ? -ENOMEM : 0;
}

/* Replaces *field with a copy of value (NULL clears it). */
static int set_string(char **field, const char *value)
{
	char *d = NULL;
	if (value && !(d = strdup(value)))
		return -ENOMEM;
	free(*field);
	*field = d;
	return 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Appends a copy of s[0..len) unless an equal one (with '-' == '_') is there already. */
/* Appends a copy of s[0..len) unless eq() finds it there already. */
static int strv_add_unique(char ***v, size_t *n, const char *s, size_t len,
			   bool (*eq)(const char *, const char *))
{
	char *d = strndup(s, len);
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++)
		if (eq((*v)[i], d)) {
			free(d);
			return 0;
		}
	char **nv = reallocarray(*v, *n + 2, sizeof(char *));
	if (!nv) {
		free(d);
		return -ENOMEM;
	}
	nv[(*n)++] = d;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

int boot_parse_bool(const char *s)
{
	/* A bare key ("rd.shell", "quiet") means yes. */
	return s ? parse_boolean(s) : 1;
}

/* systemd's time span units (src/basic/time-util.c), in microseconds; no unit means seconds. */
static int timespan_unit_usec(const char *u, size_t len, uint64_t *ret)
{
	static const struct {
		const char *name;
		uint64_t usec;
	} units[] = {
		{"", USEC_PER_SEC},
		{"us", 1},
		{"usec", 1},
		{"ms", USEC_PER_MSEC},
		{"msec", USEC_PER_MSEC},
		{"s", USEC_PER_SEC},
		{"sec", USEC_PER_SEC},
		{"second", USEC_PER_SEC},
		{"seconds", USEC_PER_SEC},
		{"m", 60 * USEC_PER_SEC},
		{"min", 60 * USEC_PER_SEC},
		{"minute", 60 * USEC_PER_SEC},
		{"minutes", 60 * USEC_PER_SEC},
		{"h", 3600 * USEC_PER_SEC},
		{"hr", 3600 * USEC_PER_SEC},
		{"hour", 3600 * USEC_PER_SEC},
		{"hours", 3600 * USEC_PER_SEC},
		{"d", 86400 * USEC_PER_SEC},
		{"day", 86400 * USEC_PER_SEC},
		{"days", 86400 * USEC_PER_SEC},
		{"w", 604800 * USEC_PER_SEC},
		{"week", 604800 * USEC_PER_SEC},
		{"weeks", 604800 * USEC_PER_SEC},
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i].name) == len && strncmp(units[i].name, u, len) == 0) {
			*ret = units[i].usec;
			return 0;
		}
	return -EINVAL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One "<number>[.<fraction>][ ]<unit>" component at *p, added to *total (microseconds). */
static int timespan_component(const char **p, uint64_t *total)
{
	const char *s = *p, *frac, *unit;
	uint64_t whole = 0, unit_usec, v;

	if (!is_digit(*s) && !(*s == '.' && is_digit(s[1])))
		return -EINVAL;
	for (; is_digit(*s); s++)
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*s - '0'), &whole))
			return -ERANGE;
	frac = *s == '.' ? ++s : NULL;
	while (is_digit(*s))
		s++;
	while (is_space(*s))
		s++;
	for (unit = s; is_alpha(*s); s++)
		;
	if (timespan_unit_usec(unit, (size_t)(s - unit), &unit_usec) < 0)
		return -EINVAL;
	if (__builtin_mul_overflow(whole, unit_usec, &v) ||
	    __builtin_add_overflow(*total, v, total))
		return -ERANGE;
	/* The fraction: digit by digit, each worth a tenth of the previous one. */
	for (uint64_t scale = unit_usec / 10; frac && is_digit(*frac) && scale; frac++, scale /= 10)
		if (__builtin_add_overflow(*total, (uint64_t)(*frac - '0') * scale, total))
			return -ERANGE;
	*p = s;
	return 0;
}

int boot_parse_timespan_ms(const char *s, uint64_t *ret)
{
	uint64_t usec = 0;
	int r;

	if (!s)
		return -EINVAL;
	while (is_space(*s))
		s++;
	if (streq(s, "infinity")) {
		*ret = BOOT_TIMEOUT_INFINITY;
		return 0;
	}
	do {
		r = timespan_component(&s, &usec);
		if (r < 0)
			return r;
		while (is_space(*s))
			s++;
	} while (*s);
	*ret = usec / USEC_PER_MSEC + (usec % USEC_PER_MSEC != 0);
	return 0;
}

/* A handler applies one value; it returns 0 or -ENOMEM, and sets *reason when the value is
 * malformed (the field is then left as it was). */
typedef int (*key_handler)(struct boot_config *bc, const char *value, const char **reason);

static bool needs_value(const char *value, const char **reason)
{
	if (value && *value)
		return true;
	*reason = "needs a value";
	return false;
}

bool boot_device_spec_valid(const char *s)
{
	static const char *const tags[] = {"UUID=", "LABEL=", "PARTUUID=", "PARTLABEL="};
	bool ok = s[0] == '/' && s[1];
	for (size_t i = 0; i < ARRAY_SIZE(tags) && !ok; i++) {
		const char *rest = startswith(s, tags[i]);
		ok = rest && *rest;
	}
	return ok;
}

static int apply_device_spec(char **field, const char *value, const char **reason)
{
	if (!needs_value(value, reason))
		return 0;
	if (!boot_device_spec_valid(value)) {
		*reason = "not a device path or a UUID=, LABEL=, PARTUUID=, PARTLABEL= tag";
		return 0;
	}
	return set_string(field, value);
}

static int apply_root(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_device_spec(&bc->root, value, reason);
}

static int apply_resume(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_device_spec(&bc->resume, value, reason);
}

/* The kernel reads resume_offset= with %llu; a swap file's offset comes from filefrag or
 * btrfs inspect-internal map-swapfile, always decimal. */
static int apply_resume_offset(struct boot_config *bc, const char *value, const char **reason)
{
	uint64_t v = 0;
	if (!needs_value(value, reason))
		return 0;
	for (const char *p = value; *p; p++)
		if (!is_digit(*p) || __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v)) {
			*reason = "not an unsigned decimal page offset (e.g. 34816)";
			return 0;
		}
	bc->resume_offset = v;
	bc->resume_offset_set = true;
	return 0;
}

static int apply_rootfstype(struct boot_config *bc, const char *value, const char **reason)
{
	return needs_value(value, reason) ? set_string(&bc->rootfstype, value) : 0;
}

/* The names are checked where they are used (vconsole.c: one line, the image's default kept). */
static int apply_vconsole_keymap(struct boot_config *bc, const char *value, const char **reason)
{
	return needs_value(value, reason) ? set_string(&bc->vconsole_keymap, value) : 0;
}

static int apply_rd_vconsole_keymap(struct boot_config *bc, const char *value, const char **reason)
{
	return needs_value(value, reason) ? set_string(&bc->rd_vconsole_keymap, value) : 0;
}

/* rootflags= (empty) clears the options. */
static int apply_rootflags(struct boot_config *bc, const char *value, const char **reason)
{
	if (!value) {
		*reason = "needs a value";
		return 0;
	}
	return set_string(&bc->rootflags, *value ? value : NULL);
}

static int apply_rw_flag(struct boot_config *bc, const char *value, const char **reason,
			 enum boot_rw rw)
{
	if (value) {
		*reason = "takes no value";
		return 0;
	}
	bc->read_only = rw;
	return 0;
}

static int apply_ro(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_rw_flag(bc, value, reason, BOOT_RW_RO);
}

static int apply_rw(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_rw_flag(bc, value, reason, BOOT_RW_RW);
}

static int apply_init(struct boot_config *bc, const char *value, const char **reason)
{
	if (!needs_value(value, reason))
		return 0;
	if (value[0] != '/') {
		*reason = "not an absolute path";
		return 0;
	}
	return set_string(&bc->init, value);
}

/* A module name as libkmod takes it: no path separator, no whitespace. */
static bool module_name_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || is_space(s[i]) || (unsigned char)s[i] < ' ')
			return false;
	return true;
}

/* Comma list; empty items are skipped; one bad name rejects the whole value. */
static int add_module_list(char ***v, size_t *n, const char *value, const char **reason)
{
	if (!needs_value(value, reason))
		return 0;
	for (const char *p = value; *p;) {
		size_t len = strcspn(p, ",");
		if (!module_name_valid(p, len)) {
			*reason = "not a comma-separated list of module names";
			return 0;
		}
		p += len + (p[len] == ',');
	}
	for (const char *p = value; *p;) {
		size_t len = strcspn(p, ",");
		if (len && strv_add_unique(v, n, p, len, key_eq) < 0)
			return -ENOMEM;
		p += len + (p[len] == ',');
	}
	return 0;
}

static int apply_modules(struct boot_config *bc, const char *value, const char **reason)
{
	return add_module_list(&bc->modules, &bc->n_modules, value, reason);
}

static int apply_blacklist(struct boot_config *bc, const char *value, const char **reason)
{
	return add_module_list(&bc->blacklist, &bc->n_blacklist, value, reason);
}

static int apply_timeout(struct boot_config *bc, const char *value, const char **reason)
{
	uint64_t ms;
	if (!needs_value(value, reason))
		return 0;
	if (boot_parse_timespan_ms(value, &ms) < 0) {
		*reason = "not a time span (e.g. 30, 10s, 500ms, 2min, infinity)";
		return 0;
	}
	bc->timeout_ms = ms == 0 ? BOOT_TIMEOUT_INFINITY : ms; /* 0: wait forever (dracut) */
	return 0;
}

static const char *const emergency_names[] = {
	[BOOT_EMERGENCY_WAIT] = "wait",
	[BOOT_EMERGENCY_REBOOT] = "reboot",
	[BOOT_EMERGENCY_POWEROFF] = "poweroff",
	[BOOT_EMERGENCY_HALT] = "halt",
};

const char *boot_emergency_name(enum boot_emergency e)
{
	return (size_t)e < ARRAY_SIZE(emergency_names) ? emergency_names[e] : "?";
}

static int apply_emergency(struct boot_config *bc, const char *value, const char **reason)
{
	for (size_t i = 0; value && i < ARRAY_SIZE(emergency_names); i++)
		if (streq(value, emergency_names[i])) {
			bc->emergency = (enum boot_emergency)i;
			return 0;
		}
	*reason = "not one of reboot, poweroff, halt, wait";
	return 0;
}

static int apply_bool(bool *field, const char *value, const char **reason)
{
	int b = boot_parse_bool(value);
	if (b < 0)
		*reason = "not a boolean (1/yes/true/on or 0/no/false/off)";
	else
		*field = b;
	return 0;
}

static int apply_shell(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_bool(&bc->shell_allowed, value, reason);
}

static int apply_quiet(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_bool(&bc->quiet, value, reason);
}

static int apply_debug(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_bool(&bc->debug, value, reason);
}

static int apply_luks(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_bool(&bc->luks_enabled, value, reason);
}

static int apply_lvm(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_bool(&bc->lvm_enabled, value, reason);
}

static int apply_noresume(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_bool(&bc->noresume, value, reason);
}

/* The kernel's own switches that forbid resuming (kernel/power/hibernate.c): hibernate=no
 * and hibernate=noresume set its noresume, nohibernate disables hibernation. Writing
 * /sys/power/resume would clear the kernel's noresume and resume anyway, so they count as
 * noresume here. Other hibernate= words (protect_image, nocompress) say nothing on resuming. */
static int apply_hibernate(struct boot_config *bc, const char *value, const char **reason)
{
	(void)reason;
	if (value && (streq(value, "no") || streq(value, "noresume")))
		bc->noresume = true;
	return 0;
}

static int apply_nohibernate(struct boot_config *bc, const char *value, const char **reason)
{
	(void)value, (void)reason;
	bc->noresume = true;
	return 0;
}

bool boot_lvm_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > 127 || s[0] == '-' || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && !strchr("+_.-", s[i]))
			return false;
	return true;
}

/* '-' and '_' differ in LVM names, so key_eq() is not the comparison for them. */
static bool name_eq(const char *a, const char *b)
{
	return streq(a, b);
}

static int add_lvm_name(char ***v, size_t *n, const char *value)
{
	return strv_add_unique(v, n, value, strlen(value), name_eq);
}

static int apply_lvm_vg(struct boot_config *bc, const char *value, const char **reason)
{
	if (!needs_value(value, reason))
		return 0;
	if (!boot_lvm_name_valid(value, strlen(value))) {
		*reason = "not a volume group name (A-Z a-z 0-9 + _ . -, not starting with -)";
		return 0;
	}
	return add_lvm_name(&bc->lvm_vgs, &bc->n_lvm_vgs, value);
}

static int apply_lvm_lv(struct boot_config *bc, const char *value, const char **reason)
{
	if (!needs_value(value, reason))
		return 0;
	const char *slash = strchr(value, '/');
	if (!slash || !boot_lvm_name_valid(value, (size_t)(slash - value)) ||
	    !boot_lvm_name_valid(slash + 1, strlen(slash + 1))) {
		*reason = "not VG/LV (two LVM names: A-Z a-z 0-9 + _ . -, not starting with -)";
		return 0;
	}
	return add_lvm_name(&bc->lvm_lvs, &bc->n_lvm_lvs, value);
}

static const char *const fsck_mode_names[] = {
	[BOOT_FSCK_AUTO] = "auto",
	[BOOT_FSCK_FORCE] = "force",
	[BOOT_FSCK_SKIP] = "skip",
};

static const char *const fsck_repair_names[] = {
	[BOOT_FSCK_PREEN] = "preen",
	[BOOT_FSCK_YES] = "yes",
	[BOOT_FSCK_NO] = "no",
};

const char *boot_fsck_mode_name(enum boot_fsck_mode m)
{
	return (size_t)m < ARRAY_SIZE(fsck_mode_names) ? fsck_mode_names[m] : "?";
}

const char *boot_fsck_repair_name(enum boot_fsck_repair r)
{
	return (size_t)r < ARRAY_SIZE(fsck_repair_names) ? fsck_repair_names[r] : "?";
}

static int apply_fsck_mode(struct boot_config *bc, const char *value, const char **reason)
{
	for (size_t i = 0; value && i < ARRAY_SIZE(fsck_mode_names); i++)
		if (streq(value, fsck_mode_names[i])) {
			bc->fsck_mode = (enum boot_fsck_mode)i;
			return 0;
		}
	*reason = "not one of auto, force, skip";
	return 0;
}

/* systemd's fsck_repair_from_string(): the names, or a boolean for yes/no. A bare key is
 * missing its value there (ignored with a warning), not "yes". */
static int apply_fsck_repair(struct boot_config *bc, const char *value, const char **reason)
{
	int b = value ? boot_parse_bool(value) : -EINVAL;
	if (value && streq(value, "preen"))
		bc->fsck_repair = BOOT_FSCK_PREEN;
	else if (b >= 0)
		bc->fsck_repair = b ? BOOT_FSCK_YES : BOOT_FSCK_NO;
	else
		*reason = "not one of preen, yes, no";
	return 0;
}

/* fastboot / forcefsck: bare keys only (systemd ignores them with a value; we say so). */
static int apply_fsck_bare(struct boot_config *bc, const char *value, const char **reason,
			   enum boot_fsck_mode mode)
{
	if (value) {
		*reason = "takes no value";
		return 0;
	}
	bc->fsck_mode = mode;
	return 0;
}

static int apply_fastboot(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_fsck_bare(bc, value, reason, BOOT_FSCK_SKIP);
}

static int apply_forcefsck(struct boot_config *bc, const char *value, const char **reason)
{
	return apply_fsck_bare(bc, value, reason, BOOT_FSCK_FORCE);
}

static const struct {
	const char *key;
	key_handler apply;
} handlers[] = {
	{"root", apply_root},
	{"rootfstype", apply_rootfstype},
	{"rootflags", apply_rootflags},
	{"ro", apply_ro},
	{"rw", apply_rw},
	{"init", apply_init},
	{"rd.modules-load", apply_modules},
	{"module_blacklist", apply_blacklist},
	{"rd.driver.blacklist", apply_blacklist},
	{"rd.timeout", apply_timeout},
	{"rd.emergency", apply_emergency},
	{"rd.shell", apply_shell},
	{"quiet", apply_quiet},
	{"rd.debug", apply_debug},
	{"rd.luks", apply_luks},
	{"luks", apply_luks},
	{"rd.lvm", apply_lvm},
	{"rd.lvm.vg", apply_lvm_vg},
	{"rd.lvm.lv", apply_lvm_lv},
	{"fsck.mode", apply_fsck_mode},
	{"fsck.repair", apply_fsck_repair},
	{"fastboot", apply_fastboot},
	{"forcefsck", apply_forcefsck},
	{"resume", apply_resume},
	{"resume_offset", apply_resume_offset},
	{"noresume", apply_noresume},
	{"hibernate", apply_hibernate},
	{"nohibernate", apply_nohibernate},
	{"vconsole.keymap", apply_vconsole_keymap},
	{"rd.vconsole.keymap", apply_rd_vconsole_keymap},
};

static bool is_luks_entry(const char *key)
{
	return startswith(key, "rd.luks.") || startswith(key, "luks.");
}

static int add_luks_entry(struct boot_config *bc, const struct boot_setting *s)
{
	struct boot_entry *e = reallocarray(bc->luks, bc->n_luks + 1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	bc->luks = e;
	e += bc->n_luks++;
	bool oom = false;
	e->key = strdup_or_null(s->key, &oom);
	e->value = strdup_or_null(s->value, &oom);
	e->source = strdup_or_null(s->source ? s->source : "?", &oom);
	return oom ? -ENOMEM : 0;
}

int boot_config_apply(struct boot_config *bc, const struct boot_setting *s)
{
	if (!s->key)
		return 0;
	if (is_luks_entry(s->key))
		return add_luks_entry(bc, s);
	for (size_t i = 0; i < ARRAY_SIZE(handlers); i++) {
		if (!key_eq(s->key, handlers[i].key))
			continue;
		const char *reason = NULL;
		int r = handlers[i].apply(bc, s->value, &reason);
		if (r < 0)
			return r;
		return reason ? add_error(bc, s->key, s->value, s->source, reason) : 0;
	}
	return 0; /* not ours: the kernel's or stage 2's */
}

int boot_config_apply_list(struct boot_config *bc, const struct boot_setting *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = boot_config_apply(bc, &s[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int boot_config_apply_conf(struct boot_config *bc, const struct conf *c, const char *path)
{
	size_t si = 0, ei = 0;
	/* settings and syntax errors interleaved by line, so the log reads in file order */
	while (si < c->n_settings || ei < c->n_errors) {
		bool setting = ei >= c->n_errors ||
			       (si < c->n_settings && c->settings[si].line <= c->errors[ei].line);
		unsigned line = setting ? c->settings[si].line : c->errors[ei].line;
		_cleanup_free_ char *source = NULL;
		if (asprintf(&source, "%s:%u", path, line) < 0)
			return -ENOMEM;
		int r;
		if (setting) {
			const struct conf_setting *cs = &c->settings[si++];
			r = boot_config_apply(bc,
					      &(struct boot_setting){cs->key, cs->value, source});
		} else {
			r = add_error(bc, NULL, NULL, source, c->errors[ei++].message);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int take_init_args(struct boot_config *bc, const struct cmdline *c)
{
	char **v = calloc(c->n_init_args + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_init_args; i++)
		if (!(v[i] = strdup(c->init_args[i]))) {
			strv_free(v);
			return -ENOMEM;
		}
	strv_free(bc->init_args);
	bc->init_args = v;
	bc->n_init_args = c->n_init_args;
	return 0;
}

int boot_config_apply_cmdline(struct boot_config *bc, const struct cmdline *c)
{
	for (size_t i = 0; i < c->n_params; i++) {
		const struct cmdline_param *p = &c->params[i];
		int r = boot_config_apply(
			bc, &(struct boot_setting){p->key, p->value, BOOT_SOURCE_CMDLINE});
		if (r < 0)
			return r;
	}
	return c->n_init_args ? take_init_args(bc, c) : 0;
}

int boot_config_init(struct boot_config *bc)
{
	*bc = (struct boot_config){
		.timeout_ms = BOOT_TIMEOUT_DEFAULT_MS,
		.emergency = BOOT_EMERGENCY_WAIT,
		.luks_enabled = true,
		.lvm_enabled = true,
		.fsck_mode = BOOT_FSCK_AUTO,
		.fsck_repair = BOOT_FSCK_PREEN,
		.init_args = calloc(1, sizeof(char *)),
		.lvm_vgs = calloc(1, sizeof(char *)),
		.lvm_lvs = calloc(1, sizeof(char *)),
		.modules = calloc(1, sizeof(char *)),
		.blacklist = calloc(1, sizeof(char *)),
	};
	if (!bc->init_args || !bc->modules || !bc->blacklist || !bc->lvm_vgs || !bc->lvm_lvs) {
		boot_config_free(bc);
		return -ENOMEM;
	}
	return 0;
}

void boot_config_free(struct boot_config *bc)
{
	free(bc->root);
	free(bc->rootfstype);
	free(bc->rootflags);
	free(bc->init);
	free(bc->resume);
	free(bc->vconsole_keymap);
	free(bc->rd_vconsole_keymap);
	strv_free(bc->init_args);
	strv_free(bc->modules);
	strv_free(bc->blacklist);
	strv_free(bc->lvm_vgs);
	strv_free(bc->lvm_lvs);
	for (size_t i = 0; i < bc->n_luks; i++) {
		free(bc->luks[i].key);
		free(bc->luks[i].value);
		free(bc->luks[i].source);
	}
	free(bc->luks);
	for (size_t i = 0; i < bc->n_errors; i++) {
		free(bc->errors[i].key);
		free(bc->errors[i].value);
		free(bc->errors[i].source);
		free(bc->errors[i].reason);
	}
	free(bc->errors);
	*bc = (struct boot_config){0};
}

int boot_error_format(const struct boot_error *e, char *buf, size_t size)
{
	if (!e->key)
		return snprintf(buf, size, "%s: %s", e->source, e->reason);
	if (!e->value)
		return snprintf(buf, size, "%s: %s: %s", e->source, e->key, e->reason);
	return snprintf(buf, size, "%s: %s=%s: %s", e->source, e->key, e->value, e->reason);
}
