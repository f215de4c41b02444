# Pure stage-1 parsers and the stage-2 init check (included from initrd/initrd.mk).
# INITRD_PURE_SRCS: sources to link into initkit-init.
INITRD_PURE_SRCS += initrd/cmdline.c initrd/conf.c initrd/bootconf.c initrd/initcheck.c

TESTS += cmdline conf bootconf initcheck
test_cmdline_SRCS := tests/test_cmdline.c initrd/cmdline.c
test_conf_SRCS := tests/test_conf.c initrd/conf.c
test_bootconf_SRCS := tests/test_bootconf.c initrd/bootconf.c initrd/cmdline.c initrd/conf.c
test_initcheck_SRCS := tests/test_initcheck.c initrd/initcheck.c
# The deciding parts of switch_root and the emergency policy (initrd/switchroot.c, emergency.c).
TESTS += switchroot emergency
test_switchroot_SRCS := tests/test_switchroot.c initrd/switchroot.c $(LIB_SRCS)
test_emergency_SRCS := tests/test_emergency.c initrd/emergency.c initrd/timeline.c $(LIB_SRCS)
# The kernel's uevent messages and what a device wait does with one (initrd/uevent.c).
INITRD_PURE_SRCS += initrd/uevent.c
