/* Hosted build: the simulated backend's per-vCPU and per-domain state. */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H
#include <core/types.h>

struct arch_vcpu {
	uint64_t runs;      /* virt_vcpu_run calls for this vCPU */
};

struct arch_domain {
	uint64_t page;      /* one frame the simulated backend allocates per domain */
};
#endif
