/* logind's value rules (systemd 252): which spellings logind accepts for each key type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../stage2/logind_values.h"

struct check_case {
	enum logind_type type;
	const char *value;
	int ok; /* 1 accepted, 0 rejected */
};

static const struct check_case check_cases[] = {
	/* parse_boolean(): six spellings each way, any case; nothing else. */
	{LOGIND_BOOL, "yes", 1},
	{LOGIND_BOOL, "Y", 1},
	{LOGIND_BOOL, "TRUE", 1},
	{LOGIND_BOOL, "t", 1},
	{LOGIND_BOOL, "on", 1},
	{LOGIND_BOOL, "1", 1},
	{LOGIND_BOOL, "No", 1},
	{LOGIND_BOOL, "off", 1},
	{LOGIND_BOOL, "f", 1},
	{LOGIND_BOOL, "0", 1},
	{LOGIND_BOOL, "", 0},
	{LOGIND_BOOL, "maybe", 0},
	{LOGIND_BOOL, "enabled", 0},
	{LOGIND_BOOL, "2", 0},
	{LOGIND_BOOL, "yes ", 0},
	/* handle actions of systemd 252: lowercase, exact. */
	{LOGIND_ACTION, "ignore", 1},
	{LOGIND_ACTION, "poweroff", 1},
	{LOGIND_ACTION, "suspend-then-hibernate", 1},
	{LOGIND_ACTION, "factory-reset", 1},
	{LOGIND_ACTION, "lock", 1},
	{LOGIND_ACTION, "hybrid-sleep", 1},
	{LOGIND_ACTION, "kexec", 1},
	{LOGIND_ACTION, "sleep", 0},		    /* systemd 256 */
	{LOGIND_ACTION, "secure-attention-key", 0}, /* systemd 255 */
	{LOGIND_ACTION, "Suspend", 0},
	{LOGIND_ACTION, "power-off", 0},
	{LOGIND_ACTION, "", 0},
	/* parse_sec(): seconds by default, units, sums, fractions, infinity. */
	{LOGIND_SEC, "30", 1},
	{LOGIND_SEC, "30s", 1},
	{LOGIND_SEC, "5min", 1},
	{LOGIND_SEC, "1h 30min", 1},
	{LOGIND_SEC, "1h30min", 1},
	{LOGIND_SEC, "1.5h", 1},
	{LOGIND_SEC, "2 weeks", 1},
	{LOGIND_SEC, "100ms", 1},
	{LOGIND_SEC, "infinity", 1},
	{LOGIND_SEC, " infinity ", 1},
	{LOGIND_SEC, "0", 1},
	{LOGIND_SEC, "", 0},
	{LOGIND_SEC, "-1", 0},
	{LOGIND_SEC, "-0", 0},
	{LOGIND_SEC, "5x", 0},
	{LOGIND_SEC, "3.sec", 0},
	{LOGIND_SEC, "12.34.56", 0},
	{LOGIND_SEC, "infinity 5s", 0},
	{LOGIND_SEC, "forever", 0},
	{LOGIND_SEC, "99999999999999999999", 0},
	/* config_parse_tmpfs_size(): a percentage (> 0) or a size > 0, 1024-based. */
	{LOGIND_TMPFS_SIZE, "10%", 1},
	{LOGIND_TMPFS_SIZE, "2.5%", 1},
	{LOGIND_TMPFS_SIZE, "0.01%", 1},
	{LOGIND_TMPFS_SIZE, "100%", 1},
	{LOGIND_TMPFS_SIZE, "15\xe2\x80\xb0", 1}, /* ‰ */
	{LOGIND_TMPFS_SIZE, "64M", 1},
	{LOGIND_TMPFS_SIZE, "1G", 1},
	{LOGIND_TMPFS_SIZE, "1.5G", 1},
	{LOGIND_TMPFS_SIZE, "1G 512M", 1},
	{LOGIND_TMPFS_SIZE, "4096", 1},
	{LOGIND_TMPFS_SIZE, "0", 0},
	{LOGIND_TMPFS_SIZE, "0%", 0},
	{LOGIND_TMPFS_SIZE, "101%", 0},
	{LOGIND_TMPFS_SIZE, "2.555%", 0},
	{LOGIND_TMPFS_SIZE, "-5%", 0},
	{LOGIND_TMPFS_SIZE, "10MB", 0},
	{LOGIND_TMPFS_SIZE, "512M 1G", 0},
	{LOGIND_TMPFS_SIZE, "64 M", 1},
	{LOGIND_TMPFS_SIZE, "5 6", 0},
	{LOGIND_TMPFS_SIZE, "lots", 0},
	{LOGIND_TMPFS_SIZE, "", 0},
	/* config_parse_strv(): words and quotes; empty resets the list. */
	{LOGIND_USER_LIST, "root", 1},
	{LOGIND_USER_LIST, "root alice bob", 1},
	{LOGIND_USER_LIST, "\"alice bob\" carol", 1},
	{LOGIND_USER_LIST, "", 1},
	{LOGIND_USER_LIST, "alice \"bob", 0},
	{LOGIND_USER_LIST, "alice\\", 0},
	/* Numbers: safe_atou64()/safe_atou(); NAutoVTs at most 15. */
	{LOGIND_UINT64, "8192", 1},
	{LOGIND_UINT64, "0x10", 1},
	{LOGIND_UINT64, "-1", 0},
	{LOGIND_UINT64, "12k", 0},
	{LOGIND_UINT64, "", 0},
	{LOGIND_UNSIGNED, "6", 1},
	{LOGIND_UNSIGNED, "4294967296", 0},
	{LOGIND_N_AUTOVTS, "15", 1},
	{LOGIND_N_AUTOVTS, "16", 0},
	{LOGIND_IEC_SIZE, "400k", 0}, /* parse_size() suffixes are upper case */
	{LOGIND_IEC_SIZE, "400K", 1},
};

static void test_value_check_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];
		const char *why = NULL;
		int r = logind_value_check(c->type, c->value, &why);
		if ((r == 0) != c->ok)
			fail_msg("%s '%s': expected %s, got %d (%s)", logind_type_name(c->type),
				 c->value, c->ok ? "accepted" : "rejected", r, why ? why : "");
		if (!c->ok)
			assert_non_null(why);
	}
}

static void test_sec_values(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint64_t usec;
	} cases[] = {
		{"30", 30000000ULL},	  {"1h 30min", 5400000000ULL},	 {"1.5h", 5400000000ULL},
		{"100ms", 100000ULL},	  {"2 weeks", 1209600000000ULL}, {"1m", 60000000ULL},
		{"1M", 2629800000000ULL}, {"12 34", 46000000ULL},	 {"infinity", UINT64_MAX},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t u = 0;
		int r = logind_parse_sec(cases[i].in, &u);
		if (r < 0 || u != cases[i].usec)
			fail_msg("parse_sec('%s') = %d, %llu; expected %llu", cases[i].in, r,
				 (unsigned long long)u, (unsigned long long)cases[i].usec);
	}
}

static void test_size_and_percent_values(void **state)
{
	(void)state;
	uint64_t s = 0;
	assert_int_equal(logind_parse_size("1.5M", 1024, &s), 0);
	assert_int_equal(s, 1572864);
	assert_int_equal(logind_parse_size("1G 512M", 1024, &s), 0);
	assert_int_equal(s, 1610612736ULL);
	assert_int_equal(logind_parse_size("10.M", 1024, &s), 0);
	assert_int_equal(s, 10485760ULL);
	assert_int_equal(logind_parse_size("2K", 1000, &s), 0);
	assert_int_equal(s, 2000);
	assert_int_equal(logind_parse_permyriad("10%"), 1000);
	assert_int_equal(logind_parse_permyriad("2.5%"), 250);
	assert_int_equal(logind_parse_permyriad("2.55%"), 255);
	assert_int_equal(logind_parse_permyriad("15\xe2\x80\xb0"), 150);
	assert_int_equal(logind_parse_permyriad("5\xe2\x80\xb1"), 5);
	assert_int_equal(logind_parse_permyriad("100.01%"), -ERANGE);
	assert_int_equal(logind_parse_permyriad("10"), -EINVAL);
}

static void test_user_list_words(void **state)
{
	(void)state;
	size_t before;
	assert_int_equal(logind_split_words("root alice", &before), 2);
	assert_int_equal(logind_split_words("'a b' c\\ d", &before), 2);
	assert_int_equal(logind_split_words("  ", &before), 0);
	/* logind keeps the words before a syntax error */
	assert_int_equal(logind_split_words("alice bob 'carol", &before), -EINVAL);
	assert_int_equal(before, 2);
}

static void test_key_lookup(void **state)
{
	(void)state;
	assert_true(logind_key_index("KillUserProcesses") >= 0);
	assert_true(logind_key_index("RuntimeDirectorySize") >= 0);
	assert_int_equal(logind_key_index("killuserprocesses"), -ENOENT); /* case-sensitive */
	assert_int_equal(logind_key_index("UserTasksMax"), -ENOENT);	  /* obsolete */
	assert_true(logind_keys_count <= LOGIND_KEYS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_check_table),
		cmocka_unit_test(test_sec_values),
		cmocka_unit_test(test_size_and_percent_values),
		cmocka_unit_test(test_user_list_words),
		cmocka_unit_test(test_key_lookup),
	};
	return cmocka_run_group_tests_name("logind_values", tests, NULL, NULL);
}
