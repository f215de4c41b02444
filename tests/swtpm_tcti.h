/* What tests/fuzz/record_tpm2.c and tests/tpm2_residue.c share: a TCTI on swtpm's raw command
 * socket and the token read from a file, ready for tpm2_unseal_tcti().
 * swtpm socket --tpm2 --server type=unixio,path=SOCKET --flags not-need-init,startup-clear ... */
#pragma once

#include <stdio.h>
#include <tss2/tss2_tcti.h>

#include "initrd/tpm2.h"

/* Connects to socket_path and parses token_path into *t (which points into a static buffer: one
 * call per process). With record set, every response received is also written to it in
 * tests/fake_tcti.h's script format. Returns the TCTI, or NULL after saying why on stderr. */
TSS2_TCTI_CONTEXT *swtpm_tcti_open(const char *socket_path, const char *token_path,
				   struct tpm2_token *t, FILE *record);
