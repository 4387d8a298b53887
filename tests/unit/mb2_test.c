/* The Multiboot2 boot information parser, over info written into simulated memory. */
#include "util.h"
#include <tessera/errno.h>

#define INFO_PA 0x10000ULL

static uint8_t *info;
static uint32_t off;
static struct boot_info bi;
static const char *why;

static void put32(uint32_t at, uint32_t v)
{
	memcpy(info + at, &v, 4);
}

static void put64(uint32_t at, uint64_t v)
{
	memcpy(info + at, &v, 8);
}

static void begin(void)
{
	info = sim_phys(INFO_PA, 2ULL << 20);
	off = 8;
}

/* Append a tag header of the given size; returns the offset of its payload. */
static uint32_t tag(uint32_t type, uint32_t size)
{
	uint32_t at = off;
	put32(at, type);
	put32(at + 4, size);
	off += (size + 7) & ~7u;
	return at + 8;
}

static void cmdline(const char *s)
{
	uint32_t p = tag(1, 8 + (uint32_t)strlen(s) + 1);
	memcpy(info + p, s, strlen(s) + 1);
}

static void module(uint32_t start, uint32_t end, const char *s)
{
	uint32_t p = tag(3, 16 + (uint32_t)strlen(s) + 1);
	put32(p, start);
	put32(p + 4, end);
	memcpy(info + p + 8, s, strlen(s) + 1);
}

/* A memory map tag with n entries of esize bytes; entry i from r[i]. */
static void mmap_tag(uint32_t esize, const struct boot_region *r, uint32_t n)
{
	uint32_t p = tag(6, 16 + esize * n);
	put32(p, esize);
	put32(p + 4, 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = p + 8 + i * esize;
		memset(info + e, 0xee, esize);
		put64(e, r[i].base);
		put64(e + 8, r[i].len);
		put32(e + 16, r[i].type);
		put32(e + 20, 0);
	}
}

static const struct boot_region std_map[] = {
	{ 0, 0x9fc00, BOOT_MEM_AVAILABLE },
	{ 0xf0000, 0x10000, BOOT_MEM_RESERVED },
	{ 0x100000, 0x3f00000, BOOT_MEM_AVAILABLE },
	{ 0xfffc0000, 0x40000, BOOT_MEM_RESERVED },
};

static void std_mmap(void)
{
	mmap_tag(24, std_map, 4);
}

static void finish(void)
{
	tag(0, 8);
	put32(0, off);
	put32(4, 0);
}

static int parse(void)
{
	why = NULL;
	return mb2_parse(INFO_PA, &bi, &why);
}

/* The parse fails with -EINVAL and names the problem. */
#define REJECTS(msg)                                                                  \
	do {                                                                          \
		CHECK_EQ(parse(), -TESSERA_EINVAL);                                   \
		CHECK_STREQ(why, msg);                                                \
	} while (0)

TEST(mb2_valid_info_is_parsed)
{
	begin();
	cmdline("/boot/tessera.elf debug_exit=on");
	tag(14, 8 + 20); /* an ACPI RSDP tag: copied, unchecked */
	module(0x400000, 0x401234, "/boot/hello.elf domain=hello mem=2M");
	std_mmap();
	module(0x500000, 0x500001, "");
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_STREQ(bi.loader, "multiboot2");
	CHECK_STREQ(bi.cmdline, "/boot/tessera.elf debug_exit=on");
	CHECK_EQ(bi.nregions, 4);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(bi.regions[i].base, std_map[i].base);
		CHECK_EQ(bi.regions[i].len, std_map[i].len);
		CHECK_EQ(bi.regions[i].type, std_map[i].type);
	}
	CHECK_EQ(bi.nmodules, 2);
	CHECK_EQ(bi.modules[0].start, 0x400000);
	CHECK_EQ(bi.modules[0].end, 0x401234);
	CHECK_STREQ(bi.modules[0].cmdline, "/boot/hello.elf domain=hello mem=2M");
	CHECK_EQ(bi.modules[1].start, 0x500000);
	CHECK_EQ(bi.modules[1].end, 0x500001);
	CHECK_STREQ(bi.modules[1].cmdline, "");
	CHECK_EQ(bi.rsdp_len, 20);
}

TEST(mb2_without_cmdline_tag_has_empty_cmdline)
{
	begin();
	std_mmap();
	finish();
	memset(&bi, 'x', sizeof(bi));
	CHECK_EQ(parse(), 0);
	CHECK_STREQ(bi.cmdline, "");
	CHECK_EQ(bi.nmodules, 0);
}

/* A tag 14 (ACPI 1.0) or 15 (ACPI 2.0+) payload with a recognisable pattern. */
static void rsdp_tag(uint32_t type, uint32_t len)
{
	uint32_t p = tag(type, 8 + len);
	for (uint32_t i = 0; i < len; i++)
		info[p + i] = (uint8_t)(type * 16 + i);
}

static void check_rsdp(uint32_t type, uint32_t len)
{
	CHECK_EQ(bi.rsdp_len, len);
	for (uint32_t i = 0; i < len; i++)
		CHECK_EQ(bi.rsdp[i], (uint8_t)(type * 16 + i));
}

TEST(mb2_acpi_old_rsdp_tag_is_copied)
{
	begin();
	std_mmap();
	rsdp_tag(14, 20);
	finish();
	CHECK_EQ(parse(), 0);
	check_rsdp(14, 20);
	CHECK_EQ(bi.rsdp[20], 0);
}

TEST(mb2_acpi_new_rsdp_tag_wins_over_old_in_either_order)
{
	begin();
	rsdp_tag(14, 20);
	rsdp_tag(15, 36);
	std_mmap();
	finish();
	CHECK_EQ(parse(), 0);
	check_rsdp(15, 36);
	begin();
	rsdp_tag(15, 36);
	std_mmap();
	rsdp_tag(14, 20);
	finish();
	CHECK_EQ(parse(), 0);
	check_rsdp(15, 36);
}

/* GRUB sizes tag 15 by the RSDP's length field; the first 36 bytes are the RSDP. */
TEST(mb2_longer_rsdp_tags_are_cut_to_the_rsdp)
{
	begin();
	std_mmap();
	rsdp_tag(15, 44);
	finish();
	CHECK_EQ(parse(), 0);
	check_rsdp(15, 36);
	begin();
	std_mmap();
	rsdp_tag(14, 36);
	finish();
	CHECK_EQ(parse(), 0);
	check_rsdp(14, 20);
}

TEST(mb2_without_rsdp_tag_has_no_rsdp)
{
	begin();
	std_mmap();
	finish();
	memset(&bi, 'x', sizeof(bi));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.rsdp_len, 0);
}

TEST(mb2_truncated_rsdp_tags_are_rejected)
{
	begin();
	std_mmap();
	rsdp_tag(14, 19);
	finish();
	REJECTS("ACPI RSDP tag truncated");
	begin();
	std_mmap();
	rsdp_tag(15, 35);
	finish();
	REJECTS("ACPI RSDP tag truncated");
	begin();
	std_mmap();
	rsdp_tag(15, 0);
	finish();
	REJECTS("ACPI RSDP tag truncated");
	begin();
	std_mmap();
	rsdp_tag(15, 20); /* an ACPI 1.0 RSDP in an ACPI 2.0 tag */
	finish();
	REJECTS("ACPI RSDP tag truncated");
}

TEST(mb2_two_rsdp_tags_of_a_kind_are_rejected)
{
	begin();
	std_mmap();
	rsdp_tag(14, 20);
	rsdp_tag(14, 20);
	finish();
	REJECTS("more than one ACPI 1.0 RSDP tag");
	begin();
	std_mmap();
	rsdp_tag(15, 36);
	rsdp_tag(14, 20);
	rsdp_tag(15, 36);
	finish();
	REJECTS("more than one ACPI 2.0 RSDP tag");
}

TEST(mb2_zero_length_regions_are_dropped)
{
	static const struct boot_region r[] = {
		{ 0x100000, 0, BOOT_MEM_AVAILABLE },
		{ 0x200000, 0x1000, BOOT_MEM_AVAILABLE },
	};
	begin();
	mmap_tag(24, r, 2);
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nregions, 1);
	CHECK_EQ(bi.regions[0].base, 0x200000);
}

/* Entries may be larger than 24 bytes (future fields); the stride is entry_size. */
TEST(mb2_mmap_entry_size_larger_than_24_is_honoured)
{
	begin();
	mmap_tag(40, std_map, 4);
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nregions, 4);
	CHECK_EQ(bi.regions[3].base, 0xfffc0000);
	CHECK_EQ(bi.regions[3].type, BOOT_MEM_RESERVED);
}

TEST(mb2_tags_after_end_tag_are_ignored)
{
	begin();
	std_mmap();
	tag(0, 8);
	cmdline("after the end");
	put32(0, off);
	CHECK_EQ(parse(), 0);
	CHECK_STREQ(bi.cmdline, "");
}

TEST(mb2_misaligned_info_is_rejected)
{
	begin();
	std_mmap();
	finish();
	why = NULL;
	CHECK_EQ(mb2_parse(INFO_PA + 4, &bi, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "boot information not 8-byte aligned");
	CHECK_EQ(mb2_parse(INFO_PA + 1, &bi, &why), -TESSERA_EINVAL);
}

TEST(mb2_total_size_below_16_is_rejected)
{
	begin();
	put32(0, 8);
	put32(8, 0);
	put32(12, 8);
	REJECTS("boot information size invalid");
	put32(0, 0);
	REJECTS("boot information size invalid");
}

TEST(mb2_total_size_above_1mib_is_rejected)
{
	begin();
	std_mmap();
	finish();
	put32(0, (1u << 20) + 8);
	REJECTS("boot information size invalid");
	put32(0, 0xfffffff8);
	REJECTS("boot information size invalid");
}

TEST(mb2_total_size_not_multiple_of_8_is_rejected)
{
	begin();
	std_mmap();
	finish();
	put32(0, off + 4);
	REJECTS("boot information size invalid");
}

TEST(mb2_tag_size_below_8_is_rejected)
{
	begin();
	std_mmap();
	uint32_t at = off;
	tag(14, 8);
	finish();
	put32(at + 4, 4);
	REJECTS("tag size runs past the boot information");
	put32(at + 4, 0); /* would loop forever if accepted */
	REJECTS("tag size runs past the boot information");
}

TEST(mb2_tag_running_past_total_size_is_rejected)
{
	begin();
	std_mmap();
	uint32_t at = off;
	tag(14, 16);
	finish();
	put32(at + 4, off - at + 8);
	REJECTS("tag size runs past the boot information");
	put32(at + 4, 0xfffffff0);
	REJECTS("tag size runs past the boot information");
}

TEST(mb2_missing_end_tag_is_rejected)
{
	begin();
	std_mmap();
	put32(0, off);
	REJECTS("no end tag");
}

TEST(mb2_end_tag_of_wrong_size_is_rejected)
{
	begin();
	std_mmap();
	tag(0, 16);
	put32(0, off);
	REJECTS("end tag has wrong size");
}

TEST(mb2_missing_memory_map_is_rejected)
{
	begin();
	cmdline("x");
	finish();
	REJECTS("no memory map tag");
}

TEST(mb2_two_memory_map_tags_are_rejected)
{
	begin();
	std_mmap();
	std_mmap();
	finish();
	REJECTS("more than one memory map tag");
}

TEST(mb2_truncated_memory_map_tag_is_rejected)
{
	begin();
	uint32_t p = tag(6, 12);
	put32(p, 24);
	finish();
	REJECTS("memory map tag truncated");
}

TEST(mb2_mmap_entry_size_below_24_is_rejected)
{
	begin();
	mmap_tag(16, std_map, 4);
	finish();
	REJECTS("memory map entry size invalid");
	begin();
	mmap_tag(0, std_map, 0); /* would divide by zero */
	finish();
	REJECTS("memory map entry size invalid");
}

TEST(mb2_mmap_entry_size_not_multiple_of_8_is_rejected)
{
	begin();
	mmap_tag(28, std_map, 4);
	finish();
	REJECTS("memory map entry size invalid");
}

TEST(mb2_mmap_tag_size_not_multiple_of_entry_size_is_rejected)
{
	begin();
	uint32_t at = off;
	mmap_tag(24, std_map, 4);
	finish();
	put32(at + 4, 16 + 24 * 3 + 8);
	REJECTS("memory map tag size not a multiple of its entry size");
}

TEST(mb2_mmap_region_wrapping_around_is_rejected)
{
	static const struct boot_region r[] = {
		{ 0x100000, 0x100000, BOOT_MEM_AVAILABLE },
		{ 0xfffffffffffff000ULL, 0x2000, BOOT_MEM_AVAILABLE },
	};
	begin();
	mmap_tag(24, r, 2);
	finish();
	REJECTS("memory map entry wraps around");
}

TEST(mb2_mmap_with_128_regions_is_accepted_129_rejected)
{
	static struct boot_region r[BOOT_MAX_REGIONS + 2];
	for (uint32_t i = 0; i < BOOT_MAX_REGIONS + 2; i++)
		r[i] = (struct boot_region){ 0x100000ULL * (i + 1), 0x1000, BOOT_MEM_AVAILABLE };
	begin();
	mmap_tag(24, r, BOOT_MAX_REGIONS);
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nregions, BOOT_MAX_REGIONS);
	begin();
	mmap_tag(24, r, BOOT_MAX_REGIONS + 1);
	finish();
	REJECTS("memory map has too many entries");
	/* zero-length entries do not count */
	r[5].len = 0;
	begin();
	mmap_tag(24, r, BOOT_MAX_REGIONS + 1);
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nregions, BOOT_MAX_REGIONS);
}

TEST(mb2_32_modules_are_accepted_33_rejected)
{
	begin();
	std_mmap();
	for (uint32_t i = 0; i < BOOT_MAX_MODULES; i++)
		module(0x400000 + i * 0x1000, 0x400800 + i * 0x1000, "m");
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmodules, BOOT_MAX_MODULES);
	begin();
	std_mmap();
	for (uint32_t i = 0; i <= BOOT_MAX_MODULES; i++)
		module(0x400000 + i * 0x1000, 0x400800 + i * 0x1000, "m");
	finish();
	REJECTS("too many modules");
}

/* An empty file is a module like any other; the domain loader rejects it on its own. */
TEST(mb2_empty_module_is_kept_backwards_module_is_rejected)
{
	begin();
	std_mmap();
	module(0x400000, 0x400000, "empty");
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmodules, 1);
	CHECK_EQ(bi.modules[0].end, 0x400000);
	begin();
	std_mmap();
	module(0x400000, 0x3fffff, "backwards");
	finish();
	REJECTS("module ends before it starts");
}

TEST(mb2_truncated_module_tag_is_rejected)
{
	begin();
	std_mmap();
	uint32_t p = tag(3, 16);
	put32(p, 0x400000);
	put32(p + 4, 0x401000);
	finish();
	REJECTS("module tag truncated");
}

TEST(mb2_unterminated_module_string_is_rejected)
{
	begin();
	std_mmap();
	uint32_t at = off;
	module(0x400000, 0x401000, "abcdefg"); /* tag size 24, exactly 8-aligned */
	finish();
	info[at + 16 + 7] = 'h';
	REJECTS("string not terminated inside its tag");
}

TEST(mb2_unterminated_cmdline_is_rejected)
{
	begin();
	std_mmap();
	uint32_t p = tag(1, 16);
	memcpy(info + p, "12345678", 8);
	finish();
	REJECTS("string not terminated inside its tag");
	begin();
	std_mmap();
	tag(1, 8); /* no room even for the NUL */
	finish();
	REJECTS("string not terminated inside its tag");
}

TEST(mb2_cmdline_of_255_bytes_is_accepted_256_rejected)
{
	char s[BOOT_CMDLINE_MAX + 1];
	memset(s, 'c', sizeof(s));
	s[BOOT_CMDLINE_MAX - 1] = '\0';
	begin();
	std_mmap();
	cmdline(s);
	finish();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	s[BOOT_CMDLINE_MAX - 1] = 'c';
	s[BOOT_CMDLINE_MAX] = '\0';
	begin();
	std_mmap();
	cmdline(s);
	finish();
	REJECTS("command line longer than 255 bytes");
	begin();
	std_mmap();
	module(0x400000, 0x401000, s);
	finish();
	REJECTS("command line longer than 255 bytes");
}

TEST(mb2_info_outside_addressable_memory_is_rejected)
{
	why = NULL;
	CHECK_EQ(mb2_parse(SIM_MEM_SIZE, &bi, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "boot information not addressable");
	CHECK_EQ(mb2_parse(~7ULL, &bi, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "boot information not addressable");
	/* the header is addressable, the rest (total_size) is not */
	uint8_t *p = sim_phys(SIM_MEM_SIZE - 8, 8);
	uint32_t total = 64;
	memcpy(p, &total, 4);
	why = NULL;
	CHECK_EQ(mb2_parse(SIM_MEM_SIZE - 8, &bi, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "boot information not addressable");
}

/* An EFI system table tag (11: 32-bit, 12: 64-bit) says UEFI firmware ran the loader. */
TEST(mb2_efi_system_table_tag_marks_an_efi_boot)
{
	for (uint32_t type = 11; type <= 12; type++) {
		begin();
		std_mmap();
		put64(tag(type, type == 11 ? 12 : 16), 0x7fe00000);
		finish();
		memset(&bi, 0, sizeof(bi));
		CHECK_EQ(parse(), 0);
		CHECK(bi.efi);
	}
	begin();
	std_mmap();
	finish();
	memset(&bi, 0, sizeof(bi));
	CHECK_EQ(parse(), 0);
	CHECK(!bi.efi);
}
