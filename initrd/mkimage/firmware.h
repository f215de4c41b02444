/* Firmware files for the image, found the way the kernel's firmware loader looks for them
 * (drivers/base/firmware_loader/main.c, 6.1): for each suffix "", then ".zst" (only with
 * CONFIG_FW_LOADER_COMPRESS_ZSTD), then ".xz" (only with CONFIG_FW_LOADER_COMPRESS_XZ), the
 * directories updates/<kver>, updates, <kver> and the top of /lib/firmware; the first file
 * found is the one the kernel loads. Path logic on a directory fd; no logging. */
#pragma once

#include <stddef.h>

struct firmware_files {
	char **rel; /* paths relative to the firmware directory, no duplicates, in the order
		       found */
	size_t n;
};

/* The compressed forms a kernel's loader reads (bits of a mask). */
enum { FIRMWARE_ZST = 1 << 0, FIRMWARE_XZ = 1 << 1 };

/* The forms a kernel built with this .config reads: FW_LOADER_COMPRESS_ZSTD=y and
 * FW_LOADER_COMPRESS_XZ=y; FW_LOADER_COMPRESS=y alone (kernels before 5.19, xz only) is xz.
 * Returns the mask, or -ENOENT when the text has no CONFIG_FW_LOADER line at all (not a
 * kernel config). Pure. */
int firmware_forms_from_kconfig(const char *text, size_t len);
/* "none", "xz", "zst", "xz,zst", "zst,xz" (--firmware-compress). Returns the mask or
 * -EINVAL. Pure. */
int firmware_forms_parse(const char *list);
/* The suffixes to try, NULL-terminated in out[4]. forms >= 0: what that kernel tries, in its
 * order ("" first, ".zst" before ".xz"). forms < 0 (unknown kernel): "", ".xz", ".zst" -- a
 * plain file first, then the form most kernels read (Debian's 6.1 has xz only); a ".zst"
 * match then deserves a warning. */
void firmware_suffixes(int forms, const char *out[4]);

/* Looks up name (a module's `firmware` modinfo entry, e.g. "rtl_nic/rtl8168d-1.fw") below
 * the firmware directory fwdir with the given suffixes (NULL-terminated, in order) and
 * appends what the kernel would load to files (a file already there is not added twice). A
 * leading '/' is dropped, as the kernel's "%s/%s" path ("/lib/firmware//NAME") does. A name
 * with shell wildcards ("brcm/brcmfmac*-sdio.*.bin", a hint some drivers give) matches every
 * such file in every search directory and suffix. Returns the number of files that match
 * (0: missing), -EINVAL for a name with a ".." component (or only slashes), or -ENOMEM. */
int firmware_find(int fwdir, const char *name, const char *kver, const char *const *suffixes,
		  struct firmware_files *files);
void firmware_files_free(struct firmware_files *files);
