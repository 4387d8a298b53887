#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H
#include <core/types.h>

struct arch_vcpu {
	uint64_t vmcb_pa;            /* SVM: the VMCB page */
	uint8_t fpu[512] __attribute__((aligned(16))); /* FXSAVE image */
	uint32_t pkru;
};

#define NPT_PAGES 3

struct arch_domain {
	uint64_t npt_root;
	uint64_t npt_pages[NPT_PAGES];
	uint32_t asid;
};
#endif
