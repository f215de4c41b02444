/* libFuzzer target: image config + kernel command line applied onto struct boot_config
 * (initrd/bootconf.c, through initrd/conf.c and initrd/cmdline.c), as stage 1 does it.
 * Input: the first line is the kernel command line, the rest is /etc/initkit.conf. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/bootconf.h"
#include "initrd/cmdline.h"
#include "initrd/conf.h"

static void check_list(char **v, size_t n)
{
	FUZZ_CHECK(v != NULL && v[n] == NULL);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(v[i] != NULL);
}

static void check_config(const struct boot_config *bc)
{
	char small[16], big[8192];
	check_list(bc->init_args, bc->n_init_args);
	check_list(bc->modules, bc->n_modules);
	check_list(bc->blacklist, bc->n_blacklist);
	FUZZ_CHECK(boot_emergency_name(bc->emergency) != NULL);
	FUZZ_CHECK(!bc->root || boot_device_spec_valid(bc->root));
	FUZZ_CHECK(!bc->resume || boot_device_spec_valid(bc->resume));
	FUZZ_CHECK(bc->resume_offset_set || bc->resume_offset == 0);
	for (size_t i = 0; i < bc->n_luks; i++)
		FUZZ_CHECK(bc->luks[i].key != NULL && bc->luks[i].source != NULL);
	for (size_t i = 0; i < bc->n_errors; i++) {
		int n = boot_error_format(&bc->errors[i], small, sizeof(small));
		FUZZ_CHECK(n >= 0 && strlen(small) < sizeof(small));
		n = boot_error_format(&bc->errors[i], big, sizeof(big));
		FUZZ_CHECK(n >= 0 && strlen(big) < sizeof(big));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *line, *rest;
	size_t line_len, rest_len;
	fuzz_split_line(data, size, &line, &line_len, &rest, &rest_len);
	char *cmd_buf = fuzz_memdup(line, line_len), *conf_buf = fuzz_memdup(rest, rest_len);

	struct boot_config bc = {0};
	if (boot_config_init(&bc) < 0)
		goto out;
	struct conf conf = {0};
	if (conf_parse(conf_buf, rest_len, &conf) == 0) {
		FUZZ_CHECK(boot_config_apply_conf(&bc, &conf, "/etc/initkit.conf") == 0);
		conf_free(&conf);
	}
	struct cmdline cmd = {0};
	if (cmdline_parse(cmd_buf, line_len, &cmd) == 0) {
		FUZZ_CHECK(boot_config_apply_cmdline(&bc, &cmd) == 0);
		cmdline_free(&cmd);
	}
	check_config(&bc);
	boot_config_free(&bc);

	/* The single-value parsers, on the whole first line as one value. */
	char *value = fuzz_strndup(line, line_len);
	uint64_t ms;
	int r = boot_parse_timespan_ms(value, &ms);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	r = boot_parse_bool(value);
	FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL);
	free(value);
out:
	free(cmd_buf);
	free(conf_buf);
	return 0;
}
