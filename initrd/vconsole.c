/* Keymap loading in stage 1. See vconsole.h. */
#include "vconsole.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "bkeymap.h"
#include "bootconf.h"
#include "envfile.h"
#include "image.h"
#include "log.h"
#include "util.h"

/* The largest binary keymap: every one of the 256 tables. */
#define BKEYMAP_MAX (BKEYMAP_MAGIC_LEN + BKEYMAP_TABLES + BKEYMAP_TABLES * BKEYMAP_KEYS * 2)

/* A name that can be used: in the image, or us, the kernel's own keymap (asked for, it is the
 * way back from an image default that does not fit this keyboard, without a new image). */
static bool usable(const char *name, bool (*have)(const char *name, void *ud), void *ud)
{
	return bkeymap_name_valid(name) && (have(name, ud) || streq(name, VCONSOLE_KERNEL_KEYMAP));
}

const char *vconsole_pick(const char *rd, const char *plain, const char *dflt,
			  bool (*have)(const char *name, void *ud), void *ud, char *warn,
			  size_t warn_size)
{
	const char *const names[] = {rd, plain, dflt};
	static const char *const keys[] = {"rd.vconsole.keymap", "vconsole.keymap",
					   IMAGE_VCONSOLE_CONF " KEYMAP"};
	warn[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!names[i])
			continue;
		bool valid = bkeymap_name_valid(names[i]);
		if (usable(names[i], have, ud))
			return names[i];
		if (warn[0])
			continue; /* one line: the first refusal says what is used instead */
		const char *next = NULL;
		for (size_t j = i + 1; j < ARRAY_SIZE(names) && !next; j++)
			if (names[j] && usable(names[j], have, ud))
				next = names[j];
		bool kernel = next && !have(next, ud);
		snprintf(warn, warn_size, "%s=%s: %s; %s%s%s", keys[i], names[i],
			 valid ? "no such keymap in the image" : "not a keymap name",
			 next && !kernel ? "using " : "keeping the kernel's keymap",
			 kernel ? " (us)"
			 : next ? next
				: "",
			 next && !kernel && next == dflt ? ", the image's default" : "");
	}
	return NULL;
}

static bool image_has(const char *name, void *ud)
{
	(void)ud;
	char path[256];
	return path_printf(path, sizeof(path), IMAGE_KEYMAPS_DIR "/%s.bmap", name) == 0 &&
	       access(path, R_OK) == 0;
}

/* Up to size bytes of path; -errno, or -EFBIG when it is larger. */
static ssize_t read_keymap(const char *path, uint8_t *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
		if (got == size)
			return -EFBIG;
	}
}

/* Onto the keyboard behind fd. Returns 0 or -errno; *bad counts refused entries (the first
 * one is logged). */
static int keymap_load(int fd, const char *name, const struct bkeymap *km, size_t *bad)
{
	*bad = 0;
	if (ioctl(fd, KDSKBMODE, K_UNICODE) < 0)
		return -errno;
	for (size_t n = 0; n < km->n_tables; n++)
		for (size_t k = 0; k < BKEYMAP_KEYS; k++) {
			struct kbentry e = {.kb_table = km->tables[n],
					    .kb_index = (unsigned char)k,
					    .kb_value = bkeymap_value(km, n, k)};
			if (ioctl(fd, KDSKBENT, &e) == 0)
				continue;
			if ((*bad)++ == 0)
				log_warning("vconsole: keymap %s: table %u key %zu value 0x%04x "
					    "refused: %m; going on",
					    name, e.kb_table, k, e.kb_value);
		}
	/* The VT's output in UTF-8, as the Unicode keyboard's input; and its line editing
	 * (IUTF8), so that backspace takes back a whole character, not the last byte of an ö
	 * (systemd-vconsole-setup does both). vt.default_utf8=0 starts a VT without them. */
	(void)!write(fd, "\033%G", 3);
	struct termios t;
	if (tcgetattr(fd, &t) == 0 && !(t.c_iflag & IUTF8)) {
		t.c_iflag |= IUTF8;
		tcsetattr(fd, TCSANOW, &t);
	}
	return 0;
}

void vconsole_setup(const struct boot_config *bc)
{
	char dflt[BKEYMAP_NAME_MAX + 64] = "", warn[512], path[256];
	size_t len = 0;
	uint64_t t0 = now_ms();
	_cleanup_free_ char *conf = read_small_file(IMAGE_VCONSOLE_CONF, &len);
	if (conf && envfile_get(conf, len, "KEYMAP", dflt, sizeof(dflt), NULL) != 1)
		dflt[0] = 0;
	const char *name =
		vconsole_pick(bc->rd_vconsole_keymap, bc->vconsole_keymap, dflt[0] ? dflt : NULL,
			      image_has, NULL, warn, sizeof(warn));
	if (warn[0])
		log_error("vconsole: %s", warn);
	if (!name)
		return;
	if (streq(name, VCONSOLE_KERNEL_KEYMAP) && !image_has(name, NULL)) {
		log_info("vconsole: keymap %s is the kernel's own: kept", name);
		return;
	}
	_cleanup_free_ uint8_t *buf = malloc(BKEYMAP_MAX + 1);
	if (!buf)
		return;
	snprintf(path, sizeof(path), IMAGE_KEYMAPS_DIR "/%s.bmap", name);
	ssize_t n = read_keymap(path, buf, BKEYMAP_MAX + 1);
	struct bkeymap km;
	char why[256];
	if (n < 0) {
		log_error_errno((int)n, "vconsole: keymap %s: %s: %m; keeping the kernel's keymap",
				name, path);
		return;
	}
	if (bkeymap_parse(buf, (size_t)n, &km, why, sizeof(why)) < 0) {
		log_error("vconsole: keymap %s: %s %s; keeping the kernel's keymap", name, path,
			  why);
		return;
	}
	/* tty0 is the foreground VT; the keymap itself is the kernel's, one for all VTs. */
	_cleanup_close_ int fd = open("/dev/tty0", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		log_info("vconsole: no virtual terminal (/dev/tty0: %m); keymap %s not loaded",
			 name);
		return;
	}
	size_t bad = 0;
	int r = keymap_load(fd, name, &km, &bad);
	if (r < 0)
		log_error_errno(r, "vconsole: keymap %s: cannot set Unicode mode on /dev/tty0: %m",
				name);
	else
		log_info("vconsole: keymap %s loaded (%zu tables, %zu entries refused) in %llu ms",
			 name, km.n_tables, bad, (unsigned long long)(now_ms() - t0));
}
