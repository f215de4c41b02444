/* What `initkit-stage2 --timeline` shows: a `systemd-analyze blame`-style list and a
 * self-contained SVG in the spirit of `systemd-analyze plot`. Pure: a parsed document in,
 * text on a stream out. */
#pragma once

#include <stdio.h>

#include "timeline_read.h"

/* The summary line and every span, longest first. 0 or -EIO. */
int timeline_blame(FILE *f, const struct timeline_doc *doc);
/* The SVG: the kernel's part before /init, one lane per event in tree order (a module or a
 * volume under the step that started it), waits shaded, instants as diamonds, the hand-over
 * to stage 2 marked. Each lane is a <g class="lane KIND" data-depth="N"> with its label, so
 * tests check the structure, not pixels. 0 or -EIO. */
int timeline_svg(FILE *f, const struct timeline_doc *doc);
