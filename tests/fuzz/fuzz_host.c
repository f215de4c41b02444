/* libFuzzer target: the pure parsers of initkit-mkimage --host (initrd/mkimage/host.c):
 * mountinfo lines, the kernel command line, input key bitmaps, dm table lines, crypttab
 * fields, /proc/swaps and Debian's conf.d/resume. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/mkimage/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strdup(data, size);
	struct host_mount m;
	char v[64], mnt[16], mods[8][64], type[8];
	int r = host_mountinfo_find(buf, "/", &m);
	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL || r == -ENAMETOOLONG || r == -ENOMEM);
	if (r == 0)
		FUZZ_CHECK(strlen(m.fstype) < sizeof(m.fstype) &&
			   strlen(m.source) < sizeof(m.source));
	r = host_mountinfo_containing(buf, "/usr/lib/x", &m, mnt, sizeof(mnt));
	FUZZ_CHECK(r != 0 || strlen(mnt) < sizeof(mnt));
	r = host_cmdline_get(buf, "root", v, sizeof(v));
	FUZZ_CHECK(r == 0 || (r == 1 && strlen(v) < sizeof(v)));
	(void)host_keybits_has(buf, 28);
	(void)host_keybits_has(buf, 1000);
	r = host_dm_table_modules(buf, mods, 8, type, sizeof(type));
	FUZZ_CHECK(r == -EOPNOTSUPP || r == -EINVAL || (r >= 0 && r <= 8));
	for (int i = 0; i < r; i++)
		FUZZ_CHECK(strlen(mods[i]) < 64);
	r = host_swaps_pick(buf, v, sizeof(v));
	FUZZ_CHECK(r == 0 || (r == 1 && strlen(v) < sizeof(v)) || r == -ENOMEM);
	r = host_resume_conf(buf, v, sizeof(v));
	FUZZ_CHECK(r == 0 || r == 1);
	(void)host_crypttab_has_option(buf, "initramfs");
	char *f[4];
	r = host_crypttab_fields(buf, f);
	FUZZ_CHECK(r >= 0 && r <= 4);
	free(buf);
	return 0;
}
