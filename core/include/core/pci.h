/*
 * PCI devices, found through ECAM (ACPI MCFG) at boot, and their assignment
 * to domains. Device numbers (sbdf) use the policy's encoding:
 * segment << 16 | bus << 8 | device << 3 | function.
 */
#ifndef CORE_PCI_H
#define CORE_PCI_H
#include <core/types.h>
#include <tessera/device.h>

#define PCI_DEV_MAX 64
#define PCI_VENDOR_CAPS 8

/* printf("... " SBDF_FMT, SBDF_ARGS(sbdf)): the policy's SSSS:BB:DD.F. */
#define SBDF_FMT "%04x:%02x:%02x.%x"
#define SBDF_ARGS(s) (unsigned)((s) >> 16), (unsigned)(((s) >> 8) & 0xff), \
		     (unsigned)(((s) >> 3) & 0x1f), (unsigned)((s) & 7)

struct acpi_info;
struct domain;

struct pci_dev {
	uint32_t sbdf;
	uint64_t cfg; /* physical address of its 4 KiB of configuration space */
	uint16_t vendor, device;
	uint32_t class_rev;
	uint8_t header;   /* header type, without the multi-function bit */
	uint8_t msi, msix; /* capability offsets, 0 if absent */
	/* Vendor-specific capabilities' writable bodies [lo, hi), found once at probe time. */
	uint8_t nvcaps;
	struct { uint16_t lo, hi; } vcaps[PCI_VENDOR_CAPS];
	uint64_t msix_table, msix_pba; /* physical addresses, 0 if absent */
	uint32_t msix_table_size;      /* bytes */
	struct tessera_bar bars[TESSERA_BARS];
	uint32_t owner; /* domain id + 1; 0: unassigned */
	uint32_t type;  /* its policy label, set when it is assigned */
};

/*
 * Enumerate every bus MCFG describes; sizes BARs with decoding off. Returns the
 * count. bi's memory map (may be NULL) says where no BAR can honestly be.
 */
struct boot_info;
uint32_t pci_init(const struct acpi_info *ai, const struct boot_info *bi);
/* May a domain be given [base, base + size) as device memory? Not RAM, ECAM or the chipset's. */
bool pci_range_is_device_memory(uint64_t base, uint64_t size);
struct pci_dev *pci_find(uint32_t sbdf);
uint32_t pci_count(void);
struct pci_dev *pci_get(uint32_t i);
uint32_t pci_config_read(const struct pci_dev *dev, uint32_t off, unsigned size);
void pci_config_write(const struct pci_dev *dev, uint32_t off, unsigned size, uint32_t value);
/* Give dev to d (its policy check already passed): BARs, ports, DMA. 0 or -1 with *why. */
int pci_assign(struct domain *d, struct pci_dev *dev, const char **why);
/* Give d the devices its configuration names (pci=), each labelled and allowed by the policy. */
struct domain_config;
int device_assign_config(struct domain *d, const struct domain_config *dc, const char **why);
/* Take d's devices back: decoding and bus mastering off, DMA blocked. */
void pci_domain_release(struct domain *d);
/* What a domain may write to its device's configuration space (tessera/device.h). */
bool pci_config_write_allowed(const struct pci_dev *dev, uint32_t off, unsigned size);
#endif
