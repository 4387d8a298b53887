/* IOMMU driver selection: the first whose ACPI table is present and which comes up. */
#include <core/acpi.h>
#include <core/console.h>
#include <core/iommu.h>
#include <tessera/errno.h>
#include <arch/apic.h>
#include "iommu_backend.h"

extern const struct iommu_backend amdvi_backend;
extern const struct iommu_backend vtd_backend;
static const struct iommu_backend *const backends[] = { &amdvi_backend, &vtd_backend };
static const struct iommu_backend *be; /* set once its init succeeded */

int iommu_init(const struct acpi_info *ai, const char **why)
{
	*why = "no IOMMU driver for this machine's tables (AMD-Vi: IVRS, VT-d: DMAR)";
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++) {
		if (!backends[i]->present(ai))
			continue;
		if (backends[i]->init(ai, why))
			return -1;
		be = backends[i];
		return 0;
	}
	return -1;
}

const char *iommu_name(void)
{
	return be ? be->name : NULL;
}

int iommu_assign(struct domain *d, uint32_t sbdf, const char **why)
{
	if (!be) {
		*why = "no IOMMU";
		return -1;
	}
	if (sbdf >> 16) {
		*why = "not on PCI segment 0";
		return -TESSERA_EINVAL;
	}
	return be->assign(d, (uint16_t)sbdf, why);
}

void iommu_unassign(struct domain *d, uint32_t sbdf)
{
	uint16_t id = (uint16_t)sbdf;
	if (!be || sbdf >> 16)
		return;
	/* d's memory is about to be reused: no cached translation may outlive this. */
	if (be->unassign(d, id))
		panic("%s: the IOMMU did not confirm that device %02x:%02x.%x is blocked", be->name,
		      id >> 8, id >> 3 & 0x1f, id & 7);
}

void iommu_domain_destroy(struct domain *d)
{
	if (be)
		be->free_tables(d);
}

void iommu_report_faults(void)
{
	if (be)
		be->report_faults();
}

int iommu_irq_route(uint32_t sbdf, uint32_t slot, uint8_t vector, uint64_t *addr, uint32_t *data)
{
	if (!be || sbdf >> 16)
		return -1;
	return be->irq_route((uint16_t)sbdf, slot, vector, apic_id(0), addr, data) ? -1 : 0;
}

void iommu_irq_unroute(uint32_t sbdf, uint32_t slot)
{
	uint16_t id = (uint16_t)sbdf;
	if (!be || sbdf >> 16)
		return;
	if (be->irq_unroute(id, slot))
		panic("%s: the IOMMU did not confirm that an interrupt entry of %02x:%02x.%x is cleared",
		      be->name, id >> 8, id >> 3 & 0x1f, id & 7);
}
