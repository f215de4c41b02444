/* Reading a newc (cpio -H newc) header in the tests of initrd/mkimage/cpio.c and cpiolist.c:
 * its fields are 8 hex digits at these offsets of the 110-byte header. */
#pragma once

#include <string.h>

enum newc_field {
	NEWC_INO = 6,
	NEWC_MODE = 14,
	NEWC_UID = 22,
	NEWC_GID = 30,
	NEWC_NLINK = 38,
	NEWC_MTIME = 46,
	NEWC_FILESIZE = 54,
	NEWC_RDEVMAJOR = 78,
	NEWC_RDEVMINOR = 86,
};

/* The field of the header at hdr reads want (a macro: cmocka reports the caller's line). */
#define assert_newc_field(hdr, field, want)                                                        \
	do {                                                                                       \
		char field_[9] = {0};                                                              \
		memcpy(field_, (hdr) + (field), 8);                                                \
		assert_string_equal(field_, want);                                                 \
	} while (0)
