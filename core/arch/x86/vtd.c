/*
 * Intel VT-d DMA remapping (legacy mode: root and context entries). Every
 * root entry starts not present, so all DMA faults (reason 1, recorded
 * whatever the context entry would say). A bus gets a context table when one
 * of its devices is first assigned; a device's context entry points at its
 * domain's second-level tables: device address = guest-physical address over
 * [0, mem_size), 2 MiB leaves where the unit has them, else 4 KiB leaves.
 * Unassigning clears the context entry again (reason 2 from then on).
 */
#include <core/acpi.h>
#include <core/console.h>
#include <core/domain.h>
#include <arch/mm.h>
#include <arch/stage2.h>
#include <tessera/errno.h>
#include <tessera/layout.h>
#include "iommu_backend.h"
#include "vtd.h"

#define PTE_RW    3ULL /* read, write; non-leaf entries need both for either to pass */
#define PTE_PS    (1ULL << 7)
#define CTX_P     1ULL
#define BIG       (2ULL << 20)
#define PT_BUDGET 1024 /* 4 KiB leaf tables over all domains (4 MiB of tables, 2 GiB mapped) */
#define IRTE_P       1ULL /* lo: present; DM 0 physical, TM 0 edge, DLM 0 fixed */
#define IRTE_SVT_ALL (1ULL << 18) /* hi: the message's requester id must equal SID (SQ 0) */
#define IRT_ENTRIES  256 /* IRTA_256 in vtd_hw.c */
#define DID(d)    ((uint16_t)((d)->id + 1)) /* 0 is reserved when the unit caches not-present entries */

static struct vtd_dmar dmar;
static struct vtd_caps caps;
static uint64_t root_pa, iq_pa, irt_pa, ctx_pa[256];
static uint32_t pt_pages;

_Static_assert(TESSERA_DOMAIN_MEM_MAX <= 512 * BIG, "a domain's memory fits one 2 MiB-level table");

/* Per domain: its second-level tables (top, the 4-level case's middle, the 2 MiB level). */
static struct vdom {
	uint64_t top, mid, l2;
} doms[DOMAIN_MAX];

static void free_tables(struct vdom *s)
{
	uint64_t *l2 = s->l2 ? phys_to_virt(s->l2) : NULL;
	for (uint32_t i = 0; l2 && i < 512; i++) {
		if (l2[i] && !(l2[i] & PTE_PS)) {
			uint64_t pt = l2[i] & ~0xfffULL;
			page_scrub_free(&pt);
			pt_pages--;
		}
	}
	page_scrub_free(&s->top);
	page_scrub_free(&s->mid);
	page_scrub_free(&s->l2);
}

static int build_tables(const struct domain *d, struct vdom *s, const char **why)
{
	uint64_t n = d->mem_size / BIG, *l2, *top;
	if (dmar.haw < 64 && (d->mem_pa + d->mem_size) >> dmar.haw) {
		*why = "the domain's memory is above the IOMMU's address width";
		return -TESSERA_EINVAL;
	}
	if (!caps.big && pt_pages + n > PT_BUDGET) {
		*why = "the IOMMU's 4 KiB page-table budget is spent (no 2 MiB pages: CAP.SLLPS)";
		return -TESSERA_ENOSPC;
	}
	s->top = page_zalloc();
	s->l2 = page_zalloc();
	s->mid = caps.levels == 4 ? page_zalloc() : 0;
	*why = "out of memory for IOMMU page tables";
	if (!s->top || !s->l2 || (caps.levels == 4 && !s->mid)) {
		free_tables(s);
		return -TESSERA_ENOMEM;
	}
	l2 = phys_to_virt(s->l2);
	if (caps.big)
		stage2_fill_2m(l2, d, PTE_PS | PTE_RW);
	for (uint64_t i = 0; !caps.big && i < n; i++) {
		uint64_t pa = d->mem_pa + i * BIG, pt, *e;
		if (!(pt = page_zalloc())) {
			free_tables(s);
			return -TESSERA_ENOMEM;
		}
		e = phys_to_virt(pt);
		for (uint64_t j = 0; j < 512; j++)
			e[j] = (pa + j * PAGE_SIZE) | PTE_RW;
		vtd_sync(e, PAGE_SIZE);
		l2[i] = pt | PTE_RW;
		pt_pages++;
	}
	vtd_sync(l2, PAGE_SIZE);
	top = phys_to_virt(s->top);
	if (s->mid) {
		*(uint64_t *)phys_to_virt(s->mid) = s->l2 | PTE_RW;
		vtd_sync(phys_to_virt(s->mid), 8);
		top[0] = s->mid | PTE_RW;
	} else {
		top[0] = s->l2 | PTE_RW;
	}
	vtd_sync(top, 8);
	return 0;
}

static volatile uint64_t *ctx(uint16_t id)
{
	return (volatile uint64_t *)phys_to_virt(ctx_pa[id >> 8]) + (id & 0xff) * 2;
}

/* The bus's context table, made present in the root table (all its entries not present). */
static int bus_table(uint8_t bus)
{
	volatile uint64_t *re = (volatile uint64_t *)phys_to_virt(root_pa) + bus * 2;
	if (ctx_pa[bus])
		return 0;
	if (!(ctx_pa[bus] = page_zalloc()))
		return -TESSERA_ENOMEM;
	vtd_sync(phys_to_virt(ctx_pa[bus]), PAGE_SIZE);
	re[1] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	re[0] = ctx_pa[bus] | CTX_P;
	vtd_sync((const void *)re, 16);
	return 0;
}

/* Present last when making an entry, first when taking it away: the unit reads it in halves. */
static void ctx_set(uint16_t id, uint64_t top, uint16_t did)
{
	volatile uint64_t *e = ctx(id);
	e[1] = (caps.levels == 4 ? 2ULL : 1ULL) | (uint64_t)did << 8; /* AW: 48 or 39 bits */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	e[0] = top | CTX_P; /* FPD clear: faults are recorded; TT 0: untranslated requests only */
	vtd_sync((const void *)e, 16);
}

static void ctx_clear(uint16_t id)
{
	volatile uint64_t *e = ctx(id);
	e[0] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	e[1] = 0;
	vtd_sync((const void *)e, 16);
}

static const char *unassignable(uint16_t id)
{
	if (id_listed(dmar.rmrr, dmar.nrmrr, id) || (dmar.rmrr_deep && id >> 8))
		return "firmware keeps memory for its DMA (DMAR RMRR)";
	/* Behind a bridge its requests may carry the bridge's id: only direct names count. */
	if (!id_listed(dmar.scope, dmar.nscope, id) && !(dmar.include_all && !(id >> 8)))
		return "the IOMMU's device scope does not name it directly (DMAR)";
	return NULL;
}

static bool vtd_present(const struct acpi_info *ai)
{
	return ai->dmar.len > 0;
}

static int vtd_init(const struct acpi_info *ai, const char **why)
{
	int rc = vtd_dmar_parse(phys_to_virt(ai->dmar.pa), ai->dmar.len, &dmar, why);
	if (rc || (rc = vtd_hw_probe(dmar.base, &caps, why)))
		return rc;
	root_pa = page_zalloc();
	iq_pa = page_zalloc();
	irt_pa = caps.intremap ? page_zalloc() : 0;
	if (!root_pa || !iq_pa || (caps.intremap && !irt_pa)) {
		page_scrub_free(&root_pa);
		page_scrub_free(&iq_pa);
		page_scrub_free(&irt_pa);
		*why = "out of memory for the VT-d root table and queues";
		return -TESSERA_ENOMEM;
	}
	vtd_sync(phys_to_virt(root_pa), PAGE_SIZE);
	if (irt_pa)
		vtd_sync(phys_to_virt(irt_pa), PAGE_SIZE);
	/* On failure everything stays allocated: the unit may still read it. */
	if ((rc = vtd_hw_start(root_pa, iq_pa, irt_pa, why)))
		return rc;
	kprintf("tessera: vt-d: unit at 0x%lx, %u-level tables, %s pages, device interrupts %s\n",
		(unsigned long)dmar.base, caps.levels, caps.big ? "2 MiB" : "4 KiB",
		caps.intremap ? "blocked unless bound (interrupt remapping)" : "NOT blocked (no ECAP.IR)");
	vtd_faults_report(); /* what firmware's devices did before */
	return 0;
}

static int vtd_assign(struct domain *d, uint16_t id, const char **why)
{
	struct vdom *s = &doms[d->id];
	int rc;
	if ((*why = unassignable(id)))
		return -TESSERA_EINVAL;
	if (!s->top && (rc = build_tables(d, s, why)))
		return rc;
	if (bus_table((uint8_t)(id >> 8))) {
		*why = "out of memory for a VT-d context table";
		return -TESSERA_ENOMEM;
	}
	ctx_set(id, s->top, DID(d));
	/* Globally: the root entry may be new, and a caching-mode unit caches not-present entries. */
	if (vtd_flush_all()) {
		ctx_clear(id);
		vtd_flush_device(id, DID(d));
		*why = "the IOMMU did not confirm the new context entry";
		return -TESSERA_EBUSY;
	}
	return 0;
}

static int vtd_unassign(struct domain *d, uint16_t id)
{
	ctx_clear(id);
	return vtd_flush_device(id, DID(d));
}

static void vtd_free_tables(struct domain *d)
{
	free_tables(&doms[d->id]);
}

/*
 * Entry index of the interrupt remapping table: fixed, physical, edge, to APIC
 * id dest (xAPIC: destination bits 15:8) at vector, only from requester id.
 */
static int vtd_irq_route(uint16_t id, uint32_t index, uint8_t vector, uint8_t dest,
			 uint64_t *addr, uint32_t *data)
{
	volatile uint64_t *e;
	if (!irt_pa || index >= IRT_ENTRIES)
		return -TESSERA_ENODEV;
	e = (volatile uint64_t *)phys_to_virt(irt_pa) + index * 2;
	e[1] = id | IRTE_SVT_ALL;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	e[0] = IRTE_P | (uint64_t)vector << 16 | (uint64_t)dest << 40;
	vtd_sync((const void *)e, 16);
	if (vtd_flush_iec()) {
		e[0] = e[1] = 0;
		vtd_sync((const void *)e, 16);
		vtd_flush_iec();
		return -TESSERA_EBUSY;
	}
	/* Remappable format: bit 4, handle[14:0] in bits 19:5, handle[15] in bit 2; no subhandle. */
	*addr = 0xfee00000ULL | (uint64_t)(index & 0x7fff) << 5 | 1ULL << 4 |
		(uint64_t)(index >> 15 & 1) << 2;
	*data = 0;
	return 0;
}

static int vtd_irq_unroute(uint16_t id, uint32_t index)
{
	volatile uint64_t *e;
	(void)id;
	if (!irt_pa || index >= IRT_ENTRIES)
		return 0;
	e = (volatile uint64_t *)phys_to_virt(irt_pa) + index * 2;
	e[0] = 0; /* not present first */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	e[1] = 0;
	vtd_sync((const void *)e, 16);
	return vtd_flush_iec();
}

const struct iommu_backend vtd_backend = {
	.name = "vt-d",
	.present = vtd_present,
	.init = vtd_init,
	.assign = vtd_assign,
	.unassign = vtd_unassign,
	.free_tables = vtd_free_tables,
	.report_faults = vtd_faults_report,
	.irq_route = vtd_irq_route,
	.irq_unroute = vtd_irq_unroute,
};
