/*
 * Second-stage (nested/extended) page tables, shared by the SVM and VMX
 * backends: guest-physical [0, mem) -> the domain's block, 2 MiB pages; the
 * grant window; assigned device MMIO; nothing else. Only the entry bits
 * differ between NPT and EPT.
 */
#include <core/console.h>
#include <core/frame.h>
#include <core/lib.h>
#include <arch/mm.h>
#include <arch/stage2.h>
#include <tessera/grant.h>
#include <tessera/layout.h>

uint64_t page_zalloc(void)
{
	uint64_t pa = frame_alloc(1, PAGE_SIZE);
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void pages_scrub_free(uint64_t *pa, uint64_t count)
{
	if (!*pa)
		return;
	memset(phys_to_virt(*pa), 0, count * PAGE_SIZE);
	if (frame_free(*pa, count))
		panic("page 0x%lx was not the frame allocator's", (unsigned long)*pa);
	*pa = 0;
}

void page_scrub_free(uint64_t *pa)
{
	pages_scrub_free(pa, 1);
}

int stage2_build(struct domain *d, uint64_t table_bits, uint64_t leaf_bits)
{
	uint64_t *pml4, *pdpt, *pd;
	for (int i = 0; i < STAGE2_PAGES; i++) {
		d->arch.stage2[i] = page_zalloc();
		if (!d->arch.stage2[i]) {
			stage2_free(d);
			return -1;
		}
	}
	pml4 = phys_to_virt(d->arch.stage2[0]);
	pdpt = phys_to_virt(d->arch.stage2[1]);
	pd = phys_to_virt(d->arch.stage2[2]);
	pml4[0] = d->arch.stage2[1] | table_bits;
	pdpt[0] = d->arch.stage2[2] | table_bits;
	stage2_fill_2m(pd, d, leaf_bits);
	return 0;
}

void stage2_fill_2m(uint64_t *pd, const struct domain *d, uint64_t bits)
{
	for (uint64_t i = 0; i < d->mem_size / TESSERA_DOMAIN_MEM_ALIGN; i++)
		pd[i] = (d->mem_pa + i * TESSERA_DOMAIN_MEM_ALIGN) | bits;
}

void stage2_free(struct domain *d)
{
	for (int i = 0; i < STAGE2_PAGES; i++)
		page_scrub_free(&d->arch.stage2[i]);
	page_scrub_free(&d->arch.grant_pd);
	page_scrub_free(&d->arch.grant_pt);
	for (int i = 0; i < STAGE2_MMIO_PDS; i++)
		page_scrub_free(&d->arch.mmio_pd[i]);
	for (int i = 0; i < STAGE2_MMIO_PTS; i++)
		page_scrub_free(&d->arch.mmio_pt[i]);
}

/* The grant window: PDPT[1] -> one PD -> one page table of 4 KiB slots. */
int stage2_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, uint64_t table_bits,
		     uint64_t leaf_bits)
{
	if (slot >= TESSERA_GRANT_SLOTS)
		return -1;
	if (!d->arch.grant_pt) {
		d->arch.grant_pd = page_zalloc();
		d->arch.grant_pt = page_zalloc();
		if (!d->arch.grant_pd || !d->arch.grant_pt) {
			page_scrub_free(&d->arch.grant_pd);
			page_scrub_free(&d->arch.grant_pt);
			return -1;
		}
		((uint64_t *)phys_to_virt(d->arch.grant_pd))[0] = d->arch.grant_pt | table_bits;
		((uint64_t *)phys_to_virt(d->arch.stage2[1]))[1] = d->arch.grant_pd | table_bits;
	}
	((uint64_t *)phys_to_virt(d->arch.grant_pt))[slot] = hpa | leaf_bits;
	return 0;
}

void stage2_grant_unmap(struct domain *d, uint32_t slot)
{
	if (d->arch.grant_pt && slot < TESSERA_GRANT_SLOTS)
		((uint64_t *)phys_to_virt(d->arch.grant_pt))[slot] = 0;
}

#define PTE_ADDR 0x000ffffffffff000ULL
#define SZ_2M (2ULL << 20)

/* The page table for the 2 MiB region holding gpa (in GiB 2 or 3), or NULL. */
static uint64_t *mmio_pt(const struct domain *d, uint64_t gpa)
{
	uint64_t pd = d->arch.mmio_pd[(gpa >> 30) - 2], pde;
	if (!pd)
		return NULL;
	pde = ((const uint64_t *)phys_to_virt(pd))[(gpa >> 21) & 511];
	return pde ? phys_to_virt(pde & PTE_ADDR) : NULL;
}

static int mmio_pts_used(const struct domain *d)
{
	int n = 0;
	while (n < STAGE2_MMIO_PTS && d->arch.mmio_pt[n])
		n++;
	return n;
}

/* A page table from the pool for the region holding gpa, and its PD if need be. */
static int mmio_table(struct domain *d, uint64_t gpa, uint64_t table_bits)
{
	unsigned g = (unsigned)(gpa >> 30) - 2;
	int n = mmio_pts_used(d);
	if (n == STAGE2_MMIO_PTS)
		return -1;
	if (!d->arch.mmio_pd[g]) {
		d->arch.mmio_pd[g] = page_zalloc();
		if (!d->arch.mmio_pd[g])
			return -1;
		((uint64_t *)phys_to_virt(d->arch.stage2[1]))[2 + g] = d->arch.mmio_pd[g] | table_bits;
	}
	d->arch.mmio_pt[n] = page_zalloc();
	if (!d->arch.mmio_pt[n])
		return -1;
	((uint64_t *)phys_to_virt(d->arch.mmio_pd[g]))[(gpa >> 21) & 511] =
		d->arch.mmio_pt[n] | table_bits;
	return 0;
}

/*
 * Checked in full before anything changes, so a refusal maps nothing (at most
 * empty tables were added, when the frame allocator ran dry).
 */
int stage2_mmio_map(struct domain *d, uint64_t hpa, uint64_t size, uint64_t table_bits,
		    uint64_t leaf_bits)
{
	uint64_t end, gpa, r;
	int need = 0;
	if (!size || hpa % PAGE_SIZE || size % PAGE_SIZE || hpa < TESSERA_GUEST_MMIO_MIN ||
	    !range_within(hpa, size, TESSERA_GUEST_MAP_MAX))
		return -1;
	end = hpa + size;
	for (r = hpa & ~(SZ_2M - 1); r < end; r += SZ_2M) {
		const uint64_t *pt = mmio_pt(d, r);
		if (!pt && ++need > STAGE2_MMIO_PTS - mmio_pts_used(d))
			return -1;
		for (gpa = r > hpa ? r : hpa; pt && gpa < end && gpa < r + SZ_2M; gpa += PAGE_SIZE)
			if (pt[(gpa >> 12) & 511])
				return -1; /* already mapped */
	}
	for (r = hpa & ~(SZ_2M - 1); r < end; r += SZ_2M)
		if (!mmio_pt(d, r) && mmio_table(d, r, table_bits))
			return -1;
	for (gpa = hpa; gpa < end; gpa += PAGE_SIZE)
		mmio_pt(d, gpa)[(gpa >> 12) & 511] = gpa | leaf_bits;
	return 0;
}

uint64_t stage2_overhead(const struct domain *d)
{
	uint64_t pages = STAGE2_PAGES + (d->arch.grant_pt ? 2 : 0) + (uint64_t)mmio_pts_used(d);
	for (int i = 0; i < STAGE2_MMIO_PDS; i++)
		pages += d->arch.mmio_pd[i] != 0;
	return pages * PAGE_SIZE;
}
