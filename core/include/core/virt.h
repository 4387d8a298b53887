/*
 * The virtualization interface kernel objects see. One implementation per
 * backend (SVM today, VMX next) lives in core/arch/x86; the hosted build
 * supplies a simulated one.
 */
#ifndef CORE_VIRT_H
#define CORE_VIRT_H
#include <core/domain.h>

enum vexit_reason {
	VEXIT_HYPERCALL,      /* RIP already advanced past the instruction */
	VEXIT_NESTED_FAULT,   /* gpa, info = backend fault code */
	VEXIT_FORBIDDEN,      /* what = instruction name */
	VEXIT_SHUTDOWN,       /* triple fault */
	VEXIT_IGNORED,        /* handled by the backend (e.g. a physical interrupt); resume */
	VEXIT_ENTRY_FAILED,   /* what = reason, info = backend code */
};

struct vexit {
	enum vexit_reason reason;
	uint64_t gpa, info;
	const char *what;
};

int virt_init(void);
const char *virt_name(void);
int virt_domain_init(struct domain *d);
void virt_domain_teardown(struct domain *d);
/* Core memory the backend spends on a domain (nested page tables, control blocks). */
uint64_t virt_domain_overhead(const struct domain *d);
int virt_vcpu_init(struct vcpu *v, uint64_t entry);
void virt_vcpu_run(struct vcpu *v, struct vexit *x);
/* Write the initial guest page tables into fresh domain memory. */
void virt_guest_setup(struct domain *d);
#endif
