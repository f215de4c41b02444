/* initkit-mkimage: writes an initkit initramfs (newc cpio, optionally zstd/gzip compressed)
 * by itself: /init, the image config, the module closure computed with libkmod (with the
 * modprobe.d files it used and the firmware its modules declare), crypttab, key files (mode
 * 0400), hooks, and extra files from a gen_init_cpio list. Same inputs and
 * SOURCE_DATE_EPOCH give byte-identical output on any build host with the same kmod version
 * (the module indexes are the host's depmod's output). --host / --universal (host.c) decide
 * modules, settings and files by themselves and add them to what the options name. */
#include <dirent.h>
#include <elf.h>
#include <link.h> /* ElfW() */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "cpio.h"
#include "cpiolist.h"
#include "firmware.h"
#include "host.h"
#include "keymap.h"
#include "log.h"
#include "modclosure.h"
#include "util.h"
#include "../image.h"
#include "../version.h"

/* The kernel asks for these by itself when dm-crypt sets up aes-xts-plain64 (and the
 * other common LUKS ciphers); without them the table load fails with
 * "crypt: Error allocating crypto tfm" (shared/FACTS.md). No af_alg/algif_skcipher: the
 * shipped /init's libcryptsetup (libgcrypt backend, README "Static dependencies") decrypts
 * keyslot areas of aes, serpent and twofish LUKS volumes in user space. */
static const char *const luks_modules[] = {
	"dm_crypt",	"crypto-xts",	 "crypto-ecb",	    "crypto-cbc",      "crypto-aes",
	"crypto-essiv", "crypto-sha256", "crypto-xts(aes)", "crypto-ecb(aes)", "crypto-sha512",
};

/* TPM2 unlock (initrd/tpm2_unlock.c): nothing for Debian's kernel, where they are built in;
 * on a kernel where they are modules, stage 1's coldplug loads them by the TPM's ACPI
 * modalias (MSFT0101). Optional, like luks_modules. */
static const char *const tpm_modules[] = {"tpm_tis", "tpm_crb"};

/* The image's lvm.conf: activation only, and never a metadata write from the initramfs (a VG
 * seen half during early boot must not be "repaired" on disk). lvm2 2.03.16 overwrites
 * metadata_read_only per command (see initrd/lvm.c); it is kept for versions that honour it.
 * Settings of lvm2 2.03.16's
 * lib/config/config_settings.h; use_lvmetad and locking_type are gone since 2.03 and only
 * draw warnings. No udev in stage 1: lvm makes the /dev/VG/LV links itself. */
static const char lvm_conf[] =
	"# initkit stage 1: activate only, never write LVM metadata\n"
	"global {\n"
	"\tmetadata_read_only = 1\n"
	"\tevent_activation = 0\n"
	"\t# no thin_check/cache_check in the image: a thin or cache root is activated unchecked\n"
	"\tthin_check_executable = \"\"\n"
	"\tcache_check_executable = \"\"\n"
	"}\n"
	"activation {\n"
	"\tudev_sync = 0\n"
	"\tudev_rules = 0\n"
	"\tmonitoring = 0\n"
	"}\n"
	"backup {\n"
	"\tbackup = 0\n"
	"\tarchive = 0\n"
	"}\n"
	"devices {\n"
	"\tobtain_device_list_from_udev = 0\n"
	"\texternal_device_info_source = \"none\"\n"
	"\tuse_devicesfile = 0\n"
	"\thints = \"none\"\n"
	"}\n";

#ifndef LVM_DEFAULT_BINARY
#define LVM_DEFAULT_BINARY "/sbin/lvm.static"
#endif

/* The static lvm --lvm takes: the one `make install` (and the .deb) put beside the programs,
 * LIBDIR/initkit/lvm for BINDIR/initkit-mkimage (/usr/lib/initkit/lvm for /usr/bin), else the
 * build tree's (LVM_DEFAULT_BINARY). */
static const char *lvm_default_binary(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash = n > 0 ? (exe[n] = 0, strrchr(exe, '/')) : NULL; /* PREFIX/bin/NAME */
	if (slash) {
		*slash = 0;
		slash = strrchr(exe, '/'); /* PREFIX/bin */
	}
	if (slash) {
		*slash = 0;
		if (snprintf(path, sizeof(path), "%s/lib/initkit/lvm", exe) < (int)sizeof(path) &&
		    access(path, X_OK) == 0)
			return path;
	}
	return LVM_DEFAULT_BINARY;
}

/* Debian's e2fsck-static package; --fsck-binary picks another. --host adds --fsck by itself
 * when the host's root is ext2/3/4 and this file exists. */
#define FSCK_DEFAULT_BINARY "/sbin/e2fsck.static"

struct opts {
	const char *lvm_binary, *fsck_binary, *lvm_config;
	char **keymaps; /* --keymap, in order; the first is the default */
	size_t n_keymaps;
	const char *keymap_root;   /* --keymap-root: where --keymap auto looks (default /) */
	struct keymap host_keymap; /* --host without --keymap: the host's own (name "" if none) */
	const char *output, *init, *kver, *moddir, *fwdir, *config, *crypttab, *file_list;
	char **modules, **load, **sets, **keyfiles, **hooks, **modprobe_args;
	size_t n_modules, n_load, n_sets, n_keyfiles, n_hooks, n_modprobe_args;
	char **modprobe; /* --modprobe-config expanded to files, NULL-terminated */
	size_t n_modprobe;
	char **modprobe_skipped; /* files hidden by an earlier file of the same name */
	size_t n_modprobe_skipped;
	const char *compress;
	const char *host_root; /* --host / --host-root DIR: detect what the machine needs */
	bool universal;
	struct host_plan host;
	int level;
	int fw_forms; /* --firmware-compress: FIRMWARE_XZ|FIRMWARE_ZST, -1 when not given */
	bool luks, lvm, fsck, quiet;
};

struct image {
	struct cpio cp;
	char **dirs;
	size_t n_dirs;
	size_t n_files;
	char depmod[128]; /* `depmod --version` when module indexes were made, else "" */
	char secret[256]; /* the first file others may not read (a key): the image is 0600 */
};

/* An image is as private as its most private file: a key file (0400), a detached header or
 * secret hook listed 0600/0400 in --file-list. Anyone who can read the image reads them. */
static void image_note_secret(struct image *img, const char *name, mode_t mode)
{
	if (!(mode & S_IROTH) && !img->secret[0])
		snprintf(img->secret, sizeof(img->secret), "%s", name);
}

static int push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 2) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*v = p;
	p[(*n)++] = (char *)s;
	p[*n] = NULL;
	return 0;
}

static int read_file(const char *path, void **data, size_t *size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	buf[got] = 0;
	*data = buf;
	*size = got;
	return 0;
}

/* Creates the parent directories of name in the archive once each. */
static int image_parents(struct image *img, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", name[0] == '/' ? name + 1 : name);
	for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		bool have = false;
		for (size_t i = 0; i < img->n_dirs && !have; i++)
			have = streq(img->dirs[i], path);
		if (!have) {
			int r = cpio_write_dir(&img->cp, path, 0755);
			char *copy = strdup(path);
			if (r < 0 || !copy || push(&img->dirs, &img->n_dirs, copy) < 0)
				return -ENOMEM;
		}
		*p = '/';
	}
	return 0;
}

static int image_add_data(struct image *img, const char *name, mode_t mode, const void *data,
			  size_t size)
{
	int r = image_parents(img, name);
	if (r < 0)
		return r;
	img->n_files++;
	image_note_secret(img, name, mode);
	return cpio_write_file(&img->cp, name, mode, data, size);
}

/* A host file others may not read stays so in the image whatever mode the image lists for
 * it: a hook holding a PIN (0700), a detached header listed 0644 in --file-list (0600 on the
 * host). Its copy makes the image 0600. */
static void image_note_source(struct image *img, const char *name, const char *src)
{
	struct stat st;
	if (stat(src, &st) == 0)
		image_note_secret(img, name, st.st_mode);
}

static int image_add_file(struct image *img, const char *name, const char *src, mode_t mode)
{
	void *data;
	size_t size;
	int r = read_file(src, &data, &size);
	if (r < 0)
		return log_error_errno(r, "%s (for %s in the image): %m", src, name);
	image_note_source(img, name, src);
	r = image_add_data(img, name, mode, data, size);
	free(data);
	return r;
}

/* The system's depmod, never one found through $PATH (a directory early in $PATH would
 * decide what goes into every image). Its configuration is conf, an empty directory: the
 * build host's /etc/depmod.d must not change the image's indexes either. */
static const char *const depmod_paths[] = {"/sbin/depmod", "/usr/sbin/depmod"};

static const char *depmod_path(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(depmod_paths); i++)
		if (access(depmod_paths[i], X_OK) == 0)
			return depmod_paths[i];
	return depmod_paths[0];
}

static int run_depmod(const char *stage, const char *conf, const char *kver)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		execl(depmod_path(), "depmod", "-b", stage, "-C", conf, kver, (char *)NULL);
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOEXEC;
}

/* The first line of `depmod --version` ("kmod version 30"): the module indexes are that
 * program's output, so they are only byte-identical between hosts with the same kmod. */
static void depmod_version(char *buf, size_t size)
{
	int fds[2];
	snprintf(buf, size, "version unknown");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl(depmod_path(), "depmod", "--version", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char out[256];
	ssize_t n = pid < 0 ? -1 : read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (n > 0) {
		out[n] = 0;
		out[strcspn(out, "\n")] = 0;
		size_t l = strlen(out) < size ? strlen(out) : size - 1;
		if (l) {
			memcpy(buf, out, l);
			buf[l] = 0;
		}
	}
}

static int mkdir_parents(const char *path)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static int copy_file(const char *src, const char *dst)
{
	void *data;
	size_t size;
	int r = read_file(src, &data, &size);
	if (r < 0)
		return r;
	FILE *f = fopen(dst, "we");
	r = f && fwrite(data, 1, size, f) == size ? 0 : -EIO;
	if (f && fclose(f) != 0)
		r = -EIO;
	free(data);
	return r;
}

/* Writes the closure's module files plus module indexes regenerated for exactly those
 * modules (depmod on a private staging tree), so libkmod works in the image without the
 * host's 3 MB of indexes for modules the image does not have. */
static int image_add_modules(struct image *img, const struct opts *o, const struct modclosure *c)
{
	char stage[] = "/tmp/initkit-mkimage.XXXXXX", dir[4096], dst[4096], name[4096];
	static const char *const keep[] = {"modules.builtin", "modules.builtin.modinfo",
					   "modules.order"};
	static const char *const indexes[] = {
		"modules.dep.bin",     "modules.alias.bin",	    "modules.symbols.bin",
		"modules.builtin.bin", "modules.builtin.alias.bin", "modules.softdep",
		"modules.devname",     "modules.builtin.modinfo",   "modules.builtin",
	};
	int r = 0;

	if (!mkdtemp(stage))
		return log_error_errno(-errno, "mkdtemp: %m");
	snprintf(dir, sizeof(dir), "%s/lib/modules/%s", stage, o->kver);
	for (size_t i = 0; i < c->n && r == 0; i++) {
		/* A module outside moddir (an absolute path in modules.dep) goes to the top. */
		const char *rel = modclosure_relpath(c->paths[i], o->moddir);
		if (!rel)
			rel = basename(c->paths[i]);
		r = path_printf(name, sizeof(name), "lib/modules/%s/%s", o->kver, rel);
		r = r ?: path_printf(dst, sizeof(dst), "%s/%s", stage, name);
		r = r ?: mkdir_parents(dst);
		r = r ?: copy_file(c->paths[i], dst);
		r = r ?: image_add_file(img, name, c->paths[i], 0644);
		if (!o->quiet)
			printf("  module %-24s %s\n", c->names[i], rel);
	}
	for (size_t i = 0; i < ARRAY_SIZE(keep) && r == 0; i++) {
		if (path_printf(name, sizeof(name), "%s/%s", o->moddir, keep[i]) == 0 &&
		    path_printf(dst, sizeof(dst), "%s/%s", dir, keep[i]) == 0)
			copy_file(name, dst); /* optional files */
	}
	r = r ?: path_printf(dst, sizeof(dst), "%s/depmod.d", stage);
	if (r == 0 && mkdir(dst, 0755) < 0)
		r = -errno;
	if (r == 0 && (r = run_depmod(stage, dst, o->kver)) < 0)
		log_error("%s -b %s -C %s %s failed; is kmod installed?", depmod_path(), stage, dst,
			  o->kver);
	if (r == 0)
		depmod_version(img->depmod, sizeof(img->depmod));
	for (size_t i = 0; i < ARRAY_SIZE(indexes) && r == 0; i++) {
		r = path_printf(dst, sizeof(dst), "%s/%s", dir, indexes[i]);
		r = r ?: path_printf(name, sizeof(name), "lib/modules/%s/%s", o->kver, indexes[i]);
		if (r == 0 && access(dst, F_OK) == 0)
			r = image_add_file(img, name, dst, 0644);
	}
	if (nftw(stage, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		log_warning("could not remove %s: %m", stage);
	return r;
}

/* The target kernel's .config, for the firmware forms its loader reads: ROOT/boot/config-KVER
 * where moddir is ROOT/lib/modules/KVER or ROOT/usr/lib/modules/KVER (the image's root, "/"
 * for the default moddir), else moddir/build/.config (the headers). Fills path; returns the
 * forms, or -ENOENT when no config was found. */
static int kernel_config_forms(const struct opts *o, char *path, size_t size)
{
	char root[4096], tail[512];
	size_t mlen = strlen(o->moddir), tlen;
	int candidates = 0;
	if (path_printf(tail, sizeof(tail), "/lib/modules/%s", o->kver) == 0 &&
	    mlen >= (tlen = strlen(tail)) && streq(o->moddir + mlen - tlen, tail)) {
		size_t rlen = mlen - tlen;
		if (rlen >= 4 && strncmp(o->moddir + rlen - 4, "/usr", 4) == 0)
			rlen -= 4;
		snprintf(root, sizeof(root), "%.*s", (int)rlen, o->moddir);
		candidates = path_printf(path, size, "%s/boot/config-%s", root, o->kver) == 0;
	}
	for (int i = candidates ? 0 : 1; i < 2; i++) {
		if (i == 1 && path_printf(path, size, "%s/build/.config", o->moddir) < 0)
			break;
		void *text;
		size_t len;
		if (read_file(path, &text, &len) < 0)
			continue;
		int forms = firmware_forms_from_kconfig(text, len);
		free(text);
		if (forms >= 0)
			return forms;
	}
	return -ENOENT;
}

static const char *forms_text(int forms)
{
	static const char *const t[] = {"none", "zst", "xz", "zst, xz"};
	return t[forms & 3];
}

/* The firmware the closure's modules declare, from --firmware-dir (default /lib/firmware),
 * at the same place below /lib/firmware in the image, in a form the target kernel's loader
 * reads (--firmware-compress, else its .config, else plain, then .xz, then .zst with a
 * warning); a missing file is a warning naming the module and the file (the driver may work
 * without it, or the hardware may be absent). */
static int image_add_firmware(struct image *img, const struct opts *o, const struct modclosure *c)
{
	struct firmware_files files = {0};
	char name[4096], config[4096] = "";
	const char *suffixes[4], *unreadable[4] = {NULL};
	size_t missing = 0;
	int r = 0, forms = o->fw_forms;
	_cleanup_close_ int fwdir = open(o->fwdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fwdir < 0 && errno != ENOENT)
		return log_error_errno(-errno, "--firmware-dir %s: %m", o->fwdir);
	if (forms < 0)
		forms = kernel_config_forms(o, config, sizeof(config));
	firmware_suffixes(forms, suffixes);
	if (forms >= 0) { /* what exists but this kernel cannot read, for the warning */
		firmware_suffixes(~forms & 3, unreadable);
		memmove(unreadable, unreadable + 1, 3 * sizeof(*unreadable)); /* no plain */
	}
	if (!o->quiet && forms >= 0)
		printf("  firmware forms the kernel reads: plain%s%s (%s)\n", forms ? ", " : "",
		       forms ? forms_text(forms) : "",
		       o->fw_forms >= 0 ? "--firmware-compress" : config);
	else if (!o->quiet)
		printf("  firmware forms: no kernel config found (%s/build/.config, "
		       "ROOT/boot/config-%s); plain, then .xz, then .zst\n",
		       o->moddir, o->kver);
	for (size_t i = 0; i < c->n_fw && r >= 0; i++) {
		size_t before = files.n;
		r = fwdir < 0 ? 0 : firmware_find(fwdir, c->fw_names[i], o->kver, suffixes, &files);
		if (r == -EINVAL) {
			log_warning("firmware: %s declares '%s', a path with '..'; not included",
				    c->fw_modules[i], c->fw_names[i]);
			r = 0;
			continue;
		}
		for (size_t k = before; k < files.n && forms < 0; k++)
			if (strlen(files.rel[k]) > 4 &&
			    streq(files.rel[k] + strlen(files.rel[k]) - 4, ".zst"))
				log_warning(
					"firmware: %s: included %s, but the kernel may not read "
					".zst (no kernel config found; Debian's 6.1 reads .xz "
					"only; "
					"--firmware-compress says what it reads)",
					c->fw_modules[i], files.rel[k]);
		if (r != 0)
			continue;
		struct firmware_files other = {0};
		if (fwdir >= 0 && unreadable[0] &&
		    firmware_find(fwdir, c->fw_names[i], o->kver, unreadable, &other) > 0)
			log_warning(
				"firmware: %s needs %s: only %s exists, which this kernel cannot "
				"read (it reads plain%s%s); not included",
				c->fw_modules[i], c->fw_names[i], other.rel[0],
				forms ? " and " : "", forms ? forms_text(forms) : "");
		else
			log_warning("firmware: %s needs %s, not found in %s (nor %s); not included",
				    c->fw_modules[i], c->fw_names[i], o->fwdir,
				    forms < 0 ? ".xz/.zst"
				    : forms   ? forms_text(forms)
					      : "compressed");
		firmware_files_free(&other);
		missing++;
	}
	for (size_t i = 0; i < files.n && r >= 0; i++) {
		char src[4096];
		r = path_printf(name, sizeof(name), "lib/firmware/%s", files.rel[i]);
		r = r ?: path_printf(src, sizeof(src), "%s/%s", o->fwdir, files.rel[i]);
		r = r ?: image_add_file(img, name, src, 0644);
		if (r == 0 && !o->quiet)
			printf("  firmware %s\n", files.rel[i]);
	}
	if (r >= 0 && missing)
		log_warning("firmware: %zu of %zu declared files not found in %s", missing, c->n_fw,
			    o->fwdir);
	firmware_files_free(&files);
	return r < 0 ? r : 0;
}

static bool modprobe_conf_name(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && ((n > 5 && streq(name + n - 5, ".conf")) ||
				  (n > 6 && streq(name + n - 6, ".alias")));
}

/* Stage 1 writes rd.driver.blacklist= to a file of this name; libkmod reads only the first
 * file of a name, so an image's file under it would hide the command line's blacklist. */
#define CMDLINE_BLACKLIST_NAME "zz-initkit-cmdline-blacklist.conf"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Adds one modprobe.d file unless a file of its name came first: libkmod reads only the
 * first file of a name (so /etc/modprobe.d/x.conf hides /lib/modprobe.d/x.conf); the one
 * skipped is remembered for the output. Takes path. */
static int modprobe_push(struct opts *o, char *path)
{
	const char *name = base_name(path);
	if (!modprobe_conf_name(name)) {
		log_error("--modprobe-config %s: the name must end in .conf or .alias (the "
			  "only files modprobe.d is read for)",
			  path);
		free(path);
		return -EINVAL;
	}
	if (streq(name, CMDLINE_BLACKLIST_NAME)) {
		log_error("--modprobe-config %s: the name %s is reserved (stage 1 writes "
			  "rd.driver.blacklist= to it); rename the file",
			  path, name);
		free(path);
		return -EINVAL;
	}
	for (size_t k = 0; k < o->n_modprobe; k++)
		if (streq(base_name(o->modprobe[k]), name))
			return push(&o->modprobe_skipped, &o->n_modprobe_skipped, path);
	return push(&o->modprobe, &o->n_modprobe, path);
}

/* --modprobe-config PATH: a file, or a directory whose *.conf and *.alias files count (the
 * names libkmod reads in a modprobe.d directory). Each file is used as is for the closure
 * and shipped under its own name in /etc/modprobe.d, where initkit-init's libkmod reads it;
 * of two files of one name the first given wins, as in libkmod. */
static int modprobe_expand(struct opts *o)
{
	for (size_t i = 0; i < o->n_modprobe_args; i++) {
		const char *arg = o->modprobe_args[i];
		struct dirent **ents = NULL;
		struct stat st;
		if (stat(arg, &st) < 0)
			return log_error_errno(-errno, "--modprobe-config %s: %m", arg);
		if (!S_ISDIR(st.st_mode)) {
			char *copy = strdup(arg);
			int r = copy ? modprobe_push(o, copy) : -ENOMEM;
			if (r < 0)
				return r;
			continue;
		}
		int n = scandir(arg, &ents, NULL, alphasort);
		if (n < 0)
			return log_error_errno(-errno, "--modprobe-config %s: %m", arg);
		int r = 0;
		for (int k = 0; k < n; k++) {
			char *path = NULL;
			if (r == 0 && modprobe_conf_name(ents[k]->d_name))
				r = asprintf(&path, "%s/%s", arg, ents[k]->d_name) < 0
					    ? -ENOMEM
					    : modprobe_push(o, path);
			free(ents[k]);
		}
		free(ents);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool is_dev_null(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* Exactly the modprobe.d files the closure was computed with, so the softdeps, aliases and
 * options that shaped it also apply at boot. A file masked with a symlink to /dev/null (how
 * modprobe.d files are disabled) is shipped empty: it still hides files of its name. */
static int image_add_modprobe(struct image *img, const struct opts *o)
{
	char name[4096];
	int r = 0;
	for (size_t i = 0; i < o->n_modprobe && r == 0; i++) {
		bool masked = is_dev_null(o->modprobe[i]);
		r = path_printf(name, sizeof(name), "etc/modprobe.d/%s", base_name(o->modprobe[i]));
		if (r == 0 && masked)
			r = image_add_data(img, name, 0644, "", 0);
		else if (r == 0)
			r = image_add_file(img, name, o->modprobe[i], 0644);
		if (r == 0 && !o->quiet)
			printf("  modprobe.d %s (from %s%s)\n", base_name(o->modprobe[i]),
			       o->modprobe[i],
			       masked ? ", masked by /dev/null: shipped empty" : "");
	}
	for (size_t i = 0; i < o->n_modprobe_skipped && r == 0 && !o->quiet; i++)
		printf("  modprobe.d %s: %s skipped (a file of that name came first; libkmod reads "
		       "only the first)\n",
		       base_name(o->modprobe_skipped[i]), o->modprobe_skipped[i]);
	return r;
}

/* The build host's modprobe.d directories, in libkmod's order (the first file of a name
 * wins). INITKIT_HOST_ROOT (a test hook) puts them below another directory. */
static const char *const host_modprobe_dirs[] = {"/etc/modprobe.d", "/run/modprobe.d",
						 "/usr/local/lib/modprobe.d", "/lib/modprobe.d",
						 "/usr/lib/modprobe.d"};

struct host_warn {
	const char *path, *dir;
	size_t n;
};

static void host_conf_warn(unsigned line, const char *command, const char *module, void *ud)
{
	struct host_warn *w = ud;
	log_warning("%s:%u: '%s %s' applies on this host but not in the image (only "
		    "--modprobe-config files are shipped); to keep it, add --modprobe-config %s",
		    w->path, line, command, module, w->dir);
	w->n++;
}

/* The image never depends on the build host's modprobe.d, but options, install/remove
 * commands, softdeps and blacklists it has for the image's modules are silently lost at
 * boot: name each (file, line, module), unless a --modprobe-config file of the same name
 * replaces that file. */
static void host_modprobe_warn(const struct opts *o, const struct modclosure *mc)
{
	const char *root = getenv("INITKIT_HOST_ROOT");
	char **seen = NULL;
	size_t n_seen = 0;
	for (size_t d = 0; d < ARRAY_SIZE(host_modprobe_dirs); d++) {
		char dir[4096];
		struct dirent **ents = NULL;
		if (path_printf(dir, sizeof(dir), "%s%s", root ? root : "", host_modprobe_dirs[d]) <
		    0)
			continue;
		int n = scandir(dir, &ents, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			const char *name = ents[k]->d_name;
			bool skip = !modprobe_conf_name(name);
			for (size_t i = 0; i < n_seen && !skip; i++)
				skip = streq(seen[i], name);
			for (size_t i = 0; i < o->n_modprobe && !skip; i++)
				skip = streq(base_name(o->modprobe[i]), name);
			char *copy = skip ? NULL : strdup(name);
			if (copy && push(&seen, &n_seen, copy) < 0)
				free(copy);
			char path[4096];
			void *text;
			size_t len;
			if (!skip && path_printf(path, sizeof(path), "%s/%s", dir, name) == 0 &&
			    read_file(path, &text, &len) == 0) {
				struct host_warn w = {.path = path, .dir = dir};
				modclosure_conf_commands(mc, text, len, host_conf_warn, &w);
				free(text);
			}
			free(ents[k]);
		}
		free(ents);
	}
	for (size_t i = 0; i < n_seen; i++)
		free(seen[i]);
	free(seen);
}

static const char *cpiolist_lookup_env(const char *name, void *userdata)
{
	(void)userdata;
	return getenv(name);
}

/* A list's file with its owner, group and hard links (one inode, data once). */
static int image_add_list_file(struct image *img, const struct cpiolist_entry *e)
{
	_cleanup_free_ const char **names = calloc(e->n_links + 1, sizeof(*names));
	void *data;
	size_t size;
	if (!names)
		return -ENOMEM;
	names[0] = e->name;
	for (size_t k = 0; k < e->n_links; k++) {
		int r = image_parents(img, e->links[k]);
		if (r < 0)
			return r;
		names[k + 1] = e->links[k];
	}
	int r = read_file(e->location, &data, &size);
	if (r < 0)
		return log_error_errno(r, "%s (for %s in the image): %m", e->location, e->name);
	r = cpio_write_file_links(&img->cp, names, e->n_links + 1, e->mode, e->uid, e->gid, data,
				  size);
	free(data);
	img->n_files++;
	image_note_secret(img, e->name, e->mode);
	image_note_source(img, e->name, e->location);
	return r;
}

static int image_add_list(struct image *img, const char *list_path)
{
	void *text;
	size_t len;
	struct cpiolist list = {0};
	int r = read_file(list_path, &text, &len);
	if (r < 0)
		return log_error_errno(r, "file list %s: %m", list_path);
	r = cpiolist_parse(text, len, list_path, cpiolist_lookup_env, NULL, &list);
	free(text);
	for (size_t i = 0; i < list.n_errors; i++)
		log_error("%s", list.errors[i].message);
	if (r == 0 && list.n_errors)
		r = -EINVAL;
	for (size_t i = 0; i < list.n_entries && r == 0; i++) {
		const struct cpiolist_entry *e = &list.entries[i];
		r = image_parents(img, e->name);
		if (r < 0)
			break;
		if (e->type == CPIOLIST_FILE) {
			r = image_add_list_file(img, e);
		} else {
			const char *data = e->type == CPIOLIST_SLINK ? e->location : NULL;
			r = cpio_write_entry(&img->cp, e->name, e->mode, e->uid, e->gid, data,
					     data ? strlen(data) : 0, e->rmajor, e->rminor);
			if (e->type == CPIOLIST_DIR)
				push(&img->dirs, &img->n_dirs,
				     strdup(e->name[0] == '/' ? e->name + 1 : e->name));
		}
	}
	cpiolist_free(&list);
	return r;
}

/* The image config: --config FILE's text, then the --set lines, then rd.modules-load= for
 * --load modules. Later lines win, as in the parser. */
static int image_add_config(struct image *img, const struct opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "# written by initkit-mkimage; the kernel command line overrides it\n");
	if (o->config) {
		void *data;
		size_t size;
		int r = read_file(o->config, &data, &size);
		if (r < 0) {
			fclose(f);
			free(text);
			return log_error_errno(r, "--config %s: %m", o->config);
		}
		fwrite(data, 1, size, f);
		if (size && ((char *)data)[size - 1] != '\n')
			fputc('\n', f);
		free(data);
	}
	for (size_t i = 0; i < o->n_sets; i++)
		fprintf(f, "%s\n", o->sets[i]);
	for (size_t i = 0; i < o->n_load; i++)
		fprintf(f, "rd.modules-load=%s\n", o->load[i]);
	fclose(f);
	int r = image_add_data(img, IMAGE_REL(IMAGE_CONF), 0644, text, len);
	free(text);
	return r;
}

/* The image will be 0600, but a key that every user can read on the host is no secret. */
static void keyfile_warn_readable(const char *src)
{
	struct stat st;
	if (stat(src, &st) == 0 && (st.st_mode & S_IROTH))
		log_warning("--keyfile %s: readable by every user on this host (mode %04o): anyone "
			    "can unlock the volume with it; chmod 0600 %s",
			    src, (unsigned)(st.st_mode & 07777), src);
}

static int image_add_luks(struct image *img, const struct opts *o)
{
	char name[4096];
	int r = 0;
	if (o->crypttab)
		r = image_add_file(img, IMAGE_REL(IMAGE_CRYPTTAB), o->crypttab, 0644);
	else if (o->host.crypttab)
		r = image_add_data(img, IMAGE_REL(IMAGE_CRYPTTAB), 0644, o->host.crypttab,
				   strlen(o->host.crypttab));
	for (size_t i = 0; i < o->n_keyfiles && r == 0; i++) {
		/* SRC[:DEST]; key files are readable by root only (0400). */
		char *spec = strdup(o->keyfiles[i]);
		char *colon = strchr(spec, ':');
		if (colon)
			*colon = 0;
		snprintf(name, sizeof(name), "%s", colon ? colon + 1 : "");
		if (!colon)
			snprintf(name, sizeof(name), IMAGE_KEYS_DIR "/%s", basename(spec));
		keyfile_warn_readable(spec);
		r = image_add_file(img, name, spec, 0400);
		if (!o->quiet && r == 0)
			printf("  keyfile %s (mode 0400)\n", name);
		free(spec);
	}
	for (size_t i = 0; i < o->n_hooks && r == 0; i++) {
		char *copy = strdup(o->hooks[i]);
		snprintf(name, sizeof(name), IMAGE_HOOKS_DIR "/%s", basename(copy));
		r = image_add_file(img, name, o->hooks[i], 0755);
		if (!o->quiet && r == 0)
			printf("  hook %s\n", name);
		free(copy);
	}
	return r;
}

/* --keymap: each keymap checked (bkeymap_parse) and stored as IMAGE_KEYMAPS_DIR/NAME.bmap; the
 * first is the default, named by the image's /etc/vconsole.conf as systemd names it
 * (KEYMAP=); vconsole.keymap= and rd.vconsole.keymap= pick another at boot. */
static int image_add_keymaps(struct image *img, const struct opts *o)
{
	char name[256], err[2048], conf[128];
	char done[16][BKEYMAP_NAME_MAX];
	if (o->n_keymaps > ARRAY_SIZE(done)) {
		log_error("--keymap: at most %zu keymaps", ARRAY_SIZE(done));
		return -E2BIG;
	}
	size_t n = o->n_keymaps ?: (o->host_keymap.data ? 1 : 0);
	for (size_t i = 0; i < n; i++) {
		struct keymap km = o->host_keymap;
		int r = 0;
		if (o->n_keymaps)
			r = keymap_get(o->keymaps[i], o->keymap_root, &km, err, sizeof(err));
		if (r < 0)
			return log_error_errno(r, "--keymap %s: %s", o->keymaps[i], err);
		for (size_t j = 0; j < i && r == 0; j++)
			if (streq(done[j], km.name))
				r = log_error_errno(-EEXIST,
						    "--keymap %s: a keymap named %s is "
						    "already in the image",
						    o->keymaps[i], km.name);
		snprintf(done[i], sizeof(done[i]), "%s", km.name);
		snprintf(name, sizeof(name), IMAGE_KEYMAPS_DIR "/%s.bmap", km.name);
		r = r ?: image_add_data(img, name + 1, 0644, km.data, km.len);
		if (r == 0 && !o->quiet)
			printf("  keymap %s%s: %zu bytes, %zu tables, %s\n", km.name,
			       i == 0 ? " (default)" : "", km.len, km.n_tables, km.why);
		if (r == 0 && i == 0) {
			int n = snprintf(
				conf, sizeof(conf),
				"# written by initkit-mkimage: the default keymap\nKEYMAP=%s\n",
				km.name);
			r = image_add_data(img, IMAGE_REL(IMAGE_VCONSOLE_CONF), 0644, conf,
					   (size_t)n);
		}
		if (o->n_keymaps)
			keymap_free(&km);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One setting of the lvm.conf at path, as lvm itself reads it: `lvm lvmconfig --typeconfig
 * current KEY` with LVM_SYSTEM_DIR a private directory where lvm.conf is that file. Returns 1
 * with the "name=value" line in out, 0 when the file does not set it, or -errno. */
static int lvm_config_value(const char *lvm, const char *path, const char *key, char *out,
			    size_t size)
{
	char dir[] = "/tmp/initkit-lvmconf.XXXXXX", link[64], abs[PATH_MAX];
	if (!realpath(path, abs))
		return -errno;
	if (!mkdtemp(dir))
		return -errno;
	snprintf(link, sizeof(link), "%s/lvm.conf", dir);
	int r = symlink(abs, link) < 0 ? -errno : 0, fds[2] = {-1, -1};
	if (r == 0 && pipe2(fds, O_CLOEXEC) < 0)
		r = -errno;
	pid_t pid = r == 0 ? fork() : -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		char env[128];
		snprintf(env, sizeof(env), "LVM_SYSTEM_DIR=%s", dir);
		char *envp[] = {env, "LVM_SUPPRESS_FD_WARNINGS=1", NULL};
		execle(lvm, "lvm", "lvmconfig", "--typeconfig", "current", key, (char *)NULL, envp);
		_exit(127);
	}
	if (fds[1] >= 0)
		close(fds[1]);
	size_t len = 0;
	if (pid > 0) {
		ssize_t n;
		while (len + 1 < size && (n = read(fds[0], out + len, size - 1 - len)) > 0)
			len += (size_t)n;
		out[len] = 0;
		int status;
		r = waitpid(pid, &status, 0) < 0		    ? -errno
		    : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 1
		    : WIFEXITED(status) && WEXITSTATUS(status) == 5 ? 0 /* "not found" */
								    : -ENOEXEC;
	} else if (r == 0) {
		r = -errno;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	unlink(link);
	rmdir(dir);
	if (r == 1) {
		out[strcspn(out, "\n")] = 0;
		if (!startswith(out, key + strlen("devices/")) || len + 1 >= size)
			return -EINVAL;
	}
	return r;
}

/* /sbin/lvm (a static binary: the image has no shared libraries) and its lvm.conf, with the
 * device filters of --lvm-config (what keeps lvm off multipath legs, cloned disks, a VM's
 * disks on the host: they matter in stage 1 too; nothing else of the host's lvm.conf does). */
static int image_add_lvm(struct image *img, const struct opts *o)
{
	if (!o->lvm)
		return 0;
	int r = image_add_file(img, IMAGE_REL(IMAGE_LVM), o->lvm_binary, 0755); /* logs a failure */
	char conf[sizeof(lvm_conf) + 8192], filters[64] = "";
	size_t len = sizeof(lvm_conf) - 1 - 2; /* without the closing "}\n" of devices */
	memcpy(conf, lvm_conf, len);
	static const char *const keys[] = {"devices/filter", "devices/global_filter"};
	for (size_t i = 0; r == 0 && o->lvm_config && i < ARRAY_SIZE(keys); i++) {
		char line[4096];
		int k = lvm_config_value(o->lvm_binary, o->lvm_config, keys[i], line, sizeof(line));
		if (k < 0) {
			log_error("--lvm-config %s: cannot read %s with %s lvmconfig: %s",
				  o->lvm_config, keys[i], o->lvm_binary, strerror(-k));
			r = -EINVAL;
		} else if (k == 1) {
			len += (size_t)snprintf(conf + len, sizeof(conf) - len, "\t%s\n", line);
			snprintf(filters + strlen(filters), sizeof(filters) - strlen(filters),
				 "%s%s", filters[0] ? ", " : "", keys[i] + strlen("devices/"));
			/* no udev in stage 1: /dev/disk/by-* links do not exist there */
			if (strstr(line, "/dev/disk/"))
				log_warning(
					"--lvm-config %s: %s names /dev/disk/ links, which stage 1 "
					"does not have (no udev): it sees /dev/sdX, /dev/vdX, "
					"/dev/mapper/NAME, /dev/dm-N",
					o->lvm_config, keys[i]);
		}
	}
	len += (size_t)snprintf(conf + len, sizeof(conf) - len, "}\n");
	r = r ?: image_add_data(img, IMAGE_REL(IMAGE_LVM_CONF), 0644, conf, len);
	/* lvm loads a missing device-mapper target itself (dm-snapshot for an LV that has a
	 * snapshot, ...) through its built-in /usr/sbin/modprobe, before the kernel would ask */
	r = r ?: image_parents(img, IMAGE_REL(IMAGE_USR_MODPROBE));
	r = r ?: cpio_write_symlink(&img->cp, IMAGE_REL(IMAGE_USR_MODPROBE), "/init");
	if (!o->quiet && r == 0)
		printf("  lvm %s, /etc/lvm/lvm.conf (activation only: no udev, no backups%s%s%s)\n",
		       o->lvm_binary, filters[0] ? "; " : "", filters,
		       filters[0] ? " from --lvm-config" : "");
	return r;
}

/* Why an ELF cannot run in the image, which has no C library and no loader; NULL for a static
 * one (no PT_INTERP: the kernel then needs nothing else; a static PIE qualifies too). The
 * image is for this machine, so its class and byte order are the build host's. */
static const char *static_elf_problem(const unsigned char *d, size_t n)
{
	if (n < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	if (d[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    d[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB))
		return "an ELF for another class or byte order than this machine's";
	ElfW(Ehdr) eh;
	if (n < sizeof(eh))
		return "a truncated ELF file";
	memcpy(&eh, d, sizeof(eh));
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return "not an ELF executable";
	if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phoff > n ||
	    (n - eh.e_phoff) / sizeof(ElfW(Phdr)) < eh.e_phnum)
		return "an ELF file with a truncated program header table";
	for (size_t i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		memcpy(&ph, d + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return "dynamically linked (it names a program interpreter; the image has "
			       "no shared libraries)";
	}
	return NULL;
}

/* The root filesystem checker: a static e2fsck as /sbin/e2fsck (where stage 1 runs it, see
 * initrd/fsck.h), and fsck.ext2/3/4 links to it for an emergency shell. */
static int image_add_fsck(struct image *img, const struct opts *o)
{
	static const char *const links[] = {"sbin/fsck.ext2", "sbin/fsck.ext3", "sbin/fsck.ext4"};
	const char *bin = o->fsck_binary;
	struct stat st;
	if (!o->fsck)
		return 0;
	if (stat(bin, &st) < 0)
		return log_error_errno(-errno,
				       "--fsck: checker %s: %m (Debian: apt-get install "
				       "e2fsck-static, or give one with --fsck-binary PATH)",
				       bin);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || access(bin, X_OK) < 0)
		return log_error_errno(-EACCES, "--fsck: checker %s: %s", bin,
				       S_ISREG(st.st_mode) ? "not executable"
							   : "not a regular file");
	_cleanup_free_ void *data = NULL;
	size_t size;
	int r = read_file(bin, &data, &size);
	if (r < 0)
		return log_error_errno(r, "--fsck: checker %s: %m", bin);
	const char *problem = static_elf_problem(data, size);
	if (problem)
		return log_error_errno(-ENOEXEC,
				       "--fsck: checker %s: %s; the image needs a statically "
				       "linked e2fsck (Debian's e2fsck-static: " FSCK_DEFAULT_BINARY
				       ")",
				       bin, problem);
	r = image_add_data(img, IMAGE_REL(IMAGE_E2FSCK), 0755, data, size);
	for (size_t i = 0; i < ARRAY_SIZE(links) && r == 0; i++)
		r = cpio_write_symlink(&img->cp, links[i], "e2fsck");
	if (!o->quiet && r == 0)
		printf("  fsck %s as /sbin/e2fsck (fsck.ext2, fsck.ext3, fsck.ext4 link to it): "
		       "ext2/3/4 roots are checked before mounting\n",
		       bin);
	return r;
}

static int compress_image(const struct opts *o, const struct cpio *cp, void **out, size_t *len)
{
	if (streq(o->compress, "none")) {
		*out = cp->buf;
		*len = cp->len;
		return 0;
	}
	if (streq(o->compress, "zstd")) {
		size_t cap = ZSTD_compressBound(cp->len);
		void *buf = malloc(cap);
		if (!buf)
			return -ENOMEM;
		size_t n = ZSTD_compress(buf, cap, cp->buf, cp->len, o->level ? o->level : 9);
		if (ZSTD_isError(n)) {
			free(buf);
			log_error("zstd: %s", ZSTD_getErrorName(n));
			return -EIO;
		}
		*out = buf;
		*len = n;
		return 0;
	}
	/* gzip: deflate with a gzip header (windowBits 15 + 16), mtime 0 for reproducibility */
	z_stream z = {0};
	if (deflateInit2(&z, o->level ? o->level : 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -ENOMEM;
	size_t cap = deflateBound(&z, cp->len);
	void *buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = cp->buf;
	z.avail_in = (uInt)cp->len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int zr = deflate(&z, Z_FINISH);
	*len = z.total_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	return 0;
}

static void usage(void)
{
	printf("Usage: initkit-mkimage -o IMAGE --init PATH [options]\n"
	       "Writes an initkit initramfs (newc cpio).\n\n"
	       "  -o, --output IMAGE      the image to write (replaced atomically; must be a\n"
	       "                          regular file if it exists)\n"
	       "  -i, --init PATH         the initkit-init binary (becomes /init)\n"
	       "  -k, --kver VERSION      kernel version (default: the running kernel)\n"
	       "      --moddir DIR        modules directory (default /lib/modules/VERSION)\n"
	       "      --firmware-dir DIR  where the modules' firmware is looked up, as the\n"
	       "                          kernel does below /lib/firmware (default /lib/firmware)\n"
	       "      --firmware-compress none|xz|zst|xz,zst\n"
	       "                          the compressed firmware the kernel reads (default: from\n"
	       "                          ROOT/boot/config-VERSION or MODDIR/build/.config; none\n"
	       "                          found: plain, then .xz, then .zst with a warning)\n"
	       "      --modprobe-config PATH\n"
	       "                          a modprobe.d file (NAME.conf), or a directory of them,\n"
	       "                          used for the module closure and shipped as\n"
	       "                          /etc/modprobe.d/NAME; repeatable. Default: none (the\n"
	       "                          build host's modprobe.d is never read)\n"
	       "  -m, --module NAME       include a module (or alias) with its dependencies and\n"
	       "                          softdeps; repeatable, or a comma list\n"
	       "  -l, --load NAME         include a module and load it at boot\n"
	       "      --luks              include dm-crypt and the crypto modules LUKS needs\n"
	       "                          (implied by --crypttab)\n"
	       "      --lvm               include /sbin/lvm (static) and a read-only-metadata\n"
	       "                          /etc/lvm/lvm.conf; dm_mod, dm_snapshot, dm_mirror\n"
	       "      --lvm-config PATH   carry devices/filter and devices/global_filter of this\n"
	       "                          lvm.conf (e.g. /etc/lvm/lvm.conf; implies --lvm)\n"
	       "      --lvm-binary PATH   the static lvm to include (implies --lvm; default\n"
	       "                          %s)\n"
	       "      --fsck              include a static e2fsck as /sbin/e2fsck (with\n"
	       "                          fsck.ext2, fsck.ext3, fsck.ext4 links): an ext2/3/4\n"
	       "                          root is then checked before it is mounted\n"
	       "                          (fsck.mode=, fsck.repair=)\n"
	       "      --fsck-binary PATH  the static e2fsck to include (implies --fsck; default\n"
	       "                          " FSCK_DEFAULT_BINARY ", Debian's e2fsck-static)\n"
	       "  -s, --set KEY=VALUE     add a line to the image config /etc/initkit.conf\n"
	       "      --config FILE       start the image config from FILE\n"
	       "      --crypttab FILE     /etc/crypttab of the image\n"
	       "      --keyfile SRC[:DEST] a key file, stored mode 0400 (default DEST:\n"
	       "                          /etc/initkit/keys/NAME); the image is then written\n"
	       "                          mode 0600 whatever the umask, as it is when any\n"
	       "                          file it copies is not readable by others (in the\n"
	       "                          --file-list or on this host)\n"
	       "      --hook FILE         an executable run before unlocking\n"
	       "                          (/etc/initkit/hooks.d/NAME)\n"
	       "      --keymap NAME|FILE|auto\n"
	       "                          the console keymap for the passphrase prompt: a kbd\n"
	       "                          keymap or XKB layout name (de, de-nodeadkeys), a binary\n"
	       "                          keymap file (a path with '/', loadkeys' binary form), or\n"
	       "                          auto (/etc/vconsole.conf KEYMAP=, else Debian's\n"
	       "                          /etc/default/keyboard); repeatable, the first is the\n"
	       "                          default (vconsole.keymap= picks another at boot)\n"
	       "      --keymap-root DIR   where --keymap auto reads etc/ (default /)\n"
	       "      --file-list LIST    extra entries in the kernel's gen_init_cpio format\n"
	       "      --compress ALGO     zstd (default), gzip or none\n"
	       "      --level N           compression level\n"
	       "      --host              include what this machine's boot needs for the kernel\n"
	       "                          --kver names: the drivers of the root's and /usr's\n"
	       "                          devices (through dm-crypt, LVM, partitions), the\n"
	       "                          filesystem, the resume device, keyboards plus a safe\n"
	       "                          set, crypttab entries, --lvm/--fsck, root=/resume= when\n"
	       "                          the kernel command line lacks them; prints a table of\n"
	       "                          each item and why. Root on NFS, ZFS, overlay, tmpfs,\n"
	       "                          md or an unknown dm target: an error, nothing written\n"
	       "      --host-root DIR     --host on a recorded tree: DIR/proc/self/mountinfo,\n"
	       "                          DIR/proc/cmdline, DIR/proc/swaps, DIR/sys, DIR/etc;\n"
	       "                          superblocks from DIR/dev/block/MAJ:MIN (files), dm\n"
	       "                          tables from DIR/dmsetup/NAME (`dmsetup table NAME`)\n"
	       "      --universal         a portable image: storage controllers, virtio, nvme,\n"
	       "                          ahci, usb-storage, mmc, md/dm, common filesystems and\n"
	       "                          keyboards the kernel has, without detection\n"
	       "  -q, --quiet             print only the final size\n"
	       "  -h, --help, --version\n\n"
	       "SOURCE_DATE_EPOCH sets every entry's mtime (0..4294967295, default 0): same\n"
	       "inputs and the same kmod (depmod writes the module indexes), same bytes.\n\n"
	       "Exit status: 0 written; 1 not written (the old image is untouched); 2 bad\n"
	       "arguments or SOURCE_DATE_EPOCH; 3 written, but its directory could not be\n"
	       "synced (the image is in place; a power cut may bring the old one back).\n",
	       lvm_default_binary());
}

static int split_push(char ***v, size_t *n, char *arg)
{
	for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ","))
		if (push(v, n, tok) < 0)
			return -ENOMEM;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_KEYMAP = 1000, OPT_KEYMAP_ROOT }; /* long options only */
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'},
		{"init", required_argument, NULL, 'i'},
		{"kver", required_argument, NULL, 'k'},
		{"moddir", required_argument, NULL, 'D'},
		{"firmware-dir", required_argument, NULL, 'W'},
		{"firmware-compress", required_argument, NULL, 'X'},
		{"modprobe-config", required_argument, NULL, 'P'},
		{"module", required_argument, NULL, 'm'},
		{"load", required_argument, NULL, 'l'},
		{"luks", no_argument, NULL, 'L'},
		{"lvm", no_argument, NULL, 'M'},
		{"lvm-binary", required_argument, NULL, 'B'},
		{"lvm-config", required_argument, NULL, 'N'},
		{"fsck", no_argument, NULL, 'G'},
		{"fsck-binary", required_argument, NULL, 'Y'},
		{"set", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'C'},
		{"crypttab", required_argument, NULL, 'T'},
		{"keyfile", required_argument, NULL, 'K'},
		{"hook", required_argument, NULL, 'H'},
		{"file-list", required_argument, NULL, 'F'},
		{"keymap", required_argument, NULL, OPT_KEYMAP},
		{"keymap-root", required_argument, NULL, OPT_KEYMAP_ROOT},
		{"compress", required_argument, NULL, 'z'},
		{"level", required_argument, NULL, 'Z'},
		{"quiet", no_argument, NULL, 'q'},
		{"host", no_argument, NULL, 'J'},
		{"host-root", required_argument, NULL, 'R'},
		{"universal", no_argument, NULL, 'U'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int c;
	o->compress = "zstd";
	o->fw_forms = -1;
	o->lvm_binary = lvm_default_binary();
	o->fsck_binary = FSCK_DEFAULT_BINARY;
	while ((c = getopt_long(argc, argv, "o:i:k:m:l:s:qh", lo, NULL)) >= 0) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'i':
			o->init = optarg;
			break;
		case 'k':
			o->kver = optarg;
			break;
		case 'D':
			o->moddir = optarg;
			break;
		case 'W':
			o->fwdir = optarg;
			break;
		case 'X':
			o->fw_forms = firmware_forms_parse(optarg);
			if (o->fw_forms < 0) {
				log_error(
					"--firmware-compress %s: expected none, xz, zst or xz,zst",
					optarg);
				return 2;
			}
			break;
		case 'P':
			push(&o->modprobe_args, &o->n_modprobe_args, optarg);
			break;
		case 'm':
			split_push(&o->modules, &o->n_modules, optarg);
			break;
		case 'l':
			split_push(&o->load, &o->n_load, optarg);
			break;
		case 'L':
			o->luks = true;
			break;
		case 'M':
			o->lvm = true;
			break;
		case 'B':
			o->lvm_binary = optarg, o->lvm = true;
			break;
		case 'N':
			o->lvm_config = optarg, o->lvm = true;
			break;
		case 'G':
			o->fsck = true;
			break;
		case 'Y':
			o->fsck_binary = optarg, o->fsck = true;
			break;
		case 's':
			if (!strchr(optarg, '=') && !streq(optarg, "ro") && !streq(optarg, "rw") &&
			    !streq(optarg, "quiet") && !streq(optarg, "rd.shell") &&
			    !streq(optarg, "rd.debug")) {
				log_error("--set %s: expected KEY=VALUE", optarg);
				return 2;
			}
			push(&o->sets, &o->n_sets, optarg);
			break;
		case 'C':
			o->config = optarg;
			break;
		case 'T':
			o->crypttab = optarg, o->luks = true;
			break;
		case 'K':
			push(&o->keyfiles, &o->n_keyfiles, optarg);
			break;
		case 'H':
			push(&o->hooks, &o->n_hooks, optarg);
			break;
		case 'F':
			o->file_list = optarg;
			break;
		case OPT_KEYMAP:
			push(&o->keymaps, &o->n_keymaps, optarg);
			break;
		case OPT_KEYMAP_ROOT:
			o->keymap_root = optarg;
			break;
		case 'z':
			if (!streq(optarg, "zstd") && !streq(optarg, "gzip") &&
			    !streq(optarg, "none")) {
				log_error("--compress %s: expected zstd, gzip or none", optarg);
				return 2;
			}
			o->compress = optarg;
			break;
		case 'Z':
			o->level = atoi(optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'J':
			o->host_root = o->host_root ?: "/";
			break;
		case 'R':
			o->host_root = optarg;
			break;
		case 'U':
			o->universal = true;
			break;
		case 'h':
			usage();
			exit(0);
		case 'V':
			puts(initkit_version_line());
			exit(0);
		default:
			return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	if (!o->output || !o->init) {
		log_error("--output and --init are required (see --help)");
		return 2;
	}
	return 0;
}

/* --host / --universal: the detected modules, settings and files join what the options name
 * (--module adds to them; --set, --crypttab and --lvm-config given by the user win). */
static int host_apply(struct opts *o)
{
	struct host_options ho = {
		.root = o->host_root, .moddir = o->moddir, .fsck_binary = o->fsck_binary};
	uint64_t start = now_ms();
	int r = o->host_root ? host_detect(&ho, &o->host) : 0;
	if (r == 0 && o->universal)
		r = host_universal(o->moddir, &o->host);
	if (r < 0)
		return r;
	for (size_t i = 0; i < o->host.n_modules; i++)
		push(&o->modules, &o->n_modules, o->host.modules[i]);
	/* the host's settings first: a later line wins, so --set overrides them */
	char **sets = NULL;
	size_t n_sets = 0;
	for (size_t i = 0; i < o->host.n_sets; i++)
		push(&sets, &n_sets, o->host.sets[i]);
	for (size_t i = 0; i < o->n_sets; i++)
		push(&sets, &n_sets, o->sets[i]);
	free(o->sets);
	o->sets = sets, o->n_sets = n_sets;
	for (size_t i = 0; i < o->host.n_keyfiles && !o->crypttab; i++)
		push(&o->keyfiles, &o->n_keyfiles, o->host.keyfiles[i]);
	o->luks |= o->host.luks;
	o->lvm |= o->host.lvm;
	o->fsck |= o->host.fsck;
	if (o->host.lvm_config && !o->lvm_config)
		o->lvm_config = o->host.lvm_config;
	/* the host's console keymap (vconsole.conf, else Debian's default/keyboard), unless
	 * --keymap names one; none configured: the kernel's built-in US map */
	char kerr[2048] = "";
	int kr = 0;
	if (o->host_root && !o->n_keymaps) {
		kr = keymap_from_root(o->keymap_root ?: o->host_root, &o->host_keymap, kerr,
				      sizeof(kerr));
		if (kr < 0 && kr != -ENOENT)
			return log_error_errno(
				kr, "--host: the console keymap: %s (or give --keymap)", kerr);
	}
	if (!o->quiet) {
		printf("%s for kernel %s (%s), detected in %llu ms:\n",
		       o->host_root ? "--host" : "--universal", o->kver, o->moddir,
		       (unsigned long long)(now_ms() - start));
		host_plan_print(&o->host);
		if (o->host_root && !o->n_keymaps)
			printf("  host: %-8s %-28s %s\n", "keymap",
			       o->host_keymap.data ? o->host_keymap.name : "(none)",
			       o->host_keymap.data ? o->host_keymap.why
						   : "no keymap configured: the kernel's US map");
		if (o->crypttab && o->host.crypttab)
			printf("  host: --crypttab %s given: the detected crypttab is not used\n",
			       o->crypttab);
	}
	return 0;
}

/* Module names as libkmod compares them: '-' and '_' are the same. */
static bool module_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

/* The rest of --host's table: the modules the closure added to the detected ones and the
 * options, and why. */
static void host_print_closure(const struct opts *o, const struct modclosure *mc)
{
	for (size_t i = 0; i < mc->n; i++) {
		bool named = false;
		for (size_t k = 0; k < o->n_modules && !named; k++)
			named = module_name_eq(mc->names[i], o->modules[k]);
		if (!named)
			printf("  host: %-8s %-28s %s\n", "module", mc->names[i],
			       "a dependency or softdep of the modules above, or of --luks/--lvm");
	}
}

static int image_build(struct image *img, struct opts *o)
{
	struct modclosure mc = {0};
	int r = 0;
	const char *const *conf = (const char *const *)o->modprobe;
	/* LVM's linear and striped LVs need dm_mod alone; an LV with a snapshot (made before an
	 * upgrade) needs dm-snapshot, a mirror LV dm-mirror. Thin, raid, cache and integrity LVs
	 * need their targets named with --module (README: LVM). */
	static const char *const lvm_modules[] = {"dm_mod", "dm_snapshot", "dm_mirror"};
	if (o->n_modules || o->n_load || o->luks || o->lvm) {
		r = modclosure_add(&mc, o->moddir, conf, (const char *const *)o->modules,
				   o->n_modules, 1);
		r = r
			    ?: modclosure_add(&mc, o->moddir, conf, (const char *const *)o->load,
					      o->n_load, 1);
		if (o->luks && r == 0)
			r = modclosure_add(&mc, o->moddir, conf, luks_modules,
					   ARRAY_SIZE(luks_modules), 0);
		if (o->luks && r == 0)
			r = modclosure_add(&mc, o->moddir, conf, tpm_modules,
					   ARRAY_SIZE(tpm_modules), 0);
		if (o->lvm && r == 0)
			r = modclosure_add(&mc, o->moddir, conf, lvm_modules,
					   ARRAY_SIZE(lvm_modules), 0);
	}
	if (r == 0 && mc.n)
		host_modprobe_warn(o, &mc);
	if (r == 0 && (o->host_root || o->universal) && !o->quiet)
		host_print_closure(o, &mc);
	static const char *const dirs[] = {"dev",     "proc", "sys", "run",
					   "sysroot", "sbin", "etc", "tmp"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && r == 0; i++) {
		r = cpio_write_dir(&img->cp, dirs[i], 0755);
		push(&img->dirs, &img->n_dirs, dirs[i]);
	}
	/* The kernel opens /dev/console before running /init. */
	r = r ?: cpio_write_entry(&img->cp, "dev/console", S_IFCHR | 0600, 0, 0, NULL, 0, 5, 1);
	r = r ?: image_add_file(img, "init", o->init, 0755);
	/* request_module() runs /sbin/modprobe: let initkit-init serve it with libkmod. */
	r = r ?: cpio_write_symlink(&img->cp, IMAGE_REL(IMAGE_MODPROBE), "/init");
	r = r ?: image_add_config(img, o);
	r = r ?: image_add_luks(img, o);
	r = r ?: image_add_keymaps(img, o);
	r = r ?: image_add_lvm(img, o);
	r = r ?: image_add_fsck(img, o);
	r = r ?: image_add_modprobe(img, o);
	if (r == 0 && mc.n)
		r = image_add_modules(img, o, &mc);
	if (r == 0 && mc.n_fw)
		r = image_add_firmware(img, o, &mc);
	if (r == 0 && o->file_list)
		r = image_add_list(img, o->file_list);
	r = r ?: cpio_finish(&img->cp);
	modclosure_free(&mc);
	return r;
}

/* -o replaces a regular file only: renaming over a symlink would replace the link, and over
 * a device node (as root, -o /dev/full) the device. */
static int output_check(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : log_error_errno(-errno, "%s: %m", path);
	if (S_ISREG(st.st_mode))
		return 0;
	const char *what = file_kind(st.st_mode);
	log_error("%s: is %s; refusing to replace it with the image (name the regular file "
		  "to write, e.g. the link's target)",
		  path, what);
	return -EEXIST;
}

/* Gives the new image its mode. vfat (an ESP mounted as /boot) stores no modes: fchmod()
 * fails with EPERM for anything its fmask= cannot express. That is fine for an image without
 * secrets (written with the mount's mode, as before), and for one with a key as long as the
 * mount lets no one else read it (fmask=0077, Debian's default for the ESP); otherwise the
 * image is not written. */
static int image_fd_mode(int fd, const char *path, mode_t mode, bool secret)
{
	struct stat st;
	if (fchmod(fd, mode) == 0)
		return 0;
	int r = -errno;
	if (!secret)
		return 0;
	if (fstat(fd, &st) == 0 && !(st.st_mode & 0077))
		return 0;
	log_error("%s: the image holds a key, but mode 0600 cannot be set there (%s) and the "
		  "filesystem lets others read its files (mode %04o): mount it with fmask=0077 "
		  "or write the image elsewhere",
		  path, strerror(-r), (unsigned)(st.st_mode & 07777));
	return r;
}

/* The data reaches the disk before the rename, and the rename before we report success:
 * after a power cut /boot (vfat, XFS) holds the old image or the new one, never an empty
 * or partial file under the final name. The temporary file is made by mkostemp() next to
 * the output (O_CREAT|O_EXCL: a symlink planted in a shared directory is never followed) and
 * gets its mode before any byte is written: 0600 for an image holding a secret, whatever the
 * umask, else 0666 minus the umask as before. Returns 0, or a negative errno when the image
 * was not written (the old one is untouched); *dir_sync gets the error of syncing the
 * directory after the rename (the image is in place then), 0 when that worked. */
static int write_atomic(const char *path, const void *data, size_t len, bool secret, int *dir_sync)
{
	_cleanup_free_ char *dcopy = strdup(path), *bcopy = strdup(path);
	char tmp[4096];
	*dir_sync = 0;
	if (!dcopy || !bcopy)
		return -ENOMEM;
	const char *dir_name = dirname(dcopy);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir_name, basename(bcopy)) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	mode_t mask = umask(0);
	umask(mask);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = image_fd_mode(fd, path, secret ? 0600 : 0666 & ~mask, secret);
	for (size_t done = 0; r == 0 && done < len;) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno != EINTR)
			r = -errno;
		done += n > 0 ? (size_t)n : 0;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	_cleanup_close_ int dir = open(dir_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* EINVAL: the filesystem cannot sync a directory (as kconfig-merge does, ignored). */
	if ((dir < 0 || fsync(dir) < 0) && errno != EINVAL)
		*dir_sync = -errno;
	return 0;
}

/* SOURCE_DATE_EPOCH: decimal seconds that fit cpio's 32-bit mtime field, nothing else. */
static int parse_epoch(const char *s, uint32_t *ret)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -EINVAL;
	unsigned long long v = strtoull(s, NULL, 10);
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct image img = {0};
	struct utsname u;
	char moddir[4096];
	log_setup("initkit-mkimage", false);
	int r = parse_args(argc, argv, &o);
	if (r)
		return r;
	if (!o.kver) {
		uname(&u);
		o.kver = u.release;
	}
	if (!o.moddir) {
		snprintf(moddir, sizeof(moddir), "/lib/modules/%s", o.kver);
		o.moddir = moddir;
	}
	/* libkmod reports absolute module paths; compare them with an absolute moddir. */
	char *absmod = realpath(o.moddir, NULL);
	if (!absmod && (o.n_modules || o.n_load || o.luks || o.lvm || o.host_root || o.universal)) {
		log_error("--moddir %s: %m", o.moddir);
		return 1;
	}
	if (absmod)
		o.moddir = absmod;
	if (!o.fwdir)
		o.fwdir = "/lib/firmware";
	if (output_check(o.output) < 0 || modprobe_expand(&o) < 0)
		return 1;
	if ((o.host_root || o.universal) && host_apply(&o) < 0) {
		log_error("%s: not written", o.output);
		return 1;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint32_t mtime = 0;
	if (sde && parse_epoch(sde, &mtime) < 0) {
		log_error("SOURCE_DATE_EPOCH='%s': expected seconds since 1970 from 0 to "
			  "4294967295 (cpio's 32-bit mtime); nothing written",
			  sde);
		return 2;
	}
	cpio_init(&img.cp, mtime);
	r = image_build(&img, &o);
	if (r < 0) {
		log_error("%s: not written (%s)", o.output, strerror(-r));
		return 1;
	}
	void *out;
	size_t len;
	r = compress_image(&o, &img.cp, &out, &len);
	int dir_sync = 0;
	r = r ?: write_atomic(o.output, out, len, img.secret[0] != 0, &dir_sync);
	if (r < 0) {
		log_error("%s: not written (%s); the old image, if any, is untouched", o.output,
			  strerror(-r));
		return 1;
	}
	printf("%s: %zu entries (%zu files), %zu bytes cpio, %zu bytes %s", o.output,
	       (size_t)img.cp.next_ino - 1, img.n_files, img.cp.len, len,
	       streq(o.compress, "none") ? "uncompressed" : o.compress);
	if (img.depmod[0])
		printf("; module indexes by %s (%s)", depmod_path(), img.depmod);
	printf("\n");
	if (img.secret[0] && !o.quiet)
		printf("  image mode 0600: it holds %s, which others may not read\n", img.secret);
	if (out != img.cp.buf)
		free(out);
	cpio_free(&img.cp);
	if (dir_sync < 0) {
		_cleanup_free_ char *copy = strdup(o.output);
		log_error("%s: written, but syncing its directory %s failed (%s): the new image is "
			  "in place, but a power cut now may bring the old one back; exit status 3",
			  o.output, copy ? dirname(copy) : "", strerror(-dir_sync));
		return 3;
	}
	return 0;
}
