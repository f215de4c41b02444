/* libFuzzer target: the .config reader (kconfig/kconfig_read.c), without Kconfig's types and
 * with a made-up type for every symbol (so each type's value rules run), then the writer on
 * what was read (kc_entry_write_config, kc_value_format). */
#include <errno.h>

#include "fuzz.h"
#include "kconfig/fragment.h"
#include "kconfig/kconfig_read.h"

static FILE *devnull;

/* A stable pseudo-random type per symbol name. */
static enum kc_type hashed_type(const char *name, unsigned hash, void *userdata)
{
	(void)userdata;
	FUZZ_CHECK(hash == kc_name_hash(name));
	unsigned h = 2166136261u;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (enum kc_type)(h % (KC_TYPE_HEX + 1));
}

/* `kconfig-merge --export` (kconfig/main.c): a .config as read becomes a structured fragment,
 * which must read back with the same symbols and values. */
static void export_and_reread(const struct kc_set *set)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	fragment_write(f, set, &(struct fragment_export_opts){.priority = 1});
	if (fclose(f) != 0)
		abort();
	struct kc_set again;
	struct kc_diags diags = {0};
	kc_set_init(&again);
	int r = fragment_read("exported.fragment", text, len, "CONFIG_", &again, &diags);
	if (r != 0 || again.n != set->n) {
		kc_diags_print(&diags, stderr);
		fprintf(stderr, "export: fragment read back %d, %zu of %zu symbols:\n%s\n", r,
			again.n, set->n, text);
		abort();
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct kc_entry *y = kc_set_find(&again, set->v[i].name);
		FUZZ_CHECK(y && kc_entry_same_value(&set->v[i], y));
	}
	kc_set_free(&again);
	kc_diags_free(&diags);
	free(text);
}

static void read_and_write(const char *buf, size_t size, kc_type_fn types)
{
	struct kc_set set;
	struct kc_diags diags = {0};
	int r;
	kc_set_init(&set);
	r = kconfig_read("fuzz.config", buf, size, "CONFIG_", types, NULL, &set, &diags);
	FUZZ_CHECK(r == 0 || r == -ENOMEM);
	FUZZ_CHECK(diags.n <= diags.cap);
	for (size_t i = 0; i < diags.n; i++)
		FUZZ_CHECK(diags.v[i].text != NULL);
	for (size_t i = 0; i < set.n; i++) {
		const struct kc_entry *e = &set.v[i];
		FUZZ_CHECK(e->name != NULL);
		FUZZ_CHECK(kc_set_find(&set, e->name) == e); /* the index finds the last one */
		FUZZ_CHECK(e->kind == KC_V_TRI ? (e->tri == 'y' || e->tri == 'm' || e->tri == 'n')
					       : e->str != NULL);
		char small[8];
		int f = kc_value_format(e, small, sizeof(small));
		FUZZ_CHECK(f == -ENOBUFS || (f == 0 && strlen(small) < sizeof(small)));
		/* Escaped and quoted, a value needs at most 2 * length + 3 bytes. */
		size_t big_size = 2 * (e->str ? strlen(e->str) : 1) + 3;
		char *big = malloc(big_size);
		if (!big)
			abort();
		FUZZ_CHECK(kc_value_format(e, big, big_size) == 0);
		free(big);
		kc_entry_write_config(devnull, "CONFIG_", e);
	}
	if (!types) /* the export reads without a tree (kconfig/main.c) */
		export_and_reread(&set);
	kc_set_sort(&set);
	for (size_t i = 1; i < set.n; i++)
		FUZZ_CHECK(strcmp(set.v[i - 1].name, set.v[i].name) <= 0);
	kc_set_free(&set);
	kc_diags_free(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	char *buf = fuzz_memdup(data, size);
	read_and_write(buf, size, NULL);
	read_and_write(buf, size, hashed_type);
	free(buf);
	return 0;
}
