/*
 * Assigned PCI devices, as a driver domain sees them. The boot configuration
 * names a domain's devices (pci=BB:DD.F,...) and the policy must allow each
 * (device:assign). The core maps the device's memory BARs at their host
 * physical addresses (in [2 GiB, 4 GiB), uncached), opens its I/O BARs'
 * ports, and points its DMA at the domain's memory through the IOMMU: a
 * device address is a guest-physical address of its domain.
 */
#ifndef TESSERA_DEVICE_H
#define TESSERA_DEVICE_H
#include <stdint.h>

#define TESSERA_DEVICES_MAX 8 /* per domain */
#define TESSERA_BARS 6

#define TESSERA_BAR_MEM      1u
#define TESSERA_BAR_IO       2u
#define TESSERA_BAR_64       4u
#define TESSERA_BAR_PREFETCH 8u
#define TESSERA_BAR_MAPPED   16u /* reachable by the domain (MSI-X tables never are) */

struct tessera_bar {
	uint64_t base; /* guest-physical (= host-physical) address, or I/O port */
	uint64_t size;
	uint32_t flags; /* TESSERA_BAR_*; 0: no BAR here */
	uint32_t reserved;
};

struct tessera_dev_info {
	uint32_t sbdf; /* segment << 16 | bus << 8 | device << 3 | function */
	uint16_t vendor, device;
	uint32_t class_rev; /* class << 8 | revision */
	uint32_t reserved;
	struct tessera_bar bars[TESSERA_BARS];
};

/*
 * dev_config_write accepts only: the command register (bits: I/O space, memory
 * space, bus master; the others are kept as they are, and INTx disable stays
 * set: legacy interrupts are never delivered), the status
 * register (write 1 to clear), cache line size and latency timer, the interrupt
 * line, and vendor-specific capabilities (id 0x09, as virtio uses). BARs, the
 * expansion ROM, MSI and MSI-X, BIST and everything else: -EPERM. A device's
 * MSI or MSI-X entries are programmed by the core only, through dev_irq_bind
 * (its interrupts then arrive as events on the caller's port). The core
 * writes an MSI-X entry through the BAR: bind after turning memory decoding on.
 */
#endif
