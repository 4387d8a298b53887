/* Intel VT-d: what the DMAR parser (vtd_dmar.c) and the registers (vtd_hw.c) give vtd.c. */
#ifndef ARCH_VTD_H
#define ARCH_VTD_H
#include <core/types.h>

#define VTD_SCOPE_MAX 64 /* PCI_DEV_MAX: more endpoints than the core enumerates are useless */

struct vtd_dmar {
	uint64_t base;      /* the one remapping unit's registers */
	uint8_t haw;        /* host address width, bits */
	bool include_all;   /* the unit translates every device of segment 0 */
	uint32_t nscope;    /* devices the unit's scope names directly: bus << 8 | devfn */
	uint16_t scope[VTD_SCOPE_MAX];
	uint32_t nrmrr;     /* devices firmware keeps DMA memory for (RMRR): never assigned */
	uint16_t rmrr[VTD_SCOPE_MAX];
	bool rmrr_deep;     /* an RMRR names a device behind a bridge: nothing off bus 0 is assigned */
};

/*
 * Parse a DMAR table (len bytes, checksum already verified). 0, or
 * -TESSERA_EINVAL with *why for a malformed table or one this driver cannot
 * honour (not exactly one remapping unit, a segment other than 0).
 */
int vtd_dmar_parse(const uint8_t *t, uint32_t len, struct vtd_dmar *out, const char **why);

struct vtd_caps {
	uint32_t levels;   /* second-level table depth: 3 (39-bit) or 4 (48-bit) */
	bool big;          /* 2 MiB second-level pages (CAP.SLLPS) */
	bool intremap;     /* interrupt remapping (ECAP.IR) */
};

/* vtd_hw.c. Callers hold core_lock. */
/* Check the registers at base; fill caps. 0, or -TESSERA_ENODEV with *why. */
int vtd_hw_probe(uint64_t base, struct vtd_caps *caps, const char **why);
/* Root table, queued invalidation, interrupt remapping (irt_pa: every entry blocked), translation on. */
int vtd_hw_start(uint64_t root_pa, uint64_t iq_pa, uint64_t irt_pa, const char **why);
/* Drop every cached context entry and translation; wait until the unit has. */
int vtd_flush_all(void);
/* Drop what is cached for requester sid and domain id did; wait until the unit has. */
int vtd_flush_device(uint16_t sid, uint16_t did);
/* Drop every cached interrupt remapping entry (IEC); wait until the unit has. */
int vtd_flush_iec(void);
/* Print and clear the fault recording registers. */
void vtd_faults_report(void);
/* Make [p, p + len) visible to a unit that does not snoop. */
void vtd_sync(const void *p, uint64_t len);
#endif
