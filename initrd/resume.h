/* Resume from hibernation: after LUKS unlocking and LVM activation, before the root device is
 * waited for, checked or mounted (a read-only ext4 mount still replays its journal, and the
 * image's kernel expects the disks as it left them). Write resume_offset= (when given) to
 * /sys/power/resume_offset, then "MAJ:MIN" of the resume= device to /sys/power/resume. When
 * the device holds an image, the kernel restores it and this /init never runs again; when the
 * write returns, there was none and the boot goes on. Nothing here ever stops a boot. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct boot_config;
struct modules;
struct uevents;

/* The longest wait for the resume device: the resume device is needed by no later step, and
 * on LVM or LUKS it exists already when this step runs (unlocking and activation made it). */
#define RESUME_WAIT_MAX_MS UINT64_C(10000)

/* How long to wait for the resume device given rd.timeout= (BOOT_TIMEOUT_INFINITY for none):
 * the shorter of rd.timeout and RESUME_WAIT_MAX_MS. Pure. */
uint64_t resume_wait_ms(uint64_t rd_timeout_ms);

/* Writes the offset (when offset_set) to resume_offset, then "MAJ:MIN" of dev to resume, both
 * relative to power_dirfd (/sys/power). Returns 0 when the writes returned (no image), or
 * -errno with *failed naming the file that could not be written. */
int resume_write_sysfs(int power_dirfd, dev_t dev, bool offset_set, uint64_t offset,
		       const char **failed);

/* The boot step (see above): logs what it did and how long it took, and always returns. */
void resume_from_hibernation(const struct boot_config *bc, struct uevents *u, struct modules *m);

/* When the step found no resume device (a slow disk), looks once more, without waiting, after
 * the root device appeared and before it is checked or mounted: a swap partition on the root's
 * disk is there by then. */
void resume_after_root_wait(const struct boot_config *bc, struct uevents *u, struct modules *m);
