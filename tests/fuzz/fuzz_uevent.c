/* libFuzzer target: the uevent parser and decision (initrd/uevent.c) on a datagram of exactly
 * the received size, as devices.c hands it over (len + 1 bytes of room, no terminator). */
#include <errno.h>

#include "fuzz.h"
#include "initrd/uevent.h"

static void check_in(const char *p, const char *buf, size_t size)
{
	if (p)
		FUZZ_CHECK(p >= buf && p + strlen(p) <= buf + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	struct uevent ev;
	int r = uevent_parse(buf, size, &ev);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		FUZZ_CHECK(ev.action && ev.action[0] && ev.devpath && ev.devpath[0] == '/');
		check_in(ev.action, buf, size);
		check_in(ev.devpath, buf, size);
		check_in(ev.subsystem, buf, size);
		check_in(ev.devtype, buf, size);
		check_in(ev.modalias, buf, size);
		check_in(ev.devname, buf, size);
		unsigned todo = uevent_decide(&ev);
		if (todo & UEVENT_LOAD)
			FUZZ_CHECK(ev.modalias && ev.modalias[0]);
		if (todo & UEVENT_BLOCK_ADDED)
			FUZZ_CHECK(ev.devname && ev.devname[0] != '/' && !strstr(ev.devname, ".."));
		FUZZ_CHECK((todo & ~(unsigned)(UEVENT_LOAD | UEVENT_BLOCK_CHANGED |
					       UEVENT_BLOCK_ADDED)) == 0);
	}
	free(buf);
	return 0;
}
