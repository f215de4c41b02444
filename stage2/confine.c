/* X-Initkit-* keys and the confinement drop-in; see confine.h. */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const exec_keys[] = {"ExecCondition", "ExecStartPre", "ExecStart",
					"ExecStartPost", "ExecReload",	 "ExecStop",
					"ExecStopPost"};

/* systemd's fixed search path for Exec lines without an absolute path (since 239). */
static const char *const exec_search[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					  "/usr/bin",	     "/sbin",	       "/bin"};

const char *const confine_preset_help =
	"  nss  /etc/nsswitch.conf, /etc/passwd, /etc/group and the libnss_*.so.2 modules it "
	"names\n"
	"  dns  /etc/resolv.conf (and its link target), /etc/hosts, /etc/host.conf, "
	"/etc/gai.conf,\n"
	"       /etc/nsswitch.conf\n"
	"  tls  /etc/ssl/certs, /usr/share/ca-certificates, /etc/ssl/openssl.cnf, /usr/lib/ssl\n";

void confine_request_free(struct confine_request *r)
{
	free(r->binsh);
	for (size_t i = 0; i < r->n_paths; i++)
		free(r->paths[i]);
	for (size_t i = 0; i < r->n_creds; i++)
		free(r->creds[i]);
	for (size_t i = 0; i < r->n_execs; i++)
		free(r->execs[i]);
	free(r->paths);
	free(r->creds);
	free(r->execs);
	memset(r, 0, sizeof(*r));
}

__attribute__((format(printf, 4, 5))) static int
bad(char *err, size_t size, const struct unit_assign *a, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (a)
		snprintf(err, size, "%s:%u: %s=%s: %s", a->file, a->line, a->key, a->value, why);
	else
		snprintf(err, size, "%s", why);
	return -EINVAL;
}

static int push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* A path we can bind: absolute, no specifier, nothing BindReadOnlyPaths= would split on. */
static const char *path_problem(const char *p, size_t n)
{
	if (n > 1 && p[0] == '-')
		p++, n--; /* "-PATH": bound when present at start, no closure */
	if (n == 0 || p[0] != '/')
		return "not an absolute path";
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%')
			return "a specifier cannot be resolved before the unit starts";
		if (p[i] == ':' || p[i] == '"' || p[i] == '\'' || p[i] == '\\')
			return "':', quotes and backslashes cannot be bound";
	}
	return NULL;
}

static int read_words(const struct unit_assign *a, char ***v, size_t *n, char *err, size_t size)
{
	for (const char *s = a->value; *s;) {
		s += strspn(s, " \t");
		size_t l = strcspn(s, " \t");
		if (!l)
			break;
		const char *why = path_problem(s, l);
		if (why)
			return bad(err, size, a, "%.*s: %s", (int)l, s, why);
		if (push(v, n, s, l) < 0)
			return -ENOMEM;
		s += l;
	}
	return 0;
}

static int read_presets(const struct unit_assign *a, unsigned *presets, char *err, size_t size)
{
	for (const char *s = a->value; *s;) {
		s += strspn(s, " \t");
		size_t l = strcspn(s, " \t");
		if (!l)
			break;
		if (l == 3 && !strncmp(s, "nss", 3))
			*presets |= PRESET_NSS;
		else if (l == 3 && !strncmp(s, "dns", 3))
			*presets |= PRESET_DNS;
		else if (l == 3 && !strncmp(s, "tls", 3))
			*presets |= PRESET_TLS;
		else
			return bad(err, size, a, "unknown preset '%.*s' (nss, dns, tls)", (int)l,
				   s);
		s += l;
	}
	return 0;
}

static int read_credential(const struct unit_assign *a, struct confine_request *r, char *err,
			   size_t size)
{
	const char *colon = strchr(a->value, ':');
	if (!colon || colon == a->value)
		return bad(err, size, a, "not ID:PATH");
	size_t idlen = (size_t)(colon - a->value);
	if (idlen > 255 || memchr(a->value, '/', idlen) || memchr(a->value, '%', idlen) ||
	    (idlen == 1 && a->value[0] == '.') || (idlen == 2 && !strncmp(a->value, "..", 2)))
		return bad(err, size, a, "'%.*s' is not a valid credential name", (int)idlen,
			   a->value);
	for (size_t i = 0; i < idlen; i++)
		if (a->value[i] <= ' ' || a->value[i] == 0x7f)
			return bad(err, size, a,
				   "credential name with blanks or control characters");
	if (colon[1] != '/')
		return bad(err, size, a, "'%s' is not an absolute path", colon + 1);
	if (strpbrk(colon + 1, " \t\"'\\"))
		return bad(err, size, a, "blanks, quotes and backslashes are not supported");
	return push(&r->creds, &r->n_creds, a->value, strlen(a->value));
}

/* The executable of one Exec line: prefixes "@-:+!" skipped, the first word; several
 * commands separated by a lone ";" each give one. */
static int read_exec(const struct unit_assign *a, struct confine_request *r, char *err, size_t size)
{
	const char *s = a->value;
	bool cmd_start = true;
	while (*s) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		char quote = (*s == '"' || *s == '\'') ? *s : 0;
		const char *w = s + (quote ? 1 : 0);
		size_t l = quote ? strcspn(w, quote == '"' ? "\"" : "'") : strcspn(w, " \t");
		s = w + l + (quote && w[l] ? 1 : 0);
		if (l == 1 && w[0] == ';' && !quote) {
			cmd_start = true;
			continue;
		}
		if (!cmd_start)
			continue;
		cmd_start = false;
		while (l && !quote && strchr("@-:+!", *w)) {
			/* "+": full privileges, and systemd 252 drops ReadOnlyPaths= and
			 * InaccessiblePaths= for it: root in a writable root that shows its own
			 * runtime directory, free to leave it. The unit would be half-confined. */
			if (*w == '+')
				return bad(
					err, size, a,
					"'+' runs this command with full privileges and without "
					"the root's read-only and inaccessible paths; a confined "
					"unit cannot have it");
			w++, l--;
		}
		if (!l)
			return bad(err, size, a, "no executable");
		if (memchr(w, '%', l))
			return bad(err, size, a,
				   "the executable's path has a specifier; its closure cannot be "
				   "computed before the unit starts");
		if (push(&r->execs, &r->n_execs, w, l) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int read_key(const struct unit_assign *a, struct confine_request *r, char *err, size_t size)
{
	const char *k = a->key + strlen("X-Initkit-");
	const char *v = a->value;
	if (streq(k, "Confine")) {
		if (streq(v, "full-apivfs"))
			r->mode = CONFINE_FULL_APIVFS;
		else if (streq(v, "chroot-only"))
			r->mode = CONFINE_CHROOT_ONLY;
		else if (streq(v, "no") || !*v)
			r->mode = CONFINE_NONE;
		else
			return bad(err, size, a, "not full-apivfs, chroot-only or no");
	} else if (streq(k, "Harden")) {
		if (streq(v, "strict"))
			r->harden = HARDEN_STRICT;
		else if (streq(v, "strict-offline"))
			r->harden = HARDEN_STRICT_OFFLINE;
		else if (streq(v, "no") || !*v)
			r->harden = HARDEN_NONE;
		else
			return bad(err, size, a, "not strict, strict-offline or no");
	} else if (streq(k, "ConfineBinSh")) {
		free(r->binsh);
		r->binsh = NULL;
		if (streq(v, "no"))
			return 0;
		const char *why = path_problem(v, strlen(v));
		if (why || strpbrk(v, " \t"))
			return bad(err, size, a, "not 'no' or the absolute path of a shell%s%s",
				   why ? ": " : "", why ? why : "");
		if (!(r->binsh = strdup(v)))
			return -ENOMEM;
	} else if (streq(k, "ConfinePaths")) {
		if (!*v) { /* an empty assignment resets the list, as systemd's lists */
			for (size_t i = 0; i < r->n_paths; i++)
				free(r->paths[i]);
			r->n_paths = 0;
			return 0;
		}
		return read_words(a, &r->paths, &r->n_paths, err, size);
	} else if (streq(k, "ConfinePresets")) {
		if (!*v)
			r->presets = 0;
		return read_presets(a, &r->presets, err, size);
	} else if (streq(k, "ConfineCredential")) {
		if (!*v) {
			for (size_t i = 0; i < r->n_creds; i++)
				free(r->creds[i]);
			r->n_creds = 0;
			return 0;
		}
		return read_credential(a, r, err, size);
	} else
		return bad(err, size, a,
			   "unknown initkit key (X-Initkit-Confine, -ConfinePaths, -ConfineBinSh, "
			   "-ConfinePresets, -ConfineCredential, -Harden)");
	return 0;
}

static int exec_cb(const struct unit_assign *a, void *data)
{
	void **d = data;
	return read_exec(a, d[0], d[1], *(size_t *)d[2]);
}

int confine_read(const struct unit_conf *c, struct confine_request *r, char *err, size_t size)
{
	memset(r, 0, sizeof(*r));
	if (!(r->binsh = strdup("/bin/sh")))
		return -ENOMEM;
	const struct unit_assign *first = NULL, *confine_at = NULL, *other_at = NULL;
	for (size_t i = 0; i < c->n; i++) {
		const struct unit_assign *a = &c->v[i];
		if (strncmp(a->key, "X-Initkit-", 10) != 0)
			continue;
		if (!first)
			first = a;
		int e = read_key(a, r, err, size);
		if (e < 0)
			return e;
		if (streq(a->key, "X-Initkit-Confine"))
			confine_at = a;
		else if (!streq(a->key, "X-Initkit-Harden") &&
			 !streq(a->key, "X-Initkit-ConfineCredential"))
			other_at = a;
	}
	if (!first)
		return 0;
	/* X-Initkit-Confine=no (an administrator's drop-in turning a vendor's confinement off)
	 * makes the other confinement keys moot; never set, they are a mistake */
	if (r->mode == CONFINE_NONE && !confine_at && other_at && other_at->value[0])
		return bad(err, size, other_at, "has no effect without X-Initkit-Confine=");
	if (r->mode == CONFINE_NONE && r->harden == HARDEN_NONE && !r->n_creds)
		return 0;
	if (r->mode == CONFINE_NONE)
		return 1;
	const struct unit_assign *a = unit_conf_last(c, "RootDirectoryStartOnly");
	if (a && parse_boolean(a->value) > 0)
		return bad(err, size, a,
			   "ExecStartPre=/ExecStartPost= would run outside the confined root; "
			   "X-Initkit-Confine= (%s:%u) does not support it",
			   confine_at->file, confine_at->line);
	/* The root is one of the unit's RuntimeDirectory= entries and gets their mode: writable
	 * by group or others, they could rename its mount points away on the host and put
	 * their own /etc (ld.so.preload, nsswitch.conf) under the running service. */
	if ((a = unit_conf_last(c, "RuntimeDirectoryMode")) && a->value[0]) {
		char *end;
		unsigned long m = strtoul(a->value, &end, 8);
		if (*end == '\0' && (m & 022))
			return bad(err, size, a,
				   "the confined root would be writable by group or others on the "
				   "host (it is a RuntimeDirectory=); X-Initkit-Confine= (%s:%u) "
				   "does not support it",
				   confine_at->file, confine_at->line);
	}
	static const char *const own[] = {"RootDirectory", "RootImage"};
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if ((a = unit_conf_last(c, own[i])) && a->value[0])
			return bad(err, size, a,
				   "the unit has its own root; X-Initkit-Confine= (%s:%u) "
				   "would replace it",
				   confine_at->file, confine_at->line);
	void *d[3] = {r, err, &size};
	for (size_t i = 0; i < ARRAY_SIZE(exec_keys); i++) {
		int e = unit_conf_each(c, exec_keys[i], exec_cb, d);
		if (e < 0)
			return e;
	}
	if (!r->n_execs)
		return bad(err, size, confine_at, "the unit has no ExecStart=");
	return 1;
}

static int add_exec(struct closure *cl, const char *exe)
{
	char why[PATH_MAX + 32];
	snprintf(why, sizeof(why), "executable (%s)", exe);
	if (exe[0] == '/')
		return closure_add(cl, exe, why);
	for (size_t i = 0; i < ARRAY_SIZE(exec_search); i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", exec_search[i], exe);
		struct closure probe;
		closure_init(&probe, cl->rootfd);
		int r = closure_add_optional(&probe, p, why);
		bool found = r == 0 && probe.n > 0;
		closure_free(&probe);
		if (found)
			return closure_add(cl, p, why);
	}
	snprintf(cl->error, sizeof(cl->error),
		 "%s: not found in %s and the other directories of "
		 "systemd's executable search path",
		 exe, exec_search[0]);
	return -ENOENT;
}

static int add_nss(struct closure *cl, const char *requester)
{
	static const char *const files[] = {"/etc/nsswitch.conf", "/etc/passwd", "/etc/group"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (closure_add_optional(cl, files[i], "preset nss") < 0)
			return -ENOMEM;
	char path[] = "/etc/nsswitch.conf";
	int fd = openat(cl->rootfd, path + 1, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *s2 = NULL;
		for (char *w = strtok_r(colon + 1, " \t", &s2); w; w = strtok_r(NULL, " \t", &s2)) {
			if (w[0] == '[' || strchr(w, ']'))
				continue;
			char lib[128], *found = NULL;
			snprintf(lib, sizeof(lib), "libnss_%s.so.2", w);
			/* files and dns are built into glibc since 2.34: no module to find */
			if (closure_find_library(cl, lib, requester, &found) == 0) {
				closure_add_optional(cl, found, "preset nss (nsswitch.conf)");
				free(found);
			}
			cl->error[0] = '\0';
		}
	}
	return 0;
}

static int confine_closure_paths(const struct confine_request *r, struct closure *cl);

/* A credential's source inside something bound into the root would be visible there. */
static int check_creds(const struct confine_request *r, struct closure *cl)
{
	for (size_t i = 0; i < r->n_creds; i++) {
		const char *src = strchr(r->creds[i], ':') + 1;
		for (size_t j = 0; j < cl->n + r->n_paths; j++) {
			const char *b = j < cl->n ? cl->v[j].path : r->paths[j - cl->n];
			if (j < cl->n && !cl->v[j].bind)
				continue;
			if (j >= cl->n && *b++ != '-')
				continue; /* "-PATH": bound as written, no closure entry */
			size_t l = strlen(b);
			if (streq(b, "/") || (!strncmp(src, b, l) && (!src[l] || src[l] == '/'))) {
				snprintf(cl->error, sizeof(cl->error),
					 "X-Initkit-ConfineCredential=%s: %s would be visible "
					 "inside the root (%s is bound: %s)",
					 r->creds[i], src, b,
					 j < cl->n ? cl->v[j].reason : "X-Initkit-ConfinePaths");
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* BindReadOnlyPaths= splits on blanks and ':', unquotes, unescapes and expands specifiers: a
 * closure path with one of those would be bound wrong or not at all (the service then fails
 * in its root with a file missing), so the unit is refused instead. */
static int check_bindable(struct closure *cl)
{
	for (size_t i = 0; i < cl->n; i++) {
		const char *p = cl->v[i].path;
		if (!cl->v[i].bind)
			continue;
		for (const char *c = p; *c; c++)
			if (strchr(" \t:%\"'\\", *c) || (unsigned char)*c < ' ' || *c == 0x7f) {
				snprintf(cl->error, sizeof(cl->error),
					 "'%s' (%s) cannot be given to BindReadOnlyPaths= (blank, "
					 "control character, ':', '%%', quote or backslash)",
					 p, cl->v[i].reason);
				return -EINVAL;
			}
	}
	return 0;
}

int confine_closure(const struct confine_request *r, struct closure *cl)
{
	int e = confine_closure_paths(r, cl);
	if (e >= 0)
		e = check_bindable(cl);
	return e < 0 ? e : check_creds(r, cl);
}

static int confine_closure_paths(const struct confine_request *r, struct closure *cl)
{
	int e;
	for (size_t i = 0; i < r->n_execs; i++)
		if ((e = add_exec(cl, r->execs[i])) < 0)
			return e;
	if (r->binsh && (e = closure_add(cl, r->binsh, "X-Initkit-ConfineBinSh (/bin/sh)")) < 0)
		return e;
	for (size_t i = 0; i < r->n_paths; i++)
		if (r->paths[i][0] != '-' &&
		    (e = closure_add(cl, r->paths[i], "X-Initkit-ConfinePaths")) < 0)
			return e;
	if (closure_add_optional(cl, "/etc/ld.so.cache", "the loader's cache") < 0)
		return -ENOMEM;
	if (r->presets & PRESET_DNS) {
		static const char *const f[] = {"/etc/resolv.conf", "/etc/hosts", "/etc/host.conf",
						"/etc/gai.conf", "/etc/nsswitch.conf"};
		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			if (closure_add_optional(cl, f[i], "preset dns") < 0)
				return -ENOMEM;
	}
	if (r->presets & PRESET_TLS) {
		static const char *const f[] = {"/etc/ssl/certs", "/usr/share/ca-certificates",
						"/etc/ssl/openssl.cnf", "/usr/lib/ssl"};
		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			if (closure_add_optional(cl, f[i], "preset tls") < 0)
				return -ENOMEM;
	}
	if (r->presets & PRESET_NSS) {
		char exe[PATH_MAX];
		/* the first ELF executable of the closure decides the architecture */
		snprintf(exe, sizeof(exe), "%s", r->binsh ? r->binsh : r->execs[0]);
		for (size_t i = 0; i < cl->n; i++)
			if (cl->v[i].kind == CLOSURE_FILE && strstr(cl->v[i].reason, "PT_INTERP")) {
				snprintf(exe, sizeof(exe), "%s", cl->v[i].path);
				break;
			}
		if ((e = add_nss(cl, exe)) < 0)
			return e;
	}
	return 0;
}

struct setting {
	const char *key, *value;
};

/* NixOS's confinement modes (nixos/modules/security/systemd-confinement.nix). */
static const struct setting mode_full[] = {
	{"MountAPIVFS", "yes"},
	{"PrivateDevices", "yes"},
	{"PrivateTmp", "yes"},
	{"PrivateUsers", "yes"},
	{"ProtectControlGroups", "yes"},
	{"ProtectKernelModules", "yes"},
	{"ProtectKernelTunables", "yes"},
};
static const struct setting mode_chroot[] = {{"MountAPIVFS", "no"}};

/* github-runner's set and what further lowers systemd-analyze security's exposure without
 * breaking an ordinary network daemon. */
static const struct setting harden_strict[] = {
	{"CapabilityBoundingSet", ""},
	{"AmbientCapabilities", ""},
	{"NoNewPrivileges", "yes"},
	{"PrivateDevices", "yes"},
	{"PrivateUsers", "yes"},
	{"PrivateTmp", "yes"},
	{"PrivateMounts", "yes"},
	{"ProtectSystem", "strict"},
	{"ProtectHome", "yes"},
	{"ProtectKernelTunables", "yes"},
	{"ProtectKernelModules", "yes"},
	{"ProtectKernelLogs", "yes"},
	{"ProtectControlGroups", "yes"},
	{"ProtectClock", "yes"},
	{"ProtectHostname", "yes"},
	{"ProtectProc", "invisible"},
	{"ProcSubset", "pid"},
	{"RestrictNamespaces", "yes"},
	{"RestrictRealtime", "yes"},
	{"RestrictSUIDSGID", "yes"},
	{"LockPersonality", "yes"},
	{"MemoryDenyWriteExecute", "yes"},
	{"RemoveIPC", "yes"},
	{"SystemCallArchitectures", "native"},
	{"SystemCallFilter", "@system-service\nSystemCallFilter=~@privileged @resources @clock "
			     "@cpu-emulation @debug @module @mount @obsolete @raw-io @reboot "
			     "@swap"},
	{"SystemCallErrorNumber", "EPERM"},
	{"RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6 AF_NETLINK"},
	{"DevicePolicy", "closed"},
	{"UMask", "0066"},
	{"KeyringMode", "private"},
};
static const struct setting harden_offline[] = {
	{"PrivateNetwork", "yes"},
	{"IPAddressDeny", "any"},
	{"RestrictAddressFamilies", "AF_UNIX"},
};

static bool emitted(const char *key, const struct setting *done, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(done[i].key, key))
			return true;
	return false;
}

/* Writes key=value unless someone set key in the unit (or it was written already). */
static void put_default(FILE *out, const struct unit_conf *c, const struct setting *s,
			struct setting *done, size_t *n_done)
{
	if (emitted(s->key, done, *n_done))
		return;
	done[(*n_done)++] = *s;
	const struct unit_assign *a = unit_conf_last(c, s->key);
	if (a) {
		fprintf(out, "# %s: left as %s:%u sets it\n", s->key, a->file, a->line);
		return;
	}
	fprintf(out, "%s=%s\n", s->key, s->value);
}

int confine_dropin(const struct confine_request *r, const struct unit_conf *c,
		   const struct closure *cl, const char *unit, const char *fragment, FILE *out)
{
	static const char *const mode_name[] = {"none", "full-apivfs", "chroot-only"};
	static const char *const harden_name[] = {"none", "strict", "strict-offline"};
	struct setting done[128];
	size_t n_done = 0;
	fprintf(out,
		"# Written by initkit-confine for %s (%s): confinement %s, hardening %s.\n"
		"# Settings the unit sets itself are left to it.\n[Service]\n",
		unit, fragment, mode_name[r->mode], harden_name[r->harden]);
	if (r->mode != CONFINE_NONE) {
		/* The root: an empty directory under /run that systemd creates per unit and per
		 * instance (%n) before it sets up the namespace, read-only inside, and hidden from
		 * itself (systemd would otherwise bind the runtime directory into the root). */
		fprintf(out, "RuntimeDirectory=initkit/confine/%%n\n"
			     "RootDirectory=" CONFINE_ROOT_PARENT "/%%n\n"
			     "InaccessiblePaths=-+" CONFINE_ROOT_PARENT "/%%n\n"
			     "ReadOnlyPaths=+/\n"
			     "ReadOnlyPaths=-+/run\n"
			     "PrivateMounts=yes\n");
		done[n_done++] = (struct setting){"PrivateMounts", "yes"};
		const struct setting *m = r->mode == CONFINE_FULL_APIVFS ? mode_full : mode_chroot;
		size_t nm = r->mode == CONFINE_FULL_APIVFS ? ARRAY_SIZE(mode_full)
							   : ARRAY_SIZE(mode_chroot);
		for (size_t i = 0; i < nm; i++)
			put_default(out, c, &m[i], done, &n_done);
		for (size_t i = 0; i < cl->n; i++) {
			const struct closure_entry *e = &cl->v[i];
			if (!e->bind)
				continue;
			/* a shell of one's own is /bin/sh, also for #!/bin/sh scripts */
			bool own_sh = r->binsh && !streq(r->binsh, "/bin/sh");
			if (own_sh && streq(e->path, "/bin/sh"))
				continue;
			if (own_sh && streq(e->path, r->binsh))
				fprintf(out, "BindReadOnlyPaths=%s:/bin/sh\n", e->path);
			fprintf(out, "BindReadOnlyPaths=%s\n", e->path);
		}
		for (size_t i = 0; i < r->n_paths; i++)
			if (r->paths[i][0] == '-')
				fprintf(out, "BindReadOnlyPaths=%s\n", r->paths[i]);
	}
	for (size_t i = 0; i < r->n_creds; i++)
		fprintf(out, "LoadCredential=%s\n", r->creds[i]);
	if (r->harden != HARDEN_NONE) {
		if (!unit_conf_has(c, "User") && !unit_conf_has(c, "DynamicUser"))
			fprintf(out, "DynamicUser=yes\n");
		else
			fprintf(out,
				"# DynamicUser: left as the unit sets User= or DynamicUser=\n");
		if (r->harden == HARDEN_STRICT_OFFLINE)
			for (size_t i = 0; i < ARRAY_SIZE(harden_offline); i++)
				put_default(out, c, &harden_offline[i], done, &n_done);
		for (size_t i = 0; i < ARRAY_SIZE(harden_strict); i++)
			put_default(out, c, &harden_strict[i], done, &n_done);
	}
	return ferror(out) ? -EIO : 0;
}
