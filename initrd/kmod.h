/* Kernel modules through libkmod: the image's list, rd.modules-load=, coldplug of every
 * device's modalias, and the kernel's own request_module() calls (initkit-init serves as
 * /sbin/modprobe inside the image). Never forks modprobe. */
#pragma once

#include <stdbool.h>

struct modules;

/* Blacklisted names go into a modprobe.d file under /run so the modprobe helper
 * (a separate process started by the kernel) applies the same blacklist. */
int modules_new(struct modules **ret, const char *const *blacklist);
void modules_free(struct modules *m);
/* Load a module by name or alias with its dependencies. Returns 1 if loaded (or already
 * there), 0 if blacklisted or no module matched an alias, negative errno on failure. */
int modules_load(struct modules *m, const char *name_or_alias, bool explicit_name);
/* Who asks for the modules loaded from now on ("coldplug", "uevent", "btrfs"): the note of
 * their timeline events. Returns the previous asker, to put back. */
const char *modules_asked_by(struct modules *m, const char *who);
/* Resolve and load every modalias found under /sys/devices not yet handled. Returns the
 * number of modules newly loaded. */
int modules_coldplug(struct modules *m);
/* Load the module for one modalias (a uevent's MODALIAS) unless coldplug or an earlier call
 * already handled that modalias. Returns 1 when a module was loaded (or was there), else 0. */
int modules_load_alias_once(struct modules *m, const char *alias);
/* modules_coldplug(), where the devices the first walk's modules made (virtio_pci makes
 * virtio0) come from more(arg) instead of another walk over /sys/devices: more() handles
 * what appeared (the uevents queued since before the walk) and returns how much it read, 0
 * when nothing, negative when it cannot know (a lost uevent): then the walks are repeated
 * as modules_coldplug() does. */
int modules_coldplug_then(struct modules *m, int (*more)(void *arg), void *arg);
/* modules_coldplug_then()'s rounds, the walk being pass(pass_arg) (modules it loaded, or
 * -errno): pass once; then more() until it reads nothing, or, when more is NULL or says
 * uevents were lost (negative), pass again until a pass loads nothing. Returns the modules
 * the passes loaded, or the first pass's -errno when none. */
int modules_coldplug_rounds(int (*pass)(void *arg), void *pass_arg, int (*more)(void *arg),
			    void *more_arg);
/* Loads the module of filesystem TYPE (alias fs-TYPE, as the kernel's request_module() at
 * mount would) in this process, so mount() does not run /sbin/modprobe. Returns as
 * modules_load() does; 0 when type is NULL. */
int modules_load_fs(struct modules *m, const char *type);
/* Entry point when the kernel runs us as /sbin/modprobe -q -- NAME. */
int modules_modprobe_main(int argc, char **argv);
