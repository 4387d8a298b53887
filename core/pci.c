/*
 * PCI: enumeration through ECAM and assignment to domains. Everything a
 * device reports (BARs, capability lists) is treated as input to check, since
 * a device can be hostile or broken too: loops are bounded, ranges checked.
 */
#include <core/acpi.h>
#include <core/arch.h>
#include <core/bootinfo.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/iommu.h>
#include <core/lib.h>
#include <core/pci.h>
#include <core/virt.h>
#include <tessera/layout.h>

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEM 0x2
#define PCI_CAP_MSI 0x05
#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09

static struct pci_dev devs[PCI_DEV_MAX];
static uint32_t ndevs;
/* What a BAR must never cover: everything the firmware's memory map lists, and ECAM. */
static struct boot_region not_bars[BOOT_MAX_REGIONS + ACPI_MCFG_MAX];
static uint32_t nnot_bars;
/* The chipset's fixed window: IOAPIC, HPET, TPM, IOMMU, local APIC. */
#define PLATFORM_MMIO_BASE 0xfec00000ULL
#define PLATFORM_MMIO_END  0xff000000ULL

uint32_t pci_config_read(const struct pci_dev *dev, uint32_t off, unsigned size)
{
	return arch_mmio_read(dev->cfg + off, size);
}

void pci_config_write(const struct pci_dev *dev, uint32_t off, unsigned size, uint32_t value)
{
	arch_mmio_write(dev->cfg + off, size, value);
}

/* Size one BAR (decoding is off); returns how many BAR slots it used (1 or 2). */
static unsigned bar_size(struct pci_dev *dev, unsigned i)
{
	uint32_t off = 0x10 + 4 * i, orig = pci_config_read(dev, off, 4), lo, hi = 0, orig_hi = 0;
	struct tessera_bar *b = &dev->bars[i];
	uint64_t mask;
	pci_config_write(dev, off, 4, 0xffffffffu);
	lo = pci_config_read(dev, off, 4);
	pci_config_write(dev, off, 4, orig);
	if (orig & 1) {
		mask = (lo & ~3u) | 0xffff0000u;
		b->flags = TESSERA_BAR_IO;
		b->base = orig & 0xfffcu;
	} else {
		bool is64 = ((orig >> 1) & 3) == 2 && i + 1 < TESSERA_BARS;
		if (is64) {
			orig_hi = pci_config_read(dev, off + 4, 4);
			pci_config_write(dev, off + 4, 4, 0xffffffffu);
			hi = pci_config_read(dev, off + 4, 4);
			pci_config_write(dev, off + 4, 4, orig_hi);
		} else {
			hi = 0xffffffffu;
		}
		mask = ((uint64_t)hi << 32) | (lo & ~0xfu);
		b->flags = TESSERA_BAR_MEM | (is64 ? TESSERA_BAR_64 : 0) |
			   (orig & 8 ? TESSERA_BAR_PREFETCH : 0);
		b->base = ((uint64_t)orig_hi << 32) | (orig & ~0xfu);
		if (is64)
			i++;
	}
	b->size = (~mask + 1) & mask; /* lowest writable bit: 0 if the BAR is not implemented */
	if (!b->size || (lo == 0 && !(orig & 1)))
		*b = (struct tessera_bar){ 0 };
	return b->flags & TESSERA_BAR_64 ? 2 : 1;
}

/*
 * The capability list, at most 48 entries (the space holds no more): MSI,
 * MSI-X, and the bodies of vendor-specific ones a driver may write (those that
 * would overlap MSI or MSI-X, whatever length they claim, are left out).
 */
static void find_caps(struct pci_dev *dev)
{
	uint32_t ptr, n;
	if (!(pci_config_read(dev, 0x06, 2) & 0x10))
		return;
	ptr = pci_config_read(dev, 0x34, 1) & 0xfc;
	for (n = 0; n < 48 && ptr >= 0x40; n++) {
		uint32_t id = pci_config_read(dev, ptr, 1), len = pci_config_read(dev, ptr + 2, 1);
		if (id == PCI_CAP_MSI && !dev->msi)
			dev->msi = (uint8_t)ptr;
		if (id == PCI_CAP_MSIX && !dev->msix)
			dev->msix = (uint8_t)ptr;
		if (id == PCI_CAP_VENDOR && len > 4 && ptr + len <= 0x100 && dev->nvcaps < PCI_VENDOR_CAPS) {
			dev->vcaps[dev->nvcaps].lo = (uint16_t)(ptr + 4);
			dev->vcaps[dev->nvcaps++].hi = (uint16_t)(ptr + len);
		}
		ptr = pci_config_read(dev, ptr + 1, 1) & 0xfc;
	}
	/* MSI (10 to 24 bytes by its control word) and MSI-X (12) stay the core's. */
	for (uint32_t i = 0; i < dev->nvcaps; i++) {
		uint32_t lo = dev->vcaps[i].lo, hi = dev->vcaps[i].hi, ctl = 0, msi_len;
		if (dev->msi)
			ctl = pci_config_read(dev, dev->msi + 2u, 2);
		msi_len = (ctl & 0x80 ? 14u : 10u) + (ctl & 0x100 ? 10u : 0u);
		if ((dev->msi && ranges_overlap(lo, hi - lo, dev->msi, msi_len)) ||
		    (dev->msix && ranges_overlap(lo, hi - lo, dev->msix, 12)))
			dev->vcaps[i].lo = dev->vcaps[i].hi = 0;
	}
}

/* Where the MSI-X table and PBA live: never mapped into a domain (interrupt injection). */
static void find_msix(struct pci_dev *dev)
{
	uint32_t table, pba;
	if (!dev->msix)
		return;
	table = pci_config_read(dev, dev->msix + 4, 4);
	pba = pci_config_read(dev, dev->msix + 8, 4);
	if ((table & 7) < TESSERA_BARS && dev->bars[table & 7].flags & TESSERA_BAR_MEM) {
		dev->msix_table = dev->bars[table & 7].base + (table & ~7u);
		dev->msix_table_size = ((pci_config_read(dev, dev->msix + 2, 2) & 0x7ffu) + 1) * 16;
	}
	if ((pba & 7) < TESSERA_BARS && dev->bars[pba & 7].flags & TESSERA_BAR_MEM)
		dev->msix_pba = dev->bars[pba & 7].base + (pba & ~7u);
}

static void probe(uint64_t cfg, uint32_t sbdf)
{
	struct pci_dev *dev = &devs[ndevs++];
	uint32_t cmd;
	memset(dev, 0, sizeof(*dev));
	dev->sbdf = sbdf;
	dev->cfg = cfg;
	dev->vendor = (uint16_t)pci_config_read(dev, 0, 2);
	dev->device = (uint16_t)pci_config_read(dev, 2, 2);
	dev->class_rev = pci_config_read(dev, 8, 4);
	dev->header = (uint8_t)(pci_config_read(dev, 0x0e, 1) & 0x7f);
	if (dev->header != 0)
		return; /* bridges are the core's, never assigned: no BARs recorded */
	cmd = pci_config_read(dev, PCI_COMMAND, 2);
	pci_config_write(dev, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEM));
	for (unsigned i = 0; i < TESSERA_BARS;)
		i += bar_size(dev, i);
	pci_config_write(dev, PCI_COMMAND, 2, cmd);
	find_caps(dev);
	find_msix(dev);
}

bool pci_range_is_device_memory(uint64_t base, uint64_t size)
{
	uint64_t end;
	if (!size || !range_add_ok(base, size, &end) ||
	    ranges_overlap(base, size, PLATFORM_MMIO_BASE, PLATFORM_MMIO_END - PLATFORM_MMIO_BASE))
		return false;
	for (uint32_t i = 0; i < nnot_bars; i++)
		if (ranges_overlap(base, size, not_bars[i].base, not_bars[i].len))
			return false;
	return true;
}

uint32_t pci_init(const struct acpi_info *ai, const struct boot_info *bi)
{
	ndevs = nnot_bars = 0;
	for (uint32_t i = 0; bi && i < bi->nregions && i < BOOT_MAX_REGIONS; i++)
		not_bars[nnot_bars++] = bi->regions[i];
	for (uint32_t m = 0; m < ai->nmcfg && m < ACPI_MCFG_MAX; m++)
		not_bars[nnot_bars++] = (struct boot_region){ ai->mcfg[m].base + ((uint64_t)ai->mcfg[m].bus_start << 20),
			((uint64_t)ai->mcfg[m].bus_end - ai->mcfg[m].bus_start + 1) << 20, 0 };
	for (uint32_t m = 0; m < ai->nmcfg && m < ACPI_MCFG_MAX; m++) {
		const struct acpi_mcfg *mc = &ai->mcfg[m];
		for (uint32_t bus = mc->bus_start; bus <= mc->bus_end; bus++) {
			for (uint32_t d = 0; d < 32; d++) {
				for (uint32_t fn = 0; fn < 8; fn++) {
					uint64_t cfg = mc->base + ((uint64_t)bus << 20 | d << 15 | fn << 12);
					if (arch_mmio_read(cfg, 2) == 0xffff) {
						if (!fn)
							break;
						continue;
					}
					if (ndevs == PCI_DEV_MAX) {
						kprintf("tessera: pci: more than %u functions, the rest ignored\n",
							PCI_DEV_MAX);
						return ndevs;
					}
					probe(cfg, (uint32_t)mc->segment << 16 | bus << 8 | d << 3 | fn);
					if (!fn && !(arch_mmio_read(cfg + 0x0e, 1) & 0x80))
						break; /* single-function device */
				}
			}
		}
	}
	return ndevs;
}

struct pci_dev *pci_find(uint32_t sbdf)
{
	for (uint32_t i = 0; i < ndevs; i++)
		if (devs[i].sbdf == sbdf)
			return &devs[i];
	return NULL;
}

uint32_t pci_count(void)
{
	return ndevs;
}

struct pci_dev *pci_get(uint32_t i)
{
	return i < ndevs ? &devs[i] : NULL;
}
