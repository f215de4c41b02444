/* LVM activation with LVM's own tool: the image's static /sbin/lvm, alternated with LUKS
 * unlocking by stack.c until nothing new appears. What is activated: the rd.lvm.vg= volume
 * groups and rd.lvm.lv= logical volumes; with none named, the VGs that root=, resume= (unless
 * noresume) and the LUKS volumes' devices name as LV paths (/dev/mapper/VG-LV, /dev/VG/LV), and —
 * when root= is no LV path — the VGs whose PVs are the unlocked LUKS devices. Never every VG on
 * every disk. Only activation and reporting commands run; see lvm.c on what keeps LVM metadata
 * unwritten. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "image.h"

struct boot_config;

#define LVM_BINARY IMAGE_LVM

/* Splits a device-mapper name as `dmsetup splitname` (libdm's dm_split_lvm_name) does: a
 * single '-' separates VG, LV and layer; "--" stands for a '-' inside a name. Pure. Returns 0
 * with vg and lv set (NUL-terminated), -EINVAL when the name has no VG-LV form or a layer
 * ("vg-lv-real"), -ENAMETOOLONG when a part does not fit. */
int lvm_dm_name_split(const char *dmname, char *vg, size_t vg_size, char *lv, size_t lv_size);

/* The VG and LV that a device path names when it is an LV path: /dev/mapper/VG-LV or
 * /dev/VG/LV (not a well-known /dev subdirectory such as disk/ or md/). Pure. Returns 0 with
 * vg and lv set, -EINVAL when the path is no LV path (UUID=, /dev/vda, ...), -ENAMETOOLONG
 * when a buffer is too small. lvm_root_vg() is the same for the VG alone. */
int lvm_path_split(const char *path, char *vg, size_t vg_size, char *lv, size_t lv_size);
int lvm_root_vg(const char *root, char *vg, size_t vg_size);

/* The device-mapper name of VG/LV, as libdm makes it ('-' doubled inside each name): the
 * inverse of lvm_dm_name_split(). Pure. Returns 0 or -ENAMETOOLONG. */
int lvm_dm_name(const char *vg, const char *lv, char *out, size_t size);

/* Reads `lvm pvs --noheadings --separator , -o pv_uuid,pv_missing` output: counts the PVs
 * and lists the missing ones' UUIDs, space-separated, in missing. Pure. Returns 0, -EINVAL
 * for a line of another form, -ENAMETOOLONG when missing is too small. */
int lvm_pvs_missing_parse(const char *text, char *missing, size_t size, unsigned *n_missing,
			  unsigned *n_pvs);

struct lvm_run;

/* Decides what to activate (see above; lv_specs are the LUKS volumes' device specs, whose LV
 * paths name VGs too). *ret is NULL when there is nothing to do (rd.lvm=0, no lvm in the
 * image). Returns 0, -ENOENT when rd.lvm.* is given but the image has no lvm (logged), or
 * -ENOMEM. */
int lvm_run_begin(const struct boot_config *bc, const char *const *lv_specs, size_t n_specs,
		  struct lvm_run **ret);

/* When a block device appeared or went since the last call: tries each target not active
 * yet (quietly: lvm's output of an attempt that fails is kept for lvm_run_end()). Returns the
 * number activated now. run may be NULL. */
int lvm_run_step(struct lvm_run *run);

/* True while a VG or LV named with rd.lvm.* is not active (*what names it). */
bool lvm_run_waiting(const struct lvm_run *run, const char **what);

/* Reports what was never activated (lvm's last output, our line naming it, missing PVs) and
 * frees. Returns -ENXIO when that includes a VG or LV named with rd.lvm.*, else 0. */
int lvm_run_end(struct lvm_run *run);
