/* Passphrases in stage 1: the store of those that opened a volume (tried on the next volumes
 * before prompting), and reading one line from the console. No logging here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PASSPHRASE_KEEP 8   /* passphrases kept for the next volumes */
#define PASSPHRASE_MAX 512  /* bytes of one passphrase; longer input is cut */

/* One mlock()ed, MADV_DONTDUMP mapping: PASSPHRASE_KEEP kept slots plus one scratch slot
 * that a new passphrase is typed into, so a full store never overwrites a kept one. */
struct passphrase_store {
	char (*buf)[PASSPHRASE_MAX];
	size_t len[PASSPHRASE_KEEP];
	size_t n; /* kept so far */
};

/* 0 or -errno. A failing mlock() leaves its errno in *mlock_error (0 when it worked); the
 * store still works. */
int passphrase_store_init(struct passphrase_store *s, int *mlock_error);
/* explicit_bzero() of every slot, then unmapped. Safe to call twice. */
void passphrase_store_wipe(struct passphrase_store *s);
/* The scratch slot the next passphrase is read into. */
char *passphrase_store_scratch(struct passphrase_store *s);
/* Keeps the scratch slot's first len bytes for later volumes (if there is room; else it is
 * simply not kept), then wipes the scratch slot. */
void passphrase_store_keep(struct passphrase_store *s, size_t len);
/* Wipes the scratch slot (a wrong passphrase). */
void passphrase_store_drop(struct passphrase_store *s);

/* Reads one line from fd into buf (at most size bytes kept; the rest of a longer line is
 * read and dropped), up to '\n' or '\r'. Returns its length; -ENODATA on end of input
 * before any byte (Ctrl-D, a hung-up line), or -errno. End of input after some bytes ends
 * that line. */
ssize_t passphrase_read_line(int fd, char *buf, size_t size);
