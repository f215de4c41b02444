# The shipped /init is the small one: initkit-init's sources compiled with musl-gcc -Os and
# linked -static --gc-sections against the musl dependency tree lib/deps-musl.sh builds from
# Debian's sources into $(O)/musl (libgcrypt with only the LUKS algorithms, decoder-only xz/zstd, tpm2-tss on
# mbedTLS). $(O)/bin/initkit-init stays the glibc build (debug info, the lead's deps, what the
# unit tests, fuzzers and asan share objects with); $(O)/stripped/initkit-init — what
# mkimage puts into images, `make install` and the package ship — is $(O)/musl/bin/initkit-init
# stripped. See README "Speed and size".
MUSL := $(O)/musl
MUSL_DEPS := $(MUSL)/deps
MUSL_CC := musl-gcc
MUSL_CFLAGS := -Os -g
MUSL_PKGCONF = PKG_CONFIG_LIBDIR=$(abspath $(MUSL_DEPS))/lib/pkgconfig pkg-config
MUSL_DEP_CFLAGS = $(shell $(MUSL_PKGCONF) --cflags $(PKGS)) -I$(MUSL)/tss/include
MUSL_DEP_LIBS = $(shell $(MUSL_PKGCONF) --static --libs $(PKGS)) \
	$(patsubst $(TSS)/%,$(MUSL)/tss/%,$(filter $(TSS)/%,$(TSS_LIBS))) -lmbedcrypto
initkit-init_SHIPPED := $(MUSL)/bin/initkit-init

$(MUSL_DEPS)/.stamp: lib/deps-musl.sh lib/aptsrc.sh lib/tss.sh
	lib/deps-musl.sh $(O)

$(MUSL)/obj/%.o: %.c | $(MUSL_DEPS)/.stamp
	@mkdir -p $(@D)
	$(MUSL_CC) $(BASE_CFLAGS) $(MUSL_CFLAGS) $(MUSL_DEP_CFLAGS) -MMD -MP -c $< -o $@
$(MUSL)/obj/initrd/version.o: MUSL_CFLAGS += -DCRYPTO_BACKEND='"gcrypt"' \
	-DCRYPTSETUP_VERSION='"$(shell $(MUSL_PKGCONF) --modversion libcryptsetup)"' \
	-DKMOD_VERSION='"$(shell $(MUSL_PKGCONF) --modversion libkmod)"'

$(MUSL)/bin/initkit-init: $(patsubst %.c,$(MUSL)/obj/%.o,$(initkit-init_SRCS)) $(MUSL_DEPS)/.stamp
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -static -Wl,--gc-sections -o $@ $(filter %.o,$^) $(MUSL_DEP_LIBS)

-include $(shell find $(MUSL)/obj -name '*.d' 2>/dev/null)

.PHONY: musl-clean
clean: musl-clean
musl-clean:
	rm -rf $(MUSL)/obj $(MUSL)/bin
