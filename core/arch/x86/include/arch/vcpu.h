#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H
#include <core/types.h>

struct arch_vcpu {
	uint64_t vmcb_pa;            /* SVM: the VMCB page; VMX: the VMCS page */
	uint64_t cr2;                /* VMX does not switch CR2 */
	bool launched;               /* VMX: VMLAUNCH done, VMRESUME from now on */
	bool io_stale;               /* VMX: the VMCS does not name the domain's I/O bitmaps yet */
	uint8_t fpu[512] __attribute__((aligned(16))); /* FXSAVE image */
	uint32_t pkru;
};

#define STAGE2_PAGES 3 /* PML4, PDPT, PD: up to 1 GiB in 2 MiB pages */
/* Device MMIO in GiB 2 and 3, 4 KiB pages: a fixed pool of page tables per
 * domain (each covers 2 MiB), so assignment cannot spend core memory unbounded. */
#define STAGE2_MMIO_PDS 2
#define STAGE2_MMIO_PTS 8

struct arch_domain {
	uint64_t stage2[STAGE2_PAGES]; /* nested (SVM) or extended (VMX) page tables */
	uint64_t grant_pd, grant_pt;   /* the grant window at 1 GiB, made on first use */
	uint64_t mmio_pd[STAGE2_MMIO_PDS]; /* GiB 2 and 3, made on first use */
	uint64_t mmio_pt[STAGE2_MMIO_PTS]; /* their page tables, in order of first use */
	uint64_t io_bitmap;            /* own I/O permission map (SVM: IOPM, 3 pages; VMX:
	                                * bitmaps A and B, 2), made on first use; else none */
	uint32_t asid;                 /* SVM ASID or VMX VPID */
};
#endif
