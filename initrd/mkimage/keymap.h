/* The console keymap for the passphrase prompt, on the build host: from a binary keymap file,
 * a kbd keymap name, an XKB layout, or detected from a root directory's /etc/vconsole.conf
 * (KEYMAP=) or Debian's /etc/default/keyboard (XKBLAYOUT=...), converted with the
 * distribution's own tools (`loadkeys -u -b`, `ckbcomp | loadkeys -u -b`). The result is
 * validated (bkeymap_parse) before it is returned. No logging: errors come back in err. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../bkeymap.h"

struct keymap {
	char name[BKEYMAP_NAME_MAX]; /* its name in the image: IMAGE_KEYMAPS_DIR/NAME.bmap */
	uint8_t *data;		     /* the binary keymap (loadkeys -b format) */
	size_t len;
	size_t n_tables;
	char why[512]; /* where it came from, for the builder's listing */
};

/* --keymap ARG: "auto" (keymap_from_root(root, ...)), a file when ARG contains a '/', else a
 * name (keymap_from_name). Returns 0 or -errno with err set (naming ARG and what failed). */
int keymap_get(const char *arg, const char *root, struct keymap *km, char *err, size_t err_size);
/* Detection: root's etc/vconsole.conf KEYMAP=, else etc/default/keyboard XKBLAYOUT,
 * XKBVARIANT, XKBOPTIONS, XKBMODEL. root "/" is the running system; a recorded tree for tests
 * or another system's root (--host-root). */
int keymap_from_root(const char *root, struct keymap *km, char *err, size_t err_size);
/* A kbd keymap name (`loadkeys -u -b NAME`, from kbd's keymap directories), else an XKB
 * layout NAME or LAYOUT-VARIANT (`ckbcomp`), as systemd names converted XKB maps. */
int keymap_from_name(const char *name, struct keymap *km, char *err, size_t err_size);
/* An XKB layout (variant, options, model may be NULL or ""). */
int keymap_from_xkb(const char *layout, const char *variant, const char *options, const char *model,
		    struct keymap *km, char *err, size_t err_size);
/* A binary keymap file; its name is the file name without a .bmap/.kmap suffix. */
int keymap_from_file(const char *path, struct keymap *km, char *err, size_t err_size);
void keymap_free(struct keymap *km);
