/* Keymap detection and conversion on the build host. See keymap.h. */
#include "keymap.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "../envfile.h"

/* The distribution's tools at their packaged paths, never through $PATH (as for depmod).
 * INITKIT_LOADKEYS / INITKIT_CKBCOMP replace them (tests: a missing tool). */
static const char *tool(const char *env, const char *a, const char *b)
{
	const char *e = getenv(env);
	if (e && *e)
		return e;
	return access(a, X_OK) == 0 ? a : b;
}
#define LOADKEYS() tool("INITKIT_LOADKEYS", "/usr/bin/loadkeys", "/bin/loadkeys")
#define CKBCOMP() tool("INITKIT_CKBCOMP", "/usr/bin/ckbcomp", "/bin/ckbcomp")

static int read_fd(int fd, uint8_t **data, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	uint8_t *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	ssize_t n = pread(fd, buf, (size_t)st.st_size, 0);
	if (n < 0) {
		free(buf);
		return -errno;
	}
	buf[n] = 0;
	*data = buf;
	*len = (size_t)n;
	return 0;
}

/* Runs argv with stdin from in_fd (-1: /dev/null), stdout and stderr captured. Returns 0 when
 * it exited 0, else -EIO with the first line of its stderr (or how it ended) in err. */
static int run_tool(char *const argv[], int in_fd, uint8_t **out, size_t *out_len, char *err,
		    size_t err_size)
{
	_cleanup_close_ int o = memfd_create("out", MFD_CLOEXEC);
	_cleanup_close_ int e = memfd_create("err", MFD_CLOEXEC);
	if (o < 0 || e < 0)
		return -errno;
	if (access(argv[0], X_OK) < 0) {
		snprintf(err, err_size, "%s: %s", argv[0], strerror(errno));
		return -ENOENT;
	}
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		if (in_fd >= 0)
			lseek(0, 0, SEEK_SET);
		execv(argv[0], argv);
		dprintf(2, "cannot execute: %s\n", strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	_cleanup_free_ uint8_t *msg = NULL;
	size_t msg_len = 0;
	int r = read_fd(e, &msg, &msg_len);
	if (r < 0)
		return r;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r = read_fd(o, out, out_len);
		if (r == 0 && *out_len == 0) {
			free(*out);
			*out = NULL;
			snprintf(err, err_size, "%s printed nothing", argv[0]);
			return -EIO;
		}
		return r;
	}
	/* The first line that is not one of ckbcomp's harmless keysym warnings. */
	char *line = (char *)msg;
	while (line && startswith(line, "WARNING: "))
		line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL;
	if (line)
		line[strcspn(line, "\n")] = 0;
	if (WIFEXITED(status))
		snprintf(err, err_size, "%s failed (exit status %d%s%s)", argv[0],
			 WEXITSTATUS(status), line && *line ? ": " : "", line ? line : "");
	else
		snprintf(err, err_size, "%s killed by signal %d", argv[0], WTERMSIG(status));
	return -EIO;
}

/* Takes data (a binary keymap) into km after checking it. */
static int keymap_take(struct keymap *km, uint8_t *data, size_t len, const char *what, char *err,
		       size_t err_size)
{
	struct bkeymap bk;
	char why[256];
	if (bkeymap_parse(data, len, &bk, why, sizeof(why)) < 0) {
		snprintf(err, err_size, "%s: not a usable binary keymap: %s", what, why);
		free(data);
		return -EINVAL;
	}
	km->data = data;
	km->len = len;
	km->n_tables = bk.n_tables;
	return 0;
}

static int set_name(struct keymap *km, const char *name, char *err, size_t err_size)
{
	if (!bkeymap_name_valid(name)) {
		snprintf(err, err_size,
			 "keymap name '%s' cannot name a file in the image (1..63 of A-Z a-z 0-9 "
			 ". _ - +, not starting with '.')",
			 name);
		return -EINVAL;
	}
	memcpy(km->name, name, strlen(name) + 1); /* valid: shorter than km->name */
	return 0;
}

int keymap_from_file(const char *path, struct keymap *km, char *err, size_t err_size)
{
	*km = (struct keymap){0};
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	char *base = basename(copy);
	char *dot = strrchr(base, '.');
	if (dot && (streq(dot, ".bmap") || streq(dot, ".kmap")))
		*dot = 0;
	int r = set_name(km, base, err, err_size);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *data = NULL;
	size_t len = 0;
	r = fd < 0 ? -errno : read_fd(fd, &data, &len);
	if (r < 0) {
		snprintf(err, err_size, "%s: %s", path, strerror(-r));
		return r;
	}
	snprintf(km->why, sizeof(km->why), "binary keymap file %s", path);
	return keymap_take(km, data, len, path, err, err_size);
}

int keymap_from_xkb(const char *layout, const char *variant, const char *options, const char *model,
		    struct keymap *km, char *err, size_t err_size)
{
	char name[BKEYMAP_NAME_MAX * 2], what[512], msg[512];
	*km = (struct keymap){0};
	/* Debian writes XKBVARIANT="," for XKBLAYOUT="us,ru" (no variant in either group): no
	 * variant, not a keymap named "us+ru-+". */
	if (variant && strspn(variant, ",") == strlen(variant))
		variant = NULL;
	snprintf(name, sizeof(name), "%s%s%s", layout, variant && *variant ? "-" : "",
		 variant && *variant ? variant : "");
	for (char *p = name; *p; p++)
		if (*p == ',')
			*p = '+'; /* "us,de": several groups */
	int r = set_name(km, name, err, err_size);
	if (r < 0)
		return r;
	const char *ckb = CKBCOMP(), *lk = LOADKEYS();
	char *argv[10];
	size_t n = 0;
	argv[n++] = (char *)ckb;
	if (model && *model)
		argv[n++] = "-model", argv[n++] = (char *)model;
	if (options && *options)
		argv[n++] = "-option", argv[n++] = (char *)options;
	argv[n++] = (char *)layout;
	if (variant && *variant)
		argv[n++] = (char *)variant;
	argv[n] = NULL;
	snprintf(what, sizeof(what), "XKB layout %s%s%s%s%s (ckbcomp | loadkeys -u -b)", layout,
		 variant && *variant ? " variant " : "", variant && *variant ? variant : "",
		 options && *options ? " options " : "", options && *options ? options : "");
	uint8_t *text = NULL, *bin = NULL;
	size_t text_len = 0, bin_len = 0;
	r = run_tool(argv, -1, &text, &text_len, msg, sizeof(msg));
	if (r < 0) {
		snprintf(err, err_size, "%s: %s (packages console-setup, xkb-data)", what, msg);
		return r;
	}
	_cleanup_close_ int in = memfd_create("keymap", MFD_CLOEXEC);
	r = in < 0 || write(in, text, text_len) != (ssize_t)text_len ? -errno : 0;
	free(text);
	if (r < 0)
		return r;
	char *lk_argv[] = {(char *)lk, "-u", "-b", NULL};
	r = run_tool(lk_argv, in, &bin, &bin_len, msg, sizeof(msg));
	if (r < 0) {
		snprintf(err, err_size, "%s: %s (package kbd)", what, msg);
		return r;
	}
	snprintf(km->why, sizeof(km->why), "%s", what);
	return keymap_take(km, bin, bin_len, what, err, err_size);
}

int keymap_from_name(const char *name, struct keymap *km, char *err, size_t err_size)
{
	char msg_kbd[512], msg_xkb[512], what[256];
	*km = (struct keymap){0};
	int r = set_name(km, name, err, err_size);
	if (r < 0)
		return r;
	uint8_t *bin = NULL;
	size_t len = 0;
	char *argv[] = {(char *)LOADKEYS(), "-u", "-b", (char *)name, NULL};
	r = run_tool(argv, -1, &bin, &len, msg_kbd, sizeof(msg_kbd));
	if (r == 0) {
		snprintf(what, sizeof(what), "kbd keymap %s (loadkeys -u -b)", name);
		snprintf(km->why, sizeof(km->why), "%s", what);
		return keymap_take(km, bin, len, what, err, err_size);
	}
	/* Debian's kbd ships no keymap files: the XKB layout of that name, or LAYOUT-VARIANT. */
	r = keymap_from_xkb(name, NULL, NULL, NULL, km, msg_xkb, sizeof(msg_xkb));
	const char *dash = strchr(name, '-');
	if (r < 0 && r != -EINVAL && dash && dash != name && dash[1]) {
		char layout[BKEYMAP_NAME_MAX];
		snprintf(layout, sizeof(layout), "%.*s", (int)(dash - name), name);
		r = keymap_from_xkb(layout, dash + 1, NULL, NULL, km, msg_xkb, sizeof(msg_xkb));
	}
	if (r < 0)
		snprintf(err, err_size, "neither a kbd keymap (%s) nor an XKB layout (%s)", msg_kbd,
			 msg_xkb);
	return r;
}

/* The value of key in root's file rel (0: not there), or -errno with err set. */
static int root_value(int root_fd, const char *root, const char *rel, const char *key, char *out,
		      size_t size, char *err, size_t err_size)
{
	_cleanup_close_ int fd = openat(root_fd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	_cleanup_free_ uint8_t *text = NULL;
	size_t len = 0;
	unsigned line = 0;
	int r = fd < 0 ? -errno : read_fd(fd, &text, &len);
	if (r < 0) {
		snprintf(err, err_size, "%s%s%s: %s", root, streq(root, "/") ? "" : "/", rel,
			 strerror(-r));
		return r;
	}
	r = envfile_get((const char *)text, len, key, out, size, &line);
	if (r == -EINVAL)
		snprintf(err, err_size, "%s%s%s:%u: unterminated quote in %s=", root,
			 streq(root, "/") ? "" : "/", rel, line, key);
	else if (r == -ENAMETOOLONG)
		snprintf(err, err_size, "%s%s%s: the value of %s= is too long", root,
			 streq(root, "/") ? "" : "/", rel, key);
	return r;
}

int keymap_from_root(const char *root, struct keymap *km, char *err, size_t err_size)
{
	char keymap[128] = "", layout[128] = "", variant[128] = "", options[256] = "",
	     model[64] = "";
	const char *sep = streq(root, "/") ? "" : "/";
	*km = (struct keymap){0};
	_cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		snprintf(err, err_size, "root %s: %s", root, strerror(errno));
		return -errno;
	}
	int r = root_value(root_fd, root, "etc/vconsole.conf", "KEYMAP", keymap, sizeof(keymap),
			   err, err_size);
	if (r < 0)
		return r;
	if (r == 1 && *keymap) {
		char toggle[128] = "";
		r = root_value(root_fd, root, "etc/vconsole.conf", "KEYMAP_TOGGLE", toggle,
			       sizeof(toggle), err, err_size);
		r = r < 0 ? r : keymap_from_name(keymap, km, err, err_size);
		if (r == 0)
			snprintf(km->why + strlen(km->why), sizeof(km->why) - strlen(km->why),
				 ", from KEYMAP=%s in %s%setc/vconsole.conf%s%s%s", keymap, root,
				 sep, *toggle ? " (KEYMAP_TOGGLE=" : "", toggle,
				 *toggle ? " not carried: the prompt uses KEYMAP= only)" : "");
		return r;
	}
	static const char kb[] = "etc/default/keyboard";
	r = root_value(root_fd, root, kb, "XKBLAYOUT", layout, sizeof(layout), err, err_size);
	r = r < 0 ? r
		  : root_value(root_fd, root, kb, "XKBVARIANT", variant, sizeof(variant), err,
			       err_size);
	r = r < 0 ? r
		  : root_value(root_fd, root, kb, "XKBOPTIONS", options, sizeof(options), err,
			       err_size);
	r = r < 0 ? r
		  : root_value(root_fd, root, kb, "XKBMODEL", model, sizeof(model), err, err_size);
	if (r < 0)
		return r;
	if (!*layout) {
		snprintf(err, err_size,
			 "neither %s%setc/vconsole.conf (KEYMAP=) nor %s%s%s "
			 "(XKBLAYOUT=) names a keymap; give --keymap NAME",
			 root, sep, root, sep, kb);
		return -ENOENT;
	}
	r = keymap_from_xkb(layout, variant, options, model, km, err, err_size);
	if (r == 0)
		snprintf(km->why + strlen(km->why), sizeof(km->why) - strlen(km->why),
			 ", from %s%s%s", root, sep, kb);
	return r;
}

int keymap_get(const char *arg, const char *root, struct keymap *km, char *err, size_t err_size)
{
	if (streq(arg, "auto"))
		return keymap_from_root(root ? root : "/", km, err, err_size);
	if (strchr(arg, '/'))
		return keymap_from_file(arg, km, err, err_size);
	return keymap_from_name(arg, km, err, err_size);
}

void keymap_free(struct keymap *km)
{
	free(km->data);
	*km = (struct keymap){0};
}
