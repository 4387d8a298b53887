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
#include "iommu_backend.h"
#include "vtd.h"

#define PTE_RW    3ULL /* read, write; non-leaf entries need both for either to pass */
#define PTE_PS    (1ULL << 7)
#define CTX_P     1ULL
#define BIG       (2ULL << 20)
#define PT_BUDGET 1024 /* 4 KiB leaf tables over all domains (4 MiB of tables, 2 GiB mapped) */
#define DID(d)    ((uint16_t)((d)->id + 1)) /* 0 is reserved when the unit caches not-present entries */

static struct vtd_dmar dmar;
static struct vtd_caps caps;
static uint64_t root_pa, iq_pa, irt_pa, ctx_pa[256];
static uint32_t pt_pages;
static bool up;

/* Per domain: its second-level tables (top, the 4-level case's middle, the 2 MiB level) and devices. */
static struct vdom {
	uint64_t top, mid, l2;
	uint32_t ndevs;
	uint16_t devs[TESSERA_DEVICES_MAX];
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
	if (!n || d->mem_size % BIG || n > 512 || d->mem_pa % BIG ||
	    (dmar.haw < 64 && (d->mem_pa + d->mem_size) >> dmar.haw)) {
		*why = "the domain's memory is not 2 MiB pages, 1 GiB at most, below the IOMMU's width";
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
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pa = d->mem_pa + i * BIG, pt, *e;
		if (caps.big) {
			l2[i] = pa | PTE_PS | PTE_RW;
			continue;
		}
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

static bool listed(const uint16_t *list, uint32_t n, uint16_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

static const char *unassignable(uint32_t sbdf)
{
	uint16_t id = (uint16_t)sbdf;
	if (!up)
		return "the IOMMU is not running";
	if (sbdf >> 16)
		return "not on PCI segment 0";
	if (listed(dmar.rmrr, dmar.nrmrr, id) || (dmar.rmrr_deep && id >> 8))
		return "firmware keeps memory for its DMA (DMAR RMRR)";
	/* Behind a bridge its requests may carry the bridge's id: only direct names count. */
	if (!listed(dmar.scope, dmar.nscope, id) && !(dmar.include_all && !(id >> 8)))
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
	up = true;
	kprintf("tessera: vt-d: unit at 0x%lx, %u-level tables, %s pages, device interrupts %s\n",
		(unsigned long)dmar.base, caps.levels, caps.big ? "2 MiB" : "4 KiB",
		caps.intremap ? "blocked (empty remapping table)" : "NOT blocked (no ECAP.IR)");
	vtd_faults_report(); /* what firmware's devices did before */
	return 0;
}

static int vtd_assign(struct domain *d, uint32_t sbdf, const char **why)
{
	uint16_t id = (uint16_t)sbdf;
	struct vdom *s = d->id < DOMAIN_MAX ? &doms[d->id] : NULL;
	int rc;
	if ((*why = unassignable(sbdf)))
		return -TESSERA_EINVAL;
	if (!s || s->ndevs == TESSERA_DEVICES_MAX) {
		*why = "too many devices for one domain";
		return -TESSERA_ENOSPC;
	}
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
	s->devs[s->ndevs++] = id;
	return 0;
}

static void vtd_unassign(struct domain *d, uint32_t sbdf)
{
	struct vdom *s = d->id < DOMAIN_MAX ? &doms[d->id] : NULL;
	uint16_t id = (uint16_t)sbdf;
	for (uint32_t i = 0; s && !(sbdf >> 16) && i < s->ndevs; i++) {
		if (s->devs[i] != id)
			continue;
		ctx_clear(id);
		/* d's memory is about to be reused: no cached translation may outlive this. */
		if (vtd_flush_device(id, DID(d)))
			panic("vt-d: the IOMMU did not confirm that device %02x:%02x.%x is blocked",
			      id >> 8, id >> 3 & 0x1f, id & 7);
		s->devs[i] = s->devs[--s->ndevs];
		/* A driver domain's blocked DMA is reported as it goes. */
		vtd_faults_report();
		return;
	}
}

static void vtd_domain_destroy(struct domain *d)
{
	if (d->id >= DOMAIN_MAX)
		return;
	while (doms[d->id].ndevs)
		vtd_unassign(d, doms[d->id].devs[0]);
	free_tables(&doms[d->id]);
}

static void vtd_report_faults(void)
{
	if (up)
		vtd_faults_report();
}

const struct iommu_backend vtd_backend = {
	.name = "vt-d",
	.present = vtd_present,
	.init = vtd_init,
	.assign = vtd_assign,
	.unassign = vtd_unassign,
	.domain_destroy = vtd_domain_destroy,
	.report_faults = vtd_report_faults,
};
