/* libFuzzer target: the gen_init_cpio file list parser (initrd/mkimage/cpiolist.c). */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "initrd/mkimage/cpiolist.h"

/* ${VAR} expansion: a few set variables (one empty, one long), everything else unset. */
static const char *lookup(const char *name, void *userdata)
{
	static char long_value[600];
	(void)userdata;
	if (!long_value[0])
		memset(long_value, 'v', sizeof(long_value) - 1);
	if (strcmp(name, "KVER") == 0)
		return "6.1.0-28-amd64";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	if (strcmp(name, "LONG") == 0)
		return long_value;
	if (strcmp(name, "SELF") == 0)
		return "${SELF}";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_memdup(data, size);
	struct cpiolist list = {0};
	int r = cpiolist_parse(buf, size, (size & 1) ? "fuzz.list" : NULL, lookup, NULL, &list);
	FUZZ_CHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		for (size_t i = 0; i < list.n_entries; i++) {
			const struct cpiolist_entry *e = &list.entries[i];
			FUZZ_CHECK(e->name != NULL && e->line >= 1);
			FUZZ_CHECK(e->type >= CPIOLIST_FILE && e->type <= CPIOLIST_SOCK);
			FUZZ_CHECK((e->type == CPIOLIST_FILE || e->type == CPIOLIST_SLINK) ==
				   (e->location != NULL));
			FUZZ_CHECK(e->mode & S_IFMT);
			/* names normalised; no hard link under the file's own name or twice
			 * (the kernel's unpacker would delete the file) */
			FUZZ_CHECK(e->name[0] == '/' && e->name[1] && !strstr(e->name, "//") &&
				   !strstr(e->name, "/./") && !strstr(e->name, "/../"));
			for (size_t j = 0; j < e->n_links; j++) {
				FUZZ_CHECK(e->links[j] != NULL && e->links[j][0] == '/');
				FUZZ_CHECK(strcmp(e->links[j], e->name) != 0);
				for (size_t k = 0; k < j; k++)
					FUZZ_CHECK(strcmp(e->links[j], e->links[k]) != 0);
			}
			FUZZ_CHECK(e->uid != (uid_t)-1 && e->gid != (gid_t)-1);
		}
		for (size_t i = 0; i < list.n_errors; i++)
			FUZZ_CHECK(list.errors[i].message != NULL && list.errors[i].line >= 1);
		cpiolist_free(&list);
	}
	free(buf);
	return 0;
}
