/* ELF64 domain image checking and loading. */
#ifndef CORE_ELF_H
#define CORE_ELF_H
#include <core/types.h>

#define ELF_MAX_SEGS 8

struct elf_seg {
	uint64_t gpa, off, filesz, memsz;
};

struct elf_image {
	uint64_t entry;
	uint32_t nsegs;
	struct elf_seg segs[ELF_MAX_SEGS];
};

/* Validate an image for a domain with mem_size bytes; *why names the first problem. */
int elf_check(const uint8_t *img, uint64_t size, uint64_t mem_size,
	      struct elf_image *out, const char **why);
/* Copy checked segments into zeroed domain memory. */
void elf_load(const struct elf_image *ei, const uint8_t *img, uint8_t *mem);
#endif
