/* libFuzzer target: the structured fragment reader (kconfig/fragment.c). What it accepts is
 * written back with fragment_write() and read again: the second reading must give the same
 * symbols with the same values (the writer's promise in fragment.h; the attributes written are
 * the export options', not the entries'). */
#include <errno.h>

#include "fuzz.h"
#include "kconfig/fragment.h"

static void check_same(const struct kc_set *a, const struct kc_set *b, const char *text)
{
	if (a->n != b->n) {
		fprintf(stderr, "round trip: %zu symbols, then %zu from:\n%s\n", a->n, b->n, text);
		abort();
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct kc_entry *x = &a->v[i], *y = kc_set_find(b, x->name);
		if (!y || !kc_entry_same_value(x, y) || y->mandatory || y->priority != 7) {
			fprintf(stderr, "round trip changed %s; written text:\n%s\n", x->name,
				text);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_memdup(data, size);
	(void)fragment_is_structured(buf, size);

	struct kc_set set, again;
	struct kc_diags diags = {0}, diags2 = {0};
	kc_set_init(&set);
	kc_set_init(&again);
	int r = fragment_read("fuzz.fragment", buf, size, "CONFIG_", &set, &diags);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	FUZZ_CHECK(r != -EINVAL || diags.errors > 0);
	for (size_t i = 0; i < diags.n; i++)
		FUZZ_CHECK(diags.v[i].text != NULL);
	if (r == 0) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		if (!f)
			abort();
		fragment_write(f, &set,
			       &(struct fragment_export_opts){.priority = 7, .source = "fuzz"});
		if (fclose(f) != 0)
			abort();
		FUZZ_CHECK(fragment_is_structured(text, len));
		r = fragment_read("written.fragment", text, len, "CONFIG_", &again, &diags2);
		if (r != 0) {
			for (size_t i = 0; i < diags2.n; i++)
				fprintf(stderr, "%s\n", diags2.v[i].text);
			fprintf(stderr, "round trip: written fragment rejected:\n%s\n", text);
			abort();
		}
		check_same(&set, &again, text);
		free(text);
	}
	kc_set_free(&set);
	kc_set_free(&again);
	kc_diags_free(&diags);
	kc_diags_free(&diags2);
	free(buf);
	return 0;
}
