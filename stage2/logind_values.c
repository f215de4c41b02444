#include "logind_values.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define WHITESPACE " \t\n\r"

/* systemd 252 src/login/logind-gperf.gperf, in its order. UserTasksMax is obsolete (logind only
 * warns about it) and deliberately absent. */
const struct logind_key logind_keys[] = {
	{"NAutoVTs", LOGIND_N_AUTOVTS, "virtual terminals allocated for autovt gettys (0..15)"},
	{"ReserveVT", LOGIND_UNSIGNED, "VT always reserved for a getty (0 = none)"},
	{"KillUserProcesses", LOGIND_BOOL, "kill a session's processes when it ends"},
	{"KillOnlyUsers", LOGIND_USER_LIST, "only these users' sessions are killed"},
	{"KillExcludeUsers", LOGIND_USER_LIST, "these users' sessions are never killed"},
	{"InhibitDelayMaxSec", LOGIND_SEC, "longest delay a delay inhibitor may impose"},
	{"UserStopDelaySec", LOGIND_SEC, "keep user@.service after the last logout this long"},
	{"HandlePowerKey", LOGIND_ACTION, "power key"},
	{"HandlePowerKeyLongPress", LOGIND_ACTION, "power key held down"},
	{"HandleRebootKey", LOGIND_ACTION, "reboot key"},
	{"HandleRebootKeyLongPress", LOGIND_ACTION, "reboot key held down"},
	{"HandleSuspendKey", LOGIND_ACTION, "suspend key"},
	{"HandleSuspendKeyLongPress", LOGIND_ACTION, "suspend key held down"},
	{"HandleHibernateKey", LOGIND_ACTION, "hibernate key"},
	{"HandleHibernateKeyLongPress", LOGIND_ACTION, "hibernate key held down"},
	{"HandleLidSwitch", LOGIND_ACTION, "lid closed (on battery)"},
	{"HandleLidSwitchExternalPower", LOGIND_ACTION, "lid closed on external power"},
	{"HandleLidSwitchDocked", LOGIND_ACTION, "lid closed while docked"},
	{"PowerKeyIgnoreInhibited", LOGIND_BOOL, "power key overrides inhibitors"},
	{"SuspendKeyIgnoreInhibited", LOGIND_BOOL, "suspend key overrides inhibitors"},
	{"HibernateKeyIgnoreInhibited", LOGIND_BOOL, "hibernate key overrides inhibitors"},
	{"LidSwitchIgnoreInhibited", LOGIND_BOOL, "lid switch overrides inhibitors"},
	{"RebootKeyIgnoreInhibited", LOGIND_BOOL, "reboot key overrides inhibitors"},
	{"HoldoffTimeoutSec", LOGIND_SEC, "ignore lid/dock events this long after boot/resume"},
	{"IdleAction", LOGIND_ACTION, "what to do when the system is idle"},
	{"IdleActionSec", LOGIND_SEC, "idle time before IdleAction"},
	{"RuntimeDirectorySize", LOGIND_TMPFS_SIZE, "size of /run/user/UID (size or % of RAM)"},
	{"RuntimeDirectoryInodesMax", LOGIND_IEC_SIZE, "inodes of /run/user/UID"},
	{"RemoveIPC", LOGIND_BOOL, "remove a user's SysV/POSIX IPC objects at last logout"},
	{"InhibitorsMax", LOGIND_UINT64, "maximum number of inhibitors"},
	{"SessionsMax", LOGIND_UINT64, "maximum number of sessions"},
	{"StopIdleSessionSec", LOGIND_SEC, "stop sessions idle this long (0/infinity = never)"},
};
const size_t logind_keys_count = ARRAY_SIZE(logind_keys);
_Static_assert(ARRAY_SIZE(logind_keys) <= LOGIND_KEYS_MAX, "LOGIND_KEYS_MAX too small");

/* handle_action_table[] of systemd 252 (src/login/logind-action.c). "sleep" and
 * "secure-attention-key" came later and are rejected by 252. */
const char *const logind_actions[] = {
	"ignore",	 "poweroff",	 "reboot",
	"halt",		 "kexec",	 "suspend",
	"hibernate",	 "hybrid-sleep", "suspend-then-hibernate",
	"factory-reset", "lock",	 NULL,
};

int logind_key_index(const char *name)
{
	for (size_t i = 0; i < logind_keys_count; i++)
		if (streq(logind_keys[i].name, name))
			return (int)i;
	return -ENOENT;
}

const char *logind_type_name(enum logind_type type)
{
	switch (type) {
	case LOGIND_BOOL:
		return "boolean";
	case LOGIND_USER_LIST:
		return "user list";
	case LOGIND_SEC:
		return "time span";
	case LOGIND_ACTION:
		return "action";
	case LOGIND_TMPFS_SIZE:
		return "size or percentage";
	case LOGIND_IEC_SIZE:
		return "size";
	case LOGIND_UINT64:
	case LOGIND_UNSIGNED:
		return "number";
	case LOGIND_N_AUTOVTS:
		return "number 0..15";
	}
	return "?";
}

int logind_parse_boolean(const char *v)
{
	return parse_boolean(v); /* logind uses systemd's parse_boolean() */
}

int logind_parse_action(const char *s)
{
	for (int i = 0; logind_actions[i]; i++)
		if (streq(logind_actions[i], s))
			return i;
	return -EINVAL;
}

#define USEC_PER_SEC 1000000ULL
/* Longest suffix first where one is a prefix of another ("ms" before "m", "min" before "m"),
 * in the order logind's extract_multiplier() tries them. */
static const char *time_unit(const char *p, uint64_t *mult)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} units[] = {
		{"seconds", USEC_PER_SEC},
		{"second", USEC_PER_SEC},
		{"sec", USEC_PER_SEC},
		{"s", USEC_PER_SEC},
		{"minutes", 60 * USEC_PER_SEC},
		{"minute", 60 * USEC_PER_SEC},
		{"min", 60 * USEC_PER_SEC},
		{"months", 2629800ULL * USEC_PER_SEC},
		{"month", 2629800ULL * USEC_PER_SEC},
		{"M", 2629800ULL * USEC_PER_SEC},
		{"msec", 1000ULL},
		{"ms", 1000ULL},
		{"m", 60 * USEC_PER_SEC},
		{"hours", 3600 * USEC_PER_SEC},
		{"hour", 3600 * USEC_PER_SEC},
		{"hr", 3600 * USEC_PER_SEC},
		{"h", 3600 * USEC_PER_SEC},
		{"days", 86400 * USEC_PER_SEC},
		{"day", 86400 * USEC_PER_SEC},
		{"d", 86400 * USEC_PER_SEC},
		{"weeks", 604800 * USEC_PER_SEC},
		{"week", 604800 * USEC_PER_SEC},
		{"w", 604800 * USEC_PER_SEC},
		{"years", 31557600ULL * USEC_PER_SEC},
		{"year", 31557600ULL * USEC_PER_SEC},
		{"y", 31557600ULL * USEC_PER_SEC},
		{"usec", 1},
		{"us", 1},
		{"\xce\xbcs", 1}, /* U+03BC GREEK SMALL LETTER MU */
		{"\xc2\xb5s", 1}, /* U+00B5 MICRO SIGN */
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		const char *e = startswith(p, units[i].suffix);
		if (e) {
			*mult = units[i].usec;
			return e;
		}
	}
	return p;
}

/* One "<number>[.<digits>][ ]<unit>" component; adds it to *sum. */
static int sec_component(const char **pp, uint64_t *sum)
{
	const char *p = *pp;
	uint64_t mult = USEC_PER_SEC;
	char *e;

	if (*p == '-') /* no "-0" either */
		return -ERANGE;
	errno = 0;
	long long l = strtoll(p, &e, 10);
	if (errno > 0)
		return -errno;
	if (l < 0)
		return -ERANGE;
	const char *frac = NULL;
	if (*e == '.') {
		frac = e + 1;
		p = frac + strspn(frac, "0123456789");
	} else if (e == p) {
		return -EINVAL;
	} else {
		p = e;
	}
	const char *s = time_unit(p + strspn(p, WHITESPACE), &mult);
	if (s == p && *s != '\0') /* "12.34.56", "5x" */
		return -EINVAL;
	if ((uint64_t)l >= UINT64_MAX / mult)
		return -ERANGE;
	uint64_t k = (uint64_t)l * mult;
	if (k >= UINT64_MAX - *sum)
		return -ERANGE;
	*sum += k;
	if (frac) {
		const char *b = frac;
		for (uint64_t m = mult / 10; *b >= '0' && *b <= '9'; b++, m /= 10) {
			k = (uint64_t)(*b - '0') * m;
			if (k >= UINT64_MAX - *sum)
				return -ERANGE;
			*sum += k;
		}
		if (b == frac) /* "3.sec", "3. 1" */
			return -EINVAL;
	}
	*pp = s;
	return 0;
}

int logind_parse_sec(const char *t, uint64_t *usec)
{
	const char *p = t + strspn(t, WHITESPACE);
	const char *s = startswith(p, "infinity");
	uint64_t sum = 0;
	bool something = false;

	if (s) {
		if (s[strspn(s, WHITESPACE)] != '\0')
			return -EINVAL;
		*usec = UINT64_MAX;
		return 0;
	}
	for (;;) {
		p += strspn(p, WHITESPACE);
		if (*p == '\0')
			break;
		int r = sec_component(&p, &sum);
		if (r < 0)
			return r;
		something = true;
	}
	if (!something)
		return -EINVAL;
	*usec = sum;
	return 0;
}

int logind_parse_size(const char *t, uint64_t base, uint64_t *size)
{
	static const char *const suffixes = "EPTGMKB";
	unsigned long long r = 0;
	const char *p = t;
	size_t start = 0;

	do {
		char *e;
		double frac = 0;
		p += strspn(p, WHITESPACE);
		errno = 0;
		unsigned long long l = strtoull(p, &e, 10);
		if (errno > 0)
			return -errno;
		if (e == p)
			return -EINVAL;
		if (*p == '-')
			return -ERANGE;
		if (*e == '.') {
			e++;
			if (*e >= '0' &&
			    *e <= '9') { /* "10.M" is valid, "10.+1" is not a fraction */
				char *e2;
				unsigned long long l2 = strtoull(e, &e2, 10);
				if (errno > 0)
					return -errno;
				frac = (double)l2;
				for (; e < e2; e++)
					frac /= 10;
			}
		}
		e += strspn(e, WHITESPACE);
		/* Units in decreasing order ("1G 512M"); the empty unit (bytes) only once, last. */
		size_t i = start;
		while (i < 7 && *e != suffixes[i])
			i++;
		if (i >= 8)
			return -EINVAL;
		unsigned long long factor = 1;
		for (size_t j = i; j < 6; j++)
			factor *= base;
		if (l + (frac > 0) > ULLONG_MAX / factor)
			return -ERANGE;
		unsigned long long tmp = l * factor + (unsigned long long)(frac * (double)factor);
		if (tmp > ULLONG_MAX - r)
			return -ERANGE;
		r += tmp;
		p = i < 7 ? e + 1 : e; /* "" matched: p points at what follows */
		start = i + 1;
	} while (*p);
	*size = r;
	return 0;
}

/* safe_atoi() of the part before the symbol: whitespace, sign and C base prefixes as strtol. */
static int parse_int_strict(const char *s, size_t len, int *ret)
{
	char buf[32];
	char *x;
	unsigned base = 0;

	if (len >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *p = buf + strspn(buf, WHITESPACE);
	if (strncasecmp(p, "0b", 2) == 0)
		base = 2, p += 2;
	else if (strncasecmp(p, "0o", 2) == 0)
		base = 8, p += 2;
	errno = 0;
	long l = strtol(p, &x, (int)base);
	if (errno > 0)
		return -errno;
	if (x == p || *x != '\0')
		return -EINVAL;
	if (l < INT_MIN || l > INT_MAX)
		return -ERANGE;
	*ret = (int)l;
	return 0;
}

/* "<int>[.<places digits>]<symbol>" scaled by 10^places, as logind's percent-util does. */
static int parse_scaled(const char *p, const char *symbol, int places)
{
	size_t n = strlen(p), sl = strlen(symbol);
	int whole, frac = 0, scale = 1;

	for (int i = 0; i < places; i++)
		scale *= 10;
	if (n < sl || strcmp(p + n - sl, symbol) != 0)
		return -EINVAL;
	n -= sl;
	const char *dot = memchr(p, '.', n);
	if (dot && places > 0) {
		size_t digits = (size_t)(p + n - dot - 1);
		if (digits < 1 || digits > (size_t)places)
			return -EINVAL;
		for (size_t i = 1; i <= (size_t)places; i++) {
			int d = 0;
			if (i <= digits) {
				if (dot[i] < '0' || dot[i] > '9')
					return -EINVAL;
				d = dot[i] - '0';
			}
			frac = frac * 10 + d;
		}
		n = (size_t)(dot - p);
	}
	int r = parse_int_strict(p, n, &whole);
	if (r < 0)
		return r;
	if (whole < 0)
		return -ERANGE;
	if (whole > (INT_MAX - frac) / scale)
		return -ERANGE;
	return whole * scale + frac;
}

int logind_parse_permyriad(const char *p)
{
	size_t n = strlen(p);
	int v;
	if (n >= 3 && streq(p + n - 3, "\xe2\x80\xb1")) /* ‱ */
		v = parse_scaled(p, "\xe2\x80\xb1", 0);
	else if (n >= 3 && streq(p + n - 3, "\xe2\x80\xb0")) /* ‰ */
		v = parse_scaled(p, "\xe2\x80\xb0", 1);
	else
		v = parse_scaled(p, "%", 2);
	if (v > 10000)
		return -ERANGE;
	return v;
}

int logind_parse_uint64(const char *s, uint64_t *ret)
{
	char *x;
	int base = 0; /* as safe_atou64(): strtoull's own 0x/0 prefixes, plus 0b and 0o */

	s += strspn(s, WHITESPACE);
	const char *p = s;
	if (strncasecmp(p, "0b", 2) == 0)
		base = 2, p += 2;
	else if (strncasecmp(p, "0o", 2) == 0)
		base = 8, p += 2;
	errno = 0;
	unsigned long long l = strtoull(p, &x, base);
	if (errno > 0)
		return -errno;
	if (x == p || *x != '\0')
		return -EINVAL;
	if (*s == '-')
		return -ERANGE;
	*ret = l;
	return 0;
}

int logind_split_words(const char *s, size_t *n_before)
{
	size_t n = 0;
	const char *p = s;

	*n_before = 0;
	for (;;) {
		p += strspn(p, WHITESPACE);
		if (*p == '\0')
			return (int)n;
		char quote = 0;
		for (; *p && (quote || !strchr(WHITESPACE, *p)); p++) {
			if (*p == '\\') { /* kept with the next character (EXTRACT_RETAIN_ESCAPE) */
				if (p[1] == '\0')
					return -EINVAL;
				p++;
			} else if (quote && *p == quote) {
				quote = 0;
			} else if (!quote && (*p == '\'' || *p == '"')) {
				quote = *p;
			}
		}
		if (quote)
			return -EINVAL;
		*n_before = ++n;
	}
}

int logind_value_check(enum logind_type type, const char *value, const char **why)
{
	uint64_t u;
	size_t n;
	int r = 0;

	switch (type) {
	case LOGIND_BOOL:
		r = logind_parse_boolean(value);
		*why = "not a boolean (yes/no, true/false, on/off, 1/0)";
		break;
	case LOGIND_USER_LIST:
		r = logind_split_words(value, &n);
		*why = "unbalanced quote or trailing backslash in user list";
		break;
	case LOGIND_SEC:
		r = logind_parse_sec(value, &u);
		*why = "not a time span (e.g. 30s, 5min, 1h 30min, infinity)";
		break;
	case LOGIND_ACTION:
		r = logind_parse_action(value);
		*why = "not a logind action (ignore, poweroff, reboot, halt, kexec, suspend, "
		       "hibernate, hybrid-sleep, suspend-then-hibernate, factory-reset, lock)";
		break;
	case LOGIND_TMPFS_SIZE:
		/* A percentage first; anything else (or 0%) must be a byte size above 0. */
		if (logind_parse_permyriad(value) > 0)
			return 0;
		r = logind_parse_size(value, 1024, &u);
		if (r >= 0 && u == 0)
			r = -ERANGE;
		*why = "not a size above 0 (e.g. 64M, 1G) or percentage of RAM (e.g. 10%)";
		break;
	case LOGIND_IEC_SIZE:
		r = logind_parse_size(value, 1024, &u);
		*why = "not a size (e.g. 400k, 1M)";
		break;
	case LOGIND_UINT64:
	case LOGIND_UNSIGNED:
	case LOGIND_N_AUTOVTS:
		r = logind_parse_uint64(value, &u);
		*why = "not a non-negative number";
		if (r >= 0 && type != LOGIND_UINT64 && u > UINT_MAX)
			r = -ERANGE;
		if (r >= 0 && type == LOGIND_N_AUTOVTS && u > 15) {
			r = -ERANGE;
			*why = "at most 15 autovts are supported";
		}
		break;
	}
	return r < 0 ? r : 0;
}
