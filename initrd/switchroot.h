/* switch_root: hand the machine to the new root, keeping PID 1. */
#pragma once

/* Moves /dev, /proc, /sys, /run into newroot, deletes the initramfs contents (only after
 * checking "/" really is the initramfs, and never crossing into another filesystem), makes
 * newroot "/" and execs init with argv. Returns only on failure (negative errno, logged). */
int switch_root(const char *newroot, const char *init, char *const argv[]);
