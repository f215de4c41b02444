/* A pre-unlock hook for the tpm2-pcr-changed scenario: extends PCR 13 (sha256 bank) through
 * /dev/tpmrm0 with a raw TPM2_PCR_Extend, as firmware or a measured component would, so the
 * TPM's PCR values no longer match the token's policy. Static; no TSS. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	uint8_t cmd[65] = {
		0x80, 0x02,		/* TPM_ST_SESSIONS */
		0x00, 0x00, 0x00, 65,	/* commandSize */
		0x00, 0x00, 0x01, 0x82, /* TPM_CC_PCR_Extend */
		0x00, 0x00, 0x00, 13,	/* pcrHandle: PCR 13 */
		0x00, 0x00, 0x00, 9,	/* authorizationSize */
		0x40, 0x00, 0x00, 0x09, /* TPM_RS_PW */
		0x00, 0x00,		/* nonce: empty */
		0x00,			/* sessionAttributes */
		0x00, 0x00,		/* hmac (the empty password) */
		0x00, 0x00, 0x00, 0x01, /* TPML_DIGEST_VALUES.count */
		0x00, 0x0b,		/* TPM_ALG_SHA256 */
	};
	memset(cmd + 33, 0x5a, 32); /* the digest extended into the PCR */
	int fd = open("/dev/tpmrm0", O_RDWR);
	uint8_t resp[64];
	if (fd < 0 || write(fd, cmd, sizeof(cmd)) != (ssize_t)sizeof(cmd)) {
		printf("tpm2-extend-hook: cannot send to /dev/tpmrm0\n");
		return 1;
	}
	ssize_t n = read(fd, resp, sizeof(resp));
	unsigned rc =
		n >= 10 ? (unsigned)resp[6] << 24 | resp[7] << 16 | resp[8] << 8 | resp[9] : ~0u;
	printf("tpm2-extend-hook: PCR 13 extended, rc=0x%x\n", rc);
	return rc != 0;
}
