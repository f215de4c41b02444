/* libFuzzer target: the pure LVM helpers of initrd/lvm_names.c — dm name splitting (as
 * `dmsetup splitname`), which VG a device path names (root=, crypttab devices), and lvm's pvs
 * report of missing PVs. */
#include <errno.h>

#include "fuzz.h"
#include "initrd/bootconf.h"
#include "initrd/lvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strdup(data, size);
	char vg[128], lv[128], small[4];
	int r = lvm_dm_name_split(buf, vg, sizeof(vg), lv, sizeof(lv));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0)
		FUZZ_CHECK(boot_lvm_name_valid(vg, strlen(vg)) &&
			   boot_lvm_name_valid(lv, strlen(lv)));
	r = lvm_dm_name_split(buf, small, sizeof(small), lv, sizeof(lv));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	FUZZ_CHECK(r != 0 || strlen(small) < sizeof(small));
	/* the name made from a split splits into the same VG and LV (not always the same
	 * string: libdm keeps a trailing '-' of "vg-lv-" as part of the LV) */
	if (lvm_dm_name_split(buf, vg, sizeof(vg), lv, sizeof(lv)) == 0) {
		char dm[600], vg2[128], lv2[128];
		FUZZ_CHECK(lvm_dm_name(vg, lv, dm, sizeof(dm)) == 0);
		FUZZ_CHECK(lvm_dm_name_split(dm, vg2, sizeof(vg2), lv2, sizeof(lv2)) == 0);
		FUZZ_CHECK(strcmp(vg, vg2) == 0 && strcmp(lv, lv2) == 0);
	}
	r = lvm_path_split(buf, vg, sizeof(vg), lv, sizeof(lv));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0)
		FUZZ_CHECK(boot_lvm_name_valid(lv, strlen(lv)));
	r = lvm_root_vg(buf, vg, sizeof(vg));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0)
		FUZZ_CHECK(boot_lvm_name_valid(vg, strlen(vg)) && strstr(buf, "/dev/") == buf);
	char missing[256];
	unsigned n_missing = 7, n_pvs = 7;
	r = lvm_pvs_missing_parse(buf, missing, sizeof(missing), &n_missing, &n_pvs);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0) {
		FUZZ_CHECK(n_missing <= n_pvs && strlen(missing) < sizeof(missing));
		FUZZ_CHECK((n_missing == 0) == (missing[0] == 0));
	}
	r = lvm_pvs_missing_parse(buf, small, sizeof(small), &n_missing, &n_pvs);
	FUZZ_CHECK(r != 0 || strlen(small) < sizeof(small));
	free(buf);
	return 0;
}
