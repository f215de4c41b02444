# Multi-device btrfs roots (initrd/btrfs.c; the superblock parser initrd/btrfs_super.c is pure).
TESTS += btrfs_super
test_btrfs_super_SRCS := tests/test_btrfs_super.c initrd/btrfs_super.c
