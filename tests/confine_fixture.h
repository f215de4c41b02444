/* Temporary trees for the initkit-confine tests: a root directory with files, links and
 * crafted ELF objects, removed afterwards. */
#pragma once

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void fx_mkdirs(int rootfd, const char *path)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", path[0] == '/' ? path + 1 : path);
	for (char *s = p; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdirat(rootfd, p, 0755);
			*s = '/';
		}
	mkdirat(rootfd, p, 0755);
}

static inline void fx_parent(int rootfd, const char *path)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", path);
	char *slash = strrchr(p, '/');
	if (slash && slash != p) {
		*slash = '\0';
		fx_mkdirs(rootfd, p);
	}
}

static inline void fx_write(int rootfd, const char *path, const void *data, size_t len, mode_t mode)
{
	fx_parent(rootfd, path);
	unlinkat(rootfd, path + 1, 0);
	int fd = openat(rootfd, path + 1, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	fchmod(fd, mode);
	close(fd);
}

static inline void fx_text(int rootfd, const char *path, const char *text)
{
	fx_write(rootfd, path, text, strlen(text), 0644);
}

static inline void fx_link(int rootfd, const char *path, const char *target)
{
	fx_parent(rootfd, path);
	unlinkat(rootfd, path + 1, 0);
	if (symlinkat(target, rootfd, path + 1) < 0) {
		perror(path);
		abort();
	}
}

/* A minimal ELF64 (x86-64, little endian, or ELF32 i386 with is32) with PT_LOAD, optional
 * PT_INTERP and a PT_DYNAMIC holding DT_NEEDED (NULL-terminated list), DT_RUNPATH, DT_RPATH. */
static inline size_t fx_elf(uint8_t *buf, size_t size, const char *interp,
			    const char *const *needed, const char *runpath, const char *rpath,
			    bool is32)
{
	memset(buf, 0, size);
	const uint64_t base = 0x400000, stroff = 512, dynoff = 1536;
	size_t strlen_ = 1, ndyn = 0;
	uint64_t dyn[64][2];
	char *strtab = (char *)buf + stroff;
	for (size_t i = 0; needed && needed[i]; i++) {
		strcpy(strtab + strlen_, needed[i]);
		dyn[ndyn][0] = DT_NEEDED, dyn[ndyn++][1] = strlen_;
		strlen_ += strlen(needed[i]) + 1;
	}
	if (runpath) {
		strcpy(strtab + strlen_, runpath);
		dyn[ndyn][0] = DT_RUNPATH, dyn[ndyn++][1] = strlen_;
		strlen_ += strlen(runpath) + 1;
	}
	if (rpath) {
		strcpy(strtab + strlen_, rpath);
		dyn[ndyn][0] = DT_RPATH, dyn[ndyn++][1] = strlen_;
		strlen_ += strlen(rpath) + 1;
	}
	dyn[ndyn][0] = DT_STRTAB, dyn[ndyn++][1] = base + stroff;
	dyn[ndyn][0] = DT_STRSZ, dyn[ndyn++][1] = strlen_;
	dyn[ndyn][0] = DT_NULL, dyn[ndyn++][1] = 0;
	size_t total = dynoff + ndyn * 16;
	if (interp)
		strcpy((char *)buf + 256, interp);
	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_DATA] = ELFDATA2LSB;
	buf[EI_VERSION] = EV_CURRENT;
	if (is32) {
		buf[EI_CLASS] = ELFCLASS32;
		Elf32_Ehdr *eh = (Elf32_Ehdr *)buf;
		eh->e_type = ET_DYN;
		eh->e_machine = EM_386;
		eh->e_phoff = 64;
		eh->e_phentsize = sizeof(Elf32_Phdr);
		eh->e_phnum = 3;
		Elf32_Phdr *ph = (Elf32_Phdr *)(buf + 64);
		ph[0] = (Elf32_Phdr){.p_type = PT_LOAD,
				     .p_offset = 0,
				     .p_vaddr = base,
				     .p_filesz = (uint32_t)total};
		ph[1] = (Elf32_Phdr){.p_type = interp ? PT_INTERP : PT_NULL,
				     .p_offset = 256,
				     .p_filesz = interp ? (uint32_t)strlen(interp) + 1 : 0};
		/* 32-bit dynamic entries are 8 bytes: rewrite them */
		for (size_t i = 0; i < ndyn; i++) {
			uint32_t t = (uint32_t)dyn[i][0], v = (uint32_t)dyn[i][1];
			memcpy(buf + dynoff + i * 8, &t, 4);
			memcpy(buf + dynoff + i * 8 + 4, &v, 4);
		}
		ph[2] = (Elf32_Phdr){
			.p_type = PT_DYNAMIC, .p_offset = dynoff, .p_filesz = (uint32_t)ndyn * 8};
		return total;
	}
	buf[EI_CLASS] = ELFCLASS64;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = 64;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + 64);
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0, .p_vaddr = base, .p_filesz = total};
	ph[1] = (Elf64_Phdr){.p_type = interp ? PT_INTERP : PT_NULL,
			     .p_offset = 256,
			     .p_filesz = interp ? strlen(interp) + 1 : 0};
	ph[2] = (Elf64_Phdr){.p_type = PT_DYNAMIC, .p_offset = dynoff, .p_filesz = ndyn * 16};
	memcpy(buf + dynoff, dyn, ndyn * 16);
	return total;
}

static inline void fx_elf_file(int rootfd, const char *path, const char *interp,
			       const char *const *needed, const char *runpath, const char *rpath)
{
	static uint8_t buf[4096];
	size_t n = fx_elf(buf, sizeof(buf), interp, needed, runpath, rpath, false);
	fx_write(rootfd, path, buf, n, 0755);
}

static inline int fx_root(char *dir)
{
	strcpy(dir, "/tmp/initkit-confine-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static inline void fx_cleanup(int rootfd, const char *dir)
{
	char cmd[4200];
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}
