/* Passphrase store and console line reader. See passphrase.h. */
#include "passphrase.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS (PASSPHRASE_KEEP + 1) /* the last one is the scratch slot */

int passphrase_store_init(struct passphrase_store *s, int *mlock_error)
{
	*s = (struct passphrase_store){0};
	*mlock_error = 0;
	s->buf = mmap(NULL, sizeof(*s->buf) * SLOTS, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->buf == MAP_FAILED) {
		s->buf = NULL;
		return -errno;
	}
	if (mlock(s->buf, sizeof(*s->buf) * SLOTS) < 0)
		*mlock_error = errno;
	madvise(s->buf, sizeof(*s->buf) * SLOTS, MADV_DONTDUMP);
	return 0;
}

void passphrase_store_wipe(struct passphrase_store *s)
{
	if (!s->buf)
		return;
	explicit_bzero(s->buf, sizeof(*s->buf) * SLOTS);
	munlock(s->buf, sizeof(*s->buf) * SLOTS);
	munmap(s->buf, sizeof(*s->buf) * SLOTS);
	*s = (struct passphrase_store){0};
}

char *passphrase_store_scratch(struct passphrase_store *s)
{
	return s->buf[PASSPHRASE_KEEP];
}

void passphrase_store_keep(struct passphrase_store *s, size_t len)
{
	if (s->n < PASSPHRASE_KEEP && len <= PASSPHRASE_MAX) {
		memcpy(s->buf[s->n], s->buf[PASSPHRASE_KEEP], len);
		s->len[s->n++] = len;
	}
	passphrase_store_drop(s);
}

void passphrase_store_drop(struct passphrase_store *s)
{
	explicit_bzero(s->buf[PASSPHRASE_KEEP], PASSPHRASE_MAX);
}

ssize_t passphrase_read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;
	bool any = false;
	char c;
	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			explicit_bzero(&c, sizeof(c));
			return -e;
		}
		if (r == 0) /* end of input: ends this line, or the input if nothing came */
			break;
		any = true;
		if (c == '\n' || c == '\r')
			break;
		if (len < size)
			buf[len++] = c;
	}
	explicit_bzero(&c, sizeof(c));
	return any ? (ssize_t)len : -ENODATA;
}
