# initkit — top-level Makefile. Out-of-tree: everything goes to $(O) (build/).
# Each area lists its programs and tests in its own .mk fragment:
#   PROGRAMS += name ; name_SRCS = ...      (linked -static against the deps)
#   TESTS += name    ; test_name_SRCS = ... (cmocka, run by `make check`)

O ?= build
DEPS := $(O)/deps
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
CC ?= gcc
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -ffunction-sections -fdata-sections \
	-Ilib
STATIC_LDFLAGS := -static -Wl,--gc-sections
PKGS := libcryptsetup libkmod blkid
PKGCONF = PKG_CONFIG_PATH=$(abspath $(DEPS))/lib/pkgconfig pkg-config
DEP_CFLAGS = $(shell $(PKGCONF) --cflags $(PKGS))
DEP_LIBS = $(shell $(PKGCONF) --static --libs $(PKGS))
STRIP ?= strip

PROGRAMS :=
EXTRA_CHECKS :=
TESTS :=
include lib/lib.mk initrd/initrd.mk stage2/stage2.mk kconfig/kconfig.mk tests/tests.mk qemu/qemu.mk \
	lib/dist.mk
-include tests/fuzz/fuzz.mk
# After every fragment: it builds initkit-init from the complete initkit-init_SRCS.
include initrd/small.mk

BINS := $(addprefix $(O)/bin/,$(PROGRAMS))
TEST_BINS := $(addprefix $(O)/tests/test_,$(TESTS))

.PHONY: all deps check unit-check qemu-check install size clean distclean format
.DEFAULT_GOAL := all
all: $(BINS)

# Static libcryptsetup/libkmod/libdevmapper from Debian's source packages.
# `make deps` re-checks the source versions; other targets only need the stamp.
deps:
	lib/deps.sh $(O)
$(DEPS)/.stamp: lib/deps.sh lib/aptsrc.sh
	lib/deps.sh $(O)

$(O)/obj/%.o: %.c | $(DEPS)/.stamp
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(DEP_CFLAGS) -MMD -MP -c $< -o $@

define PROGRAM_RULES
$(O)/bin/$(1): $(patsubst %.c,$(O)/obj/%.o,$($(1)_SRCS))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(STATIC_LDFLAGS) -o $$@ $$^ $$(DEP_LIBS)
# The shipped (stripped) binary: NAME_SHIPPED when a fragment builds it otherwise (initkit-init).
$(O)/stripped/$(1): $(or $($(1)_SHIPPED),$(O)/bin/$(1))
	@mkdir -p $$(@D)
	$$(STRIP) -o $$@ $$<
endef
$(foreach p,$(PROGRAMS),$(eval $(call PROGRAM_RULES,$(p))))

define TEST_RULES
$(O)/tests/test_$(1): $(patsubst %.c,$(O)/obj/%.o,$(test_$(1)_SRCS))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(DEP_LIBS) -lcmocka
endef
$(foreach t,$(TESTS),$(eval $(call TEST_RULES,$(t))))

unit-check: $(TEST_BINS)
	@fail=0; for t in $(TEST_BINS); do \
		echo "== $$t"; (cd $(O) && $(abspath $$t)) || fail=1; \
	done; exit $$fail

check: unit-check $(EXTRA_CHECKS) qemu-check

size: $(addprefix $(O)/stripped/,$(PROGRAMS))
	@for f in $^; do printf '%-28s %9d bytes  %s\n' "$$(basename $$f)" "$$(stat -c %s $$f)" \
		"$$(file -b $$f | grep -o 'statically linked\|dynamically linked')"; done

install: $(addprefix $(O)/stripped/,$(PROGRAMS))
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(addprefix $(O)/stripped/,$(PROGRAMS)) $(DESTDIR)$(BINDIR)/

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(O)/obj $(O)/bin $(O)/stripped $(O)/tests $(O)/img

distclean:
	rm -rf $(O)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
