# Keymaps (issue 12): the binary keymap parser and the KEY=VALUE file reader, pure, shared by
# /init and the image builder; /init's loader (vconsole.c) is in initrd/initrd.mk.
INITRD_PURE_SRCS += initrd/bkeymap.c initrd/envfile.c

TESTS += bkeymap envfile
test_bkeymap_SRCS := tests/test_bkeymap.c initrd/bkeymap.c
test_envfile_SRCS := tests/test_envfile.c initrd/envfile.c

TESTS += vconsole
test_vconsole_SRCS := tests/test_vconsole.c initrd/vconsole.c initrd/bkeymap.c initrd/envfile.c \
	$(LIB_SRCS)

# Every console (initrd/console.c): the prompt on each, the line from the first that answers.
TESTS += console
test_console_SRCS := tests/test_console.c initrd/console.c initrd/passphrase.c $(LIB_SRCS)

# initkit-mkimage --keymap with the distribution's tools (tests/keymap-check.sh).
.PHONY: keymap-check
keymap-check: $(O)/stripped/initkit-mkimage $(O)/stripped/initkit-init
	tests/keymap-check.sh $(O)
EXTRA_CHECKS += keymap-check
