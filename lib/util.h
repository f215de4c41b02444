/* Small helpers shared by the initkit programs: cleanup attributes and the like. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/stat.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(const int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* Returns the rest of s after prefix, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

#include <errno.h>
#include <stdarg.h>
/* snprintf that reports truncation as -ENAMETOOLONG instead of silently cutting a path. */
__attribute__((format(printf, 3, 4))) static inline int path_printf(char *buf, size_t size,
								    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* systemd's parse_boolean() spellings: 1 yes y true t on / 0 no n false f off, any case.
 * Returns 1, 0 or -EINVAL. */
static inline int parse_boolean(const char *s)
{
	static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
	static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -EINVAL;
}

#define WHITESPACE " \t\n\r"
/* Strips leading and trailing white space in place; returns the first kept character. */
static inline char *strstrip(char *s)
{
	s += strspn(s, WHITESPACE);
	size_t n = strlen(s);
	while (n > 0 && strchr(WHITESPACE, s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Milliseconds on the monotonic clock, for the durations initkit reports. */
static inline uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads a configuration file of at most 64 KiB (the rest is ignored), NUL-terminated; NULL
 * when it cannot be opened or memory runs out. */
static inline char *read_small_file(const char *path, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = malloc(65536);
	if (!buf)
		return NULL;
	*len = fread(buf, 1, 65535, f);
	buf[*len] = 0;
	return buf;
}

/* The first line of a small file (a sysfs attribute) without its newline. 0 or -errno. */
static inline int read_line(const char *path, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		return -EIO;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* What a file that is not a regular one is, for messages refusing to replace it. */
static inline const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFLNK:
		return "a symbolic link";
	case S_IFDIR:
		return "a directory";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	}
	return "not a regular file";
}

/* Formats a message into why (size bytes; nothing when why is NULL or size 0) and returns r:
 * `return fail_why(-EINVAL, err, size, "...: %s", x);` for the parsers that report into a
 * caller's buffer instead of logging. */
__attribute__((format(printf, 4, 5))) static inline int fail_why(int r, char *why, size_t size,
								  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why && size)
		vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return r;
}
