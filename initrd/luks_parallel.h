/* Work on several LUKS volumes at once, and work done while a passphrase prompt waits:
 * - the key derivation (the KDF, seconds of argon2id) of the volumes that will try one typed
 *   passphrase runs in parallel threads, one crypt_device per thread, up to the number of
 *   online CPUs; only crypt_volume_key_get() runs there (no device-mapper call, nothing
 *   written), the activations stay in the caller's thread, one after another;
 * - the names of the kernel modules dm-crypt will ask for, derived from the header's cipher,
 *   so they can be loaded before the key is typed.
 * The pure parts (thread count, module names) are tested in tests/test_luks_parallel.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct crypt_device;

#define LUKS_KEY_MAX 128 /* bytes of one volume key (512-bit XTS keys are 64) */

struct luks_kdf_job {
	/* in */
	const char *name;	 /* mapping name, for the timeline and messages */
	const char *device;	 /* the device (or data device with a detached header) */
	const char *header;	 /* detached header, or NULL */
	struct crypt_device *cd; /* a loaded header to use (only by this job), or NULL: the
				    job loads its own */
	const char *pass;
	size_t pass_len;
	char *key; /* LUKS_KEY_MAX bytes of locked memory (struct luks_keys) */
	/* out */
	size_t key_size;
	int r; /* 0: key derived; -EPERM: no keyslot took the passphrase; -EAGAIN: not tried
		  (a header the job loaded itself has a TPM2 token, which goes first; one given
		  in cd is the volume prompting, past its token); -ECANCELED: not started
		  (job 0 failed); else -errno from libcryptsetup */
	uint64_t begin_ns, end_ns; /* CLOCK_BOOTTIME, for the timeline */
};

/* One mlock()ed, MADV_DONTDUMP mapping of n keys of LUKS_KEY_MAX bytes. */
struct luks_keys {
	char *buf;
	size_t n;
};
/* 0 or -errno (a failing mlock() is not an error: the keys are wiped all the same). */
int luks_keys_init(struct luks_keys *k, size_t n);
char *luks_keys_at(struct luks_keys *k, size_t i);
/* explicit_bzero() of key i. */
void luks_keys_forget(struct luks_keys *k, size_t i);
/* explicit_bzero() of all, unmapped. Safe to call twice. */
void luks_keys_wipe(struct luks_keys *k);

/* crypt_init() (crypt_init_data_device() with a detached header) and crypt_free(), one
 * thread at a time: libcryptsetup counts its contexts in a plain global (at zero it releases
 * libdevmapper: its log function, the control fd), and two threads creating or freeing
 * contexts at once lose counts. Every thread that makes or frees a context while another may
 * (the KDF jobs, the key-file volumes opened while a prompt waits) goes through these. */
int luks_crypt_init(struct crypt_device **cd, const char *device, const char *header);
void luks_crypt_free(struct crypt_device *cd);

/* Pure: how many threads for n_jobs KDF runs on online_cpus CPUs (sysconf's answer, which is
 * -1 when unknown): at least 1, at most both, and no more than half the available memory
 * (mem_avail_kb, 0: unknown) holds KDFs of kdf_mem_kb each (argon2's memory cost; 0 for
 * pbkdf2): eight 1 GiB argon2id keyslots on a 64-CPU server with 4 GiB must not run out of
 * memory in the initramfs. */
unsigned luks_parallel_threads(long online_cpus, size_t n_jobs, uint64_t mem_avail_kb,
			       uint64_t kdf_mem_kb);

/* Runs the jobs on up to max_threads threads (the caller's thread waits), taking them in
 * order; when job 0 ends with -EPERM (a wrong passphrase), the jobs not yet started are
 * cancelled (-ECANCELED): the others would only be used after job 0 succeeded. Returns the
 * number of threads used. Logs nothing and records no timeline event (neither is
 * thread-safe): the caller does, from the jobs' results. */
unsigned luks_kdf_run(struct luks_kdf_job *jobs, size_t n, unsigned max_threads);

/* The same, the argon2 memory of the KDFs running at once kept within budget_kb (0: no
 * limit): each job's cost is its own header's (luks_kdf_memory_kb()), read once loaded, and a
 * job waits while the others' would not leave room (one always runs). The thread count alone
 * came from the prompting volume's cost: a pbkdf2 root with argon2 data volumes of 1 GiB had
 * no limit at all. */
unsigned luks_kdf_run_budget(struct luks_kdf_job *jobs, size_t n, unsigned max_threads,
			     uint64_t budget_kb);
/* The largest argon2 memory cost (KiB) of a header's active keyslots, 0 for pbkdf2. */
uint64_t luks_kdf_memory_kb(struct crypt_device *cd);

#define LUKS_MODULE_NAME_MAX 64
/* Pure: the module names (aliases, as the kernel's request_module() spells them) dm-crypt
 * needs for a header's cipher ("aes") and mode ("xts-plain64", "cbc-essiv:sha256"):
 * "crypto-aes", "crypto-xts", "crypto-xts(aes)", and for ESSIV "crypto-essiv" and the hash.
 * dm_mod and dm_crypt are not included. Returns how many were written (at most max), 0 for
 * what it does not know (capi: ciphers, odd characters): the kernel then asks as before. */
size_t luks_crypto_modules(const char *cipher, const char *mode, char out[][LUKS_MODULE_NAME_MAX],
			   size_t max);
