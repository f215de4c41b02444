/* Running a program with stdin /dev/null and its output in pipes: stage 1's e2fsck (fsck.c) and
 * lvm (lvm.c) runs. Reading the output is the caller's: each logs it its own way. */
#pragma once

#include <sys/types.h>

/* stderr goes into the stdout pipe, in order (out[1] is then -1) */
#define SPAWN_MERGE_STDERR 1u
/* when execve fails, the child says "cannot execute PATH: ERROR" on its stderr */
#define SPAWN_SAY_EXEC_FAILURE 2u

struct spawn {
	pid_t pid;
	int out[2];   /* read ends (O_CLOEXEC): [0] its stdout, [1] its stderr */
	int exec_err; /* read end: execve's errno, written by the child when execve fails */
};

/* Starts path with argv and env. When execve fails the child exits with exec_fail_status.
 * Returns 0, or a negative errno: a pipe or the fork failed (then nothing is left open). */
int spawn_start(struct spawn *s, const char *path, char *const argv[], char *const env[],
		unsigned flags, int exec_fail_status);

/* Once its output is read and out[] closed by the caller: execve's errno into *exec_errno (0:
 * the program ran), then waits for the child. Returns 0 with *status its wait status, or the
 * negative errno of waitpid. */
int spawn_wait(struct spawn *s, int *status, int *exec_errno);
