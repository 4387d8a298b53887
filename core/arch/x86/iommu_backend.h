/* What each IOMMU driver (AMD-Vi, VT-d) provides to iommu.c. */
#ifndef ARCH_IOMMU_BACKEND_H
#define ARCH_IOMMU_BACKEND_H
#include <core/types.h>

struct acpi_info;
struct domain;

struct iommu_backend {
	const char *name;
	bool (*present)(const struct acpi_info *ai);
	int (*init)(const struct acpi_info *ai, const char **why);
	int (*assign)(struct domain *d, uint32_t sbdf, const char **why);
	void (*unassign)(struct domain *d, uint32_t sbdf);
	void (*domain_destroy)(struct domain *d);
	void (*report_faults)(void);
};
#endif
