/*
 * AMD-Vi (AMD IOMMU) DMA remapping. Every requester id's device table entry
 * (DTE) blocks DMA and MSIs (V=1, TV=1, Mode 0, IR=IW=0; IV=1, IntCtl abort)
 * the IOAPICs' pass their interrupts (IV=0) and still block their DMA. An assigned device's DTE points at its domain's 3-level I/O page
 * table: device address = guest-physical address, 2 MiB pages over
 * [0, mem_size), nothing else. A zeroed DTE would pass DMA untranslated.
 */
#include <core/acpi.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/frame.h>
#include <arch/mm.h>
#include <arch/stage2.h>
#include <tessera/errno.h>
#include "amdvi.h"
#include "iommu_backend.h"

#define DEVTAB_PAGES (AMDVI_IDS * 32 / PAGE_SIZE) /* all 64 Ki ids: QEMU ignores the size field */

#define DTE_V     (1ULL << 0)
#define DTE_TV    (1ULL << 1)
#define DTE_MODE3 (3ULL << 9)
#define DTE_IR    (1ULL << 61)
#define DTE_IW    (1ULL << 62)
#define DTE_IV    1ULL /* q2: interrupt info valid, IntCtl 0: abort */
#define PTE_PR      (1ULL << 0)
#define PTE_NEXT_L2 (2ULL << 9)
#define PTE_FC      (1ULL << 60) /* force coherent: no snoop-less read of stale lines */
#define PTE_RW      ((1ULL << 61) | (1ULL << 62))
#define LARGE_PAGE  (2ULL << 20)

/* QEMU 7.2.0 treats DomainID bit 8 as reserved. */
#define DOMID(d) ((uint64_t)(d)->id + 1)
_Static_assert(AMDVI_DOMID_BLOCK == DOMAIN_MAX + 1 && AMDVI_DOMID_BLOCK < 256,
	       "AMD-Vi domain ids: 1..DOMAIN_MAX for domains, then the blocking one, below 256");

static struct amdvi_ivrs ivrs;
static uint64_t devtab_pa;
static bool up;

/* Per domain: its I/O page table (an L3 root, one L2 of 2 MiB leaves) and its devices. */
static struct {
	uint64_t root, l2;
	uint32_t ndevs;
	uint16_t devs[TESSERA_DEVICES_MAX];
} doms[DOMAIN_MAX];

static volatile uint64_t *dte(uint32_t id)
{
	return (volatile uint64_t *)phys_to_virt(devtab_pa) + (uint64_t)id * 4;
}

/* Blocking takes effect with q0 alone, so it goes first; a new translation goes last. */
static void dte_block(uint32_t id)
{
	volatile uint64_t *e = dte(id);
	e[0] = DTE_V | DTE_TV;
	e[1] = AMDVI_DOMID_BLOCK;
	e[2] = DTE_IV;
	e[3] = 0;
}

static void dte_translate(uint32_t id, uint64_t root, uint64_t domid)
{
	volatile uint64_t *e = dte(id);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the tables are in memory before they are used */
	e[1] = domid;
	e[2] = DTE_IV;
	e[3] = 0;
	e[0] = root | DTE_MODE3 | DTE_IR | DTE_IW | DTE_TV | DTE_V;
}

static bool is_ioapic(uint32_t id)
{
	for (uint32_t i = 0; i < ivrs.nioapic; i++)
		if (ivrs.ioapic[i] == id)
			return true;
	return false;
}

static bool amdvi_present(const struct acpi_info *ai)
{
	return ai->ivrs.len > 0;
}

static int amdvi_init(const struct acpi_info *ai, const char **why)
{
	int rc = amdvi_ivrs_parse(phys_to_virt(ai->ivrs.pa), ai->ivrs.len, &ivrs, why);
	if (rc)
		return rc;
	if (!amdvi_hw_probe(ivrs.base)) {
		*why = "no IOMMU registers at the IVRS base address";
		return -TESSERA_ENODEV;
	}
	devtab_pa = frame_alloc(DEVTAB_PAGES, PAGE_SIZE);
	if (!devtab_pa) {
		*why = "out of memory for the IOMMU device table (2 MiB)";
		return -TESSERA_ENOMEM;
	}
	for (uint32_t id = 0; id < AMDVI_IDS; id++) {
		volatile uint64_t *e = dte(id);
		dte_block(id);
		/* An IOAPIC's interrupts pass unremapped (IV=0), its DMA stays blocked: on real
		 * chipsets its requester id is also an ordinary PCI function's. */
		if (is_ioapic(id))
			e[2] = 0;
	}
	rc = amdvi_hw_start(devtab_pa, ivrs.ivhd_flags, why);
	if (rc == -TESSERA_ENOMEM)
		pages_scrub_free(&devtab_pa, DEVTAB_PAGES); /* the IOMMU never saw it */
	up = !rc;
	return rc;
}

/* The domain's I/O page table: L3[0] -> L2, L2[i] = 2 MiB leaf at mem_pa + i * 2 MiB. */
static int build_tables(const struct domain *d, const char **why)
{
	uint64_t *l3, *l2, n = d->mem_size / LARGE_PAGE;
	if (!n || d->mem_size % LARGE_PAGE || n > 512 || d->mem_pa % LARGE_PAGE ||
	    (d->mem_pa + d->mem_size) >> 52) {
		*why = "the domain's memory is not 2 MiB pages, 1 GiB at most";
		return -TESSERA_EINVAL;
	}
	doms[d->id].root = page_zalloc();
	doms[d->id].l2 = page_zalloc();
	if (!doms[d->id].root || !doms[d->id].l2) {
		page_scrub_free(&doms[d->id].root);
		page_scrub_free(&doms[d->id].l2);
		*why = "out of memory for IOMMU page tables";
		return -TESSERA_ENOMEM;
	}
	l3 = phys_to_virt(doms[d->id].root);
	l2 = phys_to_virt(doms[d->id].l2);
	for (uint64_t i = 0; i < n; i++)
		l2[i] = (d->mem_pa + i * LARGE_PAGE) | PTE_RW | PTE_FC | PTE_PR;
	l3[0] = doms[d->id].l2 | PTE_RW | PTE_NEXT_L2 | PTE_PR;
	return 0;
}

static const char *unassignable(uint32_t sbdf, uint32_t id)
{
	if (!up)
		return "the IOMMU is not running";
	if (sbdf >> 16)
		return "not on PCI segment 0";
	if (!amdvi_bit(ivrs.covered, id))
		return "the IOMMU does not translate its requester id (IVRS)";
	if (amdvi_bit(ivrs.aliased, id))
		return "its DMA shares a requester id with other functions (PCI bridge alias)";
	if (id == ivrs.iommu_id)
		return "it is the IOMMU";
	for (uint32_t i = 0; i < ivrs.nspecial; i++)
		if (ivrs.special[i] == id)
			return "an IOAPIC, HPET or ACPI device uses its requester id";
	return NULL;
}

static int amdvi_assign(struct domain *d, uint32_t sbdf, const char **why)
{
	uint32_t id = sbdf & 0xffff;
	int rc;
	if ((*why = unassignable(sbdf, id)))
		return -TESSERA_EINVAL;
	if (d->id >= DOMAIN_MAX || doms[d->id].ndevs == TESSERA_DEVICES_MAX) {
		*why = "too many devices for one domain";
		return -TESSERA_ENOSPC;
	}
	if (!doms[d->id].root && (rc = build_tables(d, why)))
		return rc;
	dte_translate(id, doms[d->id].root, DOMID(d));
	/* What was cached for the old DTE (blocking domain id), and anything stale of d's. */
	if (amdvi_flush(id, AMDVI_DOMID_BLOCK) || amdvi_flush(id, DOMID(d))) {
		dte_block(id);
		amdvi_flush(id, DOMID(d));
		*why = "the IOMMU did not confirm the new device table entry";
		return -TESSERA_EBUSY;
	}
	doms[d->id].devs[doms[d->id].ndevs++] = (uint16_t)id;
	return 0;
}

static void amdvi_unassign(struct domain *d, uint32_t sbdf)
{
	uint32_t n = d->id < DOMAIN_MAX ? doms[d->id].ndevs : 0, id = sbdf & 0xffff;
	for (uint32_t i = 0; i < n; i++) {
		if (doms[d->id].devs[i] != id || sbdf >> 16)
			continue;
		dte_block(id);
		/* d's memory is about to be reused: no cached translation may outlive this. */
		if (amdvi_flush(id, DOMID(d)))
			panic("amd-vi: the IOMMU did not confirm that device %02x:%02x.%x is blocked",
			      id >> 8, id >> 3 & 0x1f, id & 7);
		doms[d->id].devs[i] = doms[d->id].devs[--doms[d->id].ndevs];
		return;
	}
}

static void amdvi_domain_destroy(struct domain *d)
{
	if (d->id >= DOMAIN_MAX)
		return;
	while (doms[d->id].ndevs)
		amdvi_unassign(d, doms[d->id].devs[0]);
	page_scrub_free(&doms[d->id].root);
	page_scrub_free(&doms[d->id].l2);
}

static void amdvi_report_faults(void)
{
	if (up)
		amdvi_events_report();
}

const struct iommu_backend amdvi_backend = {
	.name = "amd-vi",
	.present = amdvi_present,
	.init = amdvi_init,
	.assign = amdvi_assign,
	.unassign = amdvi_unassign,
	.domain_destroy = amdvi_domain_destroy,
	.report_faults = amdvi_report_faults,
};
