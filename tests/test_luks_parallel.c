/* Tests for initrd/luks_parallel.c: the thread count, the crypto module names derived from a
 * header's cipher, and the KDF pool against real LUKS2 images formatted here (libcryptsetup on
 * plain files: no device-mapper, no root needed for pbkdf2 keyslots). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <libdevmapper.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../initrd/luks_parallel.h"
#include "util.h"

static void test_threads(void **state)
{
	(void)state;
	static const struct {
		long cpus;
		size_t jobs;
		uint64_t avail_kb, kdf_kb;
		unsigned want;
	} cases[] = {
		{2, 8, 0, 0, 2},
		{2, 1, 0, 0, 1},
		{8, 3, 0, 0, 3},
		{1, 8, 0, 0, 1},
		{-1, 8, 0, 0, 1},
		{0, 4, 0, 0, 1},
		{4, 0, 0, 0, 1},
		/* memory: half of what is available, per KDF */
		{64, 8, 4 << 20, 1 << 20, 2},	  /* 4 GiB, 1 GiB argon2id */
		{64, 8, 1 << 20, 1 << 20, 1},	  /* never below one */
		{2, 8, 700 << 10, 32 << 10, 2},	  /* the QEMU scenarios: 32 MiB each */
		{16, 16, 200 << 10, 32 << 10, 3}, /* 100 MiB usable: three */
		{16, 16, 200 << 10, 0, 16},	  /* pbkdf2: no memory cost */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned got = luks_parallel_threads(cases[i].cpus, cases[i].jobs,
						     cases[i].avail_kb, cases[i].kdf_kb);
		if (got != cases[i].want)
			fail_msg("cpus %ld jobs %zu avail %llu kB kdf %llu kB: %u threads, want %u",
				 cases[i].cpus, cases[i].jobs,
				 (unsigned long long)cases[i].avail_kb,
				 (unsigned long long)cases[i].kdf_kb, got, cases[i].want);
	}
}

static void test_crypto_modules(void **state)
{
	(void)state;
	static const struct {
		const char *cipher, *mode, *want; /* names joined by ' ' */
	} cases[] = {
		{"aes", "xts-plain64", "crypto-aes crypto-xts crypto-ecb"},
		{"aes", "cbc-essiv:sha256", "crypto-aes crypto-cbc crypto-essiv crypto-sha256"},
		{"serpent", "xts-plain", "crypto-serpent crypto-xts crypto-ecb"},
		{"twofish", "ecb", "crypto-twofish crypto-ecb"},
		{"aes", "cbc-plain64", "crypto-aes crypto-cbc"},
		{"capi:xts(aes)", "plain64", ""}, /* LUKS2 kernel-API spec: the kernel asks */
		{"aes", "xts(x)-plain64", ""},
		{"aes", "cbc-essiv:sha256;x", ""},
		{NULL, "xts-plain64", ""},
		{"aes", NULL, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[8][LUKS_MODULE_NAME_MAX], got[512] = "";
		size_t n = luks_crypto_modules(cases[i].cipher, cases[i].mode, out, 8);
		for (size_t k = 0; k < n; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "",
				 out[k]);
		if (strcmp(got, cases[i].want))
			fail_msg("%s / %s: \"%s\", want \"%s\"",
				 cases[i].cipher ? cases[i].cipher : "-",
				 cases[i].mode ? cases[i].mode : "-", got, cases[i].want);
	}
	/* a short output array is never overrun */
	char one[1][LUKS_MODULE_NAME_MAX];
	assert_int_equal(luks_crypto_modules("aes", "cbc-essiv:sha256", one, 1), 1);
	assert_string_equal(one[0], "crypto-aes");
}

static char dir[] = "/tmp/test_luks_parallel.XXXXXX";

/* A LUKS2 image with pbkdf2 (1000 iterations) keyslots for pass; returns its path. */
static char *make_image(const char *name, const char *pass)
{
	char *path = NULL;
	struct crypt_device *cd = NULL;
	struct crypt_pbkdf_type pbkdf = {.type = CRYPT_KDF_PBKDF2,
					 .hash = "sha256",
					 .iterations = 1000,
					 .flags = CRYPT_PBKDF_NO_BENCHMARK};
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 20 << 20), 0);
	close(fd);
	assert_int_equal(crypt_init(&cd, path), 0);
	assert_int_equal(crypt_set_pbkdf_type(cd, &pbkdf), 0);
	assert_int_equal(crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, 64, NULL),
			 0);
	assert_true(crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0, pass,
						    strlen(pass)) >= 0);
	crypt_free(cd);
	return path;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	mkdir("/run/cryptsetup", 0700); /* libcryptsetup's LUKS2 locking directory */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Every job's key is the one its own header's digest accepts; a volume with another
 * passphrase says -EPERM, a missing one its errno. */
static void test_kdf_pool(void **state)
{
	(void)state;
	struct luks_keys keys;
	_cleanup_free_ char *a = make_image("a", "one"), *b = make_image("b", "one"),
			    *c = make_image("c", "two"), *d = make_image("d", "one");
	char missing[256];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	assert_int_equal(luks_keys_init(&keys, 5), 0);
	const char *devs[] = {a, b, c, missing, d};
	struct luks_kdf_job jobs[5];
	for (size_t i = 0; i < 5; i++)
		jobs[i] = (struct luks_kdf_job){.name = "x",
						.device = devs[i],
						.pass = "one",
						.pass_len = 3,
						.key = luks_keys_at(&keys, i)};
	/* job 0 gets a header the caller loaded (the volume prompting) */
	struct crypt_device *cd0 = NULL;
	assert_int_equal(crypt_init(&cd0, a), 0);
	assert_int_equal(crypt_load(cd0, CRYPT_LUKS, NULL), 0);
	jobs[0].cd = cd0;
	assert_int_equal(luks_kdf_run(jobs, 5, 2), 2);
	crypt_free(cd0);
	int want[] = {0, 0, -EPERM, 1, 0}; /* 1: any errno but -EPERM */
	for (size_t i = 0; i < 5; i++) {
		if (want[i] == 1 && (jobs[i].r >= 0 || jobs[i].r == -EPERM))
			fail_msg("missing device: %d, want an errno but -EPERM", jobs[i].r);
		if (want[i] != 1)
			assert_int_equal(jobs[i].r, want[i]);
		assert_true(jobs[i].end_ns >= jobs[i].begin_ns && jobs[i].begin_ns > 0);
		if (want[i] != 0)
			continue;
		assert_int_equal(jobs[i].key_size, 64);
		struct crypt_device *cd = NULL;
		assert_int_equal(crypt_init(&cd, devs[i]), 0);
		assert_int_equal(crypt_load(cd, CRYPT_LUKS, NULL), 0);
		assert_int_equal(crypt_volume_key_verify(cd, jobs[i].key, jobs[i].key_size), 0);
		crypt_free(cd);
	}
	/* the two threads overlapped (each job at least began before the last one ended) */
	assert_true(jobs[1].begin_ns < jobs[0].end_ns || jobs[0].begin_ns < jobs[1].end_ns);
	luks_keys_forget(&keys, 0);
	for (size_t k = 0; k < LUKS_KEY_MAX; k++)
		assert_int_equal(luks_keys_at(&keys, 0)[k], 0);
	luks_keys_wipe(&keys);
	luks_keys_wipe(&keys); /* twice is fine */
}

/* A wrong passphrase for job 0 (the volume prompting): the jobs not started are cancelled,
 * so a typing mistake costs one KDF round, not one per volume. */
static void test_kdf_cancel(void **state)
{
	(void)state;
	struct luks_keys keys;
	_cleanup_free_ char *a = make_image("ca", "right"), *b = make_image("cb", "right");
	assert_int_equal(luks_keys_init(&keys, 4), 0);
	struct luks_kdf_job jobs[4];
	for (size_t i = 0; i < 4; i++)
		jobs[i] = (struct luks_kdf_job){.name = "x",
						.device = i % 2 ? b : a,
						.pass = "wrong",
						.pass_len = 5,
						.key = luks_keys_at(&keys, i)};
	assert_int_equal(luks_kdf_run(jobs, 4, 1), 1);
	assert_int_equal(jobs[0].r, -EPERM);
	for (size_t i = 1; i < 4; i++)
		assert_int_equal(jobs[i].r, -ECANCELED);
	/* with the right one, every job runs */
	for (size_t i = 0; i < 4; i++)
		jobs[i].pass = "right";
	luks_kdf_run(jobs, 4, 1);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(jobs[i].r, 0);
	luks_keys_wipe(&keys);
}

/* libcryptsetup counts its contexts in a plain global; at zero it releases libdevmapper (its
 * log function becomes the default again). Contexts made and freed on several threads at
 * once through luks_crypt_init()/luks_crypt_free() keep the count exact: with one context
 * held here libdevmapper stays set up, and after the last is freed it is released. (Without
 * the lock, every one of 4 runs failed, both ways.) */
static const char *ctx_image;

static void *ctx_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		struct crypt_device *cd = NULL;
		if (luks_crypt_init(&cd, ctx_image, NULL) == 0)
			luks_crypt_free(cd);
	}
	return NULL;
}

static void test_crypt_ctx_count(void **state)
{
	(void)state;
	_cleanup_free_ char *a = make_image("ctx", "s");
	ctx_image = a;
	for (int round = 0; round < 2; round++) {
		struct crypt_device *held = NULL;
		pthread_t t[4];
		assert_int_equal(luks_crypt_init(&held, a, NULL), 0);
		for (int i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&t[i], NULL, ctx_loop, NULL), 0);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		if (!dm_log_is_non_default())
			fail_msg("libdevmapper released while a context is held (a lost count)");
		luks_crypt_free(held);
		if (dm_log_is_non_default())
			fail_msg("libdevmapper not released after the last context (a lost count)");
	}
}

/* A volume with a systemd-tpm2 token: a later volume's job is not tried (its token goes
 * first, -EAGAIN), but the volume prompting (the caller's header, job 0) is past its token
 * already — its passphrase is derived like any other (before, -EAGAIN sent it to a serial
 * KDF after every other job, and a wrong passphrase no longer cancelled the others). */
static void test_kdf_tpm2_token(void **state)
{
	(void)state;
	struct luks_keys keys;
	_cleanup_free_ char *a = make_image("ta", "p"), *b = make_image("tb", "p");
	const char *token = "{\"type\":\"systemd-tpm2\",\"keyslots\":[\"0\"],"
			    "\"tpm2-blob\":\"\",\"tpm2-pcrs\":[7]}";
	for (int k = 0; k < 2; k++) {
		struct crypt_device *cd = NULL;
		assert_int_equal(crypt_init(&cd, k ? b : a), 0);
		assert_int_equal(crypt_load(cd, CRYPT_LUKS2, NULL), 0);
		assert_true(crypt_token_json_set(cd, CRYPT_ANY_TOKEN, token) >= 0);
		crypt_free(cd);
	}
	assert_int_equal(luks_keys_init(&keys, 2), 0);
	struct crypt_device *cd0 = NULL;
	assert_int_equal(crypt_init(&cd0, a), 0);
	assert_int_equal(crypt_load(cd0, CRYPT_LUKS, NULL), 0);
	struct luks_kdf_job jobs[2] = {
		{.name = "a", .cd = cd0, .pass = "p", .pass_len = 1, .key = luks_keys_at(&keys, 0)},
		{.name = "b",
		 .device = b,
		 .pass = "p",
		 .pass_len = 1,
		 .key = luks_keys_at(&keys, 1)},
	};
	luks_kdf_run(jobs, 2, 2);
	assert_int_equal(jobs[0].r, 0);
	assert_int_equal(jobs[0].key_size, 64);
	assert_int_equal(jobs[1].r, -EAGAIN);
	/* and a wrong one for job 0 says -EPERM (which cancels the rest) */
	jobs[0].pass = "wrong", jobs[0].pass_len = 5;
	luks_kdf_run(jobs, 2, 1);
	assert_int_equal(jobs[0].r, -EPERM);
	assert_int_equal(jobs[1].r, -ECANCELED);
	crypt_free(cd0);
	luks_keys_wipe(&keys);
}

/* An argon2id image of mem_kb KiB (4 iterations, the least libcryptsetup takes), for the memory budget. */
static char *make_argon_image(const char *name, const char *pass, uint32_t mem_kb)
{
	char *path = NULL;
	struct crypt_device *cd = NULL;
	struct crypt_pbkdf_type pbkdf = {.type = CRYPT_KDF_ARGON2ID,
					 .hash = "sha256",
					 .iterations = 4,
					 .max_memory_kb = mem_kb,
					 .parallel_threads = 1,
					 .flags = CRYPT_PBKDF_NO_BENCHMARK};
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 20 << 20), 0);
	close(fd);
	assert_int_equal(crypt_init(&cd, path), 0);
	assert_int_equal(crypt_set_pbkdf_type(cd, &pbkdf), 0);
	assert_int_equal(crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, 64, NULL),
			 0);
	assert_true(crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0, pass,
						    strlen(pass)) >= 0);
	crypt_free(cd);
	return path;
}

/* The prompting volume is pbkdf2 (no memory cost), the others argon2id of 64 MiB each: with
 * a budget of 100 MiB two of them never run at once, whatever the thread count; each header's
 * own cost counts, not the first's. */
static void test_kdf_memory_budget(void **state)
{
	(void)state;
	struct luks_keys keys;
	_cleanup_free_ char *a = make_image("ma", "m"), *b = make_argon_image("mb", "m", 65536),
			    *c = make_argon_image("mc", "m", 65536);
	assert_int_equal(luks_keys_init(&keys, 3), 0);
	const char *devs[] = {a, b, c};
	struct luks_kdf_job jobs[3];
	for (size_t i = 0; i < 3; i++)
		jobs[i] = (struct luks_kdf_job){.name = "x",
						.device = devs[i],
						.pass = "m",
						.pass_len = 1,
						.key = luks_keys_at(&keys, i)};
	luks_kdf_run_budget(jobs, 3, 3, 100 * 1024);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(jobs[i].r, 0);
	if (jobs[1].begin_ns < jobs[2].end_ns && jobs[2].begin_ns < jobs[1].end_ns)
		fail_msg("two 64 MiB KDFs ran at once in a 100 MiB budget");
	luks_keys_wipe(&keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),		cmocka_unit_test(test_crypto_modules),
		cmocka_unit_test(test_kdf_pool),	cmocka_unit_test(test_kdf_cancel),
		cmocka_unit_test(test_kdf_tpm2_token),	cmocka_unit_test(test_kdf_memory_budget),
		cmocka_unit_test(test_crypt_ctx_count), /* one per line */
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
