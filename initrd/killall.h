/* Nothing stage 1 started survives into stage 2: before switch_root, every process but PID 1
 * gets SIGTERM, a short grace period, then SIGKILL, and is reaped. Each pass runs with every
 * process stopped (SIGSTOP ... SIGCONT, as systemd's broadcast_signal()), so one that keeps
 * forking cannot outrun the scan. Spared: kernel threads, the kernel's usermode helpers
 * (children of a kernel thread: a modprobe the kernel asked for), and root processes whose
 * argv[0] starts with '@' (systemd's documented opt-out for root-storage daemons,
 * https://systemd.io/ROOT_STORAGE_DAEMONS/; like systemd, only for uid 0). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Pure: should the process whose /proc/PID/stat and /proc/PID/cmdline read as given be
 * killed? stat is the whole line ("PID (comm) S PPID ... flags ..."), cmdline its raw bytes,
 * uid its real uid, parent_kthread whether its parent is a kernel thread. */
bool killall_should_kill(const char *stat, const char *cmdline, size_t cmdline_len, unsigned uid,
			 bool parent_kthread);

/* Pure: the PPID and flags fields of a /proc/PID/stat line. 0 or -EINVAL. */
int killall_parse_stat(const char *stat, long *pid, char *state, long *ppid, unsigned long *flags);

/* Sends sig to every process that should be killed; returns how many were signalled. */
int killall_signal(int sig);

/* SIGTERM, up to grace_ms for them to exit (reaping), then SIGKILL and reap. Logs what was
 * killed. Returns the number of processes that were still there for SIGKILL. */
int killall_stage1(unsigned grace_ms);
