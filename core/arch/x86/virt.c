/* Backend selection from CPUID, and the guest's initial page tables (x86 format). */
#include <core/lib.h>
#include <arch/cpu.h>
#include <arch/stage2.h>
#include "virt_backend.h"

static const struct virt_backend *const backends[] = { &svm_backend, &vmx_backend };
static const struct virt_backend *be;

int virt_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++) {
		if (backends[i]->probe() == 0) {
			be = backends[i];
			return be->cpu_init();
		}
	}
	return -1;
}

const char *virt_name(void) { return be->name; }
int virt_cpu_init(void) { return be->cpu_init(); }
int virt_domain_init(struct domain *d) { return be->domain_init(d); }
void virt_domain_teardown(struct domain *d) { be->domain_teardown(d); }
uint64_t virt_domain_overhead(const struct domain *d) { return be->domain_overhead(d); }
int virt_vcpu_init(struct vcpu *v, uint64_t entry) { return be->vcpu_init(v, entry); }
void virt_vcpu_run(struct vcpu *v, struct vexit *x) { be->vcpu_run(v, x); }
int virt_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, bool writable)
{
	return be->grant_map(d, slot, hpa, writable);
}

void virt_grant_unmap(struct domain *d, uint32_t slot)
{
	stage2_grant_unmap(d, slot);
	be->stage2_flush(d);
}

/* Identity map of guest-physical [0, 2 GiB) with 2 MiB pages (tessera/layout.h). */
void virt_guest_setup(struct domain *d)
{
	uint64_t *pml4 = (uint64_t *)(d->mem + TESSERA_GUEST_PML4);
	uint64_t *pdpt = (uint64_t *)(d->mem + TESSERA_GUEST_PDPT);
	uint64_t *pd = (uint64_t *)(d->mem + TESSERA_GUEST_PD);
	uint64_t *pd_high = (uint64_t *)(d->mem + TESSERA_GUEST_PD_HIGH);
	pml4[0] = TESSERA_GUEST_PDPT | 0x3;
	pdpt[0] = TESSERA_GUEST_PD | 0x3;
	pdpt[1] = TESSERA_GUEST_PD_HIGH | 0x3;
	for (uint64_t i = 0; i < 512; i++) {
		pd[i] = (i << 21) | 0x83;
		pd_high[i] = ((1ULL << 30) + (i << 21)) | 0x83;
	}
}

/* svm_run.S and vmx_run.S reach struct vcpu_regs by these offsets (arch/gprs.h). */
_Static_assert(__builtin_offsetof(struct vcpu_regs, rax) == 0 &&
		       __builtin_offsetof(struct vcpu_regs, rbx) == 8 &&
		       __builtin_offsetof(struct vcpu_regs, rbp) == 48 &&
		       __builtin_offsetof(struct vcpu_regs, r8) == 56 &&
		       __builtin_offsetof(struct vcpu_regs, r15) == 112,
	       "struct vcpu_regs and arch/gprs.h disagree");
