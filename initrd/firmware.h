/* Firmware files for the image, found the way the kernel's firmware loader looks for them
 * (drivers/base/firmware_loader/main.c, 6.1): for each suffix "", ".zst", ".xz" in that order,
 * the directories updates/<kver>, updates, <kver> and the top of /lib/firmware; the first
 * file found is the one the kernel loads. Path logic on a directory fd; no logging. */
#pragma once

#include <stddef.h>

struct firmware_files {
	char **rel; /* paths relative to the firmware directory, no duplicates, in the order
		       found */
	size_t n;
};

/* Looks up name (a module's `firmware` modinfo entry, e.g. "rtl_nic/rtl8168d-1.fw") below
 * the firmware directory fwdir and appends what the kernel would load to files (a file
 * already there is not added twice). A name with shell wildcards ("brcm/brcmfmac*-sdio.*.bin",
 * a hint some drivers give) matches every such file in every search directory and suffix.
 * Returns the number of files that match (0: missing), -EINVAL for a name that is absolute
 * or has a ".." component, or -ENOMEM. */
int firmware_find(int fwdir, const char *name, const char *kver, struct firmware_files *files);
void firmware_files_free(struct firmware_files *files);
