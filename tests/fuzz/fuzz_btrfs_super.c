/* libFuzzer target: the btrfs superblock parser (btrfs_super_parse in initrd/btrfs_super.c) and
 * rootflags' "degraded" word. The input is the superblock, copied to an exact-size buffer so a
 * read past its length is caught; a short input exercises the length check. Inputs that do not
 * start like a superblock are given the magic and the 64 KiB bytenr (and, half of the time, a
 * correct crc32c), so the fuzzer reaches the field checks. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/btrfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = (uint8_t *)fuzz_memdup(data, size);
	struct btrfs_super sb;
	if (size >= BTRFS_SUPER_SIZE && size > 0 && (data[size - 1] & 1)) {
		static const uint8_t bytenr[8] = {0, 0, 1, 0, 0, 0, 0, 0};
		memcpy(buf + 0x40, "_BHRfS_M", 8);
		memcpy(buf + 0x30, bytenr, 8);
		if (data[size - 1] & 2) {
			uint32_t c = btrfs_crc32c(buf + 0x20, BTRFS_SUPER_SIZE - 0x20);
			for (int i = 0; i < 4; i++)
				buf[i] = (uint8_t)(c >> (8 * i));
		}
	}
	int r = btrfs_super_parse(buf, size, &sb);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EBADMSG || r == -ERANGE);
	if (r == 0) {
		char uuid[BTRFS_UUID_STRING_SIZE];
		FUZZ_CHECK(size >= BTRFS_SUPER_SIZE);
		FUZZ_CHECK(sb.num_devices > 0 && sb.devid > 0);
		FUZZ_CHECK(strnlen(sb.label, sizeof(sb.label)) < sizeof(sb.label));
		btrfs_uuid_format(sb.fsid, uuid);
		FUZZ_CHECK(strlen(uuid) == 36);
	}
	/* The same bytes as rootflags= */
	char *flags = fuzz_strndup(data, size < 512 ? size : 512);
	bool degraded = btrfs_rootflags_degraded(flags);
	FUZZ_CHECK(!degraded || strstr(flags, "degraded"));
	free(flags);
	free(buf);
	return 0;
}
