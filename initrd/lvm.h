/* LVM activation with LVM's own tool: the image's static /sbin/lvm, run after LUKS unlocking.
 * What is activated: the rd.lvm.vg= volume groups and rd.lvm.lv= logical volumes; with none
 * named, the VG that holds root= when root= names an LV (/dev/mapper/VG-LV, /dev/VG/LV), else
 * the VGs whose PVs are the unlocked LUKS devices; plus the VG of resume= when it names an LV
 * (and noresume is not given). Never every VG on every disk. Only activation and reporting
 * commands run; see lvm.c on what keeps LVM metadata unwritten. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct boot_config;

#define LVM_BINARY "/sbin/lvm"

/* Splits a device-mapper name as `dmsetup splitname` (libdm's dm_split_lvm_name) does: a
 * single '-' separates VG, LV and layer; "--" stands for a '-' inside a name. Pure. Returns 0
 * with vg and lv set (NUL-terminated), -EINVAL when the name has no VG-LV form or a layer
 * ("vg-lv-real"), -ENAMETOOLONG when a part does not fit. */
int lvm_dm_name_split(const char *dmname, char *vg, size_t vg_size, char *lv, size_t lv_size);

/* The VG that root= names when it is an LV path: /dev/mapper/VG-LV or /dev/VG/LV (not a
 * well-known /dev subdirectory such as disk/ or md/). Pure. Returns 0 with vg set, -EINVAL
 * when root= is no LV path (UUID=, /dev/vda, ...), -ENAMETOOLONG when vg is too small. */
int lvm_root_vg(const char *root, char *vg, size_t vg_size);

/* Activates what the boot needs (see above), when LVM_BINARY is in the image and rd.lvm is not
 * off. Returns 0, or a negative errno when a VG or LV named with rd.lvm.* could not be
 * activated (logged, naming it). A guessed VG that fails is logged and the boot goes on (the
 * root device wait then reports what is missing). */
int lvm_activate(const struct boot_config *bc);
