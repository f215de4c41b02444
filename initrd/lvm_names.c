/* The pure parts of LVM support (see lvm.h): device-mapper name splitting, which VG a device
 * path names, and lvm's pvs report of missing PVs. No syscalls: unit-tested and fuzzed. */
#include <errno.h>
#include <string.h>

#include "bootconf.h"
#include "lvm.h"
#include "util.h"

/* One component of a dm name, as libdm's _unquote(): "--" is a '-', a single '-' ends the
 * component (a '-' as the very last character is kept). Returns the rest, or NULL when out
 * does not hold the component. */
static const char *dm_component(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == '-' && s[1]) {
			if (s[1] != '-')
				break;
			s++;
		}
		if (n + 1 >= size)
			return NULL;
		out[n++] = *s;
	}
	out[n] = 0;
	return *s ? s + 1 : s;
}

int lvm_dm_name_split(const char *dmname, char *vg, size_t vg_size, char *lv, size_t lv_size)
{
	char layer[128];
	const char *rest = dm_component(dmname, vg, vg_size);
	rest = rest ? dm_component(rest, lv, lv_size) : NULL;
	if (!rest || !dm_component(rest, layer, sizeof(layer)))
		return -ENAMETOOLONG;
	if (!boot_lvm_name_valid(vg, strlen(vg)) || !boot_lvm_name_valid(lv, strlen(lv)) ||
	    layer[0])
		return -EINVAL;
	return 0;
}

int lvm_path_split(const char *path, char *vg, size_t vg_size, char *lv, size_t lv_size)
{
	/* /dev subdirectories that are never a VG (devtmpfs, udev, md, bcache, zram...). */
	static const char *const not_vg[] = {"disk", "mapper", "md",	 "block", "char",
					     "bus",  "input",  "bcache", "cpu",	  "net",
					     "pts",  "shm",    "snd",	 "dri",	  "vfio"};
	const char *name = startswith(path, "/dev/mapper/");
	if (name)
		return lvm_dm_name_split(name, vg, vg_size, lv, lv_size);
	name = startswith(path, "/dev/");
	const char *slash = name ? strchr(name, '/') : NULL;
	if (!slash || strchr(slash + 1, '/'))
		return -EINVAL;
	size_t len = (size_t)(slash - name), lv_len = strlen(slash + 1);
	for (size_t i = 0; i < ARRAY_SIZE(not_vg); i++)
		if (strlen(not_vg[i]) == len && strncmp(not_vg[i], name, len) == 0)
			return -EINVAL;
	if (!boot_lvm_name_valid(name, len) || !boot_lvm_name_valid(slash + 1, lv_len))
		return -EINVAL;
	if (len >= vg_size || lv_len >= lv_size)
		return -ENAMETOOLONG;
	memcpy(vg, name, len);
	vg[len] = 0;
	memcpy(lv, slash + 1, lv_len + 1);
	return 0;
}

int lvm_root_vg(const char *root, char *vg, size_t vg_size)
{
	char lv[128];
	return lvm_path_split(root, vg, vg_size, lv, sizeof(lv));
}

int lvm_dm_name(const char *vg, const char *lv, char *out, size_t size)
{
	size_t n = 0;
	for (int part = 0; part < 2; part++) {
		for (const char *c = part ? lv : vg; *c; c++) {
			if (n + (*c == '-' ? 2 : 1) >= size)
				return -ENAMETOOLONG;
			if (*c == '-')
				out[n++] = '-';
			out[n++] = *c;
		}
		if (part == 0) {
			if (n + 1 >= size)
				return -ENAMETOOLONG;
			out[n++] = '-';
		}
	}
	out[n] = 0;
	return 0;
}

int lvm_pvs_missing_parse(const char *text, char *missing, size_t size, unsigned *n_missing,
			  unsigned *n_pvs)
{
	size_t used = 0;
	*n_missing = *n_pvs = 0;
	if (size)
		missing[0] = 0;
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		const char *p = line + strspn(line, " \t");
		size_t uuid_len = strcspn(p, ",\n");
		if (uuid_len && p[uuid_len] == ',' &&
		    (size_t)(p + uuid_len - line) < (size_t)(end - line)) {
			const char *flag = p + uuid_len + 1;
			size_t flag_len = (size_t)(end - flag);
			while (flag_len &&
			       (flag[flag_len - 1] == ' ' || flag[flag_len - 1] == '\t'))
				flag_len--;
			(*n_pvs)++;
			if (flag_len == 7 && strncmp(flag, "missing", 7) == 0) {
				(*n_missing)++;
				if (used + (used ? 1 : 0) + uuid_len + 1 > size)
					return -ENAMETOOLONG;
				if (used)
					missing[used++] = ' ';
				memcpy(missing + used, p, uuid_len);
				used += uuid_len;
				missing[used] = 0;
			} else if (flag_len != 0) {
				return -EINVAL;
			}
		} else if (p != end) {
			return -EINVAL;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}
