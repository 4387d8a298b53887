/* Cross-checks of modules against the memory map and the core image. */
#include "util.h"
#include <tessera/errno.h>

#define MiB (1ULL << 20)

static struct boot_info bi;
static const char *why;

static void region(uint64_t base, uint64_t len, uint32_t type)
{
	bi.regions[bi.nregions++] = (struct boot_region){ base, len, type };
}

static void module(uint64_t start, uint64_t end)
{
	bi.modules[bi.nmodules++] = (struct boot_module){ start, end, "" };
}

static void std_map(void)
{
	region(0, 0x9fc00, BOOT_MEM_AVAILABLE);
	region(MiB, 63 * MiB, BOOT_MEM_AVAILABLE);
	region(0xfffc0000, 0x40000, BOOT_MEM_RESERVED);
}

static int check(void)
{
	why = NULL;
	return bootinfo_check(&bi, MiB, 2 * MiB, &why);
}

TEST(bootinfo_modules_in_available_ram_are_accepted)
{
	std_map();
	module(4 * MiB, 4 * MiB + 0x1234);
	module(4 * MiB + 0x1234, 5 * MiB); /* adjacent, not overlapping */
	module(0x1000, 0x2000);
	module(2 * MiB, 3 * MiB);          /* right after the core */
	CHECK_EQ(check(), 0);
}

TEST(bootinfo_module_outside_ram_is_rejected)
{
	std_map();
	module(4 * MiB, 5 * MiB);
	module(64 * MiB - 0x1000, 64 * MiB + 1);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 1 is not inside available RAM");
}

TEST(bootinfo_module_in_memory_map_hole_is_rejected)
{
	std_map();
	module(0x9f000, 0xa1000);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 is not inside available RAM");
}

/* Available RAM that a reserved region also claims is not available. */
TEST(bootinfo_module_in_reserved_region_is_rejected)
{
	std_map();
	region(8 * MiB, 0x1000, BOOT_MEM_RESERVED);
	module(7 * MiB, 8 * MiB + 1);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 is not inside available RAM");
	bi.modules[0] = (struct boot_module){ 8 * MiB + 0xfff, 8 * MiB + 0x1000, "" };
	CHECK_EQ(check(), -TESSERA_EINVAL);
	bi.modules[0] = (struct boot_module){ 8 * MiB + 0x1000, 8 * MiB + 0x2000, "" };
	CHECK_EQ(check(), 0);
}

TEST(bootinfo_module_in_acpi_region_is_rejected)
{
	region(MiB, 16 * MiB, BOOT_MEM_AVAILABLE);
	region(17 * MiB, MiB, BOOT_MEM_ACPI);
	module(17 * MiB, 17 * MiB + 10);
	CHECK_EQ(check(), -TESSERA_EINVAL);
}

TEST(bootinfo_module_spanning_adjacent_available_regions_is_accepted)
{
	/* listed out of order, as some firmware does */
	region(8 * MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	region(6 * MiB, 2 * MiB, BOOT_MEM_AVAILABLE);
	region(4 * MiB, 2 * MiB, BOOT_MEM_AVAILABLE);
	module(5 * MiB, 9 * MiB);
	CHECK_EQ(check(), 0);
	bi.modules[0].end = 16 * MiB;
	CHECK_EQ(check(), 0);
	bi.modules[0].end = 16 * MiB + 1;
	CHECK_EQ(check(), -TESSERA_EINVAL);
}

TEST(bootinfo_module_spanning_a_gap_between_regions_is_rejected)
{
	region(4 * MiB, 2 * MiB, BOOT_MEM_AVAILABLE);
	region(6 * MiB + 0x1000, 2 * MiB, BOOT_MEM_AVAILABLE);
	module(5 * MiB, 7 * MiB);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 is not inside available RAM");
}

TEST(bootinfo_module_overlapping_the_core_is_rejected)
{
	std_map();
	module(2 * MiB - 1, 3 * MiB);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 overlaps the core image");
	bi.modules[0] = (struct boot_module){ MiB + 0x1000, MiB + 0x2000, "" };
	CHECK_EQ(check(), -TESSERA_EINVAL);
	bi.modules[0] = (struct boot_module){ 0x1000, 3 * MiB, "" }; /* hole at 640K */
	region(0x9fc00, MiB - 0x9fc00, BOOT_MEM_AVAILABLE);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 overlaps the core image");
}

TEST(bootinfo_module_overlapping_another_module_is_rejected)
{
	std_map();
	module(4 * MiB, 5 * MiB);
	module(6 * MiB, 7 * MiB);
	module(5 * MiB - 1, 5 * MiB + 10);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 2 overlaps an earlier module");
	bi.modules[2] = (struct boot_module){ 3 * MiB, 8 * MiB, "" }; /* contains both */
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 2 overlaps an earlier module");
	bi.modules[2] = (struct boot_module){ 7 * MiB - 1, 8 * MiB, "" }; /* the one just before */
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 2 overlaps an earlier module");
	bi.modules[2] = (struct boot_module){ 7 * MiB, 8 * MiB, "" };
	CHECK_EQ(check(), 0);
}

TEST(bootinfo_module_above_4gib_is_rejected)
{
	std_map();
	region(4ULL << 30, 4ULL << 30, BOOT_MEM_AVAILABLE);
	module(5ULL << 30, (5ULL << 30) + MiB);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 lies above 4 GiB");
	bi.modules[0] = (struct boot_module){ (4ULL << 30) - 0x1000, (4ULL << 30) + 1, "" };
	region((4ULL << 30) - MiB, MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(check(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "module 0 lies above 4 GiB");
}
