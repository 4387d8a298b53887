#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H
#include <core/types.h>

struct arch_vcpu {
	uint64_t vmcb_pa;            /* SVM: the VMCB page; VMX: the VMCS page */
	uint64_t cr2;                /* VMX does not switch CR2 */
	bool launched;               /* VMX: VMLAUNCH done, VMRESUME from now on */
	uint8_t fpu[512] __attribute__((aligned(16))); /* FXSAVE image */
	uint32_t pkru;
};

#define STAGE2_PAGES 3 /* PML4, PDPT, PD: up to 1 GiB in 2 MiB pages */

struct arch_domain {
	uint64_t stage2[STAGE2_PAGES]; /* nested (SVM) or extended (VMX) page tables */
	uint64_t grant_pd, grant_pt;   /* the grant window at 1 GiB, made on first use */
	uint32_t asid;                 /* SVM ASID or VMX VPID */
};
#endif
