/*
 * Physical frame allocator. One bit per 4 KiB frame below 4 GiB in `used`;
 * `owned` marks frames this allocator handed out, so a free of anything
 * else (the core, a module, firmware memory, a double free) is refused.
 */
#include <core/frame.h>
#include <core/lib.h>
#include <tessera/errno.h>

#define NFRAMES (BOOT_PHYS_LIMIT / PAGE_SIZE)
#define WORD_BITS 64

static uint64_t used[NFRAMES / WORD_BITS];
static uint64_t owned[NFRAMES / WORD_BITS];
static uint64_t nfree;
/*@ predicate frame_used{L}(integer f) = bit_at(&used[0], f);
    predicate frame_owned{L}(integer f) = bit_at(&owned[0], f); */

/*@ requires \valid_read(map + i / WORD_BITS);
    assigns \nothing;
    ensures \result <==> bit_at(map, i); */
static bool bit_get(const uint64_t *map, uint64_t i)
{
	return (map[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

/*@ requires \valid(map + i / WORD_BITS);
    assigns map[i / WORD_BITS]; */
static void bit_put(uint64_t *map, uint64_t i, bool v)
{
	uint64_t m = 1ULL << (i % WORD_BITS);
	if (v)
		map[i / WORD_BITS] |= m;
	else
		map[i / WORD_BITS] &= ~m;
}

/* Mark frames touching [base, base+len) used (round outwards). */
static void reserve(uint64_t base, uint64_t len)
{
	uint64_t end;
	if (!len || base >= BOOT_PHYS_LIMIT)
		return;
	if (!range_add_ok(base, len, &end) || end > BOOT_PHYS_LIMIT)
		end = BOOT_PHYS_LIMIT;
	for (uint64_t f = base / PAGE_SIZE; f < (end + PAGE_SIZE - 1) / PAGE_SIZE; f++) {
		if (!bit_get(used, f))
			nfree--;
		bit_put(used, f, true);
	}
}

/* Mark frames wholly inside [base, base+len) free (round inwards). */
static void release(uint64_t base, uint64_t len)
{
	uint64_t end, first, last;
	if (!range_add_ok(base, len, &end) || end > BOOT_PHYS_LIMIT)
		end = BOOT_PHYS_LIMIT;
	if (base >= end)
		return;
	first = (base + PAGE_SIZE - 1) / PAGE_SIZE;
	last = end / PAGE_SIZE;
	for (uint64_t f = first; f < last; f++) {
		if (bit_get(used, f))
			nfree++;
		bit_put(used, f, false);
	}
}

int frame_init(const struct boot_info *bi, uint64_t core_start, uint64_t core_end)
{
	memset(used, 0xff, sizeof(used));
	memset(owned, 0, sizeof(owned));
	nfree = 0;
	for (uint32_t i = 0; i < bi->nregions; i++)
		if (bi->regions[i].type == BOOT_MEM_AVAILABLE)
			release(bi->regions[i].base, bi->regions[i].len);
	/* Where the map contradicts itself, the reserved claim wins. */
	for (uint32_t i = 0; i < bi->nregions; i++)
		if (bi->regions[i].type != BOOT_MEM_AVAILABLE)
			reserve(bi->regions[i].base, bi->regions[i].len);
	reserve(0, FRAME_LOW_RESERVED);
	/* The chipset's window (I/O APIC, HPET, TPM, local APIC) is never RAM, whatever the map says. */
	reserve(FRAME_CHIPSET_BASE, FRAME_CHIPSET_SIZE);
	if (core_end > core_start)
		reserve(core_start, core_end - core_start);
	for (uint32_t i = 0; i < bi->nmodules; i++)
		reserve(bi->modules[i].start, bi->modules[i].end - bi->modules[i].start);
	return nfree ? 0 : -TESSERA_ENOMEM;
}

/*@ assigns used[0 .. NFRAMES / WORD_BITS - 1], owned[0 .. NFRAMES / WORD_BITS - 1], nfree;
    ensures \result == 0 || (\result % PAGE_SIZE == 0 && \result + count * PAGE_SIZE <= BOOT_PHYS_LIMIT &&
                             count <= \old(nfree) && nfree == \old(nfree) - count);
    ensures \result != 0 ==> \forall integer k; 0 <= k < count ==> !frame_used{Pre}(\result / PAGE_SIZE + k); */
uint64_t frame_alloc(uint64_t count, uint64_t align)
{
	uint64_t step, f;
	if (!count || count > NFRAMES || align < PAGE_SIZE || (align & (align - 1)) ||
	    align > BOOT_PHYS_LIMIT || count > nfree)
		return 0;
	step = align / PAGE_SIZE;
	/*@ loop invariant f <= NFRAMES;
	    loop assigns f; */
	for (f = FRAME_LOW_RESERVED / PAGE_SIZE; f + count <= NFRAMES;) {
		uint64_t i;
		f = ALIGN_UP(f, step);
		if (f + count > NFRAMES)
			break;
		/*@ loop invariant 0 <= i <= count && f + count <= NFRAMES;
		    loop invariant \forall integer k; 0 <= k < i ==> !frame_used(f + k);
		    loop assigns i;
		    loop variant count - i; */
		for (i = 0; i < count && !bit_get(used, f + i); i++)
			;
		if (i == count) {
			/*@ loop invariant 0 <= i <= count;
			    loop assigns i, used[0 .. NFRAMES / WORD_BITS - 1], owned[0 .. NFRAMES / WORD_BITS - 1];
			    loop variant count - i; */
			for (i = 0; i < count; i++) {
				bit_put(used, f + i, true);
				bit_put(owned, f + i, true);
			}
			nfree -= count;
			return f * PAGE_SIZE;
		}
		f += i + 1; /* skip past the used frame */
	}
	return 0;
}

/*@ assigns used[0 .. NFRAMES / WORD_BITS - 1], owned[0 .. NFRAMES / WORD_BITS - 1], nfree;
    ensures \result == 0 || \result == -TESSERA_EINVAL;
    ensures \result == 0 ==> (uint64_t)(pa % PAGE_SIZE) == 0 && (uint64_t)(pa / PAGE_SIZE) + count <= NFRAMES &&
      \forall integer k; 0 <= k < count ==> frame_owned{Pre}((uint64_t)(pa / PAGE_SIZE) + k);
    ensures \result != 0 ==> nfree == \old(nfree) &&
      \forall integer w; 0 <= w < NFRAMES / WORD_BITS ==> used[w] == \old(used[w]) && owned[w] == \old(owned[w]); */
int frame_free(uint64_t pa, uint64_t count)
{
	uint64_t first = pa / PAGE_SIZE;
	if (pa % PAGE_SIZE || !count || first >= NFRAMES || count > NFRAMES - first)
		return -TESSERA_EINVAL;
	/*@ loop invariant 0 <= i <= count && first + count <= NFRAMES;
	    loop invariant \forall integer k; 0 <= k < i ==> frame_owned(first + k);
	    loop assigns i;
	    loop variant count - i; */
	for (uint64_t i = 0; i < count; i++)
		if (!bit_get(owned, first + i))
			return -TESSERA_EINVAL;
	/*@ loop invariant 0 <= i <= count;
	    loop invariant \forall integer k; 0 <= k < count ==> frame_owned{Pre}(first + k);
	    loop assigns i, used[0 .. NFRAMES / WORD_BITS - 1], owned[0 .. NFRAMES / WORD_BITS - 1];
	    loop variant count - i; */
	for (uint64_t i = 0; i < count; i++) {
		bit_put(owned, first + i, false);
		bit_put(used, first + i, false);
	}
	nfree += count;
	return 0;
}

bool frame_is_free(uint64_t pa)
{
	return pa < BOOT_PHYS_LIMIT && !bit_get(used, pa / PAGE_SIZE);
}

uint64_t frame_free_count(void)
{
	return nfree;
}
