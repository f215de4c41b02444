/* The requested-vs-actual check (see verify.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig_read.h"
#include "verify.h"
#include "util.h"

/* Whether a value of this kind can be assigned to a symbol of type t (as conf_set_sym_val). */
static bool type_accepts(enum kc_type t, const struct kc_entry *e)
{
	switch (t) {
	case KC_TYPE_UNKNOWN:
		return true;
	case KC_TYPE_BOOL:
		return e->kind == KC_V_TRI && e->tri != 'm';
	case KC_TYPE_TRISTATE:
		return e->kind == KC_V_TRI;
	case KC_TYPE_STRING:
		return e->kind == KC_V_STRING || (e->kind == KC_V_TRI && e->tri == 'n');
	case KC_TYPE_INT:
		return e->kind == KC_V_INT;
	case KC_TYPE_HEX:
		return e->kind == KC_V_HEX || (e->kind == KC_V_INT && kconfig_hex_valid(e->str));
	}
	return false;
}

static bool is_symbol_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* "A && B [A=y B=n]": the dependency with the actual value of every symbol it names. */
static void explain_depends(FILE *f, const char *deps, const struct kc_set *actual)
{
	fprintf(f, "; depends on %s [", deps);
	bool first = true;
	for (const char *p = deps; *p;) {
		size_t n = kc_symbol_span(p);
		if (!n) {
			p++;
			continue;
		}
		char name[128];
		bool symbol = false; /* symbols have an upper-case letter; numbers do not */
		for (size_t i = 0; i < n; i++)
			symbol = symbol || isupper((unsigned char)p[i]);
		/* Each symbol once, at its first mention. */
		bool seen = false;
		for (const char *q = deps; symbol && q < p && !seen; q++)
			seen = strncmp(q, p, n) == 0 && (q == deps || !is_symbol_char(q[-1])) &&
			       !is_symbol_char(q[n]);
		if (n < sizeof(name) && symbol && !seen) {
			memcpy(name, p, n);
			name[n] = '\0';
			const struct kc_entry *a = kc_set_find(actual, name);
			fprintf(f, "%s%s=", first ? "" : " ", name);
			if (a)
				kc_value_write(f, a);
			else
				fputc('n', f);
			first = false;
		}
		p += n;
	}
	fputc(']', f);
}

/* The message for a lost value, with its dependencies (k) if any. */
static void write_lost(FILE *f, const struct kc_entry *req, const struct kc_entry *act,
		       const struct ksym *k, const struct kc_set *actual, const char *prefix)
{
	fprintf(f, "%s:%u: %s: %s%s=", req->src.file, req->src.line,
		req->mandatory ? "error" : "warning", prefix, req->name);
	kc_value_write(f, req);
	fprintf(f, " (%s) is not in the final config: ", req->mandatory ? "mandatory" : "optional");
	if (!act)
		fputs("absent", f);
	else if (act->kind == KC_V_TRI && act->tri == 'n')
		fputs("not set", f);
	else {
		fputs("actual ", f);
		kc_value_write(f, act);
	}
	if (k && *k->depends)
		explain_depends(f, k->depends, actual);
}

static void report_lost(const struct kc_entry *req, unsigned hash, const struct kc_entry *act,
			bool bad, const struct ktree *tree, const struct kc_set *actual,
			const char *prefix, struct kc_diags *d)
{
	/* The dependencies explain a lost value; a wrong type is explained already. */
	const struct ksym *k = tree && !bad ? ktree_find_hashed(tree, req->name, hash) : NULL;
	enum kc_severity sev = req->mandatory ? KC_ERROR : KC_WARNING;
	char rv[256], av[256];
	/* The usual message in one formatting step (a memory stream per message was 7% of a
	 * verify with hundreds of lost optional values). */
	if (!(k && *k->depends) && kc_value_format(req, rv, sizeof(rv)) == 0 &&
	    (!act || kc_value_format(act, av, sizeof(av)) == 0)) {
		bool not_set = act && act->kind == KC_V_TRI && act->tri == 'n';
		/* A symbol only a patch of the series defines: the tree may not have it yet. */
		char patch[512] = "";
		if (k && k->borrowed)
			snprintf(patch, sizeof(patch),
				 "; defined by %s:%u only (is the series applied to the tree?)",
				 k->src.file, k->src.line);
		kc_diag(d, sev, "%s:%u: %s: %s%s=%s (%s) is not in the final config: %s%s%s",
			req->src.file, req->src.line, req->mandatory ? "error" : "warning", prefix,
			req->name, rv, req->mandatory ? "mandatory" : "optional",
			!act	  ? "absent"
			: not_set ? "not set"
				  : "actual ",
			act && !not_set ? av : "", patch);
		return;
	}
	/* With its dependencies: into a buffer on the stack when it fits (a memory stream
	 * allocates and clears 8 KB: with a tree, hundreds of lost values have dependencies). */
	char local[2048];
	FILE *f = fmemopen(local, sizeof(local), "w");
	if (f) {
		write_lost(f, req, act, k, actual, prefix);
		bool fits = fflush(f) == 0 && !ferror(f) && ftell(f) < (long)sizeof(local) - 1;
		fclose(f);
		if (fits) {
			kc_diag(d, sev, "%s", local);
			return;
		}
	}
	char *buf = NULL;
	size_t size = 0;
	f = open_memstream(&buf, &size);
	if (!f)
		return;
	write_lost(f, req, act, k, actual, prefix);
	fclose(f);
	if (buf)
		kc_diag(d, sev, "%s", buf);
	free(buf);
}

/* Undefined symbols and wrong types; returns true when the entry is unusable. */
static bool check_definition(const struct kc_entry *req, unsigned hash, const struct ktree *tree,
			     const char *prefix, struct verify_result *res, struct kc_diags *d)
{
	if (!tree)
		return false;
	const struct ksym *k = ktree_find_hashed(tree, req->name, hash);
	bool serious = req->mandatory && !(req->kind == KC_V_TRI && req->tri == 'n');
	const char *sev = serious ? "error" : "warning";
	if (!k) {
		res->undefined++;
		kc_diag(d, serious ? KC_ERROR : KC_WARNING,
			"%s:%u: %s: %s%s is not defined by any Kconfig file (typo?)", req->src.file,
			req->src.line, sev, prefix, req->name);
		return true;
	}
	if (k->removed.file)
		kc_diag(d, KC_WARNING,
			"%s:%u: warning: %s%s: its definition is removed by %s:%u (no Kconfig file "
			"may define it once the series is applied)",
			req->src.file, req->src.line, prefix, req->name, k->removed.file,
			k->removed.line);
	if (!type_accepts(k->type, req)) {
		res->wrong_type++;
		char *v = NULL;
		size_t vs = 0;
		FILE *f = open_memstream(&v, &vs);
		if (f) {
			kc_value_write(f, req);
			fclose(f);
		}
		kc_diag(d, req->mandatory ? KC_ERROR : KC_WARNING,
			"%s:%u: %s: %s%s is a %s symbol (%s:%u), not %s", req->src.file,
			req->src.line, req->mandatory ? "error" : "warning", prefix, req->name,
			kc_type_name(k->type), k->src.file, k->src.line, v ? v : "?");
		free(v);
		return true;
	}
	return false;
}

int verify_config(const struct kc_set *requested, const struct kc_set *actual,
		  const struct ktree *tree, const char *prefix, struct verify_result *res,
		  struct kc_diags *d)
{
	size_t errors_before = d->errors;
	*res = (struct verify_result){0};
	for (size_t i = 0; i < requested->n; i++) {
		const struct kc_entry *req = &requested->v[i];
		unsigned hash = kc_name_hash(req->name); /* one hash for both lookups */
		const struct kc_entry *act = kc_set_find_hashed(actual, req->name, hash);
		res->checked++;
		bool bad = check_definition(req, hash, tree, prefix, res, d);
		bool want_n = req->kind == KC_V_TRI && req->tri == 'n';
		/* An absent symbol is not set: "n" requested is met. */
		if ((!act && want_n) || (act && kc_entry_same_value(req, act))) {
			res->matched++;
			continue;
		}
		if (req->mandatory)
			res->lost_mandatory++;
		else
			res->lost_optional++;
		if (!bad || act)
			report_lost(req, hash, act, bad, tree, actual, prefix, d);
	}
	return res->lost_mandatory || d->errors > errors_before ? -EINVAL : 0;
}
