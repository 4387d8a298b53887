/* The Multiboot (1) boot information parser, as QEMU -kernel provides it. */
#include "util.h"
#include <tessera/errno.h>

#define INFO_PA 0x10000ULL
#define MMAP_PA 0x11000ULL
#define MODS_PA 0x12000ULL
#define STR_PA  0x13000ULL

#define F_CMDLINE (1u << 2)
#define F_MODS    (1u << 3)
#define F_MMAP    (1u << 6)

static struct boot_info bi;
static const char *why;
static uint32_t mmap_len, str_off;

static void w32(uint64_t pa, uint32_t v)
{
	memcpy(sim_phys(pa, 4), &v, 4);
}

static void w64(uint64_t pa, uint64_t v)
{
	memcpy(sim_phys(pa, 8), &v, 8);
}

static uint32_t str(const char *s)
{
	uint64_t pa = STR_PA + str_off;
	memcpy(sim_phys(pa, strlen(s) + 1), s, strlen(s) + 1);
	str_off += (uint32_t)strlen(s) + 1;
	return (uint32_t)pa;
}

static void entry(uint32_t size, uint64_t base, uint64_t len, uint32_t type)
{
	w32(MMAP_PA + mmap_len, size);
	w64(MMAP_PA + mmap_len + 4, base);
	w64(MMAP_PA + mmap_len + 12, len);
	w32(MMAP_PA + mmap_len + 20, type);
	mmap_len += size + 4;
	w32(INFO_PA + 44, mmap_len);
}

static void set_mod(uint32_t i, uint32_t start, uint32_t end, uint32_t string)
{
	w32(MODS_PA + i * 16, start);
	w32(MODS_PA + i * 16 + 4, end);
	w32(MODS_PA + i * 16 + 8, string);
	w32(MODS_PA + i * 16 + 12, 0);
}

/* flags MMAP|CMDLINE|MODS, two regions, cmdline, two modules. */
static void std_info(void)
{
	memset(sim_phys(INFO_PA, 0x10000), 0, 0x10000);
	mmap_len = str_off = 0;
	w32(INFO_PA, F_MMAP | F_CMDLINE | F_MODS | 3);
	w32(INFO_PA + 48, (uint32_t)MMAP_PA);
	entry(20, 0, 0x9fc00, BOOT_MEM_AVAILABLE);
	entry(20, 0x100000, 0x3f00000, BOOT_MEM_AVAILABLE);
	entry(20, 0xfffc0000, 0x40000, BOOT_MEM_RESERVED);
	w32(INFO_PA + 16, str("tessera.elf debug_exit=on"));
	w32(INFO_PA + 20, 2);
	w32(INFO_PA + 24, (uint32_t)MODS_PA);
	set_mod(0, 0x400000, 0x402000, str("hello.elf domain=hello mem=2M"));
	set_mod(1, 0x500000, 0x500100, str(""));
}

static int parse(void)
{
	why = NULL;
	return mb1_parse(INFO_PA, &bi, &why);
}

#define REJECTS(msg)                                                                  \
	do {                                                                          \
		CHECK_EQ(parse(), -TESSERA_EINVAL);                                   \
		CHECK_STREQ(why, msg);                                                \
	} while (0)

TEST(mb1_valid_info_is_parsed)
{
	std_info();
	CHECK_EQ(parse(), 0);
	CHECK_STREQ(bi.loader, "multiboot1");
	CHECK_STREQ(bi.cmdline, "tessera.elf debug_exit=on");
	CHECK_EQ(bi.nregions, 3);
	CHECK_EQ(bi.regions[1].base, 0x100000);
	CHECK_EQ(bi.regions[1].len, 0x3f00000);
	CHECK_EQ(bi.regions[1].type, BOOT_MEM_AVAILABLE);
	CHECK_EQ(bi.regions[2].type, BOOT_MEM_RESERVED);
	CHECK_EQ(bi.nmodules, 2);
	CHECK_EQ(bi.modules[0].start, 0x400000);
	CHECK_EQ(bi.modules[0].end, 0x402000);
	CHECK_STREQ(bi.modules[0].cmdline, "hello.elf domain=hello mem=2M");
	CHECK_STREQ(bi.modules[1].cmdline, "");
}

/* The size field does not count itself; larger entries are stepped over. */
/* Multiboot 1 has no RSDP: acpi_scan searches the BIOS areas instead. */
TEST(mb1_info_has_no_rsdp)
{
	std_info();
	memset(&bi, 'x', sizeof(bi));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.rsdp_len, 0);
}

TEST(mb1_mmap_entry_larger_than_20_is_stepped_over)
{
	std_info();
	mmap_len = 0;
	entry(28, 0x100000, 0x100000, BOOT_MEM_AVAILABLE);
	entry(20, 0x300000, 0x100000, BOOT_MEM_ACPI);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nregions, 2);
	CHECK_EQ(bi.regions[1].base, 0x300000);
	CHECK_EQ(bi.regions[1].type, BOOT_MEM_ACPI);
}

TEST(mb1_flags_without_cmdline_and_modules_ignore_those_fields)
{
	std_info();
	w32(INFO_PA, F_MMAP);
	w32(INFO_PA + 16, 0xffffffff);
	w32(INFO_PA + 24, 0xffffffff);
	CHECK_EQ(parse(), 0);
	CHECK_STREQ(bi.cmdline, "");
	CHECK_EQ(bi.nmodules, 0);
}

TEST(mb1_without_mmap_flag_is_rejected)
{
	std_info();
	w32(INFO_PA, F_CMDLINE | F_MODS | 3);
	REJECTS("no memory map");
}

TEST(mb1_huge_mmap_length_is_rejected)
{
	std_info();
	w32(INFO_PA + 44, 0xfffffff0);
	REJECTS("memory map too large");
	w32(INFO_PA + 44, (64u << 10) + 4);
	REJECTS("memory map too large");
}

TEST(mb1_mmap_outside_memory_is_rejected)
{
	std_info();
	w32(INFO_PA + 48, (uint32_t)SIM_MEM_SIZE - 48);
	REJECTS("memory map not addressable");
}

TEST(mb1_mmap_entry_size_below_20_is_rejected)
{
	std_info();
	w32(MMAP_PA + 24, 16);
	REJECTS("memory map entry size invalid");
	/* a lone short entry that would still fit the map */
	std_info();
	w32(MMAP_PA, 16);
	w32(INFO_PA + 44, 24);
	REJECTS("memory map entry size invalid");
	w32(MMAP_PA, 19);
	REJECTS("memory map entry size invalid");
	w32(MMAP_PA, 0);
	REJECTS("memory map entry size invalid");
}

TEST(mb1_mmap_entry_running_past_length_is_rejected)
{
	std_info();
	w32(MMAP_PA + 48, 44); /* the last entry claims 44 bytes, 20 remain */
	REJECTS("memory map entry size invalid");
	std_info();
	w32(MMAP_PA, 0xfffffff0);
	REJECTS("memory map entry size invalid");
}

TEST(mb1_mmap_truncated_entry_is_rejected)
{
	std_info();
	w32(INFO_PA + 44, mmap_len - 4);
	REJECTS("memory map entry truncated");
}

TEST(mb1_mmap_wrapping_region_is_rejected)
{
	std_info();
	entry(20, 0xffffffffffff0000ULL, 0x20000, BOOT_MEM_RESERVED);
	REJECTS("memory map entry wraps around");
}

TEST(mb1_module_list_not_addressable_is_rejected)
{
	std_info();
	w32(INFO_PA + 24, (uint32_t)SIM_MEM_SIZE - 16);
	REJECTS("module list not addressable");
	w32(INFO_PA + 24, 0xfffffff0);
	REJECTS("module list not addressable");
}

TEST(mb1_more_than_32_modules_is_rejected)
{
	std_info();
	for (uint32_t i = 0; i < BOOT_MAX_MODULES + 1; i++)
		set_mod(i, 0x400000 + i * 0x1000, 0x400800 + i * 0x1000, (uint32_t)STR_PA + str_off - 1);
	w32(INFO_PA + 20, BOOT_MAX_MODULES);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmodules, BOOT_MAX_MODULES);
	w32(INFO_PA + 20, BOOT_MAX_MODULES + 1);
	REJECTS("too many modules");
	w32(INFO_PA + 20, 0xffffffff);
	REJECTS("too many modules");
}

/* An empty file is a module like any other; the domain loader rejects it on its own. */
TEST(mb1_empty_module_is_kept_backwards_module_is_rejected)
{
	std_info();
	set_mod(1, 0x500000, 0x500000, (uint32_t)STR_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.modules[1].start, 0x500000);
	CHECK_EQ(bi.modules[1].end, 0x500000);
	set_mod(1, 0x500000, 0x4fffff, (uint32_t)STR_PA);
	REJECTS("module ends before it starts");
}

TEST(mb1_unterminated_string_at_end_of_memory_is_rejected)
{
	std_info();
	memset(sim_phys(SIM_MEM_SIZE - 5, 5), 'z', 5);
	w32(INFO_PA + 16, (uint32_t)SIM_MEM_SIZE - 5);
	REJECTS("string not addressable");
	std_info();
	set_mod(0, 0x400000, 0x401000, (uint32_t)SIM_MEM_SIZE - 5);
	REJECTS("string not addressable");
}

TEST(mb1_string_outside_memory_is_rejected)
{
	std_info();
	w32(INFO_PA + 16, 0xfffffff0);
	REJECTS("string not addressable");
}

TEST(mb1_string_longer_than_255_is_rejected)
{
	char s[BOOT_CMDLINE_MAX + 1];
	std_info();
	memset(s, 'a', sizeof(s));
	s[BOOT_CMDLINE_MAX - 1] = '\0';
	w32(INFO_PA + 16, str(s));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	s[BOOT_CMDLINE_MAX - 1] = 'a';
	s[BOOT_CMDLINE_MAX] = '\0';
	w32(INFO_PA + 16, str(s));
	REJECTS("command line longer than 255 bytes");
	std_info();
	set_mod(1, 0x500000, 0x501000, str(s));
	REJECTS("command line longer than 255 bytes");
}

TEST(mb1_info_not_addressable_is_rejected)
{
	why = NULL;
	CHECK_EQ(mb1_parse(SIM_MEM_SIZE - 16, &bi, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "boot information not addressable");
	CHECK_EQ(mb1_parse(~0ULL, &bi, &why), -TESSERA_EINVAL);
}
