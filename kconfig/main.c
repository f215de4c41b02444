/* kconfig-merge: structured kernel-config merging. The driver: options, files, make; the rules
 * live in merge.c, the readers in kconfig_read.c and fragment.c, the check in verify.c.
 *
 * Exit codes: 0 success; 1 conflicts, lost mandatory values, --strict disagreements, invalid
 * fragments; 2 usage errors and I/O failures. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fragment.h"
#include "io.h"
#include "kconfig.h"
#include "kconfig_read.h"
#include "kconfig_tree.h"
#include "log.h"
#include "merge.h"
#include "mergeconfig.h"
#include "series.h"
#include "util.h"
#include "verify.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
/* A base config (--base) sits below every fragment: any fragment value overrides it. */
#define BASE_PRIORITY (-100)

struct ctx {
	struct merge_opts mo;
	bool quiet;
	bool plain_mandatory;
	const char *output;
	const char *tree;
	const char *objdir;
	const char *actual;
	const char *arch;
	const char *cache_dir; /* --cache-dir, else the default (cache_default) */
	bool no_cache;
	bool have_tree;
	char **bases; /* --base files */
	size_t n_bases;
	char **series; /* --series files */
	size_t n_series;
	/* Fragments from the series: a file beside a patch (data NULL), or a patch's
	 * Kconfig-fragment: block (data). name is also the messages' file name. */
	struct extra {
		char *name;
		char *data;
		size_t len;
	} * extra;
	size_t n_extra;
	struct patch_info *patches; /* each patch's added symbols */
	char **patch_paths;
	size_t n_patches;
	struct ktree kt;
	struct io_tree_check *tree_check; /* kt came from the cache; its files are being checked */
	size_t merge_stop; /* the input merge_files_unprinted could not take (read or memory) */
	struct kc_diags diags;
};

static void usage(FILE *f)
{
	fputs("Usage: kconfig-merge merge [OPTIONS] FRAGMENT...\n"
	      "       kconfig-merge verify [OPTIONS] (-c CONFIG | -k TREE [-O DIR]) FRAGMENT...\n"
	      "       kconfig-merge export [-p N] [--mandatory] [-o FILE] CONFIG\n"
	      "       kconfig-merge merge_config [-m] [-n] [-r] [-y] [-s] [-O DIR] BASE "
	      "[FRAGMENT...]\n"
	      "\n"
	      "FRAGMENT is a .config-style file or a structured fragment (first line\n"
	      "'#%kconfig-merge 1'); see kconfig/README.md.\n"
	      "\n"
	      "merge and verify options:\n"
	      "  -o, --output FILE      write the merged .config to FILE (default: stdout)\n"
	      "      --prefer ORDER     tristate preference, best first (default y,m,n)\n"
	      "      --base FILE        a base config: every fragment overrides it (priority "
	      "-100)\n"
	      "      --strict           tristate disagreements are errors\n"
	      "      --plain-mandatory  values from plain .config files are mandatory\n"
	      "      --series FILE      a quilt series: the fragments beside its patches and in\n"
	      "                         their Kconfig-fragment: blocks; verify -k also knows the\n"
	      "                         symbols the patches add\n"
	      "  -q, --quiet            do not print resolved disagreements (notes)\n"
	      "verify options:\n"
	      "  -c, --config FILE      the actual config to check (no make run)\n"
	      "  -k, --tree DIR         kernel source tree: Kconfig types, depends on, typos;\n"
	      "                         without -c, write the merge to DIR/.config (or -O DIR)\n"
	      "                         and run `make olddefconfig` there first\n"
	      "  -O DIR                 build directory for make (make O=DIR)\n"
	      "      --arch ARCH        the kernel's ARCH (make ARCH=; default $ARCH, else x86)\n"
	      "      --cache-dir DIR    cache of the parsed Kconfig tree (default\n"
	      "                         $XDG_CACHE_HOME/kconfig-merge, else "
	      "~/.cache/kconfig-merge)\n"
	      "      --no-cache         parse the Kconfig files every time\n"
	      "export options:\n"
	      "  -p, --priority N       priority of the exported values (default 100)\n"
	      "      --mandatory        exported values are mandatory (default optional)\n"
	      "\n"
	      "Exit status: 0 ok, 1 conflicts / lost mandatory values / invalid input, 2 usage or "
	      "I/O error.\n",
	      f);
}

static int read_input(const char *path, char **data, size_t *len)
{
	int r = io_read_file(AT_FDCWD, path, data, len);
	if (r < 0)
		log_error_errno(r, "%s: %m", path);
	return r;
}

/* Parses one fragment (either format) named path from data into set. */
static int parse_fragment(struct ctx *c, const char *path, const char *data, size_t len,
			  struct kc_set *set)
{
	int r;
	if (fragment_is_structured(data, len))
		return fragment_read(path, data, len, c->mo.prefix, set, &c->diags);
	r = kconfig_read(path, data, len, c->mo.prefix, c->have_tree ? ktree_type : NULL, &c->kt,
			 set, &c->diags);
	for (size_t i = 0; i < set->n; i++)
		set->v[i].mandatory = c->plain_mandatory;
	return r;
}

/* Reads one fragment (either format) into set. */
static int load_fragment(struct ctx *c, const char *path, struct kc_set *set)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = read_input(path, &data, &len);
	if (r < 0)
		return r;
	return parse_fragment(c, path, data, len, set);
}

static void print_diags(struct ctx *c)
{
	/* Hundreds of warnings go out in one write, not one each (stderr is unbuffered). */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (size_t i = 0; i < c->diags.n; i++)
		if (!(c->quiet && c->diags.v[i].severity == KC_NOTE))
			fprintf(f ? f : stderr, "%s\n", c->diags.v[i].text);
	if (f && fclose(f) == 0)
		fwrite(buf, 1, len, stderr);
	free(buf);
	for (size_t i = 0; i < c->diags.n; i++)
		free(c->diags.v[i].text);
	c->diags.n = 0;
}

/* Merges files into out, keeping the messages in c->diags. Returns 0, EXIT_FAIL or EXIT_USAGE
 * (then c->merge_stop is the input it stopped at). With limit below the number of inputs, only
 * the first limit are read (their messages again, as far as a failed run got) and the result
 * is EXIT_USAGE. */
static int merge_files_limited(struct ctx *c, char **files, int n, struct kc_set *out, size_t limit)
{
	struct merger m = {0};
	int ret = 0;
	size_t total = c->n_bases + (size_t)n + c->n_extra;
	c->merge_stop = SIZE_MAX;
	for (size_t i = 0; i < total && i < limit && ret != EXIT_USAGE; i++) {
		bool is_base = i < c->n_bases;
		struct kc_set set;
		kc_set_init(&set);
		int r;
		if (i >= c->n_bases + (size_t)n) {
			const struct extra *x = &c->extra[i - c->n_bases - n];
			r = x->data ? parse_fragment(c, x->name, x->data, x->len, &set)
				    : load_fragment(c, x->name, &set);
		} else {
			r = load_fragment(c, is_base ? c->bases[i] : files[i - c->n_bases], &set);
		}
		for (size_t j = 0; is_base && j < set.n; j++)
			set.v[j].priority = BASE_PRIORITY;
		if (r == -EINVAL)
			ret = EXIT_FAIL;
		else if (r < 0 || merge_take(&m, &set) < 0)
			ret = EXIT_USAGE;
		if (ret == EXIT_USAGE)
			c->merge_stop = i;
		kc_set_free(&set);
	}
	if (limit < total)
		ret = EXIT_USAGE;
	if (!ret) {
		int r = merge_resolve(&m, &c->mo, out, &c->diags);
		ret = r == -ENOMEM ? EXIT_USAGE : r < 0 ? EXIT_FAIL : 0;
	}
	merge_free(&m);
	if (c->diags.errors && !ret)
		ret = EXIT_FAIL;
	return ret;
}

static int merge_files_unprinted(struct ctx *c, char **files, int n, struct kc_set *out)
{
	return merge_files_limited(c, files, n, out, SIZE_MAX);
}

/* Merges files into out and prints the messages. Returns 0, EXIT_FAIL or EXIT_USAGE. */
static int merge_files(struct ctx *c, char **files, int n, struct kc_set *out)
{
	int ret = merge_files_unprinted(c, files, n, out);
	print_diags(c);
	return ret;
}

static int add_extra(struct ctx *c, char *name, char *data, size_t len)
{
	struct extra *v = realloc(c->extra, (c->n_extra + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->extra = v;
	v[c->n_extra++] = (struct extra){name, data, len};
	return 0;
}

/* One patch of a series: its Kconfig-fragment: block, the fragment beside it, the symbols it
 * adds. Returns 0, EXIT_FAIL or EXIT_USAGE. */
static int load_patch(struct ctx *c, const char *series, const char *dir,
		      const struct series_patch *p)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, p->name) < 0)
		return EXIT_USAGE;
	char **pv = realloc(c->patch_paths, (c->n_patches + 1) * sizeof(*pv));
	struct patch_info *iv = realloc(c->patches, (c->n_patches + 1) * sizeof(*iv));
	if (pv)
		c->patch_paths = pv;
	if (iv)
		c->patches = iv;
	if (!pv || !iv) {
		free(path);
		return EXIT_USAGE;
	}
	c->patch_paths[c->n_patches] = path; /* lives as long as the messages naming it */
	struct patch_info *info = &c->patches[c->n_patches++];
	memset(info, 0, sizeof(*info));
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = io_read_file(AT_FDCWD, path, &data, &len);
	if (r < 0) {
		log_error_errno(r, "%s:%u: %s: %m", series, p->line, path);
		return EXIT_USAGE;
	}
	r = patch_scan(path, data, len, p->strip, p->reverse, info, &c->diags);
	if (r == -ENOMEM)
		return EXIT_USAGE;
	int ret = r < 0 ? EXIT_FAIL : 0;
	if (info->fragment) {
		if (add_extra(c, path, info->fragment, info->fragment_len) < 0)
			return EXIT_USAGE;
		info->fragment = NULL; /* c->extra's now */
	}
	char *kcm, *config;
	if (series_sibling_names(path, &kcm, &config) < 0)
		return EXIT_USAGE;
	bool has_kcm = access(kcm, F_OK) == 0, has_config = access(config, F_OK) == 0;
	if (has_kcm && has_config) {
		kc_diag(&c->diags, KC_ERROR,
			"%s:%u: error: %s: both %s and %s are beside it (keep one)", series,
			p->line, p->name, kcm, config);
		ret = EXIT_FAIL;
	}
	/* The one fragment beside the patch (both: the error above, neither is read). */
	char *beside = has_kcm != has_config ? (has_kcm ? kcm : config) : NULL;
	if (beside != kcm)
		free(kcm);
	if (beside != config)
		free(config);
	if (beside && add_extra(c, beside, NULL, 0) < 0) {
		free(beside);
		return EXIT_USAGE;
	}
	return ret;
}

/* Reads every --series file and its patches. Returns 0, EXIT_FAIL or EXIT_USAGE. */
static int load_series(struct ctx *c)
{
	int ret = 0;
	for (size_t i = 0; i < c->n_series && ret != EXIT_USAGE; i++) {
		_cleanup_free_ char *data = NULL, *copy = strdup(c->series[i]);
		size_t len;
		struct series s = {0};
		if (!copy || read_input(c->series[i], &data, &len) < 0)
			return EXIT_USAGE;
		int r = series_parse(c->series[i], data, len, &s, &c->diags);
		if (r == -ENOMEM)
			ret = EXIT_USAGE;
		else if (r < 0)
			ret = EXIT_FAIL;
		const char *dir = dirname(copy);
		for (size_t j = 0; j < s.n && ret != EXIT_USAGE; j++) {
			int pr = load_patch(c, c->series[i], dir, &s.v[j]);
			ret = pr > ret ? pr : ret;
		}
		series_free(&s);
	}
	if (c->diags.errors && !ret)
		ret = EXIT_FAIL;
	if (ret)
		print_diags(c);
	return ret;
}

/* The symbols the series' patches add are defined (by the patch) where the tree does not
 * define them yet, those they remove are marked (series_apply_symbols). */
static int add_patch_symbols(struct ctx *c)
{
	return series_apply_symbols(&c->kt, c->patches, c->patch_paths, c->n_patches,
				    ktree_srcarch(c->arch));
}

static void free_series(struct ctx *c)
{
	for (size_t i = 0; i < c->n_extra; i++) {
		if (c->extra[i].data)
			free(c->extra[i].data);
		else
			free(c->extra[i].name); /* a patch's path is in patch_paths */
	}
	for (size_t i = 0; i < c->n_patches; i++) {
		patch_info_free(&c->patches[i]);
		free(c->patch_paths[i]);
	}
	free(c->extra);
	free(c->patches);
	free(c->patch_paths);
	free(c->series);
}

static int write_config(const char *path, const struct kc_set *s, const char *prefix)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		kc_entry_write_config(f, prefix, &s->v[i]);
	if (fclose(f) != 0)
		return -ENOMEM;
	int r = 0;
	if (!path || streq(path, "-")) {
		r = io_write_stdout(buf, len);
		if (r < 0)
			log_error_errno(r, "writing the merged config to stdout failed: %m");
	} else {
		r = io_write_file(path, buf, len); /* reports its own errors */
	}
	free(buf);
	return r;
}

enum {
	OPT_BASE = 255,
	OPT_PREFER = 256,
	OPT_STRICT,
	OPT_PLAIN_MANDATORY,
	OPT_ARCH,
	OPT_MANDATORY,
	OPT_CACHE_DIR,
	OPT_NO_CACHE,
	OPT_SERIES
};

static const struct option merge_options[] = {
	{"output", required_argument, NULL, 'o'},
	{"prefer", required_argument, NULL, OPT_PREFER},
	{"base", required_argument, NULL, OPT_BASE},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"plain-mandatory", no_argument, NULL, OPT_PLAIN_MANDATORY},
	{"quiet", no_argument, NULL, 'q'},
	{"config", required_argument, NULL, 'c'},
	{"tree", required_argument, NULL, 'k'},
	{"arch", required_argument, NULL, OPT_ARCH},
	{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"series", required_argument, NULL, OPT_SERIES},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* Options shared by merge and verify; returns -1 to go on, else an exit code. */
static int parse_options(struct ctx *c, int argc, char **argv, bool verify)
{
	int opt;
	while ((opt = getopt_long(argc, argv, verify ? "o:qc:k:O:h" : "o:qh", merge_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			c->output = optarg;
			break;
		case OPT_PREFER:
			if (merge_parse_prefer(optarg, c->mo.prefer) < 0) {
				log_error("--prefer %s: expected an order of y, m, n such as n,m,y",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_BASE: {
			char **v = realloc(c->bases, (c->n_bases + 1) * sizeof(*v));
			if (!v)
				return EXIT_USAGE;
			c->bases = v;
			v[c->n_bases++] = optarg;
			break;
		}
		case OPT_STRICT:
			c->mo.strict = true;
			break;
		case OPT_PLAIN_MANDATORY:
			c->plain_mandatory = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'c':
			c->actual = optarg;
			break;
		case 'k':
			c->tree = optarg;
			break;
		case 'O':
			c->objdir = optarg;
			break;
		case OPT_ARCH:
			c->arch = optarg;
			break;
		case OPT_CACHE_DIR:
			c->cache_dir = optarg;
			break;
		case OPT_NO_CACHE:
			c->no_cache = true;
			break;
		case OPT_SERIES: {
			char **v = realloc(c->series, (c->n_series + 1) * sizeof(*v));
			if (!v)
				return EXIT_USAGE;
			c->series = v;
			v[c->n_series++] = optarg;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc && !c->n_bases && !c->n_series) {
		log_error("no fragment given");
		return EXIT_USAGE;
	}
	return -1;
}

static int cmd_merge(struct ctx *c, int argc, char **argv)
{
	int r = parse_options(c, argc, argv, false);
	if (r >= 0)
		return r;
	r = load_series(c);
	if (r)
		return r;
	struct kc_set out;
	kc_set_init(&out);
	r = merge_files(c, argv + optind, argc - optind, &out);
	if (!r && write_config(c->output, &out, c->mo.prefix) < 0)
		r = EXIT_USAGE;
	kc_set_free(&out);
	return r;
}

/* The directory of the Kconfig cache: --cache-dir, else $XDG_CACHE_HOME/kconfig-merge, else
 * $HOME/.cache/kconfig-merge; NULL (no cache) when none of them is set. */
static char *cache_default(const char *opt)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = NULL;
	if (opt)
		return strdup(opt);
	if (xdg && *xdg == '/')
		return asprintf(&dir, "%s/kconfig-merge", xdg) < 0 ? NULL : dir;
	if (home && *home == '/')
		return asprintf(&dir, "%s/.cache/kconfig-merge", home) < 0 ? NULL : dir;
	return NULL;
}

/* Writes the merge to OBJ/.config and runs make olddefconfig on it; reads the result. */
static int run_olddefconfig(struct ctx *c, const struct kc_set *merged, struct kc_set *actual)
{
	/* Absolute paths: `make -C TREE O=DIR` resolves a relative DIR inside the tree, so the
	 * .config written here (relative to the working directory) would not be the one make
	 * reads, and the check would read back its own merge. */
	_cleanup_free_ char *tree = realpath(c->tree, NULL), *obj = NULL;
	if (!tree) {
		log_error_errno(-errno, "-k %s: %m", c->tree);
		return EXIT_USAGE;
	}
	/* Missing parents are created, as `make O=a/b` does. */
	int r = c->objdir ? io_mkdir_parents(c->objdir, 0755) : 0;
	if (r < 0) {
		log_error_errno(r, "-O %s: %m", c->objdir);
		return EXIT_USAGE;
	}
	obj = c->objdir ? realpath(c->objdir, NULL) : strdup(tree);
	if (!obj) {
		log_error_errno(-errno, "-O %s: %m", c->objdir);
		return EXIT_USAGE;
	}
	_cleanup_free_ char *cfg = NULL, *o_arg = NULL, *arch_arg = NULL, *data = NULL;
	if (asprintf(&cfg, "%s/.config", obj) < 0 || asprintf(&o_arg, "O=%s", obj) < 0 ||
	    asprintf(&arch_arg, "ARCH=%s", c->arch) < 0)
		return EXIT_USAGE;
	if (write_config(cfg, merged, c->mo.prefix) < 0)
		return EXIT_USAGE;
	/* make must work on the file written here, for the ARCH whose Kconfig files were read.
	 * Command-line variables beat the environment and MAKEFLAGS: an exported
	 * KCONFIG_CONFIG=my.config would have make read and write OBJ/my.config (and the check
	 * read back its own merge), KBUILD_OUTPUT or an O= inherited from a calling make another
	 * directory, ARCH or the host another architecture. O= is given even for the tree itself
	 * (an in-tree build). */
	const char *make = getenv("MAKE") ?: "make";
	char *argv[] = {(char *)make,	"-s", "-C", tree, o_arg, arch_arg, "KCONFIG_CONFIG=.config",
			"olddefconfig", NULL};
	r = io_run(argv, STDERR_FILENO);
	if (r != 0) {
		log_error("%s -C %s %s %s olddefconfig failed (%d)", make, tree, o_arg, arch_arg,
			  r);
		return EXIT_USAGE;
	}
	size_t len;
	if (read_input(cfg, &data, &len) < 0)
		return EXIT_USAGE;
	return kconfig_read(cfg, data, len, c->mo.prefix, ktree_type, &c->kt, actual, &c->diags) < 0
		       ? EXIT_USAGE
		       : 0;
}

static int cmd_verify(struct ctx *c, int argc, char **argv)
{
	int r = parse_options(c, argc, argv, true);
	if (r >= 0)
		return r;
	/* The ARCH make would use: --arch, else $ARCH, else x86 (what the kernel's Makefile
	 * takes on an x86 host). The Kconfig files are read for its SRCARCH, and make is run
	 * with it. */
	if (!c->arch) {
		const char *env = getenv("ARCH");
		c->arch = env && *env ? env : "x86";
	}
	if (!c->actual && !c->tree) {
		log_error("verify needs the actual config (-c FILE) or a kernel tree (-k DIR)");
		return EXIT_USAGE;
	}
	_cleanup_free_ char *cache = c->tree && !c->no_cache ? cache_default(c->cache_dir) : NULL;
	if (c->tree) {
		if (io_load_tree(c->tree, ktree_srcarch(c->arch), cache, &c->kt, &c->tree_check) <
		    0)
			return EXIT_USAGE;
		c->have_tree = true;
	}
	r = load_series(c);
	if (r)
		return r;
	if (c->have_tree && add_patch_symbols(c) < 0)
		return EXIT_USAGE;
	struct kc_set req, act;
	kc_set_init(&req);
	kc_set_init(&act);
	r = merge_files_unprinted(c, argv + optind, argc - optind, &req);
	/* A tree from the cache is used while its files are still being checked; nothing read
	 * with it is shown before the check is done. A stale one: the tree is parsed, and the
	 * fragments read again with it. After an unreadable fragment (said already) the run ends
	 * anyway: the fragments before it are read again (their messages are shown, as without
	 * the cache), not it (its error would be said twice). */
	if (c->tree_check) {
		bool fresh = io_tree_check_finish(c->tree_check);
		c->tree_check = NULL;
		if (!fresh) {
			kc_diags_free(&c->diags);
			kc_set_free(&req);
			kc_set_init(&req);
			ktree_free(&c->kt);
			ktree_init(&c->kt);
			if (io_load_tree(c->tree, ktree_srcarch(c->arch), cache, &c->kt, NULL) <
				    0 ||
			    add_patch_symbols(c) < 0)
				r = EXIT_USAGE;
			else
				r = merge_files_limited(c, argv + optind, argc - optind, &req,
							r == EXIT_USAGE ? c->merge_stop : SIZE_MAX);
		}
	}
	print_diags(c);
	if (!r && c->output && write_config(c->output, &req, c->mo.prefix) < 0)
		r = EXIT_USAGE;
	if (!r && c->actual) {
		_cleanup_free_ char *data = NULL;
		size_t len;
		r = read_input(c->actual, &data, &len) < 0 ? EXIT_USAGE : 0;
		if (!r &&
		    kconfig_read(c->actual, data, len, c->mo.prefix,
				 c->have_tree ? ktree_type : NULL, &c->kt, &act, &c->diags) < 0)
			r = EXIT_USAGE;
	} else if (!r) {
		r = run_olddefconfig(c, &req, &act);
	}
	if (!r) {
		struct verify_result v;
		if (verify_config(&req, &act, c->have_tree ? &c->kt : NULL, c->mo.prefix, &v,
				  &c->diags) < 0)
			r = EXIT_FAIL;
		print_diags(c);
		fprintf(stderr,
			"verify: %zu requested, %zu met, %zu lost (%zu mandatory, %zu optional), "
			"%zu undefined, %zu wrong type\n",
			v.checked, v.matched, v.lost_mandatory + v.lost_optional, v.lost_mandatory,
			v.lost_optional, v.undefined, v.wrong_type);
	}
	kc_set_free(&req);
	kc_set_free(&act);
	return r;
}

static int cmd_export(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"priority", required_argument, NULL, 'p'},
		{"mandatory", no_argument, NULL, OPT_MANDATORY},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct fragment_export_opts eo = {.priority = 100};
	int opt;
	char *end;
	while ((opt = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			c->output = optarg;
			break;
		case 'p':
			eo.priority = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end) {
				log_error("--priority %s: not an integer", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MANDATORY:
			eo.mandatory = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		log_error("export takes one config file");
		return EXIT_USAGE;
	}
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (read_input(argv[optind], &data, &len) < 0)
		return EXIT_USAGE;
	struct kc_set set;
	kc_set_init(&set);
	int r = kconfig_read(argv[optind], data, len, c->mo.prefix, NULL, NULL, &set, &c->diags);
	print_diags(c);
	eo.source = argv[optind];
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = r < 0 ? NULL : open_memstream(&buf, &blen);
	if (f) {
		fragment_write(f, &set, &eo);
		fclose(f);
		if (!c->output || streq(c->output, "-")) {
			r = io_write_stdout(buf, blen);
			if (r < 0)
				log_error_errno(r, "writing the fragment to stdout failed: %m");
		} else {
			r = io_write_file(c->output, buf, blen);
		}
	}
	free(buf);
	kc_set_free(&set);
	return r < 0 || !f ? EXIT_USAGE : 0;
}

int mergeconfig_main(int argc, char **argv); /* mergeconfig_main.c */

/* merge_config.sh runs under `set -e`: an echo that cannot write ends it with status 1. */
#define MC_EXIT_STDOUT 1

/* Whatever went to stdout must have arrived: `merge > /dev/full` is a failure, not an empty
 * config and exit 0. Returns the exit code (on_error when stdout failed and r was 0 or 1). */
static int close_stdout(int r, int on_error)
{
	int e = io_close_stdout();
	if (e < 0) {
		log_error_errno(e, "writing to stdout failed: %m");
		return r > on_error ? r : on_error;
	}
	return r;
}

int main(int argc, char **argv)
{
	struct ctx c = {0};
	merge_opts_default(&c.mo);
	c.mo.prefix = kc_config_prefix();
	ktree_init(&c.kt);
	log_setup("kconfig-merge", false);
	/* A short-lived process: large blocks (indexes, file buffers) come from the heap and go
	 * back to it, so a freed one is reused instead of a fresh mmap that faults in every page
	 * again (a third of verify's system time was page faults and munmap). */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);

	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (streq(base, "merge_config.sh"))
		return close_stdout(mergeconfig_main(argc, argv), MC_EXIT_STDOUT);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	int r;
	if (streq(cmd, "--help") || streq(cmd, "-h") || streq(cmd, "help")) {
		usage(stdout);
		return close_stdout(0, EXIT_USAGE);
	}
	if (streq(cmd, "--version")) {
		puts("kconfig-merge 1");
		return close_stdout(0, EXIT_USAGE);
	}
	if (streq(cmd, "merge_config") || streq(cmd, "merge_config.sh"))
		return close_stdout(mergeconfig_main(argc - 1, argv + 1), MC_EXIT_STDOUT);
	if (streq(cmd, "merge"))
		r = cmd_merge(&c, argc - 1, argv + 1);
	else if (streq(cmd, "verify"))
		r = cmd_verify(&c, argc - 1, argv + 1);
	else if (streq(cmd, "export"))
		r = cmd_export(&c, argc - 1, argv + 1);
	else {
		log_error("unknown command '%s' (merge, verify, export, merge_config)", cmd);
		usage(stderr);
		r = EXIT_USAGE;
	}
	if (c.tree_check) /* before the tree it checks is freed */
		io_tree_check_finish(c.tree_check);
	ktree_free(&c.kt);
	free_series(&c);
	free(c.bases);
	kc_diags_free(&c.diags);
	return close_stdout(r, EXIT_USAGE);
}
