/* The root filesystem check, before the root is mounted (as initramfs-tools and systemd do):
 * e2fsprogs' own static checker from the image (initkit-mkimage --fsck) on the root device
 * node, with systemd's fsck.mode= / fsck.repair= semantics (bootconf.h). Its output goes to
 * FSCK_LOG for stage 2 and to the log; a passed check leaves FSCK_STAMP, so systemd's
 * systemd-fsck-root.service (ConditionPathExists=!/run/initramfs/fsck-root) does not check
 * the root a second time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "bootconf.h"
#include "image.h"

#define FSCK_E2FSCK IMAGE_E2FSCK
#define FSCK_LOG "/run/initkit/fsck.log"
#define FSCK_STAMP "/run/initramfs/fsck-root"
#define FSCK_ARGV_MAX 6

/* fsck(8)'s exit status bits (e2fsck(8) "EXIT CODE"). */
enum {
	FSCK_EXIT_CORRECTED = 1,
	FSCK_EXIT_REBOOT = 2,
	FSCK_EXIT_UNCORRECTED = 4,
	FSCK_EXIT_OPERATIONAL = 8,
	FSCK_EXIT_USAGE = 16,
	FSCK_EXIT_CANCELED = 32,
	FSCK_EXIT_LIBRARY = 128,
};

/* The checker in the image for a filesystem type (libblkid's TYPE or rootfstype=):
 * FSCK_E2FSCK for ext2, ext3, ext4; NULL when initkit has none. Pure. */
const char *fsck_checker_for_type(const char *fstype);

/* The checker's argv: e2fsck, -a (preen) / -y (yes) / -n (no), -f when forced, the device.
 * No -C: a progress bar is noise on a serial console and in the log. Pure; returns argc. */
size_t fsck_argv(enum boot_fsck_mode mode, enum boot_fsck_repair repair, const char *dev,
		 const char *argv[FSCK_ARGV_MAX]);

/* Whether the boot goes on after this exit status: 0, 1 (errors corrected) and 2 (corrected,
 * "reboot": only meaningful when the checked filesystem is mounted, and the root is not yet)
 * go on; 4 and above stop. Pure. */
bool fsck_exit_ok(int status);

/* The meaning of each bit of an exit status, "errors left uncorrected, operational error";
 * "no errors" for 0. Pure; returns the snprintf() length. */
int fsck_exit_describe(int status, char *buf, size_t size);

/* Checks the root device dev unless fsck.mode=skip, when the image has a checker for its
 * type (rootfstype= or probed); logs what it does and how long it took. Returns 0 to go on,
 * or a negative errno with why set when the boot must stop (exit status 4 and above, the
 * checker killed or not executable). */
int fsck_root(const struct boot_config *bc, const char *dev, char *why, size_t why_size);
