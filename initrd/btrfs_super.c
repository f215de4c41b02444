/* The pure part of btrfs.h: the superblock fields stage 1 needs to say which member is which
 * and how many the filesystem has (libblkid reports the UUIDs, not num_devices or devid). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "btrfs.h"

/* Offsets in struct btrfs_super_block (fs/btrfs/ctree.h; on-disk, little-endian, packed). */
enum {
	SB_CSUM = 0x00,		  /* u8[32]; crc32c: the first 4 bytes, over 0x20..4096 */
	SB_FSID = 0x20,		  /* u8[16] */
	SB_BYTENR = 0x30,	  /* u64: where this copy lives */
	SB_MAGIC = 0x40,	  /* "_BHRfS_M" */
	SB_GENERATION = 0x48,	  /* u64 */
	SB_NUM_DEVICES = 0x88,	  /* u64 */
	SB_INCOMPAT = 0xbc,	  /* u64 */
	SB_CSUM_TYPE = 0xc4,	  /* u16: 0 crc32c, 1 xxhash64, 2 sha256, 3 blake2b */
	SB_DEV_ITEM = 0xc9,	  /* struct btrfs_dev_item (98 bytes) */
	DEV_ITEM_DEVID = 0x00,	  /* u64 */
	DEV_ITEM_UUID = 0x42,	  /* u8[16] */
	DEV_ITEM_FSID = 0x52,	  /* u8[16] */
	SB_LABEL = 0x12b,	  /* char[256] */
	SB_METADATA_UUID = 0x23b, /* u8[16], with INCOMPAT_METADATA_UUID */
};
#define INCOMPAT_METADATA_UUID (1ull << 10)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint32_t btrfs_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return ~crc;
}

int btrfs_super_parse(const void *buf, size_t len, struct btrfs_super *out)
{
	const uint8_t *sb = buf;
	if (len < BTRFS_SUPER_SIZE || memcmp(sb + SB_MAGIC, "_BHRfS_M", 8) != 0 ||
	    le64(sb + SB_BYTENR) != BTRFS_SUPER_OFFSET)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if ((sb[SB_CSUM_TYPE] | sb[SB_CSUM_TYPE + 1] << 8) == 0) {
		uint32_t want = (uint32_t)sb[0] | (uint32_t)sb[1] << 8 | (uint32_t)sb[2] << 16 |
				(uint32_t)sb[3] << 24;
		if (btrfs_crc32c(sb + SB_FSID, BTRFS_SUPER_SIZE - SB_FSID) != want)
			return -EBADMSG;
		out->csum_verified = true;
	}
	memcpy(out->fsid, sb + SB_FSID, 16);
	memcpy(out->dev_uuid, sb + SB_DEV_ITEM + DEV_ITEM_UUID, 16);
	out->devid = le64(sb + SB_DEV_ITEM + DEV_ITEM_DEVID);
	out->num_devices = le64(sb + SB_NUM_DEVICES);
	out->generation = le64(sb + SB_GENERATION);
	memcpy(out->label, sb + SB_LABEL, BTRFS_LABEL_SIZE - 1);
	out->label[BTRFS_LABEL_SIZE - 1] = 0;
	/* The kernel's btrfs_validate_super() refuses these too. The device item carries the
	 * metadata UUID, which is the fsid unless btrfstune -m changed the fsid. */
	const uint8_t *meta =
		le64(sb + SB_INCOMPAT) & INCOMPAT_METADATA_UUID ? sb + SB_METADATA_UUID : out->fsid;
	if (out->num_devices == 0 || out->devid == 0 ||
	    memcmp(sb + SB_DEV_ITEM + DEV_ITEM_FSID, meta, 16) != 0)
		return -ERANGE;
	return 0;
}

void btrfs_uuid_format(const uint8_t u[16], char out[BTRFS_UUID_STRING_SIZE])
{
	snprintf(out, BTRFS_UUID_STRING_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
}

bool btrfs_rootflags_degraded(const char *rootflags)
{
	for (const char *p = rootflags; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == strlen("degraded") && strncmp(p, "degraded", n) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}
