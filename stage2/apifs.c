#include "apifs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

const struct stage2_api_dir stage2_api_dirs[] = {
	{"proc", 0555},
	{"run", 0755},
};
const size_t stage2_api_dirs_count = sizeof(stage2_api_dirs) / sizeof(stage2_api_dirs[0]);

int stage2_api_dir_make(int rootfd, const struct stage2_api_dir *dir)
{
	struct stat st;

	if (fstatat(rootfd, dir->name, &st, 0) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (mkdirat(rootfd, dir->name, dir->mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
