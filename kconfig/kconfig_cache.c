/* Serialising a parsed Kconfig tree and reading it back (see kconfig_cache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kconfig_cache.h"
#include "util.h"

#define MAGIC "KCMTREE\n"
#define BYTE_ORDER_MARK 0x01020304u
#define HEADER_LEN (8 + 4 + 4 + 8 + 8)

void kcache_key_free(struct kcache_key *k)
{
	for (size_t i = 0; i < k->n_files && !k->borrowed; i++)
		free(k->files[i].path);
	free(k->files);
	free(k->tree);
	free(k->srcarch);
	memset(k, 0, sizeof(*k));
}

int kcache_key_add(struct kcache_key *k, const char *path, bool present,
		   const struct kcache_stamp *st)
{
	if (k->n_files == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct kcache_file *v = realloc(k->files, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		k->files = v;
		k->cap = cap;
	}
	char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	k->files[k->n_files++] =
		(struct kcache_file){p, present, present && st ? *st : (struct kcache_stamp){0}};
	return 0;
}

/* The payload's checksum: FNV-1a-style over 8-byte words in four independent lanes (32 bytes
 * a round: one multiply chain was most of loading a 1 MB cache; byte by byte, a third of it),
 * the lanes folded together, then the tail words and bytes. It detects a torn or damaged file,
 * not an attacker (the cache is the user's own). */
uint64_t kcache_checksum(const char *p, size_t n)
{
	const uint64_t prime = 1099511628211ULL;
	uint64_t lane[4] = {1469598103934665603ULL, 1469598103934665603ULL ^ 1,
			    1469598103934665603ULL ^ 2, 1469598103934665603ULL ^ 3};
	size_t i = 0;
	for (; i + 32 <= n; i += 32)
		for (int j = 0; j < 4; j++) {
			uint64_t w;
			memcpy(&w, p + i + 8 * j, 8);
			lane[j] = (lane[j] ^ w) * prime;
			lane[j] ^= lane[j] >> 29;
		}
	uint64_t h = lane[0];
	for (int j = 1; j < 4; j++) {
		h = (h ^ lane[j]) * prime;
		h ^= h >> 29;
	}
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * prime;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * prime;
	return h;
}

void kcache_seal(char *data, size_t len)
{
	if (len < HEADER_LEN)
		return;
	uint64_t plen = len - HEADER_LEN, sum = kcache_checksum(data + HEADER_LEN, plen);
	memcpy(data + 16, &plen, 8);
	memcpy(data + 24, &sum, 8);
}

/* ---- writing ---- */

struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 1 << 16;
		while (cap < o->len + n)
			cap *= 2;
		char *b = realloc(o->buf, cap);
		if (!b) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_u32(struct out *o, uint32_t v)
{
	put(o, &v, sizeof(v));
}

static void put_str(struct out *o, const char *s)
{
	size_t n = strlen(s);
	put_u32(o, (uint32_t)n);
	put(o, s, n + 1); /* with its NUL: read back in place */
}

/* The index of file among the tree's file names (pointer identity: the symbols' sources point
 * into t->files). The last match is remembered: symbols come file by file. */
static int file_index(const struct ktree *t, const char *file, size_t *hint)
{
	if (*hint < t->n_files && t->files[*hint] == file)
		return (int)*hint;
	for (size_t i = 0; i < t->n_files; i++)
		if (t->files[i] == file) {
			*hint = i;
			return (int)i;
		}
	return -1;
}

int kcache_write(const struct kcache_key *key, const struct ktree *t, char **data, size_t *len)
{
	struct out o = {0};
	char header[HEADER_LEN] = {0};
	put(&o, header, sizeof(header)); /* filled in at the end */
	put_str(&o, key->tree ?: "");
	put_str(&o, key->srcarch ?: "");
	put_u32(&o, (uint32_t)key->n_files);
	for (size_t i = 0; i < key->n_files; i++) {
		const struct kcache_file *f = &key->files[i];
		put_str(&o, f->path);
		put(&o, &(uint8_t){f->present}, 1);
		const struct kcache_stamp *s = &f->st;
		uint64_t v[7] = {s->dev,      s->ino,	  s->size,    s->mtime_s,
				 s->mtime_ns, s->ctime_s, s->ctime_ns};
		put(&o, v, sizeof(v));
	}
	put_u32(&o, (uint32_t)t->n);
	size_t hint = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct ksym *k = &t->v[i];
		int fi = file_index(t, k->src.file, &hint);
		if (fi < 0) {
			free(o.buf);
			return -EINVAL;
		}
		put_str(&o, k->name);
		put(&o, &(uint8_t){(uint8_t)k->type}, 1);
		put_str(&o, k->depends ?: "");
		put_u32(&o, (uint32_t)fi);
		put_u32(&o, k->src.line);
	}
	if (o.failed) {
		free(o.buf);
		return -ENOMEM;
	}
	uint32_t version = KCACHE_VERSION, bom = BYTE_ORDER_MARK;
	memcpy(o.buf, MAGIC, 8);
	memcpy(o.buf + 8, &version, 4);
	memcpy(o.buf + 12, &bom, 4);
	kcache_seal(o.buf, o.len);
	*data = o.buf;
	*len = o.len;
	return 0;
}

/* ---- reading ---- */

struct in {
	char *p, *end;
	bool bad;
	unsigned hash; /* of the last name (get_name) */
};

static bool get(struct in *in, void *dst, size_t n)
{
	if (in->bad || (size_t)(in->end - in->p) < n) {
		in->bad = true;
		return false;
	}
	memcpy(dst, in->p, n);
	in->p += n;
	return true;
}

static uint32_t get_u32(struct in *in)
{
	uint32_t v = 0;
	get(in, &v, sizeof(v));
	return v;
}

/* The next string, in place (NULL and in->bad set when it does not fit or is not exactly n
 * bytes followed by a NUL). */
static char *get_str(struct in *in)
{
	uint32_t n = get_u32(in);
	if (in->bad || (size_t)(in->end - in->p) <= n || in->p[n] != '\0' ||
	    memchr(in->p, '\0', n)) {
		in->bad = true;
		return NULL;
	}
	char *s = in->p;
	in->p += n + 1;
	return s;
}

/* The next string, which must be a symbol name ([A-Za-z0-9_]+): checked and hashed
 * (kc_name_hash) in one pass. */
static char *get_name(struct in *in)
{
	static const unsigned char sym[256] = {
		['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['_'] = 1};
	uint32_t n = get_u32(in);
	if (in->bad || !n || (size_t)(in->end - in->p) <= n || in->p[n] != '\0') {
		in->bad = true;
		return NULL;
	}
	uint32_t h = 2166136261u; /* kc_name_hash's FNV-1a */
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in->p[i];
		if (!sym[c]) {
			in->bad = true;
			return NULL;
		}
		h = (h ^ c) * 16777619u;
	}
	in->hash = h;
	char *s = in->p;
	in->p += n + 1;
	return s;
}

int kcache_read(char *data, size_t len, struct kcache_key *key, struct ktree *t)
{
	uint32_t version, bom;
	uint64_t plen, sum;
	if (len < HEADER_LEN || memcmp(data, MAGIC, 8) != 0)
		return -EBADMSG;
	memcpy(&version, data + 8, 4);
	memcpy(&bom, data + 12, 4);
	memcpy(&plen, data + 16, 8);
	memcpy(&sum, data + 24, 8);
	if (version != KCACHE_VERSION || bom != BYTE_ORDER_MARK || plen != len - HEADER_LEN ||
	    kcache_checksum(data + HEADER_LEN, plen) != sum)
		return -EBADMSG;

	struct in in = {data + HEADER_LEN, data + len, false, 0};
	bool enomem = false;
	const char *tree = get_str(&in), *srcarch = get_str(&in);
	if (tree && srcarch && (!(key->tree = strdup(tree)) || !(key->srcarch = strdup(srcarch))))
		enomem = true;
	uint32_t n_files = get_u32(&in);
	/* Each file takes at least 62 bytes: a count larger than the rest is corrupt. */
	if (n_files > (size_t)(in.end - in.p) / 62)
		in.bad = true;
	/* The paths stay in data (the tree's arena): no copies. */
	key->borrowed = true;
	if (!in.bad && !enomem &&
	    (!(key->files = malloc((n_files + 1) * sizeof(*key->files))) ||
	     !(t->files = malloc((n_files + 1) * sizeof(*t->files)))))
		enomem = true;
	key->cap = n_files + 1;
	for (uint32_t i = 0; i < n_files && !in.bad && !enomem; i++) {
		char *path = get_str(&in);
		uint8_t present = 0;
		uint64_t v[7] = {0};
		get(&in, &present, 1);
		get(&in, v, sizeof(v));
		if (in.bad || present > 1 || !*path) {
			in.bad = true;
			break;
		}
		key->files[key->n_files++] = (struct kcache_file){
			path, present, {v[0], v[1], v[2], v[3], v[4], v[5], v[6]}};
		if (present)
			t->files[t->n_files++] = path;
	}
	uint32_t n_syms = get_u32(&in);
	/* Each symbol takes at least 19 bytes. */
	if (n_syms > (size_t)(in.end - in.p) / 19)
		in.bad = true;
	if (!in.bad && !enomem && ktree_reserve(t, n_syms) < 0)
		enomem = true;
	/* From here on the names live in data: ktree_free must not free them one by one. */
	t->arena = data;
	for (uint32_t i = 0; i < n_syms && !in.bad && !enomem; i++) {
		char *name = get_name(&in);
		uint8_t type = 0;
		get(&in, &type, 1);
		char *depends = get_str(&in);
		uint32_t fi = get_u32(&in), line = get_u32(&in);
		if (in.bad || type > KC_TYPE_HEX || fi >= t->n_files) {
			in.bad = true;
			break;
		}
		size_t before = t->n;
		struct ksym *k = ktree_get_borrowed_hashed(t, name, in.hash);
		if (!k) {
			enomem = true;
			break;
		}
		if (t->n == before) {
			in.bad = true; /* a symbol twice */
			break;
		}
		k->type = (enum kc_type)type;
		k->depends = depends;
		k->src = (struct kc_src){t->files[fi], line};
	}
	if (in.p != in.end)
		in.bad = true;
	if (in.bad || enomem || !key->tree || !key->srcarch) {
		t->arena = NULL; /* still the caller's */
		for (size_t i = 0; i < t->n; i++)
			t->v[i].name = t->v[i].depends = NULL;
		t->n_files = 0; /* the names point into data */
		kcache_key_free(key);
		ktree_free(t);
		return enomem ? -ENOMEM : -EBADMSG;
	}
	return 0;
}

/* ---- pruning ---- */

enum kcache_name_kind kcache_name_kind(const char *name)
{
	size_t n = strlen(name), i = 5;
	if (strncmp(name, "tree-", 5) != 0)
		return KCACHE_NAME_OTHER;
	for (; i < 21; i++)
		if (!(name[i] >= '0' && name[i] <= '9') && !(name[i] >= 'a' && name[i] <= 'f'))
			return KCACHE_NAME_OTHER;
	if (name[i++] != '-')
		return KCACHE_NAME_OTHER;
	size_t arch = i;
	while (name[i] == '_' || name[i] == '-' || (name[i] >= '0' && name[i] <= '9') ||
	       (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z'))
		i++;
	if (i == arch || strncmp(name + i, ".kct", 4) != 0)
		return KCACHE_NAME_OTHER;
	i += 4;
	if (i == n)
		return KCACHE_NAME_CACHE;
	if (n - i != 10 || strncmp(name + i, ".tmp", 4) != 0)
		return KCACHE_NAME_OTHER;
	for (i += 4; i < n; i++)
		if (!(name[i] >= '0' && name[i] <= '9') && !(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= 'a' && name[i] <= 'z'))
			return KCACHE_NAME_OTHER;
	return KCACHE_NAME_TMP;
}

static int by_recent_use(const void *a, const void *b)
{
	const struct kcache_dirent *x = a, *y = b;
	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t kcache_prune_select(struct kcache_dirent *v, size_t n, int64_t now, int64_t max_age,
			   size_t max_keep)
{
	qsort(v, n, sizeof(*v), by_recent_use);
	size_t marked = 0;
	for (size_t i = 0; i < n; i++) {
		v[i].remove = i >= max_keep || v[i].mtime < now - max_age;
		marked += v[i].remove;
	}
	return marked;
}
