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
	VEXIT_HALT,           /* HLT (RIP past it); info = guest RFLAGS, gpa = 1 if an
	                       * injected event is still waiting to be taken */
};

struct vexit {
	enum vexit_reason reason;
	uint64_t gpa, info;
	const char *what;
};

int virt_init(void);
/* Every other CPU, once virt_init has run on the boot CPU. */
int virt_cpu_init(void);
const char *virt_name(void);
int virt_domain_init(struct domain *d);
void virt_domain_teardown(struct domain *d);
/* Core memory the backend spends on a domain (nested page tables, control blocks). */
uint64_t virt_domain_overhead(const struct domain *d);
int virt_vcpu_init(struct vcpu *v, uint64_t entry);
void virt_vcpu_run(struct vcpu *v, struct vexit *x);
/* Map host frame hpa at grant-window slot of d (read-only unless writable). */
int virt_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, bool writable);
/* Remove it; no translation of it survives in any TLB afterwards. */
void virt_grant_unmap(struct domain *d, uint32_t slot);
/*
 * Device assignment. Map host MMIO [hpa, hpa + size) at the same guest-physical
 * addresses in d, uncached; page aligned, inside [TESSERA_GUEST_MMIO_MIN, 4 GiB).
 * 0, or -1 (bad range, or d's MMIO table pages are used up).
 */
int virt_mmio_map(struct domain *d, uint64_t hpa, uint64_t size);
/* Let d use I/O ports [port, port + count) without an exit. 0, or -1. */
int virt_ioport_allow(struct domain *d, uint32_t port, uint32_t count);
/* Give d the serial port the core prints on (console_claim): its I/O ports. 0, or -1. */
int virt_ioport_console(struct domain *d);
/* Write the initial guest page tables into fresh domain memory. */
void virt_guest_setup(struct domain *d);
#endif
