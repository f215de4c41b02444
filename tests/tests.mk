# Unit tests of the lead's files (other areas register theirs in their own .mk fragments).
TESTS += cpio mount
test_cpio_SRCS := tests/test_cpio.c initrd/cpio.c
test_mount_SRCS := tests/test_mount.c initrd/mount.c initrd/devices.c initrd/kmod.c $(LIB_SRCS)
TESTS += killall devices
test_devices_SRCS := tests/test_devices.c initrd/devices.c initrd/kmod.c $(LIB_SRCS)
test_killall_SRCS := tests/test_killall.c initrd/killall.c $(LIB_SRCS)
