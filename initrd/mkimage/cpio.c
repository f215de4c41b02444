#include "cpio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cpio_init(struct cpio *c, uint32_t mtime)
{
	*c = (struct cpio){.next_ino = 1, .mtime = mtime};
}

void cpio_free(struct cpio *c)
{
	free(c->buf);
	*c = (struct cpio){0};
}

static int cpio_reserve(struct cpio *c, size_t more)
{
	if (c->len + more <= c->cap)
		return 0;
	size_t cap = c->cap ? c->cap : 65536;
	while (cap < c->len + more)
		cap *= 2;
	unsigned char *p = realloc(c->buf, cap);
	if (!p)
		return -ENOMEM;
	c->buf = p;
	c->cap = cap;
	return 0;
}

static void cpio_append(struct cpio *c, const void *data, size_t size)
{
	memcpy(c->buf + c->len, data, size);
	c->len += size;
}

static void cpio_pad4(struct cpio *c)
{
	while (c->len % 4)
		c->buf[c->len++] = 0;
}

/* One header (and its name and data). ino 0 is the trailer's. */
static int cpio_write_header(struct cpio *c, const char *name, uint32_t ino, mode_t mode, uid_t uid,
			     gid_t gid, unsigned nlink, const void *data, size_t size,
			     unsigned rmajor, unsigned rminor)
{
	char hdr[111];
	size_t namesize = strlen(name) + 1;

	/* The kernel's names are relative ("init", "dev/console"); accept "/init" too. */
	while (name[0] == '/' && name[1])
		name++, namesize--;
	if (namesize < 2 || size > UINT32_MAX)
		return -EINVAL;
	int n = snprintf(hdr, sizeof(hdr),
			 "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino,
			 (unsigned)mode, (unsigned)uid, (unsigned)gid, nlink, ino ? c->mtime : 0,
			 size, 0u, 0u, rmajor, rminor, namesize, 0u);
	if (n != 110)
		return -EINVAL;
	if (cpio_reserve(c, 110 + namesize + 3 + size + 3) < 0)
		return -ENOMEM;
	cpio_append(c, hdr, 110);
	cpio_append(c, name, namesize);
	cpio_pad4(c);
	if (size)
		cpio_append(c, data, size);
	cpio_pad4(c);
	return 0;
}

int cpio_write_entry(struct cpio *c, const char *name, mode_t mode, uid_t uid, gid_t gid,
		     const void *data, size_t size, unsigned rmajor, unsigned rminor)
{
	bool trailer = strcmp(name, "TRAILER!!!") == 0;
	return cpio_write_header(c, name, trailer ? 0 : c->next_ino++, mode, uid, gid,
				 S_ISDIR(mode) ? 2u : 1u, data, size, rmajor, rminor);
}

/* gen_init_cpio's cpio_mkfile(): every name gets the same inode number and nlink = the
 * number of names; the data goes on the last one only. The kernel's unpacker
 * (init/initramfs.c, maybe_link()) creates the first name, hard-links the later ones to it
 * by (ino, dev, mode), and writes the data through the last without truncating. */
int cpio_write_file_links(struct cpio *c, const char *const *names, size_t n_names, mode_t mode,
			  uid_t uid, gid_t gid, const void *data, size_t size)
{
	if (n_names == 0 || n_names > UINT32_MAX)
		return -EINVAL;
	uint32_t ino = c->next_ino++;
	mode = S_IFREG | (mode & 07777);
	for (size_t i = 0; i < n_names; i++) {
		bool last = i + 1 == n_names;
		int r = cpio_write_header(c, names[i], ino, mode, uid, gid, (unsigned)n_names,
					  last ? data : NULL, last ? size : 0, 0, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int cpio_write_file(struct cpio *c, const char *name, mode_t mode, const void *data, size_t size)
{
	return cpio_write_entry(c, name, S_IFREG | (mode & 07777), 0, 0, data, size, 0, 0);
}

int cpio_write_dir(struct cpio *c, const char *name, mode_t mode)
{
	return cpio_write_entry(c, name, S_IFDIR | (mode & 07777), 0, 0, NULL, 0, 0, 0);
}

int cpio_write_symlink(struct cpio *c, const char *name, const char *target)
{
	return cpio_write_entry(c, name, S_IFLNK | 0777, 0, 0, target, strlen(target), 0, 0);
}

int cpio_finish(struct cpio *c)
{
	int r = cpio_write_entry(c, "TRAILER!!!", 0, 0, 0, NULL, 0, 0, 0);
	if (r < 0)
		return r;
	/* Pad to 512 bytes like gen_init_cpio/cpio(1) so concatenated archives stay aligned. */
	size_t pad = (512 - c->len % 512) % 512;
	if (cpio_reserve(c, pad) < 0)
		return -ENOMEM;
	memset(c->buf + c->len, 0, pad);
	c->len += pad;
	return 0;
}
