/* The kernel's gen_init_cpio file list (usr/gen_init_cpio.c, "usage" text):
 *
 *   # a comment
 *   file <name> <location> <mode> <uid> <gid> [<hard links>...]
 *   dir <name> <mode> <uid> <gid>
 *   nod <name> <mode> <uid> <gid> <dev_type> <maj> <min>     (dev_type: b or c)
 *   slink <name> <target> <mode> <uid> <gid>
 *   pipe <name> <mode> <uid> <gid>
 *   sock <name> <mode> <uid> <gid>
 *
 * mode is octal permissions; "${VAR}" in a file location is replaced by the variable's value
 * (empty when unset, like the kernel). Pure: text in, entries out; the caller reads the files
 * and writes the archive. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

enum cpiolist_type {
	CPIOLIST_FILE,
	CPIOLIST_DIR,
	CPIOLIST_NOD,
	CPIOLIST_SLINK,
	CPIOLIST_PIPE,
	CPIOLIST_SOCK,
};

struct cpiolist_entry {
	enum cpiolist_type type;
	char *name;	/* name in the archive, normalised: "bin//sh", "./bin/sh" and "/bin/sh"
			   are all "/bin/sh" (cpio_write_entry strips the leading '/') */
	char *location; /* FILE: host path to read (after ${VAR} expansion); SLINK: the link
			   target (the entry's data); NULL otherwise */
	mode_t mode;	/* with the file type bits (S_IFREG|0755, S_IFCHR|0600, ...): pass
			   straight to cpio_write_entry */
	uid_t uid;
	gid_t gid;
	unsigned rmajor, rminor; /* NOD only */
	char **links;		 /* FILE: further names for the same file (hard links),
				    normalised, none equal to name or to each other */
	size_t n_links;
	unsigned line; /* 1-based line in the list */
};

/* One problem: message is "<source>:<line>: <what>: '<the line>'", ready to log. */
struct cpiolist_diag {
	unsigned line;
	char *message;
};

struct cpiolist {
	struct cpiolist_entry *entries;
	size_t n_entries;
	struct cpiolist_diag *errors; /* any error means the list must not be used */
	size_t n_errors;
};

/* Looks up a variable for ${VAR} expansion; NULL when unset. Pass NULL to use getenv(3). */
typedef const char *(*cpiolist_lookup_fn)(const char *name, void *userdata);

/* Parses the list. Bad lines become errors (with line number and the offending line) and
 * parsing goes on, so one run reports them all. Returns 0, or -ENOMEM. */
int cpiolist_parse(const char *text, size_t len, const char *source_name, cpiolist_lookup_fn lookup,
		   void *userdata, struct cpiolist *out);

void cpiolist_free(struct cpiolist *list);
