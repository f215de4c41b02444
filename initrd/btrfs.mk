# Multi-device btrfs roots (initrd/btrfs.c; the superblock parser initrd/btrfs_super.c is pure).
TESTS += btrfs_super
test_btrfs_super_SRCS := tests/test_btrfs_super.c initrd/btrfs_super.c
# The fixtures by absolute path: the test runs from $(O), which need not sit in the tree.
$(O)/obj/tests/test_btrfs_super.o: CFLAGS += \
	-DBTRFS_FIXTURES='"$(abspath tests/initrd-fixtures/btrfs)"'
