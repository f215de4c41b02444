/* A TCTI that plays a TPM from a script of responses: each receive hands out the next
 * response, whatever command was sent. For the unit test and the fuzz target of initrd/tpm2.c
 * (a TPM is a device that can lie). Script format: repeated [u16 big-endian length][bytes]. */
#pragma once

#include <stdint.h>
#include <string.h>
#include <tss2/tss2_tcti.h>

struct fake_tcti {
	TSS2_TCTI_CONTEXT_COMMON_V2 common;
	const uint8_t *script;
	size_t len, pos;
	unsigned commands;
};

static TSS2_RC fake_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	(void)size;
	(void)cmd;
	((struct fake_tcti *)ctx)->commands++;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC fake_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *resp, int32_t timeout)
{
	(void)timeout;
	struct fake_tcti *f = (struct fake_tcti *)ctx;
	if (f->pos + 2 > f->len)
		return TSS2_TCTI_RC_IO_ERROR;
	size_t n = (size_t)f->script[f->pos] << 8 | f->script[f->pos + 1];
	if (n > f->len - f->pos - 2)
		n = f->len - f->pos - 2;
	if (!resp) { /* a size query */
		*size = n;
		return TSS2_RC_SUCCESS;
	}
	if (n > *size)
		return TSS2_TCTI_RC_INSUFFICIENT_BUFFER;
	memcpy(resp, f->script + f->pos + 2, n);
	*size = n;
	f->pos += 2 + n;
	return TSS2_RC_SUCCESS;
}

static void fake_finalize(TSS2_TCTI_CONTEXT *ctx)
{
	(void)ctx;
}

static TSS2_RC fake_cancel(TSS2_TCTI_CONTEXT *ctx)
{
	(void)ctx;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static TSS2_RC fake_locality(TSS2_TCTI_CONTEXT *ctx, uint8_t l)
{
	(void)ctx;
	(void)l;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

static inline void fake_tcti_init(struct fake_tcti *f, const uint8_t *script, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->common.v1.magic = 0x66616b65; /* "fake" */
	f->common.v1.version = 2;
	f->common.v1.transmit = fake_transmit;
	f->common.v1.receive = fake_receive;
	f->common.v1.finalize = fake_finalize;
	f->common.v1.cancel = fake_cancel;
	f->common.v1.setLocality = fake_locality;
	f->script = script;
	f->len = len;
}
