# Pure LUKS-configuration parsers and the gen_init_cpio list parser (no syscalls, no logging).
# initrd/mkimage/cpiolist.c is linked into initkit-mkimage by initrd/initrd.mk.
INITRD_PURE_SRCS += initrd/crypttab.c initrd/luks_decide.c initrd/passphrase.c

TESTS += crypttab
test_crypttab_SRCS := tests/test_crypttab.c initrd/crypttab.c
# Tests read their crypttab fixtures from the source tree, wherever build/ is.
$(O)/obj/tests/test_crypttab.o: CFLAGS += -DFIXTURES_DIR='"$(abspath tests/luks-fixtures)"'

TESTS += luks_decide
test_luks_decide_SRCS := tests/test_luks_decide.c initrd/luks_decide.c

TESTS += cpiolist
test_cpiolist_SRCS := tests/test_cpiolist.c initrd/mkimage/cpiolist.c initrd/mkimage/cpio.c

TESTS += passphrase
test_passphrase_SRCS := tests/test_passphrase.c initrd/passphrase.c

# luks_parallel.c: the pure parts (threads, module names) and the KDF pool against real
# LUKS2 images that the test formats itself (libcryptsetup, no device-mapper).
TESTS += luks_parallel
test_luks_parallel_SRCS := tests/test_luks_parallel.c initrd/luks_parallel.c
