# TPM2 unlock (initrd/tpm2*.c) on a static tpm2-tss built by lib/tss.sh into $(O)/tss.
# TSS sits next to DEPS (the asan sub-make passes DEPS=build/deps with its own O). Only what
# links tpm2.c gets the tss archives (and waits for them); the headers' -I is harmless to the
# rest.
TSS := $(patsubst %/deps,%/tss,$(DEPS))
TSS_LIBS = $(TSS)/lib/libtss2-esys.a $(TSS)/lib/libtss2-sys.a $(TSS)/lib/libtss2-mu.a \
	$(TSS)/lib/libtss2-tcti-device.a -lmbedcrypto
$(TSS)/.stamp: lib/tss.sh
	lib/tss.sh $(patsubst %/tss,%,$(TSS))
DEP_CFLAGS += -I$(TSS)/include
initkit-init_SRCS += initrd/tpm2.c initrd/tpm2_token.c initrd/tpm2_unlock.c

TESTS += tpm2_token tpm2
test_tpm2_token_SRCS := tests/test_tpm2_token.c initrd/tpm2_token.c
test_tpm2_SRCS := tests/test_tpm2.c initrd/tpm2.c initrd/tpm2_token.c
$(O)/obj/tests/test_tpm2_token.o: CFLAGS += -DFIXTURES_DIR='"$(abspath tests/tpm2-fixtures)"'

TPM2_LINKED := $(O)/bin/initkit-init $(O)/tests/test_tpm2 $(O)/fuzz/fuzz_tpm2_response
$(filter-out $(O)/fuzz/%,$(TPM2_LINKED)): DEP_LIBS += $(TSS_LIBS)
$(TPM2_LINKED): | $(TSS)/.stamp
$(addprefix $(O)/obj/,initrd/tpm2.o initrd/tpm2_token.o initrd/tpm2_unlock.o \
	tests/test_tpm2.o tests/test_tpm2_token.o) \
	$(O)/fuzz/obj/initrd/tpm2.o $(O)/fuzz/obj/tests/fuzz/fuzz_tpm2_response.o: | $(TSS)/.stamp

# Records swtpm's answers to the unseal exchange: the seeds of the tpm2_response fuzz target.
$(O)/fuzz/record_tpm2: tests/fuzz/record_tpm2.c tests/swtpm_tcti.c initrd/tpm2.c initrd/tpm2_token.c | $(TSS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -I. $(CFLAGS) $(DEP_CFLAGS) -o $@ $^ $(DEP_LIBS) $(TSS_LIBS)

# Secret residue check (make check): a real unseal against swtpm with free() wrapped, the freed
# blocks searched for the secret and the PIN's auth value (tests/tpm2-residue.sh; it builds its
# enrolled disk with qemu/disks.sh, hence the QEMU tools it uses).
EXTRA_CHECKS += tpm2-residue-check
.PHONY: tpm2-residue-check
tpm2-residue-check: $(O)/tests/tpm2_residue $(O)/qemu/xts-encrypt $(O)/qemu/stage2-marker
	tests/tpm2-residue.sh $(O)
$(O)/tests/tpm2_residue: tests/tpm2_residue.c tests/swtpm_tcti.c initrd/tpm2.c initrd/tpm2_token.c | $(TSS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -I. $(CFLAGS) $(DEP_CFLAGS) -Wl,--wrap=free -o $@ $^ $(DEP_LIBS) $(TSS_LIBS)
