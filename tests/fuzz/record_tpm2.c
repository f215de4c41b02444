/* Records the responses a real TPM (swtpm's raw command socket) gives to initrd/tpm2.c's unseal
 * exchange, in fake_tcti.h's script format: the seed of the tpm2_response fuzz target.
 * Usage: record_tpm2 SOCKET TOKEN.json PIN > seed
 * swtpm socket --tpm2 --server type=unixio,path=SOCKET --flags not-need-init,startup-clear ... */
#include <stdio.h>
#include <string.h>

#include "initrd/tpm2.h"
#include "tests/swtpm_tcti.h"

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	static struct tpm2_token t;
	TSS2_TCTI_CONTEXT *tcti = swtpm_tcti_open(argv[1], argv[2], &t, stdout);
	if (!tcti)
		return 1;
	char why[256] = "";
	uint8_t secret[TPM2_SECRET_MAX];
	int r = tpm2_unseal_tcti(tcti, &t, argv[3], strlen(argv[3]), secret, why, sizeof(why));
	fprintf(stderr, "record_tpm2: %d %s\n", r, why);
	return r > 0 ? 0 : 1;
}
