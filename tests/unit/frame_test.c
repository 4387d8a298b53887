/* The physical frame allocator. */
#include "util.h"
#include <core/frame.h>
#include <tessera/errno.h>

#define MiB (1ULL << 20)
#define MAXF 4096

static struct boot_info bi;

static void region(uint64_t base, uint64_t len, uint32_t type)
{
	CHECK(bi.nregions < BOOT_MAX_REGIONS);
	bi.regions[bi.nregions++] = (struct boot_region){ base, len, type };
}

static void module(uint64_t start, uint64_t end)
{
	bi.modules[bi.nmodules++] = (struct boot_module){ start, end, "" };
}

/* Allocate single frames until exhaustion; returns how many, addresses in out. */
static uint64_t drain(uint64_t *out, uint64_t max)
{
	uint64_t n = 0, pa;
	while ((pa = frame_alloc(1, PAGE_SIZE)) != 0) {
		CHECK(n < max);
		out[n++] = pa;
	}
	return n;
}

static bool in(uint64_t pa, uint64_t base, uint64_t len)
{
	return pa + PAGE_SIZE > base && pa < base + len;
}

TEST(frame_alloc_never_returns_memory_below_1mib)
{
	static uint64_t got[MAXF];
	region(0, 4 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	CHECK_EQ(frame_free_count(), 3 * MiB / PAGE_SIZE);
	uint64_t n = drain(got, MAXF);
	CHECK_EQ(n, 3 * MiB / PAGE_SIZE);
	for (uint64_t i = 0; i < n; i++)
		CHECK(got[i] >= MiB && got[i] < 4 * MiB);
	CHECK(!frame_is_free(0));
	CHECK(!frame_is_free(MiB - PAGE_SIZE));
}

TEST(frame_alloc_never_returns_core_or_module_frames)
{
	static uint64_t got[MAXF];
	region(MiB, 7 * MiB, BOOT_MEM_AVAILABLE);
	module(3 * MiB + 100, 3 * MiB + 5000);     /* touches two frames */
	module(5 * MiB, 6 * MiB);
	CHECK_EQ(frame_init(&bi, 2 * MiB, 2 * MiB + 0x1800), 0); /* core rounds out to 2 frames */
	uint64_t n = drain(got, MAXF);
	CHECK_EQ(n, 7 * MiB / PAGE_SIZE - 2 - 2 - MiB / PAGE_SIZE);
	for (uint64_t i = 0; i < n; i++) {
		CHECK(!in(got[i], 2 * MiB, 0x1800));
		CHECK(!in(got[i], 3 * MiB + 100, 4900));
		CHECK(!in(got[i], 5 * MiB, MiB));
	}
}

TEST(frame_alloc_never_returns_reserved_acpi_nvs_or_bad_memory)
{
	static uint64_t got[MAXF];
	region(MiB, 7 * MiB, BOOT_MEM_AVAILABLE);
	region(2 * MiB, 0x3000, BOOT_MEM_RESERVED);
	region(3 * MiB, 0x1000, BOOT_MEM_ACPI);
	region(4 * MiB, 0x2000, BOOT_MEM_NVS);
	region(5 * MiB + 10, 0x10, BOOT_MEM_BAD);
	region(6 * MiB, 0x1000, 17); /* unknown types are not RAM either */
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t n = drain(got, MAXF);
	CHECK_EQ(n, 7 * MiB / PAGE_SIZE - 3 - 1 - 2 - 1 - 1);
	for (uint64_t i = 0; i < n; i++)
		for (uint32_t r = 1; r < bi.nregions; r++)
			CHECK(!in(got[i], bi.regions[r].base, bi.regions[r].len));
}

/* Firmware maps can contradict themselves; whatever order they come in, reserved wins. */
TEST(frame_reserved_region_overlapping_available_wins)
{
	static uint64_t got[MAXF];
	region(2 * MiB, MiB, BOOT_MEM_RESERVED);
	region(MiB, 3 * MiB, BOOT_MEM_AVAILABLE);
	region(2 * MiB + 0x800, 0x1000, BOOT_MEM_AVAILABLE); /* inside the reserved one */
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t n = drain(got, MAXF);
	CHECK_EQ(n, 2 * MiB / PAGE_SIZE);
	for (uint64_t i = 0; i < n; i++)
		CHECK(!in(got[i], 2 * MiB, MiB));
}

/* Available regions round inwards, reserved ones outwards. */
TEST(frame_partial_pages_are_never_handed_out)
{
	static uint64_t got[MAXF];
	region(MiB + 1, 0x3000, BOOT_MEM_AVAILABLE);           /* only [MiB+4K, MiB+12K) whole */
	region(2 * MiB, 0x4000, BOOT_MEM_AVAILABLE);
	region(2 * MiB + 0x1fff, 2, BOOT_MEM_RESERVED);        /* straddles two frames */
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t n = drain(got, MAXF);
	CHECK_EQ(n, 2 + 2);
	CHECK_EQ(got[0], MiB + 0x1000);
	CHECK_EQ(got[1], MiB + 0x2000);
	CHECK_EQ(got[2], 2 * MiB);
	CHECK_EQ(got[3], 2 * MiB + 0x3000);
}

TEST(frame_regions_above_4gib_are_ignored)
{
	region(MiB, MiB, BOOT_MEM_AVAILABLE);
	region(4ULL << 30, 4ULL << 30, BOOT_MEM_AVAILABLE);
	region((4ULL << 30) - 0x2000, 0x4000, BOOT_MEM_AVAILABLE); /* crosses 4 GiB */
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	CHECK_EQ(frame_free_count(), MiB / PAGE_SIZE + 2);
	CHECK(frame_is_free((4ULL << 30) - 0x1000));
	CHECK(!frame_is_free(4ULL << 30));
	CHECK(!frame_is_free(~0ULL));
}

TEST(frame_init_without_available_memory_fails)
{
	region(0, MiB, BOOT_MEM_AVAILABLE); /* all of it firmware memory */
	region(MiB, MiB, BOOT_MEM_RESERVED);
	CHECK_EQ(frame_init(&bi, 0, 0), -TESSERA_ENOMEM);
	CHECK_EQ(frame_free_count(), 0);
	CHECK_EQ(frame_alloc(1, PAGE_SIZE), 0);
}

TEST(frame_alloc_honours_alignment)
{
	region(MiB, 63 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	CHECK_EQ(frame_alloc(1, PAGE_SIZE), MiB);
	uint64_t aligns[] = { 0x2000, 0x10000, 2 * MiB, 4 * MiB, 16 * MiB };
	for (unsigned i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		uint64_t pa = frame_alloc(3, aligns[i]);
		CHECK(pa != 0);
		CHECK_EQ(pa % aligns[i], 0);
		CHECK(pa > MiB);
	}
	CHECK_EQ(frame_alloc(1, 1ULL << 30), 0); /* no 1 GiB boundary inside [1M, 64M) */
}

/* A run of free frames interrupted by a used one is not contiguous. */
TEST(frame_alloc_returns_contiguous_free_frames)
{
	region(MiB, 0x3000, BOOT_MEM_AVAILABLE);
	region(MiB + 0x4000, 0x8000, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t pa = frame_alloc(4, PAGE_SIZE);
	CHECK_EQ(pa, MiB + 0x4000);
	CHECK_EQ(frame_alloc(5, PAGE_SIZE), 0);
	CHECK_EQ(frame_alloc(4, PAGE_SIZE), MiB + 0x8000);
	CHECK_EQ(frame_alloc(3, PAGE_SIZE), MiB);
	CHECK_EQ(frame_free_count(), 0);
}

TEST(frame_alloc_exhaustion_returns_zero_and_free_count_is_exact)
{
	static uint64_t got[MAXF];
	region(MiB, 2 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t total = frame_free_count();
	CHECK_EQ(frame_alloc(total + 1, PAGE_SIZE), 0);
	uint64_t n = drain(got, MAXF);
	CHECK_EQ(n, total);
	CHECK_EQ(frame_free_count(), 0);
	for (uint64_t i = 1; i < n; i++)
		CHECK(got[i] != got[i - 1]);
	CHECK_EQ(frame_alloc(1, PAGE_SIZE), 0);
	CHECK_EQ(frame_free(got[5], 1), 0);
	CHECK_EQ(frame_free_count(), 1);
	CHECK_EQ(frame_alloc(1, PAGE_SIZE), got[5]);
}

TEST(frame_alloc_rejects_bad_arguments)
{
	region(MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t total = frame_free_count();
	CHECK_EQ(frame_alloc(0, PAGE_SIZE), 0);
	CHECK_EQ(frame_alloc(1, 0), 0);
	CHECK_EQ(frame_alloc(1, 2048), 0);
	CHECK_EQ(frame_alloc(1, 0x3000), 0);
	CHECK_EQ(frame_alloc(1, 8ULL << 30), 0);
	CHECK_EQ(frame_alloc(~0ULL, PAGE_SIZE), 0);
	CHECK_EQ(frame_alloc(1ULL << 52, PAGE_SIZE), 0);
	CHECK_EQ(frame_free_count(), total);
}

TEST(frame_free_of_memory_not_allocated_is_refused)
{
	region(MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	region(6 * MiB, MiB, BOOT_MEM_RESERVED);
	module(4 * MiB, 4 * MiB + PAGE_SIZE);
	CHECK_EQ(frame_init(&bi, 2 * MiB, 3 * MiB), 0);
	uint64_t total = frame_free_count();
	CHECK_EQ(frame_free(2 * MiB, 1), -TESSERA_EINVAL);        /* the core */
	CHECK_EQ(frame_free(4 * MiB, 1), -TESSERA_EINVAL);        /* a module */
	CHECK_EQ(frame_free(6 * MiB, 1), -TESSERA_EINVAL);        /* reserved */
	CHECK_EQ(frame_free(0, 1), -TESSERA_EINVAL);              /* firmware */
	CHECK_EQ(frame_free(8 * MiB, 1), -TESSERA_EINVAL);        /* free, never handed out */
	CHECK_EQ(frame_free_count(), total);
	CHECK(!frame_is_free(2 * MiB));
	CHECK(!frame_is_free(4 * MiB));
	CHECK(frame_is_free(8 * MiB));
}

TEST(frame_double_free_is_refused)
{
	region(MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t total = frame_free_count();
	uint64_t pa = frame_alloc(4, PAGE_SIZE);
	CHECK(pa);
	CHECK_EQ(frame_free(pa, 4), 0);
	CHECK_EQ(frame_free_count(), total);
	CHECK_EQ(frame_free(pa, 4), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(pa + PAGE_SIZE, 1), -TESSERA_EINVAL);
	CHECK_EQ(frame_free_count(), total);
}

TEST(frame_free_of_unaligned_or_out_of_range_address_is_refused)
{
	region(MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t pa = frame_alloc(2, PAGE_SIZE);
	uint64_t free_now = frame_free_count();
	CHECK_EQ(frame_free(pa + 1, 1), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(pa + 0x800, 1), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(pa, 0), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(4ULL << 30, 1), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(~0ULL & ~0xfffULL, 1), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(pa, ~0ULL), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(pa, (1ULL << 20) - (pa >> 12) + 1), -TESSERA_EINVAL);
	CHECK_EQ(frame_free_count(), free_now);
	CHECK_EQ(frame_free(pa, 2), 0);
}

/* A range that is only partly the caller's is refused as a whole. */
TEST(frame_free_of_partly_owned_range_frees_nothing)
{
	region(MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t pa = frame_alloc(2, PAGE_SIZE);
	uint64_t free_now = frame_free_count();
	CHECK_EQ(frame_free(pa, 3), -TESSERA_EINVAL);
	CHECK_EQ(frame_free_count(), free_now);
	CHECK(!frame_is_free(pa));
	CHECK(!frame_is_free(pa + PAGE_SIZE));
	CHECK_EQ(frame_free(pa, 2), 0);
}

TEST(frame_free_count_tracks_allocations)
{
	region(MiB, 8 * MiB, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t total = frame_free_count();
	CHECK_EQ(total, 8 * MiB / PAGE_SIZE);
	uint64_t a = frame_alloc(10, PAGE_SIZE);
	uint64_t b = frame_alloc(512, 2 * MiB);
	CHECK_EQ(frame_free_count(), total - 522);
	for (uint64_t i = 0; i < 10; i++)
		CHECK(!frame_is_free(a + i * PAGE_SIZE));
	CHECK(!ranges_overlap(a, 10 * PAGE_SIZE, b, 2 * MiB));
	CHECK_EQ(frame_free(b, 512), 0);
	CHECK_EQ(frame_free_count(), total - 10);
	CHECK(frame_is_free(b));
	CHECK_EQ(frame_free(a, 10), 0);
	CHECK_EQ(frame_free_count(), total);
}

/* The last frames below 4 GiB: a count running past the bitmap is refused, not read. */
TEST(frame_free_range_running_past_4gib_is_refused)
{
	region((4ULL << 30) - 0x2000, 0x2000, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	uint64_t pa = frame_alloc(2, PAGE_SIZE);
	CHECK_EQ(pa, (4ULL << 30) - 0x2000);
	CHECK_EQ(frame_free(pa, 3), -TESSERA_EINVAL);
	CHECK_EQ(frame_free(pa + PAGE_SIZE, 2), -TESSERA_EINVAL);
	CHECK_EQ(frame_free_count(), 0);
	CHECK_EQ(frame_free(pa, 2), 0);
	CHECK_EQ(frame_free_count(), 2);
}

/* A map that calls the chipset's window RAM (the TPM's registers among it) gives none of it. */
TEST(frame_chipset_window_is_never_free_even_if_the_map_says_ram)
{
	memset(&bi, 0, sizeof(bi));
	region(FRAME_CHIPSET_BASE - 0x2000, FRAME_CHIPSET_SIZE + 0x4000, BOOT_MEM_AVAILABLE);
	CHECK_EQ(frame_init(&bi, 0, 0), 0);
	CHECK_EQ(frame_free_count(), 4);
	CHECK(frame_is_free(FRAME_CHIPSET_BASE - 0x1000));
	CHECK(frame_is_free(FRAME_CHIPSET_BASE + FRAME_CHIPSET_SIZE));
	for (uint64_t pa = FRAME_CHIPSET_BASE; pa < FRAME_CHIPSET_BASE + FRAME_CHIPSET_SIZE; pa += PAGE_SIZE)
		CHECK(!frame_is_free(pa));
	CHECK(!frame_is_free(0xfed40000ULL));
}
