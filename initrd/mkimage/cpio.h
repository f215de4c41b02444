/* newc ("070701") cpio archive writer, the format the kernel unpacks as initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst). Pure: it appends to a
 * memory buffer; the caller writes the buffer out. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cpio {
	unsigned char *buf;
	size_t len, cap;
	uint32_t next_ino;
	uint32_t mtime; /* every entry gets this mtime (SOURCE_DATE_EPOCH), for reproducibility */
};

void cpio_init(struct cpio *c, uint32_t mtime);
void cpio_free(struct cpio *c);
/* mode includes the file type bits (S_IFREG | 0755, ...). Returns 0 or -ENOMEM/-EINVAL. */
int cpio_write_entry(struct cpio *c, const char *name, mode_t mode, uid_t uid, gid_t gid,
		     const void *data, size_t size, unsigned rmajor, unsigned rminor);
int cpio_write_file(struct cpio *c, const char *name, mode_t mode, const void *data, size_t size);
/* A regular file with owner and group under one or more names (hard links), written as the
 * kernel's gen_init_cpio does: one inode number, nlink = n_names, data on the last name. */
int cpio_write_file_links(struct cpio *c, const char *const *names, size_t n_names, mode_t mode,
			  uid_t uid, gid_t gid, const void *data, size_t size);
int cpio_write_dir(struct cpio *c, const char *name, mode_t mode);
int cpio_write_symlink(struct cpio *c, const char *name, const char *target);
/* The trailer; after it the archive is complete. */
int cpio_finish(struct cpio *c);
