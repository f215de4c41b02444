/* libFuzzer target: /etc/crypttab (crypttab_parse) and the rd.luks.* entries of the kernel
 * command line applied onto it (luks_config_apply_cmdline), as stage 1 does it: the command
 * line goes through cmdline_parse() and boot_config_apply_cmdline(), whose rd.luks.* / luks.*
 * entries become the luks_cmdline_entry list (initrd/luks.c).
 * Input: the first line is the kernel command line, the rest is the crypttab. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/bootconf.h"
#include "initrd/cmdline.h"
#include "initrd/crypttab.h"

static void check_luks_config(const struct luks_config *cfg)
{
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		const struct luks_volume *v = &cfg->volumes[i];
		FUZZ_CHECK(v->name != NULL && v->device != NULL && v->source != NULL);
	}
	for (size_t i = 0; i < cfg->n_diags; i++)
		FUZZ_CHECK(cfg->diags[i].message != NULL);
	FUZZ_CHECK(!cfg->disabled || cfg->n_volumes == 0);
	(void)luks_config_has_errors(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *line, *rest;
	size_t line_len, rest_len;
	fuzz_split_line(data, size, &line, &line_len, &rest, &rest_len);
	char *cmd_buf = fuzz_memdup(line, line_len), *tab = fuzz_memdup(rest, rest_len);
	struct luks_cmdline_entry *e = NULL;

	struct boot_config bc = {0};
	if (boot_config_init(&bc) < 0)
		goto out;
	struct cmdline cmd = {0};
	if (cmdline_parse(cmd_buf, line_len, &cmd) == 0) {
		boot_config_apply_cmdline(&bc, &cmd);
		cmdline_free(&cmd);
	}
	e = calloc(bc.n_luks + 1, sizeof(*e));
	if (!e)
		goto out_bc;
	for (size_t i = 0; i < bc.n_luks; i++)
		e[i] = (struct luks_cmdline_entry){bc.luks[i].key, bc.luks[i].value,
						   i % 2 ? bc.luks[i].source : NULL};

	struct luks_config cfg = {0};
	int r = crypttab_parse(tab, rest_len, NULL, &cfg);
	FUZZ_CHECK(r == 0 || r == -ENOMEM);
	for (size_t i = 0; r == 0 && i < cfg.n_volumes; i++)
		FUZZ_CHECK(cfg.volumes[i].name != NULL && cfg.volumes[i].device != NULL);
	if (r == 0) {
		r = luks_config_apply_cmdline(&cfg, e, bc.n_luks);
		FUZZ_CHECK(r == 0 || r == -ENOMEM);
		check_luks_config(&cfg);
	}
	luks_config_free(&cfg);

	/* The one-call entry point, with the crypttab given a name and with no crypttab. */
	struct luks_config cfg2 = {0};
	if (luks_config_build(tab, rest_len, "/etc/crypttab", e, bc.n_luks, &cfg2) == 0)
		check_luks_config(&cfg2);
	luks_config_free(&cfg2);
	struct luks_config cfg3 = {0};
	if (luks_config_build(NULL, 0, NULL, e, bc.n_luks, &cfg3) == 0)
		check_luks_config(&cfg3);
	luks_config_free(&cfg3);
out_bc:
	boot_config_free(&bc);
out:
	free(e);
	free(cmd_buf);
	free(tab);
	return 0;
}
