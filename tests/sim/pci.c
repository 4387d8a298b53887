/*
 * The simulated machine's PCI: an ECAM window at SIM_ECAM_BASE for segment
 * 0, buses 0-1, with functions the tests add; BARs answer the sizing
 * protocol like hardware. Also the simulated IOMMU and the device-assignment
 * hooks of the virtualization interface.
 */
#include "sim.h"
#include <core/arch.h>
#include <core/domain.h>
#include <core/iommu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_pci sim_pci;

struct sim_pci_fn *sim_pci_add(uint32_t sbdf, uint16_t vendor, uint16_t device, uint32_t class_rev)
{
	struct sim_pci_fn *f;
	if (sim_pci.nfns >= SIM_PCI_FNS)
		abort();
	f = &sim_pci.fns[sim_pci.nfns++];
	memset(f, 0, sizeof(*f));
	f->sbdf = sbdf;
	memcpy(f->cfg + 0, &vendor, 2);
	memcpy(f->cfg + 2, &device, 2);
	memcpy(f->cfg + 8, &class_rev, 4);
	return f;
}

void sim_pci_bar(struct sim_pci_fn *f, unsigned i, uint64_t base, uint64_t size, uint32_t flags)
{
	uint32_t lo = (uint32_t)base | flags;
	f->bar_size[i] = size;
	memcpy(f->cfg + 0x10 + 4 * i, &lo, 4);
	if (flags & 4) { /* 64-bit memory BAR: the next slot holds the high half */
		uint32_t hi = (uint32_t)(base >> 32);
		f->bar_size[i + 1] = ~0ULL; /* marks the upper half */
		memcpy(f->cfg + 0x10 + 4 * (i + 1), &hi, 4);
	}
}

static struct sim_pci_fn *fn_at(uint64_t pa, uint32_t *off)
{
	uint64_t rel = pa - SIM_ECAM_BASE;
	uint32_t sbdf = (uint32_t)(rel >> 12);
	*off = (uint32_t)(rel & 0xfff);
	for (uint32_t i = 0; i < sim_pci.nfns; i++)
		if (sim_pci.fns[i].sbdf == sbdf)
			return &sim_pci.fns[i];
	return NULL;
}

static bool in_ecam(uint64_t pa)
{
	return pa >= SIM_ECAM_BASE && pa < SIM_ECAM_BASE + SIM_ECAM_SIZE;
}

uint32_t arch_mmio_read(uint64_t pa, unsigned size)
{
	uint32_t off, v = 0;
	struct sim_pci_fn *f;
	if (!in_ecam(pa)) {
		memcpy(&v, phys_to_virt(pa), size);
		return v;
	}
	f = fn_at(pa, &off);
	if (!f)
		return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
	if (off + size <= sizeof(f->cfg))
		memcpy(&v, f->cfg + off, size);
	return v;
}

/* A BAR keeps only the address bits its size allows, like hardware. */
static void bar_write(struct sim_pci_fn *f, unsigned i, uint32_t v)
{
	uint32_t old;
	memcpy(&old, f->cfg + 0x10 + 4 * i, 4);
	if (!f->bar_size[i]) {
		v = 0;
	} else if (f->bar_size[i] == ~0ULL) {
		uint64_t size = f->bar_size[i - 1];
		v &= (uint32_t)(~(size - 1) >> 32);
	} else if (old & 1) {
		v = (v & ~(uint32_t)(f->bar_size[i] - 1) & ~3u) | 1;
	} else {
		v = (v & ~(uint32_t)(f->bar_size[i] - 1) & ~0xfu) | (old & 0xf);
	}
	memcpy(f->cfg + 0x10 + 4 * i, &v, 4);
}

void arch_mmio_write(uint64_t pa, unsigned size, uint32_t value)
{
	uint32_t off;
	struct sim_pci_fn *f;
	if (!in_ecam(pa)) {
		memcpy(phys_to_virt(pa), &value, size);
		return;
	}
	f = fn_at(pa, &off);
	if (!f)
		return;
	sim_pci.writes++;
	if (off >= 0x10 && off < 0x28 && size == 4) {
		bar_write(f, (off - 0x10) / 4, value);
		return;
	}
	if (off + size <= sizeof(f->cfg) && off >= 4) /* the ids are read-only */
		memcpy(f->cfg + off, &value, size);
}

int virt_mmio_map(struct domain *d, uint64_t hpa, uint64_t size)
{
	if (sim_pci.fail_mmio_map || sim_pci.nmaps >= SIM_PCI_MAPS)
		return -1;
	sim_pci.maps[sim_pci.nmaps++] = (struct sim_map){ d->id, hpa, size };
	return 0;
}

int virt_ioport_allow(struct domain *d, uint32_t port, uint32_t count)
{
	if (sim_pci.fail_ioport || sim_pci.nports >= SIM_PCI_MAPS)
		return -1;
	sim_pci.ports[sim_pci.nports++] = (struct sim_map){ d->id, port, count };
	return 0;
}

/* The console's ports as the core opens them (klog.c's console_claim). */
int virt_ioport_console(struct domain *d)
{
	return virt_ioport_allow(d, 0x3f8, 8);
}

int iommu_init(const struct acpi_info *ai, const char **why)
{
	(void)ai;
	if (sim_pci.no_iommu) {
		*why = "no IOMMU in the simulated machine";
		return -1;
	}
	sim_pci.iommu_on = true;
	return 0;
}

const char *iommu_name(void)
{
	return sim_pci.iommu_on ? "sim-iommu" : NULL;
}

int iommu_assign(struct domain *d, uint32_t sbdf, const char **why)
{
	if (sim_pci.fail_iommu_assign) {
		*why = "simulated IOMMU failure";
		return -1;
	}
	for (uint32_t i = 0; i < sim_pci.nfns; i++)
		if (sim_pci.fns[i].sbdf == sbdf)
			sim_pci.fns[i].dma_owner = d->id + 1;
	return 0;
}

void iommu_unassign(struct domain *d, uint32_t sbdf)
{
	for (uint32_t i = 0; i < sim_pci.nfns; i++)
		if (sim_pci.fns[i].sbdf == sbdf) {
			if (sim_pci.fns[i].dma_owner != d->id + 1)
				abort(); /* unassigning what is not d's */
			sim_pci.fns[i].dma_owner = 0;
		}
}

void iommu_domain_destroy(struct domain *d)
{
	(void)d;
	sim_pci.iommu_domain_destroys++;
}

void iommu_report_faults(void)
{
}

int iommu_irq_route(uint32_t sbdf, uint32_t slot, uint8_t vector, uint64_t *addr, uint32_t *data)
{
	if (sim_pci.fail_irq_route || slot >= ARCH_IRQ_VECTORS || !sim_pci.iommu_on)
		return -1;
	if (sim_pci.irq_routes[slot].on)
		abort(); /* the core reused a slot it had not unrouted */
	sim_pci.irq_routes[slot] = (struct sim_irq_route){ true, sbdf, vector };
	*addr = 0xfee00000ULL;
	*data = slot;
	return 0;
}

void iommu_irq_unroute(uint32_t sbdf, uint32_t slot)
{
	if (slot >= ARCH_IRQ_VECTORS || !sim_pci.irq_routes[slot].on ||
	    sim_pci.irq_routes[slot].sbdf != sbdf)
		abort(); /* unrouting what was not routed */
	sim_pci.irq_routes[slot].on = false;
	sim_pci.irq_unroutes++;
}

uint32_t arch_irq_pending(void)
{
	uint32_t p = sim_pci.irq_pending;
	sim_pci.irq_pending = 0;
	return p;
}
