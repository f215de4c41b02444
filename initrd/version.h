#pragma once
/* One line naming initkit and the libraries it was linked with (and proving the link:
 * each part comes from a call into that library). */
const char *initkit_version_line(void);
