/* `kconfig-merge merge_config` (or the binary called merge_config.sh): the driver of the
 * merge_config.sh compatibility mode. Flags, messages, files and exit codes follow
 * scripts/kconfig/merge_config.sh (6.1); the text merge is mergeconfig.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "kconfig.h"
#include "log.h"
#include "mergeconfig.h"
#include "util.h"

int mergeconfig_main(int argc, char **argv);

static void mc_usage(const char *argv0, const char *prefix)
{
	printf("Usage: %s [OPTIONS] [CONFIG [...]]\n"
	       "  -h    display this help text\n"
	       "  -m    only merge the fragments, do not execute the make command\n"
	       "  -n    use allnoconfig instead of alldefconfig\n"
	       "  -r    list redundant entries when merging fragments\n"
	       "  -y    make builtin have precedence over modules\n"
	       "  -O    dir to put generated output files.  Consider setting $KCONFIG_CONFIG "
	       "instead.\n"
	       "  -s    strict mode. Fail if the fragment redefines any value.\n"
	       "\n"
	       "Used prefix: '%s'. You can redefine it with $CONFIG_ environment variable.\n",
	       argv0, prefix);
}

static int write_all(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -errno;
	size_t w = fwrite(data, 1, len, f);
	return fclose(f) == 0 && w == len ? 0 : -EIO;
}

/* make KCONFIG_ALLCONFIG=tmp [O=out] target, then the requested-vs-actual check. */
static int run_make_and_check(const struct mc_text *tmp, const char *text, size_t len,
			      const char *output, const char *target, const char *kconfig_config,
			      const char *prefix)
{
	char tmpname[] = "./.tmp.config.XXXXXXXXXX";
	int fd = mkostemp(tmpname, O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(-errno, "mktemp: %m");
	close(fd);
	int r = write_all(tmpname, text, len);
	if (r < 0) {
		unlink(tmpname);
		return log_error_errno(r, "%s: %m", tmpname);
	}
	_cleanup_free_ char *allconfig = NULL, *o_arg = NULL;
	if (asprintf(&allconfig, "KCONFIG_ALLCONFIG=%s", tmpname) < 0 ||
	    asprintf(&o_arg, "O=%s", output) < 0)
		return -ENOMEM;
	bool has_o = !streq(output, ".");
	char *argv[] = {"make", allconfig, has_o ? o_arg : (char *)target,
			has_o ? (char *)target : NULL, NULL};
	io_run(argv, -1); /* the script goes on whatever make says */
	_cleanup_free_ char *actual = NULL;
	size_t alen = 0;
	r = io_read_file(AT_FDCWD, kconfig_config, &actual, &alen);
	if (r == -ENOENT)
		r = 0; /* grep ... || true: every value reported missing */
	if (r < 0)
		log_error_errno(r, "%s: %m", kconfig_config);
	else
		r = mc_check(tmp, actual ? actual : "", alen, prefix, stdout);
	unlink(tmpname);
	return r < 0 ? r : 0;
}

int mergeconfig_main(int argc, char **argv)
{
	struct mc_opts o = {.prefix = kc_config_prefix()};
	bool runmake = true;
	const char *target = "alldefconfig";
	_cleanup_free_ char *output = strdup(".");
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (streq(a, "-n"))
			target = "allnoconfig";
		else if (streq(a, "-m"))
			runmake = false;
		else if (streq(a, "-h")) {
			mc_usage(argv[0], o.prefix);
			return 0;
		} else if (streq(a, "-r"))
			o.warn_redundant = true;
		else if (streq(a, "-y"))
			o.builtin = true;
		else if (streq(a, "-s"))
			o.strict = true;
		else if (streq(a, "-O")) {
			struct stat st;
			const char *d = i + 1 < argc ? argv[i + 1] : "";
			if (stat(d, &st) < 0 || !S_ISDIR(st.st_mode)) {
				fprintf(stderr, "output directory %s does not exist\n", d);
				return 1;
			}
			free(output);
			output = strdup(d);
			if (!output)
				return 2;
			for (size_t n = strlen(output); n > 1 && output[n - 1] == '/';)
				output[--n] = '\0';
			i++;
		} else
			break;
	}
	if (i >= argc) {
		mc_usage(argv[0], o.prefix);
		return 0;
	}
	_cleanup_free_ char *kconfig_config = NULL;
	const char *env = getenv("KCONFIG_CONFIG");
	if (env && *env)
		kconfig_config = strdup(env);
	else if (!streq(output, ".")) {
		/* readlink -m -- "$OUTPUT/.config" */
		_cleanup_free_ char *dir = realpath(output, NULL);
		if (dir && asprintf(&kconfig_config, "%s/.config", dir) < 0)
			kconfig_config = NULL;
	} else
		kconfig_config = strdup(".config");
	if (!kconfig_config)
		return 2;
	/* The script assigns the shell variable; when it came from the environment (even empty),
	 * make sees the new value. */
	if (env && setenv("KCONFIG_CONFIG", kconfig_config, 1) < 0)
		return 2;

	const char *initfile = argv[i++];
	_cleanup_free_ char *base = NULL;
	size_t blen = 0;
	if (access(initfile, R_OK) < 0) {
		fprintf(stderr, "The base file '%s' does not exist. Creating one...\n", initfile);
		int fd = open(initfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	if (io_read_file(AT_FDCWD, initfile, &base, &blen) < 0)
		base = strdup(""), blen = 0;
	printf("Using %s as base\n", initfile);
	struct mc_text tmp;
	if (mc_text_from(&tmp, base ? base : "", blen) < 0)
		return 2;
	bool violated = false;
	int ret = 0;
	for (; i < argc && !ret; i++) {
		printf("Merging %s\n", argv[i]);
		_cleanup_free_ char *frag = NULL;
		size_t flen;
		if (io_read_file(AT_FDCWD, argv[i], &frag, &flen) < 0) {
			fflush(stdout);
			fprintf(stderr, "The merge file '%s' does not exist.  Exit.\n", argv[i]);
			ret = 1;
		} else if (mc_merge_fragment(&tmp, argv[i], frag, flen, &o, stdout, &violated) < 0)
			ret = 2;
	}
	_cleanup_free_ char *text = NULL;
	size_t tlen = 0;
	if (!ret && violated) {
		printf("The fragment redefined a value and strict mode had been passed.\n");
		ret = 1;
	}
	if (!ret && mc_text_render(&tmp, &text, &tlen) < 0)
		ret = 2;
	if (!ret && !runmake) {
		int r = write_all(kconfig_config, text, tlen);
		if (r < 0) {
			log_error_errno(r, "%s: %m", kconfig_config);
			ret = 1;
		} else
			printf("#\n# merged configuration written to %s (needs make)\n#\n",
			       kconfig_config);
	} else if (!ret) {
		ret = run_make_and_check(&tmp, text, tlen, output, target, kconfig_config,
					 o.prefix) < 0
			      ? 2
			      : 0;
	}
	mc_text_free(&tmp);
	return ret;
}
