/* What /init (initrd/) and the image builder (initrd/mkimage/) must agree on: where things
 * are in the image. Absolute paths as /init sees them; the builder writes IMAGE_REL(path),
 * the same path without its leading '/' (cpio names are relative). */
#pragma once

#define IMAGE_REL(path) ((path) + 1)

#define IMAGE_CONF "/etc/initkit.conf"	    /* the image config (bootconf keys) */
#define IMAGE_CRYPTTAB "/etc/crypttab"	    /* crypttab(5) of the volumes to open */
#define IMAGE_KEYS_DIR "/etc/initkit/keys"  /* key files, mode 0400 */
#define IMAGE_HOOKS_DIR "/etc/initkit/hooks.d" /* run before unlocking */
#define IMAGE_LVM "/sbin/lvm"		    /* the static lvm (mkimage --lvm) */
#define IMAGE_LVM_CONF "/etc/lvm/lvm.conf"
#define IMAGE_E2FSCK "/sbin/e2fsck"	    /* the static e2fsck (mkimage --fsck) */
#define IMAGE_MODPROBE "/sbin/modprobe"	    /* a link to /init: the kernel's module requests */
#define IMAGE_USR_MODPROBE "/usr/sbin/modprobe" /* the same, where lvm looks for it */
#define IMAGE_KEYMAPS_DIR "/etc/initkit/keymaps" /* NAME.bmap: binary keymaps (mkimage --keymap) */
#define IMAGE_VCONSOLE_CONF "/etc/vconsole.conf"  /* KEYMAP=NAME: the image's default keymap */
