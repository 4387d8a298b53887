/* ELF64 domain images: every field is checked before anything is copied. */
#include <core/elf.h>
#include <core/lib.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PF_X 1
#define ELF_MAX_PHDRS 32

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -TESSERA_ENOEXEC;
}

static int check_header(const uint8_t *img, uint64_t size, struct elf64_ehdr *eh, const char **why)
{
	uint64_t end;
	if (size < sizeof(*eh))
		return fail(why, "image shorter than an ELF header");
	memcpy(eh, img, sizeof(*eh));
	if (memcmp(eh->ident, "\177ELF", 4))
		return fail(why, "not an ELF file");
	if (eh->ident[4] != 2 || eh->ident[5] != 1 || eh->ident[6] != 1)
		return fail(why, "not a little-endian ELF64 version 1 file");
	if (eh->type != ET_EXEC || eh->machine != EM_X86_64 || eh->version != 1)
		return fail(why, "not an x86-64 executable");
	if (eh->phentsize != sizeof(struct elf64_phdr))
		return fail(why, "program header size is wrong");
	if (!eh->phnum || eh->phnum > ELF_MAX_PHDRS)
		return fail(why, "program header count out of range");
	if (!range_add_ok(eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf64_phdr), &end) ||
	    end > size)
		return fail(why, "program headers outside the image");
	return 0;
}

static int check_segment(const struct elf64_phdr *ph, uint64_t size, uint64_t mem_size,
			 const struct elf_image *out, const char **why)
{
	uint64_t end;
	if (ph->filesz > ph->memsz)
		return fail(why, "segment file size exceeds memory size");
	if (!range_add_ok(ph->offset, ph->filesz, &end) || end > size)
		return fail(why, "segment data outside the image");
	if (ph->vaddr != ph->paddr)
		return fail(why, "segment virtual and physical addresses differ");
	if (ph->paddr < TESSERA_GUEST_LOAD_MIN || !range_within(ph->paddr, ph->memsz, mem_size))
		return fail(why, "segment outside the domain's memory");
	for (uint32_t i = 0; i < out->nsegs; i++)
#ifdef FUZZ_PLANTED_BUG /* overlapping segments accepted (fuzz/planted.sh) */
		if (0 && ranges_overlap(ph->paddr, ph->memsz, out->segs[i].gpa, out->segs[i].memsz))
#else
		if (ranges_overlap(ph->paddr, ph->memsz, out->segs[i].gpa, out->segs[i].memsz))
#endif
			return fail(why, "segments overlap");
	if (out->nsegs >= ELF_MAX_SEGS)
		return fail(why, "too many loadable segments");
	return 0;
}

int elf_check(const uint8_t *img, uint64_t size, uint64_t mem_size,
	      struct elf_image *out, const char **why)
{
	struct elf64_ehdr eh;
	bool entry_ok = false;
	int rc = check_header(img, size, &eh, why);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->entry = eh.entry;
	for (uint16_t i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, img + eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.type == PT_DYNAMIC || ph.type == PT_INTERP)
			return fail(why, "dynamically linked images are not supported");
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		rc = check_segment(&ph, size, mem_size, out, why);
		if (rc)
			return rc;
		if ((ph.flags & PF_X) && eh.entry >= ph.paddr && eh.entry - ph.paddr < ph.memsz)
			entry_ok = true;
		out->segs[out->nsegs++] = (struct elf_seg){ ph.paddr, ph.offset, ph.filesz, ph.memsz };
	}
	if (!out->nsegs)
		return fail(why, "no loadable segment");
	if (!entry_ok)
		return fail(why, "entry point not inside an executable segment");
	return 0;
}

void elf_load(const struct elf_image *ei, const uint8_t *img, uint8_t *mem)
{
	for (uint32_t i = 0; i < ei->nsegs; i++) {
		const struct elf_seg *s = &ei->segs[i];
		memcpy(mem + s->gpa, img + s->off, s->filesz);
		memset(mem + s->gpa + s->filesz, 0, s->memsz - s->filesz);
	}
}
