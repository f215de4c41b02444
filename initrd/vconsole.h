/* The keymap for the passphrase prompt, loaded before the first prompt. The image carries
 * binary keymaps (IMAGE_KEYMAPS_DIR/NAME.bmap) and names its default in IMAGE_VCONSOLE_CONF
 * (KEYMAP=, as systemd's vconsole.conf); rd.vconsole.keymap= and vconsole.keymap= pick another
 * of them (systemd's names; rd. wins). Loaded through /dev/tty0 onto the kernel's keyboard
 * (the keymap is one for all VTs): KDSKBMODE K_UNICODE, "\033%G" (UTF-8 output), KDSKBENT per
 * entry. A serial console is not affected: the terminal at its other end maps its keys. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct boot_config;

/* The kernel's built-in keymap (defkeymap.map): asked for and not in the image, it is kept. */
#define VCONSOLE_KERNEL_KEYMAP "us"

/* Which keymap to load: rd.vconsole.keymap= (rd), else vconsole.keymap= (plain), else the
 * image's default (dflt); NULL for none. A requested name that is not a keymap name or not in
 * the image (have() says) is passed over with one line in warn (else warn is ""), and the
 * next in that order is used. "us" is always usable: when the image lacks it, it means the
 * kernel's own keymap (vconsole.keymap=us undoes an image default that does not fit). Pure. */
const char *vconsole_pick(const char *rd, const char *plain, const char *dflt,
			  bool (*have)(const char *name, void *ud), void *ud, char *warn,
			  size_t warn_size);

/* Picks and loads the keymap, logging what it did; never fails the boot. */
void vconsole_setup(const struct boot_config *bc);
