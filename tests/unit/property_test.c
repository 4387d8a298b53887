/*
 * Property tests: seeded pseudo-random inputs, checked against the invariants
 * the rest of the core relies on. Any out-of-bounds access is ASan's to report.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "util.h"
#include <core/elf.h>
#include <core/frame.h>
#include <stdlib.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

#define MiB (1ULL << 20)
#define SPAN (48 * MiB)
#define NF (SPAN / PAGE_SIZE)

/* Frame allocator against a model: what may be handed out, and what is. */
TEST(frame_random_alloc_free_matches_model)
{
	static struct boot_info bi;
	static bool usable[NF], mine[NF];
	static struct { uint64_t pa, n; } live[4096];
	for (unsigned round = 0; round < 20; round++) {
		uint32_t nlive = 0;
		uint64_t model_free = 0;
		memset(&bi, 0, sizeof(bi));
		memset(usable, 0, sizeof(usable));
		memset(mine, 0, sizeof(mine));
		bi.nregions = (uint32_t)below(12) + 1;
		for (uint32_t i = 0; i < bi.nregions; i++) {
			uint64_t base = below(SPAN - PAGE_SIZE), len = below(SPAN - base) / (1 + below(8));
			bi.regions[i] = (struct boot_region){ base, len,
				below(3) ? BOOT_MEM_AVAILABLE : (uint32_t)(2 + below(4)) };
		}
		bi.nmodules = (uint32_t)below(4);
		for (uint32_t i = 0; i < bi.nmodules; i++) {
			uint64_t s = below(SPAN - MiB);
			bi.modules[i] = (struct boot_module){ s, s + 1 + below(MiB), "" };
		}
		uint64_t cs = MiB + below(8 * MiB), ce = cs + 1 + below(2 * MiB);
		/* The model: wholly available frames, minus anything reserved/core/module touches. */
		for (uint64_t f = 0; f < NF; f++) {
			uint64_t a = f * PAGE_SIZE, b = a + PAGE_SIZE;
			bool ok = false;
			for (uint32_t i = 0; i < bi.nregions; i++) {
				const struct boot_region *r = &bi.regions[i];
				if (r->type == BOOT_MEM_AVAILABLE && r->base <= a && b <= r->base + r->len)
					ok = true;
			}
			for (uint32_t i = 0; i < bi.nregions; i++) {
				const struct boot_region *r = &bi.regions[i];
				if (r->type != BOOT_MEM_AVAILABLE && ranges_overlap(a, PAGE_SIZE, r->base, r->len))
					ok = false;
			}
			for (uint32_t i = 0; i < bi.nmodules; i++)
				if (ranges_overlap(a, PAGE_SIZE, bi.modules[i].start,
						   bi.modules[i].end - bi.modules[i].start))
					ok = false;
			if (a < FRAME_LOW_RESERVED || ranges_overlap(a, PAGE_SIZE, cs, ce - cs))
				ok = false;
			usable[f] = ok;
			model_free += ok;
		}
		int rc = frame_init(&bi, cs, ce);
		CHECK_EQ(rc, model_free ? 0 : -TESSERA_ENOMEM);
		CHECK_EQ(frame_free_count(), model_free);
		for (unsigned op = 0; op < 400; op++) {
			if (nlive && below(3) == 0) {
				uint32_t k = (uint32_t)below(nlive);
				CHECK_EQ(frame_free(live[k].pa, live[k].n), 0);
				for (uint64_t f = live[k].pa / PAGE_SIZE; f < live[k].pa / PAGE_SIZE + live[k].n; f++)
					mine[f] = false;
				model_free += live[k].n;
				CHECK_EQ(frame_free(live[k].pa, live[k].n), -TESSERA_EINVAL);
				live[k] = live[--nlive];
			} else {
				uint64_t n = 1 + below(below(2) ? 4 : 600);
				uint64_t align = PAGE_SIZE << below(10);
				uint64_t pa = frame_alloc(n, align);
				if (!pa)
					continue;
				CHECK_EQ(pa % align, 0);
				CHECK(pa / PAGE_SIZE + n <= NF);
				for (uint64_t f = pa / PAGE_SIZE; f < pa / PAGE_SIZE + n; f++) {
					if (!usable[f] || mine[f])
						test_fail(__FILE__, __LINE__, "round %u: frame 0x%llx handed out "
							  "(usable %d, already allocated %d)", round,
							  (unsigned long long)(f * PAGE_SIZE), usable[f], mine[f]);
					mine[f] = true;
				}
				model_free -= n;
				CHECK(nlive < 4096);
				live[nlive].pa = pa;
				live[nlive++].n = n;
			}
			CHECK_EQ(frame_free_count(), model_free);
		}
	}
}

/* Random damage to valid Multiboot2 info: rejected, or parsed into something self-consistent. */
TEST(mb2_random_corruption_is_rejected_or_consistent)
{
	const uint64_t pa = 0x10000;
	uint8_t *p = sim_phys(pa, 0x2000);
	uint8_t good[512];
	uint32_t len = 0, accepted = 0;
	static struct boot_info bi;
#define PUT32(v) do { uint32_t v_ = (v); memcpy(good + len, &v_, 4); len += 4; } while (0)
#define PUT64(v) do { uint64_t v_ = (v); memcpy(good + len, &v_, 8); len += 8; } while (0)
	PUT32(0); PUT32(0);
	PUT32(1); PUT32(8 + 12); memcpy(good + len, "tessera.elf", 12); len += 12; len = (len + 7) & ~7u;
	PUT32(3); PUT32(16 + 8); PUT32(0x400000); PUT32(0x401000); memcpy(good + len, "m domain", 8); len += 8;
	good[len - 1] = 0;
	PUT32(6); PUT32(16 + 2 * 24); PUT32(24); PUT32(0);
	PUT64(0); PUT64(0x9fc00); PUT32(1); PUT32(0);
	PUT64(0x100000); PUT64(0x3f00000); PUT32(1); PUT32(0);
	PUT32(0); PUT32(8);
	memcpy(good, &len, 4);
	memcpy(p, good, len);
	CHECK_EQ(mb2_parse(pa, &bi, &(const char *){ NULL }), 0);
	for (unsigned iter = 0; iter < 20000; iter++) {
		const char *why = NULL;
		memcpy(p, good, len);
		memset(p + len, (int)below(256), 0x2000 - len);
		for (uint64_t k = 1 + below(4); k; k--) {
			uint32_t at = (uint32_t)below(len);
			switch (below(3)) {
			case 0: p[at] = (uint8_t)rnd(); break;
			case 1: p[at] ^= (uint8_t)(1u << below(8)); break;
			default: { uint32_t v = (uint32_t)(below(2) ? rnd() : below(64));
				   memcpy(p + (at & ~3u), &v, 4); }
			}
		}
		int rc = mb2_parse(pa, &bi, &why);
		if (rc) {
			CHECK_EQ(rc, -TESSERA_EINVAL);
			CHECK(why != NULL);
			continue;
		}
		accepted++;
		CHECK(bi.nregions <= BOOT_MAX_REGIONS);
		CHECK(bi.nmodules <= BOOT_MAX_MODULES);
		CHECK(strnlen(bi.cmdline, BOOT_CMDLINE_MAX) < BOOT_CMDLINE_MAX);
		for (uint32_t i = 0; i < bi.nregions; i++) {
			uint64_t end;
			CHECK(bi.regions[i].len != 0);
			CHECK(range_add_ok(bi.regions[i].base, bi.regions[i].len, &end));
		}
		for (uint32_t i = 0; i < bi.nmodules; i++) {
			CHECK(bi.modules[i].end >= bi.modules[i].start);
			CHECK(bi.modules[i].end <= BOOT_PHYS_LIMIT);
			CHECK(strnlen(bi.modules[i].cmdline, BOOT_CMDLINE_MAX) < BOOT_CMDLINE_MAX);
		}
	}
	CHECK(accepted > 0);
#undef PUT32
#undef PUT64
}

/* Random damage to a valid image: rejected, or every promise elf_check makes holds. */
TEST(elf_random_corruption_is_rejected_or_safe_to_load)
{
	static struct img good, im;
	const uint64_t mem_size = 2ULL << 20;
	uint8_t *mem = malloc(mem_size);
	unsigned accepted = 0;
	CHECK(mem);
	img_default(&good);
	for (unsigned iter = 0; iter < 20000; iter++) {
		struct elf_image ei;
		const char *why = NULL;
		im = good;
		for (uint64_t k = 1 + below(3); k; k--) {
			/* header and program headers are where the decisions are */
			uint32_t at = (uint32_t)below(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr));
			switch (below(4)) {
			case 0: im.b[at] = (uint8_t)rnd(); break;
			case 1: im.b[at] ^= (uint8_t)(1u << below(8)); break;
			case 2: { uint64_t v = rnd() >> below(64); memcpy(im.b + (at & ~7u), &v, 8); } break;
			default: { uint64_t v; memcpy(&v, im.b + (at & ~7u), 8); v += below(0x3000) - 0x1800;
				   memcpy(im.b + (at & ~7u), &v, 8); }
			}
		}
		im.size = below(4) ? good.size : below(IMG_CAP);
		if (elf_check(im.b, im.size, mem_size, &ei, &why)) {
			CHECK(why != NULL);
			continue;
		}
		accepted++;
		CHECK(ei.nsegs >= 1 && ei.nsegs <= ELF_MAX_SEGS);
		bool entry_in = false;
		for (uint32_t i = 0; i < ei.nsegs; i++) {
			const struct elf_seg *s = &ei.segs[i];
			CHECK(s->filesz <= s->memsz);
			CHECK(s->gpa >= TESSERA_GUEST_LOAD_MIN);
			CHECK(range_within(s->gpa, s->memsz, mem_size));
			CHECK(range_within(s->off, s->filesz, im.size));
			entry_in |= ei.entry >= s->gpa && ei.entry - s->gpa < s->memsz;
			for (uint32_t j = 0; j < i; j++)
				CHECK(!ranges_overlap(s->gpa, s->memsz, ei.segs[j].gpa, ei.segs[j].memsz));
		}
		CHECK(entry_in);
		elf_load(&ei, im.b, mem);
	}
	CHECK(accepted > 0);
	free(mem);
}
