/* Records the responses a real TPM (swtpm's raw command socket) gives to initrd/tpm2.c's unseal
 * exchange, in fake_tcti.h's script format: the seed of the tpm2_response fuzz target.
 * Usage: record_tpm2 SOCKET TOKEN.json PIN > seed
 * swtpm socket --tpm2 --server type=unixio,path=SOCKET --flags not-need-init,startup-clear ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "initrd/tpm2.h"
#include "tests/fake_tcti.h"

static int sock = -1;

static TSS2_RC rec_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	(void)ctx;
	return write(sock, cmd, size) == (ssize_t)size ? TSS2_RC_SUCCESS : TSS2_TCTI_RC_IO_ERROR;
}

/* One response read ahead, so a size query (resp NULL) can be answered. */
static uint8_t pending[4096];
static size_t pending_len;

static TSS2_RC rec_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp, int32_t timeout)
{
	(void)ctx;
	(void)timeout;
	size_t want = 10;
	while (!pending_len || pending_len < want) {
		ssize_t k = read(sock, pending + pending_len, want - pending_len);
		if (k <= 0)
			return TSS2_TCTI_RC_IO_ERROR;
		pending_len += (size_t)k;
		if (pending_len == 10)
			want = (size_t)pending[2] << 24 | pending[3] << 16 | pending[4] << 8 |
			       pending[5];
		if (want > sizeof(pending) || want < 10)
			return TSS2_TCTI_RC_IO_ERROR;
	}
	if (!resp) {
		*size = pending_len;
		return TSS2_RC_SUCCESS;
	}
	if (*size < pending_len)
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	memcpy(resp, pending, pending_len);
	*size = pending_len;
	putchar((int)(pending_len >> 8));
	putchar((int)(pending_len & 0xff));
	fwrite(pending, 1, pending_len, stdout);
	pending_len = 0;
	return TSS2_RC_SUCCESS;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("connect"), 1;
	static char json[8192];
	FILE *f = fopen(argv[2], "r");
	if (!f || !fread(json, 1, sizeof(json) - 1, f))
		return 1;
	static struct tpm2_token t;
	char why[256] = "";
	if (tpm2_token_parse(json, &t, why, sizeof(why)) < 0)
		return fprintf(stderr, "%s\n", why), 1;
	struct fake_tcti tcti;
	fake_tcti_init(&tcti, NULL, 0);
	tcti.common.v1.transmit = rec_transmit;
	tcti.common.v1.receive = rec_receive;
	uint8_t secret[TPM2_SECRET_MAX];
	int r = tpm2_unseal_tcti((TSS2_TCTI_CONTEXT *)&tcti, &t, argv[3], strlen(argv[3]), secret,
				 why, sizeof(why));
	fprintf(stderr, "record_tpm2: %d %s\n", r, why);
	return r > 0 ? 0 : 1;
}
