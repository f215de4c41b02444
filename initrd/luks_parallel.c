/* Parallel key derivation and the modules LUKS needs; see luks_parallel.h. */
#include "luks_parallel.h"

#include <errno.h>
#include <libcryptsetup.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "util.h"

int luks_keys_init(struct luks_keys *k, size_t n)
{
	*k = (struct luks_keys){0};
	if (n == 0)
		return 0;
	k->buf = mmap(NULL, n * LUKS_KEY_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (k->buf == MAP_FAILED) {
		k->buf = NULL;
		return -errno;
	}
	(void)mlock(k->buf, n * LUKS_KEY_MAX); /* as the passphrase store: best effort */
	madvise(k->buf, n * LUKS_KEY_MAX, MADV_DONTDUMP);
	k->n = n;
	return 0;
}

char *luks_keys_at(struct luks_keys *k, size_t i)
{
	return k->buf && i < k->n ? k->buf + i * LUKS_KEY_MAX : NULL;
}

void luks_keys_forget(struct luks_keys *k, size_t i)
{
	if (k->buf && i < k->n)
		explicit_bzero(k->buf + i * LUKS_KEY_MAX, LUKS_KEY_MAX);
}

void luks_keys_wipe(struct luks_keys *k)
{
	if (!k->buf)
		return;
	explicit_bzero(k->buf, k->n * LUKS_KEY_MAX);
	munlock(k->buf, k->n * LUKS_KEY_MAX);
	munmap(k->buf, k->n * LUKS_KEY_MAX);
	*k = (struct luks_keys){0};
}

unsigned luks_parallel_threads(long online_cpus, size_t n_jobs, uint64_t mem_avail_kb,
			       uint64_t kdf_mem_kb)
{
	size_t t = online_cpus < 1 ? 1 : (size_t)online_cpus;
	if (t > n_jobs)
		t = n_jobs;
	if (mem_avail_kb && kdf_mem_kb && t > mem_avail_kb / 2 / kdf_mem_kb)
		t = (size_t)(mem_avail_kb / 2 / kdf_mem_kb);
	return t < 1 ? 1 : (unsigned)t;
}

static pthread_mutex_t crypt_ctx_lock = PTHREAD_MUTEX_INITIALIZER;

int luks_crypt_init(struct crypt_device **cd, const char *device, const char *header)
{
	pthread_mutex_lock(&crypt_ctx_lock);
	int r = header ? crypt_init_data_device(cd, header, device) : crypt_init(cd, device);
	pthread_mutex_unlock(&crypt_ctx_lock);
	return r;
}

void luks_crypt_free(struct crypt_device *cd)
{
	if (!cd)
		return;
	pthread_mutex_lock(&crypt_ctx_lock);
	crypt_free(cd);
	pthread_mutex_unlock(&crypt_ctx_lock);
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t luks_kdf_memory_kb(struct crypt_device *cd)
{
	uint64_t kb = 0;
	for (int slot = 0; slot < 32; slot++) {
		struct crypt_pbkdf_type pbkdf;
		crypt_keyslot_info ki = crypt_keyslot_status(cd, slot);
		if ((ki == CRYPT_SLOT_ACTIVE || ki == CRYPT_SLOT_ACTIVE_LAST) &&
		    crypt_keyslot_get_pbkdf(cd, slot, &pbkdf) == 0 && pbkdf.max_memory_kb > kb)
			kb = pbkdf.max_memory_kb;
	}
	return kb;
}

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct luks_kdf_job *jobs;
	size_t n, next;
	bool cancel;
	uint64_t budget_kb, used_kb; /* argon2 memory: allowed (0: no limit), in use */
};

/* Waits until kb more of argon2 memory fit the budget; one KDF always runs, however large. */
static void memory_take(struct pool *p, uint64_t kb)
{
	pthread_mutex_lock(&p->lock);
	while (p->budget_kb && p->used_kb && p->used_kb + kb > p->budget_kb)
		pthread_cond_wait(&p->freed, &p->lock);
	p->used_kb += kb;
	pthread_mutex_unlock(&p->lock);
}

static void memory_give(struct pool *p, uint64_t kb)
{
	pthread_mutex_lock(&p->lock);
	p->used_kb -= kb;
	pthread_cond_broadcast(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

static bool has_tpm2_token(struct crypt_device *cd)
{
	for (int i = 0; i < 32; i++) {
		const char *type = NULL;
		crypt_token_info ti = crypt_token_status(cd, i, &type);
		if (ti != CRYPT_TOKEN_INVALID && ti != CRYPT_TOKEN_INACTIVE && type &&
		    streq(type, "systemd-tpm2"))
			return true;
	}
	return false;
}

static void kdf_one(struct pool *p, struct luks_kdf_job *j)
{
	struct crypt_device *own = NULL, *cd = j->cd;
	j->begin_ns = boottime_ns();
	j->end_ns = 0;
	j->r = 0;
	if (!cd) {
		j->r = luks_crypt_init(&own, j->device, j->header);
		if (j->r >= 0)
			j->r = crypt_load(own, CRYPT_LUKS, NULL);
		if (j->r == -EPERM) /* libcryptsetup's answer for a missing device: not a
				       verdict on the passphrase */
			j->r = -ENODEV;
		cd = own;
	}
	/* a header the caller gave is the volume prompting: past its token already */
	if (j->r >= 0 && own && has_tpm2_token(cd))
		j->r = -EAGAIN; /* its token is tried first: the passphrase may never be */
	else if (j->r >= 0) {
		/* each header's own argon2 cost (volumes formatted apart differ): the sum of
		 * those running stays in the budget */
		uint64_t kb = luks_kdf_memory_kb(cd);
		memory_take(p, kb);
		j->begin_ns = boottime_ns(); /* the KDF, not the wait for memory */
		j->key_size = LUKS_KEY_MAX;
		int r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, j->key, &j->key_size, j->pass,
					     j->pass_len);
		j->end_ns = boottime_ns();
		memory_give(p, kb);
		j->r = r >= 0 ? 0 : r;
		if (r < 0) {
			explicit_bzero(j->key, LUKS_KEY_MAX);
			j->key_size = 0;
		}
	}
	luks_crypt_free(own);
	if (!j->end_ns)
		j->end_ns = boottime_ns();
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next < p->n && !p->cancel ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return NULL;
		kdf_one(p, &p->jobs[i]);
		if (i == 0 && p->jobs[0].r == -EPERM) {
			pthread_mutex_lock(&p->lock);
			p->cancel = true;
			pthread_mutex_unlock(&p->lock);
		}
	}
}

unsigned luks_kdf_run(struct luks_kdf_job *jobs, size_t n, unsigned max_threads)
{
	return luks_kdf_run_budget(jobs, n, max_threads, 0);
}

unsigned luks_kdf_run_budget(struct luks_kdf_job *jobs, size_t n, unsigned max_threads,
			     uint64_t budget_kb)
{
	struct pool p = {.jobs = jobs, .n = n, .budget_kb = budget_kb};
	pthread_t tids[64];
	unsigned started = 0, want = max_threads < 1 ? 1 : max_threads;
	if (want > ARRAY_SIZE(tids))
		want = ARRAY_SIZE(tids);
	for (size_t i = 0; i < n; i++)
		jobs[i].r = -ECANCELED, jobs[i].key_size = 0, jobs[i].begin_ns = 0,
		jobs[i].end_ns = 0;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.freed, NULL);
	/* the caller's thread is one of the workers */
	while (started + 1 < want && pthread_create(&tids[started], NULL, worker, &p) == 0)
		started++;
	worker(&p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_cond_destroy(&p.freed);
	pthread_mutex_destroy(&p.lock);
	return started + 1;
}

/* A word of a cipher spec that may go into a module alias: letters, digits, '_' and '-'. */
static bool alias_word(const char *s, size_t len)
{
	if (len == 0 || len >= LUKS_MODULE_NAME_MAX - 16)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

static size_t add(char out[][LUKS_MODULE_NAME_MAX], size_t n, size_t max, const char *s, size_t len)
{
	if (n >= max)
		return n;
	snprintf(out[n], LUKS_MODULE_NAME_MAX, "crypto-%.*s", (int)len, s);
	return n + 1;
}

size_t luks_crypto_modules(const char *cipher, const char *mode, char out[][LUKS_MODULE_NAME_MAX],
			   size_t max)
{
	size_t n = 0;
	if (!cipher || !mode || !alias_word(cipher, strlen(cipher)))
		return 0; /* "capi:..." and the like: leave them to the kernel's requests */
	/* mode: CHAIN[-IV[:IVOPTS]], e.g. "xts-plain64", "cbc-essiv:sha256", "ecb" */
	size_t chain_len = strcspn(mode, "-");
	const char *iv = mode[chain_len] ? mode + chain_len + 1 : "";
	size_t iv_len = strcspn(iv, ":");
	const char *ivopt = iv[iv_len] ? iv + iv_len + 1 : "";
	if (!alias_word(mode, chain_len) || (iv_len && !alias_word(iv, iv_len)) ||
	    (*ivopt && !alias_word(ivopt, strlen(ivopt))))
		return 0;
	n = add(out, n, max, cipher, strlen(cipher));
	n = add(out, n, max, mode, chain_len);
	/* the xts template builds on ecb(cipher) */
	if (chain_len == 3 && !strncmp(mode, "xts", 3))
		n = add(out, n, max, "ecb", 3);
	if (iv_len == 5 && !strncmp(iv, "essiv", 5)) {
		n = add(out, n, max, "essiv", 5);
		if (*ivopt)
			n = add(out, n, max, ivopt, strlen(ivopt));
	}
	return n;
}
