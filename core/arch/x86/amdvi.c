/*
 * AMD-Vi (AMD IOMMU) DMA remapping. Every requester id's device table entry
 * (DTE) blocks DMA and MSIs (V=1, TV=1, Mode 0, IR=IW=0; IV=1, IntCtl abort);
 * the IOAPICs' pass their interrupts (IV=0) and still block their DMA. A
 * device with a bound interrupt gets its own remapping table (IntCtl remap):
 * 32 entries, index = host vector slot, the rest not RemapEn (aborted). An
 * assigned device's DTE points at its domain's 3-level I/O page table: device
 * address = guest-physical address, 2 MiB pages over [0, mem_size), nothing
 * else. A zeroed DTE would pass DMA untranslated.
 */
#include <core/acpi.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/frame.h>
#include <arch/mm.h>
#include <arch/stage2.h>
#include <tessera/errno.h>
#include <tessera/layout.h>
#include "amdvi.h"
#include "iommu_backend.h"

#define DEVTAB_PAGES (AMDVI_IDS * 32 / PAGE_SIZE) /* all 64 Ki ids: QEMU ignores the size field */

#define DTE_V     (1ULL << 0)
#define DTE_TV    (1ULL << 1)
#define DTE_MODE3 (3ULL << 9)
#define DTE_IR    (1ULL << 61)
#define DTE_IW    (1ULL << 62)
#define DTE_IV    1ULL /* q2: interrupt info valid, IntCtl 0: abort */
#define DTE_INTCTL_REMAP (2ULL << 60)
#define IRT_LEN_LOG2     5ULL /* 32 entries of 4 bytes: one per host device vector */
#define IRT_MAX          64   /* devices with a remapping table (PCI_DEV_MAX) */
#define IRTE_REMAP_EN    1u
#define IRTE_SUP_IOPF    2u   /* IntType 0 fixed, DM 0 physical */
#define PTE_PR      (1ULL << 0)
#define PTE_NEXT_L2 (2ULL << 9)
#define PTE_FC      (1ULL << 60) /* force coherent: no snoop-less read of stale lines */
#define PTE_RW      ((1ULL << 61) | (1ULL << 62))
#define LARGE_PAGE  (2ULL << 20)

/* QEMU 7.2.0 treats DomainID bit 8 as reserved. */
#define DOMID(d) ((uint64_t)(d)->id + 1)
_Static_assert(AMDVI_DOMID_BLOCK == DOMAIN_MAX + 1 && AMDVI_DOMID_BLOCK < 256,
	       "AMD-Vi domain ids: 1..DOMAIN_MAX for domains, then the blocking one, below 256");

_Static_assert(TESSERA_DOMAIN_MEM_MAX <= 512 * LARGE_PAGE, "a domain's memory fits one L2 table");

static struct amdvi_ivrs ivrs;
/* Per device with a bound interrupt: its interrupt remapping table (a zeroed page). */
static struct {
	uint16_t id;
	uint64_t pa;
} irts[IRT_MAX];
static uint64_t devtab_pa;

/* Per domain: its I/O page table, an L3 root and one L2 of 2 MiB leaves. */
static struct {
	uint64_t root, l2;
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
		if (id_listed(ivrs.ioapic, ivrs.nioapic, (uint16_t)id))
			e[2] = 0;
	}
	rc = amdvi_hw_start(devtab_pa, ivrs.ivhd_flags, why);
	if (rc == -TESSERA_ENOMEM)
		pages_scrub_free(&devtab_pa, DEVTAB_PAGES); /* the IOMMU never saw it */
	return rc;
}

/* The domain's I/O page table: L3[0] -> L2, L2[i] = 2 MiB leaf at mem_pa + i * 2 MiB. */
static int build_tables(const struct domain *d, const char **why)
{
	uint64_t *l3, *l2;
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
	stage2_fill_2m(l2, d, PTE_RW | PTE_FC | PTE_PR);
	l3[0] = doms[d->id].l2 | PTE_RW | PTE_NEXT_L2 | PTE_PR;
	return 0;
}

static const char *unassignable(uint16_t id)
{
	if (!amdvi_bit(ivrs.covered, id))
		return "the IOMMU does not translate its requester id (IVRS)";
	if (amdvi_bit(ivrs.aliased, id))
		return "its DMA shares a requester id with other functions (PCI bridge alias)";
	if (id == ivrs.iommu_id)
		return "it is the IOMMU";
	if (id_listed(ivrs.special, ivrs.nspecial, id))
		return "an IOAPIC, HPET or ACPI device uses its requester id";
	return NULL;
}

static int amdvi_assign(struct domain *d, uint16_t id, const char **why)
{
	int rc;
	if ((*why = unassignable(id)))
		return -TESSERA_EINVAL;
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
	return 0;
}

static int irt_find(uint16_t id)
{
	for (int i = 0; i < IRT_MAX; i++)
		if (irts[i].pa && irts[i].id == id)
			return i;
	return -1;
}

/* Back to aborting id's interrupts (its DTE's q2 alone), then the table goes. */
static int irt_drop(uint16_t id)
{
	int i = irt_find(id), rc;
	if (i < 0)
		return 0;
	dte(id)[2] = DTE_IV;
	rc = amdvi_flush_irt(id);
	if (!rc)
		page_scrub_free(&irts[i].pa);
	return rc;
}

static int amdvi_unassign(struct domain *d, uint16_t id)
{
	int rc;
	dte_block(id);
	rc = amdvi_flush(id, DOMID(d));
	if (!rc && irt_find(id) >= 0)
		page_scrub_free(&irts[irt_find(id)].pa); /* the flush dropped what it cached of it */
	return rc;
}

static int amdvi_irq_route(uint16_t id, uint32_t index, uint8_t vector, uint8_t dest,
			   uint64_t *addr, uint32_t *data)
{
	int i = irt_find(id);
	volatile uint32_t *t;
	if (index >= 1u << IRT_LEN_LOG2)
		return -TESSERA_EINVAL;
	if (i < 0) {
		for (i = 0; i < IRT_MAX && irts[i].pa; i++)
			;
		if (i == IRT_MAX || !(irts[i].pa = page_zalloc()))
			return -TESSERA_ENOMEM;
		irts[i].id = id;
	}
	t = phys_to_virt(irts[i].pa);
	t[index] = IRTE_REMAP_EN | IRTE_SUP_IOPF | (uint32_t)dest << 8 | (uint32_t)vector << 16;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	dte(id)[2] = irts[i].pa | IRT_LEN_LOG2 << 1 | DTE_INTCTL_REMAP | DTE_IV;
	if (amdvi_flush_irt(id)) {
		t[index] = 0;
		irt_drop(id);
		return -TESSERA_EBUSY;
	}
	*addr = 0xfee00000ULL; /* remapped: the data is the table index */
	*data = index;
	return 0;
}

static int amdvi_irq_unroute(uint16_t id, uint32_t index)
{
	int i = irt_find(id);
	volatile uint32_t *t;
	bool empty = true;
	if (i < 0 || index >= 1u << IRT_LEN_LOG2)
		return 0;
	t = phys_to_virt(irts[i].pa);
	t[index] = 0;
	for (uint32_t k = 0; k < 1u << IRT_LEN_LOG2; k++)
		empty &= !t[k];
	return empty ? irt_drop(id) : amdvi_flush_irt(id);
}

static void amdvi_free_tables(struct domain *d)
{
	page_scrub_free(&doms[d->id].root);
	page_scrub_free(&doms[d->id].l2);
}

const struct iommu_backend amdvi_backend = {
	.name = "amd-vi",
	.present = amdvi_present,
	.init = amdvi_init,
	.assign = amdvi_assign,
	.unassign = amdvi_unassign,
	.free_tables = amdvi_free_tables,
	.report_faults = amdvi_events_report,
	.irq_route = amdvi_irq_route,
	.irq_unroute = amdvi_irq_unroute,
};
