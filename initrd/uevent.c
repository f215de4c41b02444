#include "uevent.h"

#include <errno.h>
#include <string.h>

static const char *value_of(const char *field, const char *key)
{
	size_t n = strlen(key);
	return strncmp(field, key, n) == 0 && field[n] == '=' ? field + n + 1 : NULL;
}

int uevent_parse(char *buf, size_t len, struct uevent *ev)
{
	*ev = (struct uevent){0};
	if (!buf || len == 0)
		return -EINVAL;
	buf[len] = 0; /* the caller gives len + 1 bytes */
	/* libudev's re-broadcasts start with "libudev\0" and carry a binary header: only the
	 * kernel's own messages are read here (group 1) */
	char *at = memchr(buf, '@', strnlen(buf, len));
	if (!at || at == buf || strncmp(buf, "libudev", len < 8 ? len : 8) == 0)
		return -EINVAL;
	const char *head_path = at + 1;
	size_t head_action_len = (size_t)(at - buf);
	if (head_path[0] != '/')
		return -EINVAL;
	for (char *p = buf + strlen(buf) + 1; p < buf + len; p += strlen(p) + 1) {
		const char *v;
		if (!*p)
			continue; /* an empty field (a stray NUL) says nothing */
		if (!strchr(p, '='))
			return -EINVAL;
		if ((v = value_of(p, "ACTION")))
			ev->action = v;
		else if ((v = value_of(p, "DEVPATH")))
			ev->devpath = v;
		else if ((v = value_of(p, "SUBSYSTEM")))
			ev->subsystem = v;
		else if ((v = value_of(p, "DEVTYPE")))
			ev->devtype = v;
		else if ((v = value_of(p, "MODALIAS")))
			ev->modalias = v[0] ? v : NULL;
		else if ((v = value_of(p, "DEVNAME")))
			ev->devname = v[0] ? v : NULL;
	}
	/* the header is the kernel's "ACTION@DEVPATH": the fields, when present, must say the
	 * same (a message that contradicts itself is not acted on) */
	if (ev->action && (strlen(ev->action) != head_action_len ||
			   strncmp(ev->action, buf, head_action_len) != 0))
		return -EINVAL;
	if (ev->devpath && strcmp(ev->devpath, head_path) != 0)
		return -EINVAL;
	if (!ev->action) {
		*at = 0; /* the header's action, cut at '@' */
		ev->action = buf;
	}
	if (!ev->devpath)
		ev->devpath = head_path;
	return 0;
}

unsigned uevent_decide(const struct uevent *ev)
{
	static const char *const present[] = {"add", "change", "move", "online", "bind"};
	unsigned todo = UEVENT_NOTHING;
	bool is_present = false;
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++)
		if (strcmp(ev->action, present[i]) == 0)
			is_present = true;
	if (is_present && ev->modalias)
		todo |= UEVENT_LOAD;
	/* a block device that goes makes the cache stale too: its name (and number) may come
	 * back at once with other contents, and libblkid then keeps the old probe (a re-read
	 * partition table, BLKRRPART, removes and adds the partitions, with no "change") */
	if ((strcmp(ev->action, "change") == 0 || strcmp(ev->action, "remove") == 0) &&
	    ev->subsystem && strcmp(ev->subsystem, "block") == 0)
		todo |= UEVENT_BLOCK_CHANGED;
	if (strcmp(ev->action, "add") == 0 && ev->subsystem &&
	    strcmp(ev->subsystem, "block") == 0 && ev->devname && ev->devname[0] != '/' &&
	    !strstr(ev->devname, ".."))
		todo |= UEVENT_BLOCK_ADDED;
	return todo;
}
