/* What each IOMMU driver (AMD-Vi, VT-d) provides to iommu.c. */
#ifndef ARCH_IOMMU_BACKEND_H
#define ARCH_IOMMU_BACKEND_H
#include <core/types.h>

struct acpi_info;
struct domain;

/*
 * iommu.c calls assign and unassign only once init has succeeded, for segment 0
 * (id: bus << 8 | devfn), and unassign only for ids assign accepted for d.
 */
struct iommu_backend {
	const char *name;
	bool (*present)(const struct acpi_info *ai);
	int (*init)(const struct acpi_info *ai, const char **why);
	int (*assign)(struct domain *d, uint16_t id, const char **why);
	/* Block id's DMA; nonzero when the IOMMU did not confirm it (iommu.c panics). */
	int (*unassign)(struct domain *d, uint16_t id);
	/* d's devices are all unassigned: free its tables. */
	void (*free_tables)(struct domain *d);
	void (*report_faults)(void);
	/* Interrupt remapping entry index of assigned id: fixed, physical, to APIC id dest at
	 * vector; *addr, *data: the MSI message that names it. 0 or nonzero (not confirmed). */
	int (*irq_route)(uint16_t id, uint32_t index, uint8_t vector, uint8_t dest, uint64_t *addr,
			 uint32_t *data);
	/* Clear entry index of id; nonzero when the IOMMU did not confirm it (iommu.c panics). */
	int (*irq_unroute)(uint16_t id, uint32_t index);
};

/* Is id in list[0, n)? */
static inline bool id_listed(const uint16_t *list, uint32_t n, uint16_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

/* Add id to list[0, *n) (max entries) unless it is there: false when full. */
static inline bool id_add(uint16_t *list, uint32_t *n, uint32_t max, uint16_t id)
{
	if (id_listed(list, *n, id))
		return true;
	if (*n == max)
		return false;
	list[(*n)++] = id;
	return true;
}
#endif
