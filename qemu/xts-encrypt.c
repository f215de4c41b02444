/* Host tool for the QEMU harness: encrypt a plaintext filesystem image into the data segment
 * of a LUKS container with AES-XTS-plain64 (512-byte sectors), given the volume key that was
 * passed to `cryptsetup luksFormat --volume-key-file`. This lets the harness build LUKS test
 * disks on a host without device-mapper (shared/FACTS.md); the guest opens them with real
 * dm-crypt, which is the actual test.
 *
 * Usage: xts-encrypt VOLUME_KEY_FILE PLAINTEXT_IMAGE LUKS_FILE DATA_OFFSET_BYTES */
#include <gcrypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s VOLUME_KEY PLAIN_IMAGE LUKS_FILE DATA_OFFSET\n",
			argv[0]);
		return 2;
	}
	unsigned char key[64], sector[512], iv[16];
	FILE *kf = fopen(argv[1], "rb"), *in = fopen(argv[2], "rb"), *out = fopen(argv[3], "r+b");
	if (!kf || !in || !out) {
		perror("xts-encrypt: open");
		return 1;
	}
	size_t keylen = fread(key, 1, sizeof(key), kf);
	if (keylen != 32 && keylen != 64) {
		fprintf(stderr, "xts-encrypt: %s: volume key must be 32 or 64 bytes\n", argv[1]);
		return 1;
	}
	long long offset = atoll(argv[4]);
	gcry_cipher_hd_t h;
	if (!gcry_check_version(NULL) ||
	    gcry_cipher_open(&h, GCRY_CIPHER_AES256 - (keylen == 32 ? 2 : 0), GCRY_CIPHER_MODE_XTS,
			     0) ||
	    gcry_cipher_setkey(h, key, keylen)) {
		fprintf(stderr, "xts-encrypt: gcrypt setup failed\n");
		return 1;
	}
	if (fseeko(out, offset, SEEK_SET) != 0) {
		perror("xts-encrypt: seek");
		return 1;
	}
	for (uint64_t n = 0;; n++) {
		size_t got = fread(sector, 1, sizeof(sector), in);
		if (got == 0)
			break;
		memset(sector + got, 0, sizeof(sector) - got);
		/* plain64 IV: the sector number, little-endian, zero-padded to the block size. */
		memset(iv, 0, sizeof(iv));
		for (int i = 0; i < 8; i++)
			iv[i] = (unsigned char)(n >> (8 * i));
		if (gcry_cipher_setiv(h, iv, sizeof(iv)) ||
		    gcry_cipher_encrypt(h, sector, sizeof(sector), NULL, 0) ||
		    fwrite(sector, 1, sizeof(sector), out) != sizeof(sector)) {
			fprintf(stderr, "xts-encrypt: sector %llu failed\n", (unsigned long long)n);
			return 1;
		}
	}
	gcry_cipher_close(h);
	return fclose(out) == 0 ? 0 : 1;
}
