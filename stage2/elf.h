/* A pure reader of what the dynamic loader needs from an ELF file: class, byte order,
 * machine, PT_INTERP, and from PT_DYNAMIC the DT_NEEDED names, DT_RUNPATH and DT_RPATH (string
 * table addresses mapped to file offsets through the PT_LOAD segments). Bounds-checked
 * everywhere: the input is any file the unit names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_NEEDED_MAX 256

struct elf_info {
	bool is64, big_endian;
	uint16_t machine;
	uint16_t type; /* ET_EXEC, ET_DYN, ... */
	char *interp;  /* PT_INTERP or NULL */
	char *runpath; /* DT_RUNPATH or NULL */
	char *rpath;   /* DT_RPATH or NULL */
	char *needed[ELF_NEEDED_MAX];
	size_t n_needed;
};

/* 1 when buf starts with the ELF magic, 0 otherwise. */
bool elf_is_elf(const void *buf, size_t len);
/* Parses buf; 0, -ENOEXEC (not ELF / not something a loader maps), -EBADMSG (a header,
 * segment or string points outside the file, or a string is not terminated), -E2BIG (more
 * than ELF_NEEDED_MAX DT_NEEDED), -ENOMEM. On error *msg names what is wrong. */
int elf_parse(const uint8_t *buf, size_t len, struct elf_info *out, const char **msg);
void elf_info_free(struct elf_info *e);
