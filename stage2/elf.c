/* Pure ELF dynamic-section reader; see elf.h. */
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool elf_is_elf(const void *buf, size_t len)
{
	return len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0;
}

struct reader {
	const uint8_t *b;
	size_t len;
	bool be, is64;
};

static uint64_t rd(const struct reader *r, size_t off, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = r->be ? i : n - 1 - i;
		v = (v << 8) | r->b[off + k];
	}
	return v;
}

static bool in_file(const struct reader *r, uint64_t off, uint64_t n)
{
	return off <= r->len && n <= r->len - off;
}

/* A NUL-terminated string at file offset off, within [off, limit). */
static int str_at(const struct reader *r, uint64_t off, uint64_t limit, char **out)
{
	if (limit > r->len)
		limit = r->len;
	if (off >= limit)
		return -EBADMSG;
	const uint8_t *nul = memchr(r->b + off, '\0', limit - off);
	if (!nul)
		return -EBADMSG;
	*out = strdup((const char *)r->b + off);
	return *out ? 0 : -ENOMEM;
}

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, filesz;
};

static struct phdr phdr_at(const struct reader *r, size_t off)
{
	struct phdr p;
	p.type = (uint32_t)rd(r, off, 4);
	if (r->is64) {
		p.offset = rd(r, off + 8, 8);
		p.vaddr = rd(r, off + 16, 8);
		p.filesz = rd(r, off + 32, 8);
	} else {
		p.offset = rd(r, off + 4, 4);
		p.vaddr = rd(r, off + 8, 4);
		p.filesz = rd(r, off + 16, 4);
	}
	return p;
}

/* The file offset of virtual address va (inside a PT_LOAD's file part), and how many bytes of
 * that segment follow it. */
static int vaddr_to_off(const struct reader *r, size_t phoff, size_t phnum, size_t phentsize,
			uint64_t va, uint64_t *off, uint64_t *avail)
{
	for (size_t i = 0; i < phnum; i++) {
		struct phdr p = phdr_at(r, phoff + i * phentsize);
		if (p.type != PT_LOAD || va < p.vaddr || va - p.vaddr >= p.filesz)
			continue;
		*off = p.offset + (va - p.vaddr);
		*avail = p.filesz - (va - p.vaddr);
		return 0;
	}
	return -EBADMSG;
}

static int parse_dynamic(const struct reader *r, const struct phdr *dyn, size_t phoff, size_t phnum,
			 size_t phentsize, struct elf_info *out, const char **msg)
{
	size_t entsz = r->is64 ? 16 : 8, w = r->is64 ? 8 : 4;
	uint64_t strtab = 0, strsz = 0;
	bool have_strtab = false;
	if (!in_file(r, dyn->offset, dyn->filesz)) {
		*msg = "PT_DYNAMIC outside the file";
		return -EBADMSG;
	}
	size_t n = (size_t)(dyn->filesz / entsz);
	for (size_t i = 0; i < n; i++) {
		uint64_t tag = rd(r, dyn->offset + i * entsz, w);
		uint64_t val = rd(r, dyn->offset + i * entsz + w, w);
		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB) {
			strtab = val;
			have_strtab = true;
		} else if (tag == DT_STRSZ)
			strsz = val;
	}
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		uint64_t tag = rd(r, dyn->offset + i * entsz, w);
		if (tag == DT_NULL)
			break;
		any |= tag == DT_NEEDED || tag == DT_RPATH || tag == DT_RUNPATH;
	}
	if (!any)
		return 0;
	uint64_t soff, avail;
	if (!have_strtab || vaddr_to_off(r, phoff, phnum, phentsize, strtab, &soff, &avail) < 0) {
		*msg = "DT_STRTAB missing or outside the loaded segments";
		return -EBADMSG;
	}
	if (strsz && strsz < avail)
		avail = strsz;
	for (size_t i = 0; i < n; i++) {
		uint64_t tag = rd(r, dyn->offset + i * entsz, w);
		uint64_t val = rd(r, dyn->offset + i * entsz + w, w);
		char **slot = NULL;
		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED) {
			if (out->n_needed == ELF_NEEDED_MAX) {
				*msg = "too many DT_NEEDED entries";
				return -E2BIG;
			}
			slot = &out->needed[out->n_needed];
		} else if (tag == DT_RUNPATH && !out->runpath)
			slot = &out->runpath;
		else if (tag == DT_RPATH && !out->rpath)
			slot = &out->rpath;
		else
			continue;
		if (val >= avail) {
			*msg = "dynamic string outside the string table";
			return -EBADMSG;
		}
		int e = str_at(r, soff + val, soff + avail, slot);
		if (e < 0) {
			*msg = "unterminated dynamic string";
			return e;
		}
		if (tag == DT_NEEDED)
			out->n_needed++;
	}
	return 0;
}

int elf_parse(const uint8_t *buf, size_t len, struct elf_info *out, const char **msg)
{
	memset(out, 0, sizeof(*out));
	*msg = "";
	if (len < EI_NIDENT || !elf_is_elf(buf, len)) {
		*msg = "not an ELF file";
		return -ENOEXEC;
	}
	struct reader r = {buf, len, buf[EI_DATA] == ELFDATA2MSB, buf[EI_CLASS] == ELFCLASS64};
	if ((buf[EI_CLASS] != ELFCLASS32 && !r.is64) ||
	    (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB)) {
		*msg = "unknown ELF class or byte order";
		return -ENOEXEC;
	}
	size_t ehsize = r.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (len < ehsize) {
		*msg = "truncated ELF header";
		return -EBADMSG;
	}
	out->is64 = r.is64;
	out->big_endian = r.be;
	out->type = (uint16_t)rd(&r, 16, 2);
	out->machine = (uint16_t)rd(&r, 18, 2);
	uint64_t phoff = r.is64 ? rd(&r, 32, 8) : rd(&r, 28, 4);
	size_t phentsize = (size_t)rd(&r, r.is64 ? 54 : 42, 2);
	size_t phnum = (size_t)rd(&r, r.is64 ? 56 : 44, 2);
	if (out->type != ET_EXEC && out->type != ET_DYN) {
		*msg = "not an executable or shared object";
		return -ENOEXEC;
	}
	size_t minent = r.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (phnum && (phentsize < minent || !in_file(&r, phoff, (uint64_t)phnum * phentsize))) {
		*msg = "program headers outside the file";
		return -EBADMSG;
	}
	int e = 0;
	for (size_t i = 0; i < phnum && e == 0; i++) {
		struct phdr p = phdr_at(&r, (size_t)phoff + i * phentsize);
		if (p.type == PT_INTERP && !out->interp) {
			if (!in_file(&r, p.offset, p.filesz) || p.filesz == 0) {
				*msg = "PT_INTERP outside the file";
				e = -EBADMSG;
			} else if ((e = str_at(&r, p.offset, p.offset + p.filesz, &out->interp)) <
				   0)
				*msg = "unterminated PT_INTERP";
		} else if (p.type == PT_DYNAMIC)
			e = parse_dynamic(&r, &p, (size_t)phoff, phnum, phentsize, out, msg);
	}
	if (e < 0)
		elf_info_free(out);
	return e;
}

void elf_info_free(struct elf_info *e)
{
	free(e->interp);
	free(e->runpath);
	free(e->rpath);
	for (size_t i = 0; i < e->n_needed; i++)
		free(e->needed[i]);
	memset(e, 0, sizeof(*e));
}
