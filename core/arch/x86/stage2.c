/*
 * Second-stage (nested/extended) page tables, shared by the SVM and VMX
 * backends: guest-physical [0, mem) -> the domain's block, 2 MiB pages,
 * nothing else. Only the entry bits differ between NPT and EPT.
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

void page_scrub_free(uint64_t *pa)
{
	if (!*pa)
		return;
	memset(phys_to_virt(*pa), 0, PAGE_SIZE);
	if (frame_free(*pa, 1))
		panic("page 0x%lx was not the frame allocator's", (unsigned long)*pa);
	*pa = 0;
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
	for (uint64_t i = 0; i < d->mem_size / TESSERA_DOMAIN_MEM_ALIGN; i++)
		pd[i] = (d->mem_pa + i * TESSERA_DOMAIN_MEM_ALIGN) | leaf_bits;
	return 0;
}

void stage2_free(struct domain *d)
{
	for (int i = 0; i < STAGE2_PAGES; i++)
		page_scrub_free(&d->arch.stage2[i]);
	page_scrub_free(&d->arch.grant_pd);
	page_scrub_free(&d->arch.grant_pt);
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

uint64_t stage2_overhead(const struct domain *d)
{
	return (STAGE2_PAGES + (d->arch.grant_pt ? 2 : 0)) * PAGE_SIZE;
}
