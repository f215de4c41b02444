/* initkit-confine: confines services to the runtime closure of their programs and applies
 * hardening profiles, from X-Initkit-* keys in their [Service] section. Ways in:
 *   generator  .../system-generators/initkit-confine NORMAL [EARLY LATE]
 *   CLI        initkit-confine [--root DIR] --show UNIT | --list | --output DIR */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "closure.h"
#include "confine.h"
#include "log.h"
#include "mode.h"
#include "unitload.h"
#include "util.h"

#define IDENT "initkit-confine"

static int mkdir_p_at(int dirfd, const char *path, mode_t mode)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* One unit: 1 when a drop-in was produced (text in *out), 0 nothing asked, <0 refused. */
static struct closure_cache *cache;

static int confine_unit(int rootfd, const char *unit, char **text, struct closure *cl, bool show)
{
	struct unit_conf c;
	struct confine_request req;
	_cleanup_free_ char *fragment = NULL;
	char err[2048];
	size_t len;

	unit_conf_init(&c);
	closure_init(cl, rootfd);
	cl->cache = cache;
	int r = unitload_service(rootfd, unit, &c, &fragment);
	if (r == -ENOENT || r == -ESHUTDOWN) {
		if (show)
			log_error("%s: %s", unit, r == -ENOENT ? "no such unit" : "masked");
		unit_conf_free(&c);
		return show ? r : 0;
	}
	if (r < 0) {
		unit_conf_free(&c);
		return log_error_errno(r, "%s: cannot read its unit files: %m; left unchanged",
				       unit);
	}
	r = confine_read(&c, &req, err, sizeof(err));
	if (r == -EINVAL)
		log_error("%s: %s; unit left unchanged", unit, err);
	else if (r == 0 && show)
		log_info("%s: asks for nothing (no X-Initkit-* keys)", unit);
	if (r > 0 && req.mode != CONFINE_NONE && confine_closure(&req, cl) < 0) {
		log_error("%s: closure: %s; unit left unchanged", unit, cl->error);
		r = -EINVAL;
	}
	if (r > 0) {
		FILE *f = open_memstream(text, &len);
		r = f ? confine_dropin(&req, &c, cl, unit, fragment, f) : -ENOMEM;
		if (f)
			fclose(f);
		r = r < 0 ? r : 1;
	}
	confine_request_free(&req);
	unit_conf_free(&c);
	return r;
}

static int write_dropin(int outfd, const char *unit, const char *text)
{
	char dir[PATH_MAX], tmp[PATH_MAX], path[PATH_MAX];
	if (path_printf(dir, sizeof(dir), "%s.d", unit) < 0 ||
	    path_printf(path, sizeof(path), "%s/%s", dir, CONFINE_DROPIN_NAME) < 0 ||
	    path_printf(tmp, sizeof(tmp), "%s.tmp", path) < 0)
		return -ENAMETOOLONG;
	int r = mkdir_p_at(outfd, dir, 0755);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = openat(outfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n)
		return -EIO;
	if (renameat(outfd, tmp, outfd, path) < 0)
		return -errno;
	return 0;
}

static int run_all(int rootfd, int outfd, const char *outname)
{
	char **names;
	int n = unitload_list_services(rootfd, &names);
	/* A unit left unchanged (its own values are malformed) is reported, not a failure of
	 * the generator: only what stops the generator itself makes it exit 1. */
	int failed = 0, written = 0, fatal = 0;
	if (n < 0)
		return log_error_errno(n, "cannot list the unit directories: %m");
	cache = closure_cache_new();
	/* templates that got a drop-in: their instances with drop-ins of their own are done in
	 * a second pass */
	bool *dropin = calloc((size_t)n + 1, sizeof(*dropin));
	if (!dropin)
		return log_error_errno(-ENOMEM, "%m"), 1;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			const char *at = strchr(names[i], '@');
			bool instance = at && at[1] != '.';
			if (instance != (pass == 1))
				continue;
			int t = -1; /* the instance's template */
			for (int j = 0; instance && j < n; j++)
				if (!strncmp(names[j], names[i], (size_t)(at - names[i]) + 1) &&
				    !strcmp(names[j] + (at - names[i]) + 1, strrchr(names[i], '.')))
					t = j;
			_cleanup_free_ char *text = NULL;
			struct closure cl;
			int r = confine_unit(rootfd, names[i], &text, &cl, false);
			closure_free(&cl);
			if (r < 0)
				failed++;
			/* An instance with drop-ins of its own gets a drop-in of its own, of the
			 * same name as its template's, which hides it (systemd reads
			 * foo@a.service.d/ before foo@.service.d/ in a directory): the template's
			 * shape must not reach an instance that asks for something else or is
			 * left unchanged. */
			if (r <= 0 && instance && t >= 0 && dropin[t]) {
				free(text);
				text = NULL;
				if (asprintf(
					    &text,
					    "# Written by initkit-confine for %s: %s; this drop-in "
					    "hides its template's.\n",
					    names[i],
					    r < 0 ? "left unchanged (see the log)"
						  : "asks for nothing") < 0)
					text = NULL;
			} else if (r <= 0)
				continue;
			if (!text)
				continue;
			if (outfd < 0) {
				printf("# %s/%s.d/%s\n%s\n", outname, names[i], CONFINE_DROPIN_NAME,
				       text);
				dropin[i] = true;
				continue;
			}
			int w = write_dropin(outfd, names[i], text);
			if (w < 0) {
				log_error_errno(w,
						"%s: cannot write %s/%s.d/%s: %m; left unchanged",
						names[i], outname, names[i], CONFINE_DROPIN_NAME);
				failed++;
				fatal++;
				continue;
			}
			dropin[i] = true;
			if (r <= 0)
				continue;
			written++;
			log_info("%s: wrote %s/%s.d/%s", names[i], outname, names[i],
				 CONFINE_DROPIN_NAME);
		}
	free(dropin);
	unitload_names_free(names, (size_t)n);
	closure_cache_free(cache);
	cache = NULL;
	if (outfd >= 0 && (written || failed))
		log_info("%d unit(s) confined or hardened, %d left unchanged", written, failed);
	return fatal || (outfd < 0 && failed) ? 1 : 0;
}

static int show(int rootfd, const char *unit)
{
	_cleanup_free_ char *text = NULL;
	struct closure cl;
	int r = confine_unit(rootfd, unit, &text, &cl, true);
	if (r > 0) {
		printf("%s", text);
		printf("\n# Closure (%zu paths):\n", cl.n);
		for (size_t i = 0; i < cl.n; i++) {
			const struct closure_entry *e = &cl.v[i];
			printf("#   %s%s%s%s  <- %s%s\n", e->path,
			       e->kind == CLOSURE_LINK ? " -> " : "", e->target ? e->target : "",
			       e->kind == CLOSURE_DIR ? "/ (directory)" : "", e->reason,
			       !e->bind			 ? " [link on the way, not bound]"
			       : e->kind == CLOSURE_LINK ? " [bound: a name programs open]"
							 : "");
		}
	}
	closure_free(&cl);
	return r < 0 ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--root DIR] --show UNIT    the drop-in and the closure, with reasons\n"
		"       %s [--root DIR] --list         every drop-in it would write\n"
		"       %s [--root DIR] --output DIR   write the drop-ins (as the generator does)\n"
		"       %s NORMAL [EARLY LATE]         systemd generator\n"
		"Keys in [Service]: X-Initkit-Confine=full-apivfs|chroot-only|no, "
		"X-Initkit-ConfinePaths=PATH..., X-Initkit-ConfineBinSh=no|SHELL, "
		"X-Initkit-ConfinePresets=nss dns tls, X-Initkit-ConfineCredential=ID:PATH, "
		"X-Initkit-Harden=strict|strict-offline|no\nPresets:\n%s",
		IDENT, IDENT, IDENT, IDENT, confine_preset_help);
}

int main(int argc, char **argv)
{
	const char *root = "/", *show_unit = NULL, *output = NULL;
	bool list = false;
	/* A generator: 1 or 3 absolute directories. */
	if ((argc == 2 || argc == 4) && argv[1][0] == '/') {
		log_setup(IDENT, true);
		if (stage2_generator_in_initrd(getenv("SYSTEMD_IN_INITRD"),
					       access("/etc/initrd-release", F_OK) == 0))
			return 0;
		_cleanup_close_ int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int outfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0 || outfd < 0)
			return log_error_errno(-errno, "%s: %m", rootfd < 0 ? "/" : argv[1]), 1;
		return run_all(rootfd, outfd, argv[1]);
	}
	log_setup(IDENT, false);
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'}, {"show", required_argument, NULL, 's'},
		{"list", no_argument, NULL, 'l'},	{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},	{}};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) >= 0)
		switch (o) {
		case 'r':
			root = optarg;
			break;
		case 's':
			show_unit = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind != argc || (!!show_unit + list + !!output) != 1) {
		usage(stderr);
		return 2;
	}
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return log_error_errno(-errno, "%s: %m", root), 2;
	if (show_unit)
		return show(rootfd, show_unit);
	if (list)
		return run_all(rootfd, -1, "(generator dir)");
	_cleanup_close_ int outfd = open(output, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (outfd < 0)
		return log_error_errno(-errno, "%s: %m", output), 2;
	return run_all(rootfd, outfd, output);
}
