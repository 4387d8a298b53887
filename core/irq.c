/*
 * Device interrupts as events: the vector -> (domain, port, device, entry)
 * table, the device's MSI and MSI-X programming, and dev_irq_bind/unbind.
 * The domain never writes the message address or data: the core does, with
 * the message the IOMMU's remapping entry expects (core/iommu.h).
 */
#include <core/arch.h>
#include <core/domain.h>
#include <core/evtchn.h>
#include <core/hypercall.h>
#include <core/iommu.h>
#include <core/irq.h>
#include <core/lib.h>
#include <core/pci.h>
#include <tessera/errno.h>

/* MSI capability: message control, address (low, high if 64-bit), data. */
#define MSI_CTL        2
#define MSI_CTL_ENABLE 0x0001u
#define MSI_CTL_MME    0x0070u /* multiple message enable: 0, one vector */
#define MSI_CTL_64     0x0080u
#define MSI_ADDR_LO    4
#define MSI_ADDR_HI    8
#define MSI_DATA_32    8
#define MSI_DATA_64    12
/* MSI-X: message control in the capability, 16-byte entries in the table. */
#define MSIX_CTL         2
#define MSIX_CTL_MASKALL 0x4000u
#define MSIX_CTL_ENABLE  0x8000u
#define MSIX_ENTRY       16
#define MSIX_VCTL        12
#define MSIX_VCTL_MASK   1u

static struct irq_binding {
	bool used;
	uint32_t domid, port, entry;
	struct pci_dev *dev;
} bindings[ARCH_IRQ_VECTORS];

static uint32_t entries(const struct pci_dev *dev)
{
	if (dev->msix)
		return dev->msix_table ? dev->msix_table_size / MSIX_ENTRY : 0;
	return dev->msi ? 1 : 0;
}

static void msi_program(const struct pci_dev *dev, uint64_t addr, uint32_t data, bool on)
{
	uint32_t c = dev->msi;
	uint32_t ctl = pci_config_read(dev, c + MSI_CTL, 2);
	bool is64 = ctl & MSI_CTL_64;
	pci_config_write(dev, c + MSI_CTL, 2, ctl & ~(MSI_CTL_ENABLE | MSI_CTL_MME));
	pci_config_write(dev, c + MSI_ADDR_LO, 4, (uint32_t)addr);
	if (is64)
		pci_config_write(dev, c + MSI_ADDR_HI, 4, (uint32_t)(addr >> 32));
	pci_config_write(dev, c + (is64 ? MSI_DATA_64 : MSI_DATA_32), 2, data & 0xffff);
	if (on)
		pci_config_write(dev, c + MSI_CTL, 2, (ctl & ~MSI_CTL_MME) | MSI_CTL_ENABLE);
}

static void msix_program(const struct pci_dev *dev, uint32_t entry, uint64_t addr, uint32_t data,
			 bool on)
{
	uint64_t e = dev->msix_table + (uint64_t)entry * MSIX_ENTRY;
	uint32_t ctl;
	arch_mmio_write(e + MSIX_VCTL, 4, arch_mmio_read(e + MSIX_VCTL, 4) | MSIX_VCTL_MASK);
	arch_mmio_write(e, 4, (uint32_t)addr);
	arch_mmio_write(e + 4, 4, (uint32_t)(addr >> 32));
	arch_mmio_write(e + 8, 4, data);
	if (!on)
		return;
	arch_mmio_write(e + MSIX_VCTL, 4, arch_mmio_read(e + MSIX_VCTL, 4) & ~MSIX_VCTL_MASK);
	ctl = pci_config_read(dev, dev->msix + MSIX_CTL, 2);
	pci_config_write(dev, dev->msix + MSIX_CTL, 2, (ctl | MSIX_CTL_ENABLE) & ~MSIX_CTL_MASKALL);
}

/* Mask the device's entry first, then take the remapping entry away. */
static void unbind(uint32_t slot)
{
	struct irq_binding *b = &bindings[slot];
	if (b->dev->msix)
		msix_program(b->dev, b->entry, 0, 0, false);
	else
		msi_program(b->dev, 0, 0, false);
	iommu_irq_unroute(b->dev->sbdf, slot);
	memset(b, 0, sizeof(*b));
}

static int64_t find(const struct pci_dev *dev, uint64_t entry)
{
	for (uint32_t i = 0; i < ARCH_IRQ_VECTORS; i++)
		if (bindings[i].used && bindings[i].dev == dev && bindings[i].entry == entry)
			return i;
	return -1;
}

int64_t hc_dev_irq_bind(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom;
	struct pci_dev *dev = hc->dev;
	uint64_t entry = hc->arg[1], port = hc->arg[2], addr;
	uint32_t data, slot;
	if (port >= TESSERA_EVTCHN_PORTS || d->ports[port].state == EVTCHN_FREE)
		return -TESSERA_EINVAL;
	if (entry >= entries(dev))
		return -TESSERA_ENODEV;
	if (find(dev, entry) >= 0)
		return -TESSERA_EBUSY;
	for (slot = 0; slot < ARCH_IRQ_VECTORS && bindings[slot].used; slot++)
		;
	if (slot == ARCH_IRQ_VECTORS)
		return -TESSERA_ENOSPC;
	if (iommu_irq_route(dev->sbdf, slot, (uint8_t)(ARCH_IRQ_VECTOR_BASE + slot), &addr, &data))
		return -TESSERA_ENODEV;
	bindings[slot] = (struct irq_binding){ true, d->id, (uint32_t)port, (uint32_t)entry, dev };
	if (dev->msix)
		msix_program(dev, (uint32_t)entry, addr, data, true);
	else
		msi_program(dev, addr, data, true);
	return 0;
}

int64_t hc_dev_irq_unbind(struct vcpu *v, const struct hcall_ctx *hc)
{
	int64_t slot = find(hc->dev, hc->arg[1]);
	(void)v;
	if (slot < 0)
		return -TESSERA_ENOENT;
	unbind((uint32_t)slot);
	return 0;
}

void irq_domain_release(struct domain *d)
{
	for (uint32_t i = 0; i < ARCH_IRQ_VECTORS; i++)
		if (bindings[i].used && bindings[i].domid == d->id)
			unbind(i);
}

bool irq_any_bound(void)
{
	for (uint32_t i = 0; i < ARCH_IRQ_VECTORS; i++)
		if (bindings[i].used)
			return true;
	return false;
}

void irq_deliver(void)
{
	uint32_t pending = arch_irq_pending();
	for (uint32_t i = 0; pending && i < ARCH_IRQ_VECTORS; i++) {
		const struct irq_binding *b = &bindings[i];
		struct domain *d;
		if (!(pending >> i & 1) || !b->used)
			continue; /* a late message of an entry already unbound */
		d = domain_running(b->domid);
		if (d && d->ports[b->port].state != EVTCHN_FREE)
			evtchn_raise(d, b->port);
	}
}
