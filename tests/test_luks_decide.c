/* Tests for initrd/luks_decide.c: the facts about an existing mapping → decision + message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../initrd/luks_decide.h"

/* Case tables leave trailing fields zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
/* Each case starts from SAME_FACTS and overrides the fields it is about. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define HDR "0b4b7a4a-2d5c-4a7f-9a3e-3b1d9f0a6c11"
#define HEX "0b4b7a4a2d5c4a7f9a3e3b1d9f0a6c11"
#define OTHER_HEX "8a5c3f1e6b2d4e7a9c1f2d3e4f5a6b7c"

/* A healthy, active LUKS2 mapping "croot" of our device 254:2. */
#define SAME_FACTS                                                                                 \
	.name = "croot", .exists = true, .dm_uuid = "CRYPT-LUKS2-" HEX "-croot",                   \
	.status = LUKS_DM_ACTIVE, .header_uuid = HDR, .device = "/dev/vda2", .backing_major = 254, \
	.backing_minor = 2, .device_major = 254, .device_minor = 2, .n_targets = 1,                \
	.target_type = "crypt", .table_cipher = "aes-xts-plain64",                                 \
	.want_cipher = "aes-xts-plain64", .table_offset = 32768, .want_offset = 32768,             \
	.key = LUKS_KEY_MATCHES, .table_sector_size = 512, .want_sector_size = 512

struct decide_case {
	const char *name;
	struct luks_active_facts facts;
	enum luks_decision want;
	const char *msg_has[3]; /* substrings the message must contain */
};

static const struct decide_case cases[] = {
	{"no mapping",
	 {.name = "croot", .exists = false, .device = "/dev/vda2"},
	 LUKS_NOT_ACTIVE,
	 {"/dev/mapper/croot", "unlocking /dev/vda2"}},
	{"same LUKS2 device",
	 {SAME_FACTS},
	 LUKS_ACTIVE_SAME,
	 {"/dev/mapper/croot (dm uuid CRYPT-LUKS2-" HEX "-croot, backing 254:2)", "already open",
	  "our device /dev/vda2 (LUKS uuid " HDR ", 254:2)"}},
	{"same, busy (mounted by a hook)",
	 {SAME_FACTS, .status = LUKS_DM_BUSY},
	 LUKS_ACTIVE_SAME,
	 {"already open"}},
	{"same LUKS1 device",
	 {SAME_FACTS, .dm_uuid = "CRYPT-LUKS1-" HEX "-croot", .header_type = "LUKS1"},
	 LUKS_ACTIVE_SAME},
	{"header uuid upper case, dm uuid lower",
	 {SAME_FACTS, .header_uuid = "0B4B7A4A-2D5C-4A7F-9A3E-3B1D9F0A6C11"},
	 LUKS_ACTIVE_SAME},
	{"dm uuid upper case hex",
	 {SAME_FACTS, .dm_uuid = "CRYPT-LUKS2-0B4B7A4A2D5C4A7F9A3E3B1D9F0A6C11-croot"},
	 LUKS_ACTIVE_SAME},
	{"mapping's device number unknown",
	 {SAME_FACTS, .backing_major = 0, .backing_minor = 0},
	 LUKS_ACTIVE_UNVERIFIED,
	 {"device numbers of the mapping are unknown"}},
	{"our device number unknown (only on our side)",
	 {SAME_FACTS, .device_major = 0, .device_minor = 0},
	 LUKS_ACTIVE_UNVERIFIED,
	 {"device numbers of our device are unknown"}},
	{"forged: error target with our dm uuid",
	 {SAME_FACTS, .target_type = "error", .table_cipher = NULL, .backing_major = 0,
	  .backing_minor = 0, .key = LUKS_KEY_UNCHECKED},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"not one crypt target (1 target, error)"}},
	{"forged: linear table over another disk with our dm uuid",
	 {SAME_FACTS, .target_type = "linear", .table_cipher = NULL, .backing_minor = 16,
	  .key = LUKS_KEY_UNCHECKED},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"(1 target, linear)"}},
	{"crypt plus a second target",
	 {SAME_FACTS, .n_targets = 2},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"2 targets, crypt"}},
	{"no table at all",
	 {SAME_FACTS, .n_targets = 0, .target_type = NULL},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"0 targets, none"}},
	{"crypt at another offset of our device",
	 {SAME_FACTS, .table_offset = 4096},
	 LUKS_ACTIVE_MISMATCH,
	 {"sector 4096", "starts at 32768"}},
	{"crypt with another cipher",
	 {SAME_FACTS, .table_cipher = "cipher_null-ecb"},
	 LUKS_ACTIVE_MISMATCH,
	 {"cipher cipher_null-ecb, our header aes-xts-plain64"}},
	{"crypt with a key our header rejects",
	 {SAME_FACTS, .key = LUKS_KEY_DIFFERS},
	 LUKS_ACTIVE_MISMATCH,
	 {"not our volume key"}},
	{"crypt whose key was not checked",
	 {SAME_FACTS, .key = LUKS_KEY_UNCHECKED},
	 LUKS_ACTIVE_MISMATCH,
	 {"was not checked"}},
	{"key in the kernel keyring under our name",
	 {SAME_FACTS, .key = LUKS_KEY_IN_KEYRING},
	 LUKS_ACTIVE_SAME,
	 {"kernel keyring under our name"}},
	{"a keyring key of another name or size",
	 {SAME_FACTS, .key = LUKS_KEY_KEYRING_FOREIGN},
	 LUKS_ACTIVE_MISMATCH,
	 {"not named or sized as ours"}},
	{"another IV offset",
	 {SAME_FACTS, .table_iv_offset = 7},
	 LUKS_ACTIVE_MISMATCH,
	 {"IV offset is 7, our header's 0"}},
	{"another sector size",
	 {SAME_FACTS, .table_sector_size = 4096},
	 LUKS_ACTIVE_MISMATCH,
	 {"4096-byte sectors, our header 512-byte"}},
	{"4096-byte sectors on both sides",
	 {SAME_FACTS, .table_sector_size = 4096, .want_sector_size = 4096},
	 LUKS_ACTIVE_SAME},
	{"suspended LUKS1: its wiped key does not hide the real reason",
	 {SAME_FACTS, .suspended = true, .key = LUKS_KEY_DIFFERS},
	 LUKS_ACTIVE_SUSPENDED,
	 {"suspended"}},
	{"integrity volume: capi cipher through NAME_dif",
	 {SAME_FACTS, .via_integrity = true,
	  .table_cipher = "capi:authenc(hmac(sha256),xts(aes))-random",
	  .want_cipher = "aes-xts-random"},
	 LUKS_ACTIVE_SAME,
	 {"through its integrity mapping", "verified"}},
	{"integrity mapping of another device",
	 {SAME_FACTS, .via_integrity = true, .backing_minor = 16},
	 LUKS_ACTIVE_OTHER_DEVICE,
	 {"under its integrity mapping"}},
	{"name part differs (renamed mapping)",
	 {SAME_FACTS, .dm_uuid = "CRYPT-LUKS2-" HEX "-cryptroot"},
	 LUKS_ACTIVE_SAME,
	 {"renamed"}},
	{"name part with dashes",
	 {SAME_FACTS, .name = "luks-" HDR, .dm_uuid = "CRYPT-LUKS2-" HEX "-luks-" HDR},
	 LUKS_ACTIVE_SAME,
	 {"already open"}},
	{"different LUKS uuid",
	 {SAME_FACTS, .dm_uuid = "CRYPT-LUKS2-" OTHER_HEX "-croot"},
	 LUKS_ACTIVE_OTHER_DEVICE,
	 {"CRYPT-LUKS2-" OTHER_HEX "-croot", "the LUKS UUIDs differ", "LUKS uuid " HDR}},
	{"uuid is a prefix of the mapping's uuid",
	 {SAME_FACTS, .dm_uuid = "CRYPT-LUKS2-" HEX "00-croot"},
	 LUKS_ACTIVE_BROKEN,
	 {"carries no LUKS UUID"}},
	{"mapping's uuid is a prefix of ours",
	 {SAME_FACTS, .header_uuid = HDR "00"},
	 LUKS_ACTIVE_UNVERIFIED},
	{"same uuid, other backing device (cloned disk)",
	 {SAME_FACTS, .backing_minor = 3},
	 LUKS_ACTIVE_OTHER_DEVICE,
	 {"another backing device", "backing 254:3", "254:2)"}},
	{"LUKS1 mapping, LUKS2 header",
	 {SAME_FACTS, .dm_uuid = "CRYPT-LUKS1-" HEX "-croot", .header_type = "LUKS2"},
	 LUKS_ACTIVE_OTHER_DEVICE,
	 {"different LUKS version"}},
	{"plain dm-crypt under our name",
	 {SAME_FACTS, .dm_uuid = "CRYPT-PLAIN-croot"},
	 LUKS_ACTIVE_OTHER_DEVICE,
	 {"non-LUKS crypt mapping"}},
	{"linear mapping (LVM)",
	 {SAME_FACTS, .dm_uuid = "LVM-abcdefabcdef"},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"dm uuid LVM-abcdefabcdef", "not a crypt mapping"}},
	{"mapping without dm uuid",
	 {SAME_FACTS, .dm_uuid = NULL},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"dm uuid none", "no dm UUID"}},
	{"mapping with empty dm uuid",
	 {SAME_FACTS, .dm_uuid = ""},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"no dm UUID"}},
	{"verity mapping",
	 {SAME_FACTS, .dm_uuid = "CRYPT-VERITY-" HEX "-croot"},
	 LUKS_ACTIVE_NOT_CRYPT,
	 {"not dm-crypt"}},
	{"lowercase crypt- prefix is not libcryptsetup's",
	 {SAME_FACTS, .dm_uuid = "crypt-LUKS2-" HEX "-croot"},
	 LUKS_ACTIVE_NOT_CRYPT},
	{"suspended",
	 {SAME_FACTS, .suspended = true},
	 LUKS_ACTIVE_SUSPENDED,
	 {"suspended", "/dev/vda2"}},
	{"suspended and foreign: foreign wins",
	 {SAME_FACTS, .suspended = true, .dm_uuid = "CRYPT-LUKS2-" OTHER_HEX "-croot"},
	 LUKS_ACTIVE_OTHER_DEVICE},
	{"status invalid",
	 {SAME_FACTS, .status = LUKS_DM_INVALID},
	 LUKS_ACTIVE_BROKEN,
	 {"status is invalid"}},
	{"exists without active table",
	 {SAME_FACTS, .status = LUKS_DM_INACTIVE},
	 LUKS_ACTIVE_BROKEN,
	 {"no active table"}},
	{"type only, no uuid part", {SAME_FACTS, .dm_uuid = "CRYPT-LUKS2"}, LUKS_ACTIVE_BROKEN},
	{"missing header uuid",
	 {SAME_FACTS, .header_uuid = NULL},
	 LUKS_ACTIVE_UNVERIFIED,
	 {"LUKS uuid unknown", "gave no LUKS UUID"}},
	{"garbage header uuid", {SAME_FACTS, .header_uuid = "not-a-uuid"}, LUKS_ACTIVE_UNVERIFIED},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct decide_case *c = &cases[i];
		char msg[512];
		enum luks_decision d = luks_decide_active(&c->facts, msg, sizeof(msg));
		if (d != c->want)
			fail_msg("case '%s': expected %s, got %s (%s)", c->name,
				 luks_decision_name(c->want), luks_decision_name(d), msg);
		for (size_t k = 0; k < 3 && c->msg_has[k]; k++)
			if (!strstr(msg, c->msg_has[k]))
				fail_msg("case '%s': message lacks '%s': %s", c->name,
					 c->msg_has[k], msg);
		if (luks_decision_is_success(d) != (d == LUKS_ACTIVE_SAME))
			fail_msg("case '%s': is_success wrong", c->name);
	}
}

struct crypt_params_case {
	const char *params;
	int ret;
	const char *cipher, *key;
	unsigned major, minor;
	unsigned long long offset;
	bool integrity;
	unsigned sector_size; /* 0: the default, 512 */
};

static const struct crypt_params_case crypt_params_cases[] = {
	{"aes-xts-plain64 0011aabb 0 254:0 32768", 0, "aes-xts-plain64", "0011aabb", 254, 0, 32768},
	{"aes-xts-plain64 :64:logon:cryptsetup:7b2d-d0 0 8:3 4096 1 allow_discards", 0,
	 "aes-xts-plain64", ":64:logon:cryptsetup:7b2d-d0", 8, 3, 4096},
	{"capi:authenc(hmac(sha256),xts(aes))-random :96:logon:x 0 253:1 0 1 integrity:32:aead", 0,
	 "capi:authenc(hmac(sha256),xts(aes))-random", ":96:logon:x", 253, 1, 0, true},
	{"aes-cbc-essiv:sha256 - 0 259:12 2 2 no_read_workqueue no_write_workqueue", 0,
	 "aes-cbc-essiv:sha256", "-", 259, 12, 2},
	{"aes-xts-plain64 :64:logon:cryptsetup:u-d0 0 254:0 32768 2 sector_size:4096 "
	 "iv_large_sectors",
	 0, "aes-xts-plain64", ":64:logon:cryptsetup:u-d0", 254, 0, 32768, false, 4096},
	{"aes-xts-plain64 00 0 254:0 32768 1 sector_size:x", -EINVAL},
	{"aes-xts-plain64 00 0 /dev/vda 32768", -EINVAL},
	{"aes-xts-plain64 00 0 254:0", -EINVAL},
	{"aes-xts-plain64 00 0 254:0 32768 2 allow_discards", -EINVAL},
	{"aes-xts-plain64 00 0 254:0 32768 1 allow_discards trailing", -EINVAL},
	{"aes-xts-plain64 00 x 254:0 32768", -EINVAL},
	{"", -EINVAL},
};

static void test_crypt_params(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(crypt_params_cases) / sizeof(crypt_params_cases[0]); i++) {
		const struct crypt_params_case *c = &crypt_params_cases[i];
		struct luks_crypt_params p;
		int r = luks_crypt_params_parse(c->params, &p);
		if (r != c->ret)
			fail_msg("'%s': expected %d, got %d", c->params, c->ret, r);
		if (r < 0)
			continue;
		if (p.cipher_len != strlen(c->cipher) ||
		    strncmp(p.cipher, c->cipher, p.cipher_len) || p.key_len != strlen(c->key) ||
		    strncmp(p.key, c->key, p.key_len) || p.major != c->major ||
		    p.minor != c->minor || p.offset != c->offset || p.integrity != c->integrity ||
		    p.sector_size != (c->sector_size ? c->sector_size : 512))
			fail_msg("'%s': parsed wrongly (%.*s %.*s %u:%u %llu %d)", c->params,
				 (int)p.cipher_len, p.cipher, (int)p.key_len, p.key, p.major,
				 p.minor, p.offset, p.integrity);
	}
}

static void test_integrity_params(void **state)
{
	(void)state;
	unsigned maj = 0, min = 0;
	unsigned long long off = 0;
	assert_int_equal(luks_integrity_params_parse("254:0 32768 32 J 1 internal_hash:sha256",
						     &maj, &min, &off),
			 0);
	assert_int_equal(maj, 254);
	assert_int_equal(min, 0);
	assert_int_equal(off, 32768);
	assert_int_equal(luks_integrity_params_parse("/dev/vda 0 32 J 0", &maj, &min, &off),
			 -EINVAL);
}

static void test_message_truncation(void **state)
{
	(void)state;
	const struct luks_active_facts f = {SAME_FACTS};
	char msg[16];
	memset(msg, 'x', sizeof(msg));
	assert_int_equal(luks_decide_active(&f, msg, sizeof(msg)), LUKS_ACTIVE_SAME);
	assert_int_equal(strlen(msg), sizeof(msg) - 1);
	assert_int_equal(luks_decide_active(&f, NULL, 0), LUKS_ACTIVE_SAME);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(luks_decision_name(LUKS_NOT_ACTIVE), "not-active");
	assert_string_equal(luks_decision_name(LUKS_ACTIVE_UNVERIFIED), "active-unverified");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_crypt_params),
		cmocka_unit_test(test_integrity_params),
		cmocka_unit_test(test_message_truncation),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("luks_decide", tests, NULL, NULL);
}
