/* One logging module for every initkit program: kmsg with <level> prefixes when running as
 * PID 1 (so messages land in the kernel log and on the console), stderr otherwise. Tests
 * redirect it to a file descriptor of their own with log_open_fd(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERR = 3, LOG_WARNING = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

/* ident: the prefix of every line ("initkit"). kmsg: write to /dev/kmsg when possible. */
void log_setup(const char *ident, bool kmsg);
/* Stage 1 (PID 1): lift /dev/kmsg's rate limit for our writes (printk_devkmsg=on), or, when
 * the command line locked kmsg writes off, log to /dev/console instead. */
void log_kmsg_unlimit(void);
/* Puts printk_devkmsg back as it was (before the switch to stage 2). */
void log_kmsg_restore(void);
/* Messages above this level are dropped (LOG_NOTICE for `quiet`, LOG_DEBUG for rd.debug). */
void log_set_max_level(enum log_level level);
enum log_level log_get_max_level(void);
/* Send messages to fd (plain "ident: text" lines); used by tests and the console fallback. */
void log_open_fd(int fd);
/* Terminals that get every line instead of that fd while not logging to /dev/kmsg (kmsg
 * reaches every console by itself; /dev/console is only the last console=): stage 1 passes
 * all of its consoles. The caller keeps the fds open until it calls this again (n = 0). */
void log_set_consoles(const int *fds, size_t n);

__attribute__((format(printf, 2, 3))) void log_msg(enum log_level level, const char *fmt, ...);
/* Logs and returns r (a negative errno), so callers can `return log_error_errno(r, ...)`.
 * The format may use %m, which prints strerror(-r). */
__attribute__((format(printf, 3, 4))) int log_msg_errno(enum log_level level, int r,
							const char *fmt, ...);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_error_errno(r, ...) log_msg_errno(LOG_ERR, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_msg_errno(LOG_WARNING, (r), __VA_ARGS__)
