TESTS += cpio
test_cpio_SRCS := tests/test_cpio.c initrd/cpio.c
