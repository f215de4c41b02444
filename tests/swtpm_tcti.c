/* A TCTI on swtpm's raw command socket: see swtpm_tcti.h. */
#include "tests/swtpm_tcti.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/fake_tcti.h"

static int sock = -1;
static FILE *record_to;

static TSS2_RC sock_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	(void)ctx;
	return write(sock, cmd, size) == (ssize_t)size ? TSS2_RC_SUCCESS : TSS2_TCTI_RC_IO_ERROR;
}

/* One response read ahead, so a size query (resp NULL) can be answered. */
static uint8_t pending[4096];
static size_t pending_len;

static TSS2_RC sock_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp, int32_t timeout)
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
	if (record_to) {
		putc((int)(pending_len >> 8), record_to);
		putc((int)(pending_len & 0xff), record_to);
		fwrite(pending, 1, pending_len, record_to);
	}
	pending_len = 0;
	return TSS2_RC_SUCCESS;
}

TSS2_TCTI_CONTEXT *swtpm_tcti_open(const char *socket_path, const char *token_path,
				   struct tpm2_token *t, FILE *record)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", socket_path);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("connect"), NULL;
	static char json[8192];
	FILE *f = fopen(token_path, "r");
	if (!f || !fread(json, 1, sizeof(json) - 1, f))
		return NULL;
	char why[256] = "";
	if (tpm2_token_parse(json, t, why, sizeof(why)) < 0)
		return fprintf(stderr, "%s\n", why), NULL;
	static struct fake_tcti tcti;
	fake_tcti_init(&tcti, NULL, 0);
	tcti.common.v1.transmit = sock_transmit;
	tcti.common.v1.receive = sock_receive;
	record_to = record;
	return (TSS2_TCTI_CONTEXT *)&tcti;
}
