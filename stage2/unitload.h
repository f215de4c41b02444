/* Finding a unit's files as systemd 252's system manager does, inside a root given as a
 * directory fd: the fragment from the first unit directory that has it (a template's fragment
 * for an instance without its own), then the *.conf drop-ins of NAME.d/, the template's
 * foo@.service.d/, the dash-prefix directories (a-b-.service.d/, a-.service.d/) and service.d/
 * in every unit directory, a file name in an earlier directory hiding the same name in later
 * ones, applied sorted by file name. A fragment or drop-in linked to /dev/null (or empty)
 * masks. Generator output directories are not read (the generator writes them). */
#pragma once

#include <stddef.h>

#include "unitfile.h"

extern const char *const unitload_dirs[];
extern const size_t unitload_dirs_count;

/* Loads [Service] of unit name into c; *fragment gets the fragment's path (malloc'd).
 * -ENOENT: no fragment; -ESHUTDOWN: masked; other -errno: a file could not be read. */
int unitload_service(int rootfd, const char *name, struct unit_conf *c, char **fragment);

/* The names of every *.service fragment (templates included, aliases and masked ones not)
 * and of every template instance with a drop-in directory of its own (foo@a.service.d/),
 * each once, sorted. Returns the count or -errno; free with unitload_names_free. */
int unitload_list_services(int rootfd, char ***names);
void unitload_names_free(char **names, size_t n);

/* Reads a whole file inside the root (path absolute), up to max bytes. */
int unitload_read(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len);
