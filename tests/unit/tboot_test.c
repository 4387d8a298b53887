/*
 * tboot as the loader (core/tboot.c): the shared page tboot names on the command line,
 * laid out in simulated memory as tboot 1.10.5 leaves it (image 0x804000-0x2a8ad54,
 * page at 0x2473000, marked unusable), then made hostile one field at a time.
 */
#include "util.h"
#include <core/config.h>
#include <core/tboot.h>
#include <tessera/errno.h>

#define TB_BASE 0x804000u
#define TB_END 0x2a8ad54u
#define TB_PAGE 0x2473000u
#define TB_ENTRY 0x8041d0u
#define TB_RESERVED_START 0x800000ULL /* TBOOT_BASE_ADDR */
#define TB_RESERVED_END 0x2a8b000ULL  /* PAGE_UP(_end) */

static struct boot_info bi;
static struct tboot_shared *page;
static const char *why;

/* The memory map after tboot: its image unusable (5), the rest of low RAM available. */
static void machine(const char *cmdline, uint32_t tboot_type)
{
	static const uint8_t uuid[16] = TBOOT_SHARED_UUID;
	memset(&bi, 0, sizeof(bi));
	bi.loader = "multiboot2";
	strcpy(bi.cmdline, cmdline);
	bi.regions[0] = (struct boot_region){ 0, 0x9fc00, BOOT_MEM_AVAILABLE };
	bi.regions[1] = (struct boot_region){ 0x100000, TB_RESERVED_START - 0x100000, BOOT_MEM_AVAILABLE };
	bi.regions[2] = (struct boot_region){ TB_RESERVED_START, TB_RESERVED_END - TB_RESERVED_START,
					      tboot_type };
	bi.regions[3] = (struct boot_region){ TB_RESERVED_END, 0x3f00000 - TB_RESERVED_END,
					      BOOT_MEM_AVAILABLE };
	bi.nregions = 4;
	page = sim_phys(TB_PAGE, PAGE_SIZE);
	memset(page, 0, PAGE_SIZE);
	memcpy(page->uuid, uuid, sizeof(uuid));
	page->version = 6;
	page->log_addr = 0x2471de8;
	page->shutdown_entry = TB_ENTRY;
	page->tboot_base = TB_BASE;
	page->tboot_size = TB_END - TB_BASE;
	page->num_in_wfs = 3;
	why = NULL;
	sim_console_reset();
}

static void rejected(const char *reason)
{
	CHECK_EQ(tboot_probe(&bi, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, reason);
	CHECK_STREQ(bi.loader, "multiboot2");
	CHECK_EQ(tboot_shutdown_entry(TBOOT_SHUTDOWN_HALT), 0);
}

TEST(tboot_measured_launch_is_found_and_its_words_leave_the_command_line)
{
	struct core_config cc;
	machine("debug_exit=on launcher=tboot tpm=required tboot=0x2473000", BOOT_MEM_BAD);
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	CHECK_STREQ(bi.loader, "tboot");
	CHECK_STREQ(bi.cmdline, "debug_exit=on tpm=required");
	CHECK_EQ(config_parse_core(bi.cmdline, &cc, &why), 0);
	CHECK_HAS(sim_console(), "tessera: tboot: measured launch (Intel TXT): shared page 0x2473000 version 6");
	CHECK_EQ(page->shutdown_type, 0);
	CHECK_EQ(tboot_shutdown_entry(TBOOT_SHUTDOWN_HALT), TB_ENTRY);
	CHECK_EQ(page->shutdown_type, TBOOT_SHUTDOWN_HALT);
	CHECK_EQ(page->num_in_wfs, 3); /* tboot's fields are left alone */
}

TEST(tboot_page_that_linux_style_reserved_memory_holds_is_accepted)
{
	machine("tboot=0x2473000", BOOT_MEM_RESERVED);
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	CHECK_STREQ(bi.cmdline, "");
	CHECK_STREQ(bi.loader, "tboot");
}

TEST(tboot_later_page_version_is_accepted)
{
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->version = 7;
	CHECK_EQ(tboot_probe(&bi, &why), 0);
}

TEST(tboot_fallback_launch_says_so_and_hands_nothing_back)
{
	machine("launcher=tboot debug_exit=on", BOOT_MEM_BAD);
	bi.efi = true; /* tboot on UEFI: the boot path is still plain "tboot" */
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	CHECK_STREQ(bi.loader, "tboot");
	CHECK(!bi.efi);
	CHECK_STREQ(bi.cmdline, "debug_exit=on");
	CHECK_HAS(sim_console(), "started by tboot WITHOUT a measured launch");
	CHECK_HAS(sim_console(), "PCRs 17-19 hold no measurement of this boot");
	CHECK_EQ(tboot_shutdown_entry(TBOOT_SHUTDOWN_HALT), 0);
	CHECK_EQ(page->shutdown_type, 0);
}

TEST(tboot_absent_leaves_the_boot_alone)
{
	machine("debug_exit=on tpm=auto", BOOT_MEM_BAD);
	bi.efi = true;
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	CHECK_STREQ(bi.loader, "multiboot2");
	CHECK(bi.efi);
	CHECK_STREQ(bi.cmdline, "debug_exit=on tpm=auto");
	CHECK_STREQ(sim_console(), "");
	CHECK_EQ(tboot_shutdown_entry(TBOOT_SHUTDOWN_HALT), 0);
}

TEST(tboot_second_launcher_word_stays_for_the_core_parser_to_reject)
{
	struct core_config cc;
	machine("launcher=tboot launcher=tboot", BOOT_MEM_BAD);
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	CHECK_STREQ(bi.cmdline, "launcher=tboot");
	CHECK(config_parse_core(bi.cmdline, &cc, &why) < 0);
}

TEST(tboot_page_with_wrong_uuid_is_rejected)
{
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->uuid[15] ^= 1;
	rejected("tboot: shared page has the wrong UUID");
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	memset(page, 0, PAGE_SIZE); /* tboot never wrote it */
	rejected("tboot: shared page has the wrong UUID");
}

TEST(tboot_page_with_old_version_is_rejected)
{
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->version = 5;
	rejected("tboot: shared page version below 6 (tboot older than 1.7)");
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->version = 0;
	rejected("tboot: shared page version below 6 (tboot older than 1.7)");
}

TEST(tboot_shutdown_entry_outside_tboot_is_rejected)
{
	static const uint32_t bad[] = { TB_BASE - 1, TB_END, 0, 0xfffffff0u, 0x100000 };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		machine("tboot=0x2473000", BOOT_MEM_BAD);
		page->shutdown_entry = bad[i];
		rejected("tboot: shutdown entry lies outside tboot's image");
	}
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->shutdown_entry = TB_END - 1;
	CHECK_EQ(tboot_probe(&bi, &why), 0);
}

TEST(tboot_page_outside_tboots_image_is_rejected)
{
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->tboot_base = TB_PAGE + PAGE_SIZE; /* the image claims to start after the page */
	page->tboot_size = 0x100000;
	page->shutdown_entry = TB_PAGE + PAGE_SIZE;
	rejected("tboot: shared page lies outside tboot's image");
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->tboot_size = TB_PAGE + 0x800 - TB_BASE; /* ends inside the page */
	rejected("tboot: shared page lies outside tboot's image");
}

TEST(tboot_image_range_empty_or_above_4g_is_rejected)
{
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->tboot_size = 0;
	rejected("tboot: tboot's image range is empty or above 4 GiB");
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	page->tboot_size = 0xffffffffu; /* base + size past 4 GiB, no 32-bit wrap */
	rejected("tboot: tboot's image range is empty or above 4 GiB");
}

TEST(tboot_image_not_reserved_in_the_memory_map_is_rejected)
{
	machine("tboot=0x2473000", BOOT_MEM_AVAILABLE); /* a kernel could hand it out */
	rejected("tboot: tboot's image is not reserved in the memory map");
	machine("tboot=0x2473000", BOOT_MEM_ACPI);
	rejected("tboot: tboot's image is not reserved in the memory map");
	/* One available page inside the image, overlapping the unusable region. */
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	bi.regions[bi.nregions++] = (struct boot_region){ 0x1000000, PAGE_SIZE, BOOT_MEM_AVAILABLE };
	rejected("tboot: tboot's image is not reserved in the memory map");
	/* A hole: the image's last page is in no region at all. */
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	bi.regions[2].len -= PAGE_SIZE;
	rejected("tboot: tboot's image is not reserved in the memory map");
	/* No memory map at all. */
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	bi.nregions = 0;
	rejected("tboot: tboot's image is not reserved in the memory map");
}

TEST(tboot_image_covered_by_several_reserved_regions_is_accepted)
{
	machine("tboot=0x2473000", BOOT_MEM_BAD);
	bi.regions[2].len = 0x1000000;
	bi.regions[bi.nregions++] = (struct boot_region){ TB_RESERVED_START + 0x1000000,
							  TB_RESERVED_END - TB_RESERVED_START - 0x1000000,
							  BOOT_MEM_RESERVED };
	CHECK_EQ(tboot_probe(&bi, &why), 0);
}

TEST(tboot_page_address_unaligned_zero_or_unmapped_is_rejected)
{
	static const char *lines[] = { "tboot=0x2473008", "tboot=0x0", "tboot=0xfffff000",
				       "tboot=0x4000000" /* past the (simulated) memory */ };
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		machine(lines[i], BOOT_MEM_BAD);
		rejected("tboot: shared page address not page-aligned or not addressable");
	}
}

TEST(tboot_word_that_is_not_tboots_is_rejected)
{
	static const char *lines[] = {
		"tboot=0x2473000 debug_exit=on", /* tboot appends: something after it */
		"tboot=0x2473000 tboot=0x2473000", "tboot=2473000", "tboot=0x", "tboot=",
		"tboot=0x123456789", "tboot=0x24z3000", "tboot=0X2473000", "tboot=-0x1000",
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		machine(lines[i], BOOT_MEM_BAD);
		rejected("tboot: tboot=0x<address> must be the last word, once");
	}
}

TEST(tboot_hex_digits_of_either_case_are_read)
{
	machine("launcher=tboot  tboot=0x0247300A", BOOT_MEM_BAD);
	rejected("tboot: shared page address not page-aligned or not addressable");
	machine("tboot=0x02473000", BOOT_MEM_BAD);
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	machine("tboot=0x2473C00", BOOT_MEM_BAD);
	rejected("tboot: shared page address not page-aligned or not addressable");
}

TEST(tboot_lookalike_words_are_not_tboots)
{
	machine("tbootx=1 launcher=tbootx xtboot=0x2473000", BOOT_MEM_BAD);
	CHECK_EQ(tboot_probe(&bi, &why), 0);
	CHECK_STREQ(bi.loader, "multiboot2");
	CHECK_STREQ(bi.cmdline, "tbootx=1 launcher=tbootx xtboot=0x2473000");
}
