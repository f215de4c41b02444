/* The timeline.json reader; see timeline_read.h. json-c does the JSON; this file checks that
 * the document is a timeline we understand: the format name, a version no newer than ours,
 * events whose parents come before them (so the tree has no cycles) and whose ends are not
 * before their begins. */
#include "timeline_read.h"

#include <errno.h>
#include <json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline_format.h"
#include "util.h"

#define MAX_DEPTH 64

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* A non-negative integer member; -EINVAL when missing (and required) or of another type. */
static int get_u64(json_object *o, const char *key, bool required, uint64_t *ret)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return required ? -EINVAL : 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	int64_t x = json_object_get_int64(v);
	if (x < 0)
		return -EINVAL;
	*ret = (uint64_t)x;
	return 0;
}

static char *dup_member(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_string);
	return strdup(v ? json_object_get_string(v) : "");
}

static int read_event(json_object *e, size_t i, struct timeline_doc *doc, char *err, size_t size)
{
	struct timeline_doc_event *d = &doc->ev[i];
	json_object *p = get(e, "parent", json_type_int), *kind = get(e, "kind", json_type_string);
	if (!json_object_is_type(e, json_type_object) || !p || !kind)
		return fail(err, size, "event %zu: not an object with \"parent\" and \"kind\"", i);
	int64_t parent = json_object_get_int64(p);
	if (parent < -1 || parent >= (int64_t)i)
		return fail(err, size, "event %zu: parent %lld is not an earlier event", i,
			    (long long)parent);
	d->parent = (int)parent;
	d->depth = parent < 0 ? 0 : doc->ev[parent].depth + 1;
	if (d->depth > MAX_DEPTH)
		return fail(err, size, "event %zu: nested deeper than %d", i, MAX_DEPTH);
	snprintf(d->kind, sizeof(d->kind), "%s", json_object_get_string(kind));
	if (get_u64(e, "begin_us", true, &d->begin_us) < 0 ||
	    get_u64(e, "end_us", true, &d->end_us) < 0)
		return fail(err, size, "event %zu: \"begin_us\"/\"end_us\" missing or not a count",
			    i);
	if (d->end_us < d->begin_us)
		return fail(err, size, "event %zu: ends (%llu us) before it begins (%llu us)", i,
			    (unsigned long long)d->end_us, (unsigned long long)d->begin_us);
	json_object *open = get(e, "open", json_type_boolean);
	d->open = open && json_object_get_boolean(open);
	d->name = dup_member(e, "name");
	d->note = dup_member(e, "note");
	return d->name && d->note ? 0 : -ENOMEM;
}

static int read_doc(json_object *root, struct timeline_doc *doc, char *err, size_t size)
{
	json_object *fmt = get(root, "format", json_type_string);
	if (!fmt || !streq(json_object_get_string(fmt), TIMELINE_FORMAT))
		return fail(err, size, "not an %s document (\"format\" missing or wrong)",
			    TIMELINE_FORMAT);
	json_object *ver = get(root, "version", json_type_int);
	if (!ver || json_object_get_int64(ver) < 1)
		return fail(err, size, "\"version\" missing or not a positive integer");
	if (json_object_get_int64(ver) > TIMELINE_VERSION)
		return fail(err, size, "version %lld is newer than this reader's (%d)",
			    (long long)json_object_get_int64(ver), TIMELINE_VERSION);
	doc->version = (int)json_object_get_int64(ver);
	json_object *ms = get(root, "milestones", json_type_object);
	if (!ms || get_u64(ms, "init_start_us", true, &doc->init_start_us) < 0 ||
	    get_u64(ms, "switch_us", true, &doc->switch_us) < 0 ||
	    get_u64(ms, "kernel_run_init_us", false, &doc->run_init_us) < 0)
		return fail(err, size,
			    "\"milestones\": init_start_us/switch_us missing or not "
			    "counts");
	if (doc->switch_us < doc->init_start_us)
		return fail(err, size, "\"milestones\": switch_us before init_start_us");
	if (get_u64(root, "total_ms", true, &doc->total_ms) < 0 ||
	    get_u64(root, "dropped", false, &doc->dropped) < 0)
		return fail(err, size, "\"total_ms\" missing or not a count");
	doc->initkit = dup_member(root, "initkit");
	json_object *evs = get(root, "events", json_type_array);
	if (!evs)
		return fail(err, size, "\"events\" missing or not an array");
	size_t n = json_object_array_length(evs);
	doc->ev = calloc(n ? n : 1, sizeof(*doc->ev));
	if (!doc->ev || !doc->initkit)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		doc->n = i + 1; /* so that timeline_doc_free() frees what was read */
		int r = read_event(json_object_array_get_idx(evs, i), i, doc, err, size);
		if (r < 0)
			return r;
	}
	doc->n = n;
	return 0;
}

int timeline_doc_parse(const char *text, size_t len, struct timeline_doc *doc, char *err,
		       size_t err_size)
{
	*doc = (struct timeline_doc){0};
	if (err_size)
		err[0] = 0;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_object *root = len ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	int r;
	if (len > (size_t)INT32_MAX)
		r = fail(err, err_size, "too large (%zu bytes)", len);
	else if (!root || jerr != json_tokener_success)
		r = fail(err, err_size, "not JSON: %s at byte %zu",
			 len ? json_tokener_error_desc(jerr) : "empty",
			 len ? json_tokener_get_parse_end(tok) : 0);
	else if (strspn(text + json_tokener_get_parse_end(tok), " \t\r\n") !=
		 len - json_tokener_get_parse_end(tok))
		r = fail(err, err_size, "text after the JSON document at byte %zu",
			 json_tokener_get_parse_end(tok));
	else if (!json_object_is_type(root, json_type_object))
		r = fail(err, err_size, "not a JSON object");
	else
		r = read_doc(root, doc, err, err_size);
	json_object_put(root);
	json_tokener_free(tok);
	if (r < 0)
		timeline_doc_free(doc);
	if (r == -ENOMEM && err_size)
		snprintf(err, err_size, "out of memory");
	return r;
}

void timeline_doc_free(struct timeline_doc *doc)
{
	for (size_t i = 0; doc->ev && i < doc->n; i++) {
		free(doc->ev[i].name);
		free(doc->ev[i].note);
	}
	free(doc->ev);
	free(doc->initkit);
	*doc = (struct timeline_doc){0};
}
