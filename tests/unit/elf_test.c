/* ELF64 domain image checks and loading. */
#include "util.h"
#include <core/elf.h>
#include <stdlib.h>
#include <tessera/errno.h>

#define MEM (4ULL << 20)

static struct img im;
static struct elf_image ei;
static const char *why;

static int check_mem(uint64_t mem)
{
	why = NULL;
	return elf_check(im.b, im.size, mem, &ei, &why);
}

static int check(void)
{
	return check_mem(MEM);
}

#define REJECTS(msg)                                                                  \
	do {                                                                          \
		CHECK_EQ(check(), -TESSERA_ENOEXEC);                                  \
		CHECK_STREQ(why, msg);                                                \
	} while (0)

/* Add program header n (phnum grows to n + 1). */
static Elf64_Phdr *add_ph(unsigned n, uint32_t type, uint32_t flags, uint64_t off, uint64_t gpa,
			  uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *ph = img_ph(&im, n);
	*ph = (Elf64_Phdr){ .p_type = type, .p_flags = flags, .p_offset = off, .p_vaddr = gpa,
			    .p_paddr = gpa, .p_filesz = filesz, .p_memsz = memsz };
	img_eh(&im)->e_phnum = (uint16_t)(n + 1);
	return ph;
}

TEST(elf_valid_image_is_accepted)
{
	img_default(&im);
	CHECK_EQ(check(), 0);
	CHECK_EQ(ei.entry, IMG_ENTRY);
	CHECK_EQ(ei.nsegs, 2);
	CHECK_EQ(ei.segs[0].gpa, IMG_TEXT);
	CHECK_EQ(ei.segs[0].off, IMG_TEXT_OFF);
	CHECK_EQ(ei.segs[0].filesz, IMG_TEXT_SIZE);
	CHECK_EQ(ei.segs[1].gpa, IMG_DATA);
	CHECK_EQ(ei.segs[1].memsz, IMG_DATA_MEMSZ);
}

TEST(elf_load_copies_file_bytes_and_zeroes_bss)
{
	uint8_t *mem = malloc(MEM);
	CHECK(mem);
	img_default(&im);
	CHECK_EQ(check(), 0);
	memset(mem, 0xaa, MEM);
	elf_load(&ei, im.b, mem);
	for (uint64_t i = 0; i < IMG_TEXT_SIZE; i++)
		CHECK_EQ(mem[IMG_TEXT + i], img_byte(0, i));
	for (uint64_t i = 0; i < IMG_DATA_FILESZ; i++)
		CHECK_EQ(mem[IMG_DATA + i], img_byte(1, i));
	for (uint64_t i = IMG_DATA_FILESZ; i < IMG_DATA_MEMSZ; i++)
		CHECK_EQ(mem[IMG_DATA + i], 0);
	/* nothing outside the segments is touched */
	CHECK_EQ(mem[IMG_TEXT - 1], 0xaa);
	CHECK_EQ(mem[IMG_TEXT + IMG_TEXT_SIZE], 0xaa);
	CHECK_EQ(mem[IMG_DATA - 1], 0xaa);
	CHECK_EQ(mem[IMG_DATA + IMG_DATA_MEMSZ], 0xaa);
	free(mem);
}

TEST(elf_truncated_header_is_rejected)
{
	img_default(&im);
	im.size = sizeof(Elf64_Ehdr) - 1;
	REJECTS("image shorter than an ELF header");
	im.size = 0;
	REJECTS("image shorter than an ELF header");
}

TEST(elf_bad_magic_is_rejected)
{
	img_default(&im);
	im.b[1] = 'F';
	REJECTS("not an ELF file");
	img_default(&im);
	im.b[0] = 0;
	REJECTS("not an ELF file");
}

TEST(elf_32_bit_class_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_ident[EI_CLASS] = ELFCLASS32;
	REJECTS("not a little-endian ELF64 version 1 file");
}

TEST(elf_big_endian_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_ident[EI_DATA] = ELFDATA2MSB;
	REJECTS("not a little-endian ELF64 version 1 file");
	img_default(&im);
	img_eh(&im)->e_ident[EI_VERSION] = 2;
	REJECTS("not a little-endian ELF64 version 1 file");
}

TEST(elf_wrong_machine_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_machine = EM_AARCH64;
	REJECTS("not an x86-64 executable");
}

TEST(elf_non_executable_type_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_type = ET_DYN;
	REJECTS("not an x86-64 executable");
	img_eh(&im)->e_type = ET_REL;
	REJECTS("not an x86-64 executable");
	img_default(&im);
	img_eh(&im)->e_version = 0;
	REJECTS("not an x86-64 executable");
}

TEST(elf_wrong_program_header_size_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_phentsize = sizeof(Elf64_Phdr) - 1;
	REJECTS("program header size is wrong");
	img_eh(&im)->e_phentsize = sizeof(Elf64_Phdr) * 2;
	REJECTS("program header size is wrong");
}

TEST(elf_zero_or_huge_program_header_count_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_phnum = 0;
	REJECTS("program header count out of range");
	img_eh(&im)->e_phnum = 33;
	REJECTS("program header count out of range");
	img_eh(&im)->e_phnum = 0xffff;
	REJECTS("program header count out of range");
}

TEST(elf_program_headers_past_image_end_are_rejected)
{
	img_default(&im);
	img_eh(&im)->e_phoff = im.size - sizeof(Elf64_Phdr);
	REJECTS("program headers outside the image");
	img_default(&im);
	im.size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 10; /* second header cut off */
	REJECTS("program headers outside the image");
}

TEST(elf_program_header_offset_overflow_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_phoff = ~0ULL - 50;
	REJECTS("program headers outside the image");
	img_eh(&im)->e_phoff = ~0ULL - 2 * sizeof(Elf64_Phdr) + 1;
	REJECTS("program headers outside the image");
}

TEST(elf_segment_data_past_image_end_is_rejected)
{
	img_default(&im);
	img_ph(&im, 1)->p_filesz = IMG_DATA_FILESZ + 1;
	REJECTS("segment data outside the image");
	img_default(&im);
	img_ph(&im, 0)->p_offset = im.size;
	REJECTS("segment data outside the image");
}

TEST(elf_segment_offset_overflow_is_rejected)
{
	img_default(&im);
	img_ph(&im, 0)->p_offset = ~0ULL - 0x10;
	REJECTS("segment data outside the image");
}

TEST(elf_file_size_above_memory_size_is_rejected)
{
	img_default(&im);
	img_ph(&im, 0)->p_memsz = IMG_TEXT_SIZE - 1;
	REJECTS("segment file size exceeds memory size");
}

TEST(elf_virtual_address_different_from_physical_is_rejected)
{
	img_default(&im);
	img_ph(&im, 1)->p_vaddr = 0xffffffff80102000ULL;
	REJECTS("segment virtual and physical addresses differ");
}

/* Below 1 MiB lie the guest page tables the core builds. */
TEST(elf_segment_below_1mib_is_rejected)
{
	img_default(&im);
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, 0xff000, 0, 0x2000);
	REJECTS("segment outside the domain's memory");
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, 0x1000, 0, 0x10); /* guest PML4 */
	REJECTS("segment outside the domain's memory");
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, 0, 0, 0x10);
	REJECTS("segment outside the domain's memory");
}

TEST(elf_segment_past_domain_memory_is_rejected)
{
	img_default(&im);
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, MEM - 0x1000, 0, 0x1001);
	REJECTS("segment outside the domain's memory");
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, MEM, 0, 1);
	REJECTS("segment outside the domain's memory");
}

TEST(elf_segment_ending_exactly_at_memory_end_is_accepted)
{
	img_default(&im);
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, MEM - 0x1000, 0, 0x1000);
	CHECK_EQ(check(), 0);
	CHECK_EQ(ei.nsegs, 3);
}

TEST(elf_segment_address_wrapping_around_is_rejected)
{
	img_default(&im);
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, 0x200000, 0, ~0ULL - 0x100000);
	REJECTS("segment outside the domain's memory");
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, ~0ULL - 0xfff, 0, 0x2000);
	REJECTS("segment outside the domain's memory");
}

/* 0x200000 is where the core sits in host memory; for a 2 MiB domain it is simply outside. */
TEST(elf_segment_at_core_address_outside_small_domain_is_rejected)
{
	img_default(&im);
	add_ph(2, PT_LOAD, PF_R | PF_W, IMG_DATA_OFF, 0x200000, 0, 0x1000);
	CHECK_EQ(check_mem(2ULL << 20), -TESSERA_ENOEXEC);
	CHECK_STREQ(why, "segment outside the domain's memory");
	CHECK_EQ(check_mem(4ULL << 20), 0);
}

TEST(elf_overlapping_segments_are_rejected)
{
	img_default(&im);
	add_ph(2, PT_LOAD, PF_R, IMG_DATA_OFF, IMG_DATA + IMG_DATA_MEMSZ - 1, 1, 0x100);
	REJECTS("segments overlap");
	add_ph(2, PT_LOAD, PF_R, IMG_DATA_OFF, IMG_TEXT + IMG_TEXT_SIZE - 1, 0, 0x1000);
	REJECTS("segments overlap");
	add_ph(2, PT_LOAD, PF_R, IMG_DATA_OFF, IMG_TEXT, 0, IMG_TEXT_SIZE); /* identical */
	REJECTS("segments overlap");
	add_ph(2, PT_LOAD, PF_R, IMG_DATA_OFF, IMG_DATA + IMG_DATA_MEMSZ, 0, 0x100); /* adjacent */
	CHECK_EQ(check(), 0);
}

TEST(elf_entry_outside_executable_segment_is_rejected)
{
	img_default(&im);
	img_eh(&im)->e_entry = IMG_DATA; /* data is not executable */
	REJECTS("entry point not inside an executable segment");
	img_eh(&im)->e_entry = IMG_TEXT + IMG_TEXT_SIZE; /* one past the text */
	REJECTS("entry point not inside an executable segment");
	img_eh(&im)->e_entry = 0;
	REJECTS("entry point not inside an executable segment");
	img_eh(&im)->e_entry = IMG_TEXT + IMG_TEXT_SIZE - 1;
	CHECK_EQ(check(), 0);
	CHECK_EQ(ei.entry, IMG_TEXT + IMG_TEXT_SIZE - 1);
	img_eh(&im)->e_entry = IMG_TEXT;
	CHECK_EQ(check(), 0);
}

TEST(elf_dynamic_and_interpreter_segments_are_rejected)
{
	img_default(&im);
	add_ph(2, PT_DYNAMIC, PF_R, IMG_DATA_OFF, 0, 0, 0);
	REJECTS("dynamically linked images are not supported");
	img_default(&im);
	add_ph(2, PT_INTERP, PF_R, IMG_DATA_OFF, 0, 0, 0);
	REJECTS("dynamically linked images are not supported");
}

TEST(elf_other_segment_types_are_ignored)
{
	img_default(&im);
	add_ph(2, PT_NOTE, PF_R, ~0ULL, 0x10, ~0ULL, 1);  /* nonsense fields, not loaded */
	add_ph(3, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	add_ph(4, PT_LOAD, PF_R, ~0ULL, 0x10, 5, 0);       /* empty PT_LOAD: nothing to load */
	CHECK_EQ(check(), 0);
	CHECK_EQ(ei.nsegs, 2);
}

TEST(elf_more_than_8_loadable_segments_is_rejected)
{
	img_default(&im);
	for (unsigned i = 2; i < ELF_MAX_SEGS; i++)
		add_ph(i, PT_LOAD, PF_R, IMG_DATA_OFF, 0x200000 + i * 0x1000, 0, 0x1000);
	CHECK_EQ(check(), 0);
	CHECK_EQ(ei.nsegs, ELF_MAX_SEGS);
	add_ph(ELF_MAX_SEGS, PT_LOAD, PF_R, IMG_DATA_OFF, 0x300000, 0, 0x1000);
	REJECTS("too many loadable segments");
}

TEST(elf_image_without_loadable_segment_is_rejected)
{
	img_default(&im);
	img_ph(&im, 0)->p_type = PT_NOTE;
	img_ph(&im, 1)->p_type = PT_NULL;
	REJECTS("no loadable segment");
}
