/* IOMMU driver selection: the first whose ACPI table is present and which comes up. */
#include <core/acpi.h>
#include <core/iommu.h>
#include "iommu_backend.h"

extern const struct iommu_backend amdvi_backend;
extern const struct iommu_backend vtd_backend;
static const struct iommu_backend *const backends[] = { &amdvi_backend, &vtd_backend, 0 };
static const struct iommu_backend *be;

int iommu_init(const struct acpi_info *ai, const char **why)
{
	*why = "no IOMMU driver for this machine's tables (AMD-Vi: IVRS, VT-d: DMAR)";
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]) && backends[i]; i++) {
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
	return be->assign(d, sbdf, why);
}

void iommu_unassign(struct domain *d, uint32_t sbdf)
{
	if (be)
		be->unassign(d, sbdf);
}

void iommu_domain_destroy(struct domain *d)
{
	if (be)
		be->domain_destroy(d);
}

void iommu_report_faults(void)
{
	if (be)
		be->report_faults();
}
