INITRD_PURE_SRCS :=
-include initrd/parsers.mk initrd/luksparsers.mk initrd/btrfs.mk initrd/keymap.mk
PROGRAMS += initkit-init initkit-mkimage
initkit-init_SRCS := initrd/main.c initrd/version.c initrd/kmod.c initrd/devices.c \
	initrd/mount.c initrd/switchroot.c initrd/emergency.c initrd/luks.c initrd/killall.c \
	initrd/console.c initrd/lvm.c initrd/lvm_names.c initrd/stack.c initrd/fsck.c \
	initrd/btrfs.c initrd/btrfs_super.c initrd/resume.c initrd/udevdb.c initrd/vconsole.c \
	initrd/timeline.c initrd/luks_parallel.c \
	$(sort $(INITRD_PURE_SRCS) initrd/bootconf.c initrd/initcheck.c) $(LIB_SRCS)
initkit-mkimage_SRCS := initrd/mkimage/mkimage.c initrd/mkimage/cpio.c initrd/mkimage/cpiolist.c \
	initrd/mkimage/modclosure.c initrd/mkimage/firmware.c initrd/mkimage/host.c \
	initrd/lvm_names.c initrd/bootconf.c initrd/cmdline.c initrd/conf.c initrd/version.c \
	initrd/mkimage/keymap.c initrd/bkeymap.c initrd/envfile.c $(LIB_SRCS)
TESTS += firmware modclosure lvm fsck resume udevdb
test_fsck_SRCS := tests/test_fsck.c initrd/fsck.c initrd/devices.c initrd/kmod.c initrd/timeline.c initrd/bootconf.c \
	initrd/cmdline.c initrd/conf.c $(LIB_SRCS)
test_resume_SRCS := tests/test_resume.c initrd/resume.c initrd/devices.c initrd/kmod.c initrd/timeline.c $(LIB_SRCS)
test_udevdb_SRCS := tests/test_udevdb.c initrd/udevdb.c initrd/lvm_names.c initrd/bootconf.c initrd/cmdline.c initrd/conf.c $(LIB_SRCS)
test_lvm_SRCS := tests/test_lvm.c initrd/lvm_names.c initrd/bootconf.c initrd/cmdline.c initrd/conf.c \
	$(LIB_SRCS)
test_firmware_SRCS := tests/test_firmware.c initrd/mkimage/firmware.c
test_modclosure_SRCS := tests/test_modclosure.c initrd/mkimage/modclosure.c $(LIB_SRCS)
# The boot timeline: recorder, JSON serializer, emergency tail (initrd/timeline.c).
TESTS += timeline
test_timeline_SRCS := tests/test_timeline.c initrd/timeline.c $(LIB_SRCS)

$(O)/obj/initrd/version.o: CFLAGS += \
	-DCRYPTSETUP_VERSION='"$(shell $(PKGCONF) --modversion libcryptsetup)"' \
	-DKMOD_VERSION='"$(shell $(PKGCONF) --modversion libkmod)"'

# The image builder end to end on Debian's kernel modules (needs the QEMU harness' kernel).
.PHONY: mkimage-check
mkimage-check: $(O)/stripped/initkit-mkimage $(O)/stripped/initkit-init $(O)/kernel/.stamp \
	$(O)/qemu/e2fsck/sbin/e2fsck.static
	tests/mkimage-check.sh $(O)
EXTRA_CHECKS += mkimage-check
# The static lvm that `initkit-mkimage --lvm` takes by default: this build's (lib/deps.sh).
$(O)/obj/initrd/mkimage/mkimage.o: CFLAGS += -DLVM_DEFAULT_BINARY='"$(abspath $(DEPS))/sbin/lvm"'
# initkit-mkimage --host: detection on the recorded trees of tests/host-fixtures/.
TESTS += host
test_host_SRCS := tests/test_host.c initrd/mkimage/host.c initrd/lvm_names.c initrd/bootconf.c \
	initrd/cmdline.c initrd/conf.c $(LIB_SRCS)
$(O)/obj/tests/test_host.o: CFLAGS += -DHOST_FIXTURES='"$(abspath tests/host-fixtures)"'
include initrd/tpm2.mk
