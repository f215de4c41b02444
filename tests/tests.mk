# Unit tests of the lead's files (other areas register theirs in their own .mk fragments).
TESTS += cpio mount
test_cpio_SRCS := tests/test_cpio.c initrd/mkimage/cpio.c
test_mount_SRCS := tests/test_mount.c initrd/mount.c initrd/devices.c initrd/kmod.c initrd/timeline.c $(LIB_SRCS)
TESTS += killall devices
test_devices_SRCS := tests/test_devices.c initrd/devices.c initrd/kmod.c initrd/timeline.c $(LIB_SRCS)
test_killall_SRCS := tests/test_killall.c initrd/killall.c $(LIB_SRCS)

# Mutation check, not part of `make check`: tests/mutate.py applies each mutant of
# tests/mutants/ to a scratch copy in $(O)/mutate and runs the checks it names.
# `make mutate MUTANTS="luks-offset killall-noop"` runs only those.
.PHONY: mutate mutate-qemu-tools-list
mutate: | $(DEPS)/.stamp
	python3 tests/mutate.py --build $(O) $(MUTANTS)
# What a QEMU scenario needs (expanded when run, after qemu/qemu.mk is read).
mutate-qemu-tools-list:
	@echo $(QEMU_TOOLS)
# lib/spawn.c (stage 1's fsck and lvm runs).
TESTS += spawn
test_spawn_SRCS := tests/test_spawn.c $(LIB_SRCS)
# devices.c reads uevents with initrd/uevent.c (parser and decision, tested on their own).
TESTS += uevent
test_uevent_SRCS := tests/test_uevent.c initrd/uevent.c
test_devices_SRCS += initrd/uevent.c
test_mount_SRCS += initrd/uevent.c
test_fsck_SRCS += initrd/uevent.c
test_resume_SRCS += initrd/uevent.c
