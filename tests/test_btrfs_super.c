/* The btrfs superblock parser and rootflags' "degraded" (initrd/btrfs_super.c), on superblocks
 * that mkfs.btrfs (btrfs-progs 6.2) wrote: tests/initrd-fixtures/btrfs/, each the 4 KiB at
 * 64 KiB of a member:
 *   raid1-devid1.sb, raid1-devid2.sb  mkfs.btrfs -d raid1 -m raid1 -L initkit-raid1
 *                                     -U 11111111-2222-3333-4444-555555555555 a.img b.img
 *   metadata-uuid.sb                  single device, then btrfstune -M 12345678-...-123456789abc
 *                                     (fsid changed, metadata UUID 66666666-...-aaaaaaaaaaaa)
 *   xxhash.sb                         mkfs.btrfs --csum xxhash (checksum not verified here) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../initrd/btrfs.h"

/* BTRFS_FIXTURES: tests/initrd-fixtures/btrfs by absolute path (initrd/btrfs.mk). */
static void load(const char *name, uint8_t buf[BTRFS_SUPER_SIZE])
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", BTRFS_FIXTURES, name);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, BTRFS_SUPER_SIZE, f) : 0;
	if (f)
		fclose(f);
	if (n != BTRFS_SUPER_SIZE)
		fail_msg("fixture %s not found or short", path);
}

/* Rewrites the crc32c after an edit, as the kernel would for a superblock it wrote. */
static void reseal(uint8_t *buf)
{
	uint32_t c = btrfs_crc32c(buf + 0x20, BTRFS_SUPER_SIZE - 0x20);
	for (int i = 0; i < 4; i++)
		buf[i] = (uint8_t)(c >> (8 * i));
}

static void test_raid1_members(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		uint64_t devid;
		const char *dev_uuid;
	} cases[] = {
		{"raid1-devid1.sb", 1, "233790a0-072a-4654-901b-5ea4f5f255b9"},
		{"raid1-devid2.sb", 2, "9d9758c3-413a-4ba4-90b3-8a78ad054d16"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[BTRFS_SUPER_SIZE];
		struct btrfs_super sb;
		char uuid[BTRFS_UUID_STRING_SIZE];
		load(cases[i].file, buf);
		assert_int_equal(btrfs_super_parse(buf, sizeof(buf), &sb), 0);
		btrfs_uuid_format(sb.fsid, uuid);
		assert_string_equal(uuid, "11111111-2222-3333-4444-555555555555");
		btrfs_uuid_format(sb.dev_uuid, uuid);
		assert_string_equal(uuid, cases[i].dev_uuid);
		if (sb.devid != cases[i].devid || sb.num_devices != 2 || sb.generation != 6)
			fail_msg("%s: devid %llu num_devices %llu generation %llu", cases[i].file,
				 (unsigned long long)sb.devid, (unsigned long long)sb.num_devices,
				 (unsigned long long)sb.generation);
		assert_string_equal(sb.label, "initkit-raid1");
		assert_true(sb.csum_verified);
	}
}

/* btrfstune -M: the device item carries the metadata UUID, not the fsid; still valid. */
static void test_metadata_uuid(void **state)
{
	(void)state;
	uint8_t buf[BTRFS_SUPER_SIZE];
	struct btrfs_super sb;
	char uuid[BTRFS_UUID_STRING_SIZE];
	load("metadata-uuid.sb", buf);
	assert_int_equal(btrfs_super_parse(buf, sizeof(buf), &sb), 0);
	btrfs_uuid_format(sb.fsid, uuid);
	assert_string_equal(uuid, "12345678-1234-4234-8234-123456789abc");
	assert_int_equal(sb.num_devices, 1);
	assert_string_equal(sb.label, "single");
	/* Without the incompat flag the device item no longer matches the fsid: refused. */
	buf[0xbc + 1] &= (uint8_t) ~(1u << 2); /* bit 10 of the little-endian u64 */
	reseal(buf);
	assert_int_equal(btrfs_super_parse(buf, sizeof(buf), &sb), -ERANGE);
}

static void test_xxhash_not_verified(void **state)
{
	(void)state;
	uint8_t buf[BTRFS_SUPER_SIZE];
	struct btrfs_super sb;
	load("xxhash.sb", buf);
	assert_int_equal(btrfs_super_parse(buf, sizeof(buf), &sb), 0);
	assert_false(sb.csum_verified);
	assert_string_equal(sb.label, "xx");
}

static void test_refused(void **state)
{
	(void)state;
	uint8_t good[BTRFS_SUPER_SIZE], buf[BTRFS_SUPER_SIZE];
	struct btrfs_super sb;
	load("raid1-devid1.sb", good);
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		bool reseal;
		int want;
	} cases[] = {
		{"magic", 0x40, 'X', true, -EINVAL},
		{"a backup copy (bytenr 64 MiB)", 0x33, 0x04, true, -EINVAL},
		{"a flipped label byte", 0x12b, 'J', false, -EBADMSG},
		{"a flipped checksum byte", 0x00, 0x00, false, -EBADMSG},
		{"num_devices 0", 0x88, 0, true, -ERANGE},
		{"devid 0", 0xc9, 0, true, -ERANGE},
		{"device item of another filesystem", 0xc9 + 0x52, 0x99, true, -ERANGE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(buf, good, sizeof(buf));
		buf[cases[i].off] = cases[i].value == buf[cases[i].off] ? (uint8_t)~cases[i].value
									: cases[i].value;
		if (cases[i].reseal)
			reseal(buf);
		int r = btrfs_super_parse(buf, sizeof(buf), &sb);
		if (r != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].what, r, cases[i].want);
	}
	assert_int_equal(btrfs_super_parse(good, BTRFS_SUPER_SIZE - 1, &sb), -EINVAL);
	/* A label filling all 256 bytes comes back NUL-terminated (cut to 255). */
	memcpy(buf, good, sizeof(buf));
	memset(buf + 0x12b, 'L', BTRFS_LABEL_SIZE);
	reseal(buf);
	assert_int_equal(btrfs_super_parse(buf, sizeof(buf), &sb), 0);
	assert_int_equal(strlen(sb.label), BTRFS_LABEL_SIZE - 1);
}

static void test_crc32c(void **state)
{
	(void)state;
	/* The CRC-32C check value (RFC 3720 / iSCSI): "123456789" -> 0xe3069283. */
	assert_int_equal(btrfs_crc32c("123456789", 9), 0xe3069283u);
	assert_int_equal(btrfs_crc32c("", 0), 0);
}

static void test_degraded(void **state)
{
	(void)state;
	static const struct {
		const char *flags;
		bool want;
	} cases[] = {
		{NULL, false},
		{"", false},
		{"degraded", true},
		{"subvol=root,degraded", true},
		{"degraded,subvol=root", true},
		{"subvol=degraded", false},
		{"nodegraded", false},
		{"degradedx", false},
		{",,degraded,", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (btrfs_rootflags_degraded(cases[i].flags) != cases[i].want)
			fail_msg("rootflags \"%s\": want %d",
				 cases[i].flags ? cases[i].flags : "(null)", cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raid1_members),
		cmocka_unit_test(test_metadata_uuid),
		cmocka_unit_test(test_xxhash_not_verified),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_degraded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
