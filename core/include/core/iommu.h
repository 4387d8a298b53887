/*
 * The IOMMU, as the portable core sees it (AMD-Vi or VT-d in core/arch/x86,
 * simulated in the hosted build). Once iommu_init has succeeded every
 * device's DMA is blocked until it is assigned; an assigned device reaches
 * exactly its domain's memory, at device address = guest-physical address.
 */
#ifndef CORE_IOMMU_H
#define CORE_IOMMU_H
#include <core/types.h>

struct acpi_info;
struct domain;

/* Find the IOMMU in the ACPI tables and turn DMA remapping on, blocking everything. */
int iommu_init(const struct acpi_info *ai, const char **why);
/* "amd-vi", "vt-d", or NULL when none is on (then no device can be assigned). */
const char *iommu_name(void);
/* Let device sbdf's DMA reach d's memory [0, mem_size). 0 or -1 with *why. */
int iommu_assign(struct domain *d, uint32_t sbdf, const char **why);
/* Block sbdf's DMA again; no translation to d's memory survives in the IOMMU after. */
void iommu_unassign(struct domain *d, uint32_t sbdf);
/* d is being destroyed: free its DMA tables (its devices were unassigned first). */
void iommu_domain_destroy(struct domain *d);
/*
 * Interrupt remapping: let device sbdf's interrupt messages that name entry
 * slot (< ARCH_IRQ_VECTORS) reach host vector on CPU 0, nothing else; *addr
 * and *data are the MSI message the device must send for it. 0, or -1 when
 * the IOMMU cannot remap (or did not confirm it).
 */
int iommu_irq_route(uint32_t sbdf, uint32_t slot, uint8_t vector, uint64_t *addr, uint32_t *data);
/* Clear entry slot of sbdf again: its messages are dropped from then on. */
void iommu_irq_unroute(uint32_t sbdf, uint32_t slot);
/* Report and clear the faults the IOMMU recorded since the last call (blocked DMA). */
void iommu_report_faults(void);
#endif
