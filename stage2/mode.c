#include "mode.h"

#include <errno.h>
#include <string.h>

#include "util.h"

enum stage2_mode stage2_mode(pid_t pid, int argc, char *const *argv, const char *systemd_scope)
{
	if (pid == 1)
		return STAGE2_PID1;
	if (argc != 2 && argc != 4)
		return STAGE2_CLI;
	for (int i = 1; i < argc; i++)
		if (!argv[i] || argv[i][0] != '/')
			return STAGE2_CLI;
	if (systemd_scope || (argv[0] && strstr(argv[0], "generator")))
		return STAGE2_GENERATOR;
	return STAGE2_CLI;
}

bool stage2_generator_in_initrd(const char *systemd_in_initrd, bool initrd_release_exists)
{
	/* systemd's in_initrd(): the variable is a boolean; a malformed one is ignored. */
	int r = systemd_in_initrd ? parse_boolean(systemd_in_initrd) : -EINVAL;
	return r >= 0 ? r > 0 : initrd_release_exists;
}
