/* `initkit-stage2 --timeline [FILE] [--svg OUT]`: reads stage 1's timeline (default
 * /run/initkit/timeline.json), prints the blame list, writes the SVG plot. */
#pragma once

int timeline_show_main(int argc, char **argv);
