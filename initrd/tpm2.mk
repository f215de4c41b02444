# TPM2 unlock (initrd/tpm2*.c) on a static tpm2-tss built by lib/tss.sh into $(O)/tss.
# TSS sits next to DEPS (the asan sub-make passes DEPS=build/deps with its own O).
TSS := $(patsubst %/deps,%/tss,$(DEPS))
$(TSS)/.stamp: lib/tss.sh
	lib/tss.sh $(patsubst %/tss,%,$(TSS))
DEP_CFLAGS += -I$(TSS)/include
DEP_LIBS += $(TSS)/lib/libtss2-esys.a $(TSS)/lib/libtss2-sys.a $(TSS)/lib/libtss2-mu.a \
	$(TSS)/lib/libtss2-tcti-device.a -lmbedcrypto
TPM2_OBJS := initrd/tpm2.c initrd/tpm2_token.c initrd/tpm2_unlock.c tests/test_tpm2_token.c \
	tests/test_tpm2.c
$(patsubst %.c,$(O)/obj/%.o,$(TPM2_OBJS)) $(O)/obj/initrd/luks.o: | $(TSS)/.stamp
initkit-init_SRCS += initrd/tpm2.c initrd/tpm2_token.c initrd/tpm2_unlock.c

TESTS += tpm2_token tpm2
test_tpm2_token_SRCS := tests/test_tpm2_token.c initrd/tpm2_token.c
test_tpm2_SRCS := tests/test_tpm2.c initrd/tpm2.c initrd/tpm2_token.c
$(O)/obj/tests/test_tpm2_token.o: CFLAGS += -DFIXTURES_DIR='"$(abspath tests/tpm2-fixtures)"'
# Records swtpm's answers to the unseal exchange: the seeds of the tpm2_response fuzz target.
$(O)/fuzz/record_tpm2: tests/fuzz/record_tpm2.c initrd/tpm2.c initrd/tpm2_token.c | $(TSS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -I. $(CFLAGS) $(DEP_CFLAGS) -o $@ $^ $(DEP_LIBS)
