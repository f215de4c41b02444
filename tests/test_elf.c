/* The ELF reader (stage2/elf.c): real Debian binaries of the host and crafted objects,
 * including ones that point outside themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "../stage2/elf.h"
#include "confine_fixture.h"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	uint8_t *b = malloc(*len);
	assert_int_equal(fread(b, 1, *len, f), *len);
	fclose(f);
	return b;
}

static void test_real_debian(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = slurp("/usr/bin/ls", &len);
	if (!b)
		skip();
	struct elf_info e;
	const char *msg;
	assert_int_equal(elf_parse(b, len, &e, &msg), 0);
	assert_true(e.is64);
	assert_string_equal(e.interp, "/lib64/ld-linux-x86-64.so.2");
	bool libc = false, selinux = false;
	for (size_t i = 0; i < e.n_needed; i++) {
		libc |= strcmp(e.needed[i], "libc.so.6") == 0;
		selinux |= strcmp(e.needed[i], "libselinux.so.1") == 0;
	}
	assert_true(libc && selinux);
	elf_info_free(&e);
	free(b);
	/* a shared library: no PT_INTERP, its own DT_NEEDED */
	b = slurp("/lib/x86_64-linux-gnu/libselinux.so.1", &len);
	assert_non_null(b);
	assert_int_equal(elf_parse(b, len, &e, &msg), 0);
	assert_null(e.interp);
	assert_true(e.n_needed >= 2);
	elf_info_free(&e);
	free(b);
}

static void test_crafted(void **state)
{
	(void)state;
	uint8_t buf[4096];
	static const char *const needed[] = {"liba.so.1", "libb.so.2", NULL};
	size_t n = fx_elf(buf, sizeof(buf), "/lib/ld.so", needed, "$ORIGIN/../lib", "/r", false);
	struct elf_info e;
	const char *msg;
	assert_int_equal(elf_parse(buf, n, &e, &msg), 0);
	assert_string_equal(e.interp, "/lib/ld.so");
	assert_int_equal(e.n_needed, 2);
	assert_string_equal(e.needed[1], "libb.so.2");
	assert_string_equal(e.runpath, "$ORIGIN/../lib");
	assert_string_equal(e.rpath, "/r");
	elf_info_free(&e);
	/* 32-bit */
	n = fx_elf(buf, sizeof(buf), NULL, needed, NULL, NULL, true);
	assert_int_equal(elf_parse(buf, n, &e, &msg), 0);
	assert_false(e.is64);
	assert_int_equal(e.machine, EM_386);
	assert_int_equal(e.n_needed, 2);
	elf_info_free(&e);
}

static void test_broken(void **state)
{
	(void)state;
	uint8_t buf[4096];
	static const char *const needed[] = {"liba.so.1", NULL};
	struct elf_info e;
	const char *msg;
	assert_int_equal(elf_parse((const uint8_t *)"#!/bin/sh\n", 10, &e, &msg), -ENOEXEC);
	size_t n = fx_elf(buf, sizeof(buf), "/lib/ld.so", needed, NULL, NULL, false);
	/* truncated inside the dynamic section */
	assert_int_equal(elf_parse(buf, n - 8, &e, &msg), -EBADMSG);
	assert_string_equal(msg, "PT_DYNAMIC outside the file");
	/* a string offset outside the string table */
	n = fx_elf(buf, sizeof(buf), NULL, needed, NULL, NULL, false);
	uint64_t big = 100000;
	memcpy(buf + 1536 + 8, &big, 8);
	assert_int_equal(elf_parse(buf, n, &e, &msg), -EBADMSG);
	assert_string_equal(msg, "dynamic string outside the string table");
	/* an unterminated PT_INTERP */
	n = fx_elf(buf, sizeof(buf), "/lib/ld.so", NULL, NULL, NULL, false);
	buf[256 + 10] = 'x';
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + 64);
	ph[1].p_filesz = 11;
	assert_int_equal(elf_parse(buf, n, &e, &msg), -EBADMSG);
	assert_string_equal(msg, "unterminated PT_INTERP");
	/* program headers beyond the end */
	n = fx_elf(buf, sizeof(buf), NULL, NULL, NULL, NULL, false);
	((Elf64_Ehdr *)buf)->e_phoff = 5000;
	assert_int_equal(elf_parse(buf, n, &e, &msg), -EBADMSG);
	/* a relocatable object is not something a loader maps */
	n = fx_elf(buf, sizeof(buf), NULL, NULL, NULL, NULL, false);
	((Elf64_Ehdr *)buf)->e_type = ET_REL;
	assert_int_equal(elf_parse(buf, n, &e, &msg), -ENOEXEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_debian),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
