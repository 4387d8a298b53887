/*
 * Assigned devices: giving a PCI function to one domain (its BARs, ports and
 * DMA), taking it back, and the hypercalls a driver domain uses on it.
 */
#include <core/avc.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/iommu.h>
#include <core/irq.h>
#include <core/lib.h>
#include <core/pci.h>
#include <core/virt.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

#define PCI_COMMAND 0x04
#define PCI_COMMAND_DRIVER 0x0007u /* I/O, memory, bus master */
#define PCI_COMMAND_INTX_OFF 0x0400u /* kept set: legacy interrupts never reach the core */

static uint64_t page_down(uint64_t x)
{
	return x & ~(PAGE_SIZE - 1);
}

/* Does another function's memory BAR touch the pages of [base, base + size)? */
static bool shares_pages(const struct pci_dev *dev, uint64_t base, uint64_t size)
{
	uint64_t lo = page_down(base), hi = ALIGN_UP(base + size, PAGE_SIZE);
	for (uint32_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *o = pci_get(i);
		for (unsigned b = 0; o != dev && b < TESSERA_BARS; b++)
			if (o->bars[b].flags & TESSERA_BAR_MEM &&
			    ranges_overlap(lo, hi - lo, o->bars[b].base, o->bars[b].size))
				return true;
	}
	return false;
}

/* Map [lo, hi) except the page range [xlo, xhi) (the MSI-X table or PBA). */
static int map_except(struct domain *d, uint64_t lo, uint64_t hi, uint64_t xlo, uint64_t xhi)
{
	if (xhi <= lo || xlo >= hi)
		return virt_mmio_map(d, lo, hi - lo);
	if (xlo > lo && virt_mmio_map(d, lo, xlo - lo))
		return -1;
	if (xhi < hi && virt_mmio_map(d, xhi, hi - xhi))
		return -1;
	return 0;
}

static int map_bar(struct domain *d, struct pci_dev *dev, struct tessera_bar *b, const char **why)
{
	uint64_t lo = page_down(b->base), hi, t_lo = 0, t_hi = 0, p_lo = 0, p_hi = 0, end;
	if (!range_add_ok(b->base, b->size, &end) || end > (4ULL << 30) ||
	    lo < TESSERA_GUEST_MMIO_MIN) {
		*why = "a memory BAR lies outside [2 GiB, 4 GiB)";
		return -1;
	}
	if (!pci_range_is_device_memory(lo, ALIGN_UP(end, PAGE_SIZE) - lo)) {
		*why = "a memory BAR overlaps RAM, ECAM or the chipset's registers";
		return -1;
	}
	if (shares_pages(dev, b->base, b->size)) {
		*why = "a memory BAR shares a page with another function's";
		return -1;
	}
	hi = ALIGN_UP(end, PAGE_SIZE);
	if (dev->msix_table >= lo && dev->msix_table < hi)
		t_lo = page_down(dev->msix_table),
		t_hi = ALIGN_UP(dev->msix_table + dev->msix_table_size, PAGE_SIZE);
	if (dev->msix_pba >= lo && dev->msix_pba < hi)
		p_lo = page_down(dev->msix_pba), p_hi = p_lo + PAGE_SIZE;
	if (t_hi > hi)
		t_hi = hi;
	/* Map around the table, then around the PBA inside what is left. */
	if (!t_hi && !p_hi) {
		if (virt_mmio_map(d, lo, hi - lo))
			goto fail;
	} else if (!p_hi || (p_lo >= t_lo && p_hi <= t_hi)) {
		if (map_except(d, lo, hi, t_lo, t_hi))
			goto fail;
	} else if (!t_hi) {
		if (map_except(d, lo, hi, p_lo, p_hi))
			goto fail;
	} else {
		*why = "MSI-X table and PBA apart in one BAR are not supported yet";
		return -1;
	}
	b->flags |= TESSERA_BAR_MAPPED;
	return 0;
fail:
	*why = "out of second-stage table pages for device memory";
	return -1;
}

/* Give d its pci= devices: each must exist, have a label, and be allowed to d. */
int device_assign_config(struct domain *d, const struct domain_config *dc, const char **why)
{
	static char buf[160];
	for (uint32_t k = 0; k < dc->ndevs; k++) {
		uint32_t sbdf = dc->devs[k];
		struct pci_dev *dev = pci_find(sbdf);
		int32_t type = avc_label(TPOL_LABEL_DEVICE, sbdf);
		const char *reason = NULL;
		if (!dev)
			reason = pci_count() ? "no such PCI function" :
					       "no PCI configuration access (no ACPI MCFG)";
		else if (type < 0)
			reason = "the policy has no label for it (label device ...)";
		else if (!avc_allowed(d->type, (uint32_t)type, TESSERA_CLASS_device,
				      TESSERA_PERMBIT(device, assign)))
			reason = "the policy does not allow it (device assign)";
		else
			dev->type = (uint32_t)type;
		if (!reason && pci_assign(d, dev, &reason) == 0)
			continue;
		ksnprintf(buf, sizeof(buf), "device " SBDF_FMT ": %s", SBDF_ARGS(sbdf), reason);
		*why = buf;
		return -1;
	}
	return 0;
}

int pci_assign(struct domain *d, struct pci_dev *dev, const char **why)
{
	if (dev->owner) {
		*why = "the device is already assigned";
		return -1;
	}
	if (dev->header != 0) {
		*why = "not an endpoint (bridges stay with the core)";
		return -1;
	}
	if (d->ndevs >= TESSERA_DEVICES_MAX) {
		*why = "too many devices for one domain";
		return -1;
	}
	if (!iommu_name()) {
		*why = "no IOMMU: the device's DMA could not be confined";
		return -1;
	}
	for (unsigned i = 0; i < TESSERA_BARS; i++) {
		struct tessera_bar *b = &dev->bars[i];
		if (b->flags & TESSERA_BAR_MEM && map_bar(d, dev, b, why))
			return -1;
		if (b->flags & TESSERA_BAR_IO) {
			if (virt_ioport_allow(d, (uint32_t)b->base, (uint32_t)b->size)) {
				*why = "its I/O ports could not be opened";
				return -1;
			}
			b->flags |= TESSERA_BAR_MAPPED;
		}
	}
	if (iommu_assign(d, dev->sbdf, why))
		return -1;
	pci_config_write(dev, PCI_COMMAND, 2,
			 pci_config_read(dev, PCI_COMMAND, 2) | PCI_COMMAND_INTX_OFF);
	dev->owner = d->id + 1;
	d->devs[d->ndevs++] = dev;
	return 0;
}

void pci_domain_release(struct domain *d)
{
	if (d->ndevs)
		iommu_report_faults(); /* what its devices did wrong, while we still know whose they were */
	irq_domain_release(d); /* its MSI and MSI-X entries masked, their remapping cleared */
	for (uint32_t i = 0; i < d->ndevs; i++) {
		struct pci_dev *dev = d->devs[i];
		/* Stop it first: no more DMA or decoding, then no more translations. */
		pci_config_write(dev, PCI_COMMAND, 2, 0);
		iommu_unassign(d, dev->sbdf);
		for (unsigned b = 0; b < TESSERA_BARS; b++)
			dev->bars[b].flags &= ~TESSERA_BAR_MAPPED;
		dev->owner = 0;
		d->devs[i] = NULL;
	}
	d->ndevs = 0;
}

/* Inside the writable body of a vendor-specific capability (recorded at probe time)? */
static bool in_vendor_cap(const struct pci_dev *dev, uint32_t off, unsigned size)
{
	for (uint32_t i = 0; i < dev->nvcaps; i++)
		if (off >= dev->vcaps[i].lo && off + size <= dev->vcaps[i].hi)
			return true;
	return false;
}

bool pci_config_write_allowed(const struct pci_dev *dev, uint32_t off, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4) || off % size || off + size > 0x100)
		return false;
	if (off == PCI_COMMAND && size >= 2)
		return true; /* command (masked by the caller) and status */
	if ((off == 0x06 && size == 2) || off == 0x0c || off == 0x0d || off == 0x3c)
		return size == 1 || off == 0x06;
	return in_vendor_cap(dev, off, size);
}

int64_t hc_dev_info(struct vcpu *v, const struct hcall_ctx *hc)
{
	const struct pci_dev *dev = hc->dev;
	struct tessera_dev_info info;
	memset(&info, 0, sizeof(info));
	info.sbdf = dev->sbdf;
	info.vendor = dev->vendor;
	info.device = dev->device;
	info.class_rev = dev->class_rev;
	memcpy(info.bars, dev->bars, sizeof(info.bars));
	return guest_copy_out(v->dom, hc->arg[1], &info, sizeof(info));
}

int64_t hc_dev_config_read(struct vcpu *v, const struct hcall_ctx *hc)
{
	uint64_t off = hc->arg[1], size = hc->arg[2];
	(void)v;
	if ((size != 1 && size != 2 && size != 4) || off >= PAGE_SIZE || off % size)
		return -TESSERA_EINVAL;
	return pci_config_read(hc->dev, (uint32_t)off, (unsigned)size);
}

int64_t hc_dev_config_write(struct vcpu *v, const struct hcall_ctx *hc)
{
	uint64_t off = hc->arg[1], size = hc->arg[2], val = hc->arg[3];
	(void)v;
	if ((size != 1 && size != 2 && size != 4) || off >= PAGE_SIZE || off % size ||
	    (size < 4 && val >> (size * 8)) || val > UINT32_MAX)
		return -TESSERA_EINVAL;
	if (!pci_config_write_allowed(hc->dev, (uint32_t)off, (unsigned)size))
		return -TESSERA_EPERM;
	if (off == PCI_COMMAND) {
		uint32_t old = pci_config_read(hc->dev, PCI_COMMAND, 2);
		uint32_t cmd = (old & ~PCI_COMMAND_DRIVER) | ((uint32_t)val & PCI_COMMAND_DRIVER) |
			       PCI_COMMAND_INTX_OFF;
		val = size == 4 ? (val & 0xffff0000u) | cmd : cmd;
	}
	pci_config_write(hc->dev, (uint32_t)off, (unsigned)size, (uint32_t)val);
	return 0;
}
