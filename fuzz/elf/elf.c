/*
 * The ELF loader (core/elf.c): an image checked for a domain of 2 or 4 MiB (the
 * input's length picks), then loaded into zeroed memory of that size. Every
 * segment must lie inside it and hold exactly the file's bytes, then zeros.
 */
#include <core/elf.h>
#include <stdlib.h>
#include <string.h>

#define MEM_MAX (4u << 20)

static uint8_t *mem;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mem = calloc(1, MEM_MAX);
	return mem ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image ei;
	const char *why = NULL;
	uint64_t mem_size = size & 1 ? MEM_MAX : MEM_MAX / 2;
	if (elf_check(data, size, mem_size, &ei, &why)) {
		if (!why)
			abort();
		return 0;
	}
	if (!ei.nsegs || ei.nsegs > ELF_MAX_SEGS)
		abort();
	for (uint32_t i = 0; i < ei.nsegs; i++) {
		const struct elf_seg *s = &ei.segs[i];
		if (s->filesz > s->memsz || s->gpa < (1u << 20) || s->memsz > mem_size ||
		    s->gpa > mem_size - s->memsz || s->off > size || s->filesz > size - s->off)
			abort();
	}
	elf_load(&ei, data, mem);
	for (uint32_t i = 0; i < ei.nsegs; i++) {
		const struct elf_seg *s = &ei.segs[i];
		/* Overlapping segments would make the later one win: the check must refuse them. */
		if (memcmp(mem + s->gpa, data + s->off, s->filesz))
			abort();
		for (uint64_t k = s->filesz; k < s->memsz; k++)
			if (mem[s->gpa + k])
				abort();
	}
	for (uint32_t i = 0; i < ei.nsegs; i++)
		memset(mem + ei.segs[i].gpa, 0, ei.segs[i].memsz);
	return 0;
}
