/* AMD-Vi: what the IVRS parser (amdvi_ivrs.c) tells the driver (amdvi.c). */
#ifndef ARCH_AMDVI_H
#define ARCH_AMDVI_H
#include <core/types.h>

#define AMDVI_IDS 65536 /* 16-bit requester ids: bus << 8 | device << 3 | function */
#define AMDVI_SPECIAL_MAX 16

struct amdvi_ivrs {
	uint64_t base;        /* the MMIO registers (16 KiB) */
	uint16_t iommu_id;    /* the IOMMU's own PCI function */
	uint8_t ivhd_type, ivhd_flags;
	uint32_t nioapic;
	uint16_t ioapic[AMDVI_SPECIAL_MAX]; /* their interrupts pass through the IOMMU: DTE stays 0 */
	uint32_t nspecial;
	uint16_t special[AMDVI_SPECIAL_MAX]; /* IOAPIC, HPET, ACPI devices: never assigned */
	uint64_t covered[AMDVI_IDS / 64];    /* ids this IOMMU translates */
	uint64_t aliased[AMDVI_IDS / 64];    /* ids that share a DTE with another id */
};

static inline bool amdvi_bit(const uint64_t *map, uint32_t id)
{
	return map[id / 64] >> (id % 64) & 1;
}

/* DomainID of a DTE: a domain's id + 1; the blocking entries have their own. */
#define AMDVI_DOMID_BLOCK 65ULL

/*
 * Parse an IVRS table (len bytes, checksum already verified): the first IVHD
 * (type 0x10, 0x11 or 0x40) of segment 0. 0, or -TESSERA_EINVAL with *why for
 * a malformed table or one that describes more than one IOMMU.
 */
int amdvi_ivrs_parse(const uint8_t *t, uint32_t len, struct amdvi_ivrs *out, const char **why);

/* amdvi_cmd.c: the registers, the command buffer and the event log. */
/* Are there IOMMU registers at base? Taken as the base from then on. */
bool amdvi_hw_probe(uint64_t base);
/* Point the IOMMU at the device table, turn translation on, flush every cache. */
int amdvi_hw_start(uint64_t devtab_pa, uint8_t ivhd_flags, const char **why);
/* Drop what the IOMMU caches for requester id and for domid; wait until it has. */
int amdvi_flush(uint32_t id, uint64_t domid);
/* Drop what the IOMMU caches of id's interrupt remapping table (and its DTE); wait. */
int amdvi_flush_irt(uint32_t id);
void amdvi_events_report(void);
#endif
