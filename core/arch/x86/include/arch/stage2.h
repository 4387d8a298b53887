#ifndef ARCH_STAGE2_H
#define ARCH_STAGE2_H
#include <core/domain.h>

/* A zeroed page from the frame allocator (0 when none is left). */
uint64_t page_zalloc(void);
/* Zero, free and forget a page allocated by page_zalloc (no-op for 0) ... */
void page_scrub_free(uint64_t *pa);
/* ... or count contiguous frames from frame_alloc. */
void pages_scrub_free(uint64_t *pa, uint64_t count);

int stage2_build(struct domain *d, uint64_t table_bits, uint64_t leaf_bits);
void stage2_free(struct domain *d);
/* pd[i] = 2 MiB leaf at d's mem_pa + i * 2 MiB | bits, over [0, mem_size): any table format's. */
void stage2_fill_2m(uint64_t *pd, const struct domain *d, uint64_t bits);
int stage2_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, uint64_t table_bits,
		     uint64_t leaf_bits);
void stage2_grant_unmap(struct domain *d, uint32_t slot);
/*
 * Map [hpa, hpa + size) at the same guest-physical addresses with 4 KiB leaves
 * (leaf_bits), tables from d's pool (STAGE2_MMIO_PTS). -1, with nothing mapped,
 * unless page aligned, non-empty, inside [TESSERA_GUEST_MMIO_MIN, 4 GiB), clear of
 * every page already mapped there, and within the pool. The caller flushes.
 */
int stage2_mmio_map(struct domain *d, uint64_t hpa, uint64_t size, uint64_t table_bits,
		    uint64_t leaf_bits);
/* Second-stage table pages of d, in bytes. */
uint64_t stage2_overhead(const struct domain *d);
#endif
