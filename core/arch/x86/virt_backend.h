/* What each hardware backend (SVM, later VMX) provides to virt.c. */
#ifndef X86_VIRT_BACKEND_H
#define X86_VIRT_BACKEND_H
#include <core/virt.h>
#include <tessera/layout.h>

struct virt_backend {
	const char *name;
	int (*probe)(void);
	int (*cpu_init)(void);
	int (*domain_init)(struct domain *d);
	void (*domain_teardown)(struct domain *d);
	uint64_t (*domain_overhead)(const struct domain *d);
	int (*vcpu_init)(struct vcpu *v, uint64_t entry);
	void (*vcpu_run)(struct vcpu *v, struct vexit *x);
	int (*grant_map)(struct domain *d, uint32_t slot, uint64_t hpa, bool writable);
	/* Forget every cached translation of d's second-stage tables. */
	void (*stage2_flush)(struct domain *d);
	/* stage2_mmio_map with this format's bits: read/write, uncached, no execute. */
	int (*mmio_map)(struct domain *d, uint64_t hpa, uint64_t size);
	/* Pages of an I/O permission map (one bit per port, 1 = exit, B after A) ... */
	uint64_t io_bitmap_pages;
	/* ... and make d->arch.io_bitmap the one d's vCPU uses; -1 if the CPU cannot. */
	int (*io_bitmap_use)(struct domain *d);
};

extern const struct virt_backend svm_backend, vmx_backend;
#endif
