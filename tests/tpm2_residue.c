/* Checks that initrd/tpm2.c leaves neither the unsealed secret nor the PIN's auth value (its
 * SHA-256) in memory tpm2-tss frees: free() is wrapped (-Wl,--wrap=free) to keep every freed
 * block, and after a real unseal against swtpm (its raw command socket) the kept blocks are
 * searched for both, and so is the stack the unseal ran on. Exit 0 clean, 1 residue found, 2
 * the unseal itself failed.
 * Usage: tpm2_residue SOCKET TOKEN.json PIN   (tests/tpm2-residue.sh runs it)
 * swtpm socket --tpm2 --server type=unixio,path=SOCKET --flags not-need-init,startup-clear ... */
#include <gcrypt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initrd/tpm2.h"
#include "tests/swtpm_tcti.h"

void __real_free(void *p);
static struct {
	void *p;
	size_t n;
} kept[1 << 16];
static size_t n_kept;
static int recording;

void __wrap_free(void *p)
{
	if (!p)
		return;
	if (recording && n_kept < sizeof(kept) / sizeof(kept[0])) {
		kept[n_kept].p = p;
		kept[n_kept].n = malloc_usable_size(p);
		n_kept++;
		return; /* kept (leaked) so it can be searched */
	}
	__real_free(p);
}

static int search(const char *what, const uint8_t *needle, size_t len)
{
	int found = 0;
	for (size_t i = 0; i < n_kept; i++)
		if (kept[i].n >= len && memmem(kept[i].p, kept[i].n, needle, len)) {
			fprintf(stderr, "tpm2_residue: %s left in a freed block of %zu bytes\n",
				what, kept[i].n);
			found = 1;
		}
	return found;
}

/* The stack the unseal used (called from the same frame as tpm2_unseal_tcti, so its array lies
 * where that call's frames were): tpm2-tss decrypts the response into a VLA there. */
static __attribute__((noinline)) int stack_has(const uint8_t *needle, size_t len)
{
	uint8_t below[65536];
	__asm__ volatile("" : : "r"(below) : "memory"); /* read what is there, not initialised */
	return memmem(below, sizeof(below), needle, len) != NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	static struct tpm2_token t;
	TSS2_TCTI_CONTEXT *tcti = swtpm_tcti_open(argv[1], argv[2], &t, NULL);
	if (!tcti)
		return 2;
	char why[256] = "";
	uint8_t secret[TPM2_SECRET_MAX];
	const char *pin = t.pin ? argv[3] : NULL;
	/* Before the unseal, so that this hashing leaves nothing on the stack searched below. */
	uint8_t auth[32];
	gcry_md_hash_buffer(GCRY_MD_SHA256, auth, argv[3], strlen(argv[3]));
	recording = 1;
	int r = tpm2_unseal_tcti(tcti, &t, pin, pin ? strlen(pin) : 0, secret, why, sizeof(why));
	recording = 0;
	if (r <= 0)
		return fprintf(stderr, "tpm2_residue: unseal failed: %d %s\n", r, why), 2;
	int bad = 0;
	if (stack_has(secret, (size_t)r)) {
		fprintf(stderr, "tpm2_residue: the unsealed secret left on the stack\n");
		bad = 1;
	}
	if (pin && stack_has(auth, sizeof(auth))) {
		fprintf(stderr, "tpm2_residue: the PIN's auth value left on the stack\n");
		bad = 1;
	}
	bad |= search("the unsealed secret", secret, (size_t)r);
	if (pin)
		bad |= search("the PIN's auth value", auth, sizeof(auth));
	printf("tpm2_residue: %d-byte secret unsealed, %zu freed blocks searched: %s\n", r, n_kept,
	       bad ? "RESIDUE" : "clean");
	return bad;
}
