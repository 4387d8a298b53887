/*
 * Backend selection from CPUID, the guest's initial page tables (x86 format),
 * and what both backends share of device assignment.
 */
#include <core/frame.h>
#include <core/lib.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/mm.h>
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

void virt_domain_teardown(struct domain *d)
{
	be->domain_teardown(d);
	pages_scrub_free(&d->arch.io_bitmap, be->io_bitmap_pages);
}

uint64_t virt_domain_overhead(const struct domain *d)
{
	return be->domain_overhead(d) + (d->arch.io_bitmap ? be->io_bitmap_pages * PAGE_SIZE : 0);
}

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

int virt_mmio_map(struct domain *d, uint64_t hpa, uint64_t size)
{
	/* The local APIC page is the core's: through it a domain could INIT any CPU. */
	uint64_t apic = apic_base();
	if (hpa <= apic ? apic - hpa < size : hpa - apic < PAGE_SIZE)
		return -1;
	if (be->mmio_map(d, hpa, size))
		return -1;
	be->stage2_flush(d);
	return 0;
}

/*
 * Never a domain's, whatever the caller asks: the PC's motherboard ports (PIC,
 * PIT and its gate, which the core uses; ISA DMA, which reaches low memory; the
 * keyboard controller's and port 0x92's resets; the NMI mask; the test exit
 * port), the core's console COM1, and PCI configuration 0xcf8-0xcff (mediated
 * by the core) with the reset register 0xcf9.
 */
static const uint32_t core_ports[][2] = { { 0, 0x100 }, { 0x3f8, 8 }, { 0xcf8, 8 } };

/* The domain's own map (all ones: every port exits) is made on first use. */
static int ioport_open(struct domain *d, uint32_t port, uint32_t count)
{
	uint8_t *map;
	if (!d->arch.io_bitmap) {
		d->arch.io_bitmap = frame_alloc(be->io_bitmap_pages, PAGE_SIZE);
		if (!d->arch.io_bitmap)
			return -1;
		memset(phys_to_virt(d->arch.io_bitmap), 0xff, be->io_bitmap_pages * PAGE_SIZE);
		if (be->io_bitmap_use(d)) {
			pages_scrub_free(&d->arch.io_bitmap, be->io_bitmap_pages);
			return -1;
		}
	}
	/* Exactly these bits: an access exits unless every byte it touches is allowed;
	 * one wrapping past 0xffff always exits (SVM: the bits after 0xffff stay set). */
	map = phys_to_virt(d->arch.io_bitmap);
	for (uint32_t p = port; p < port + count; p++)
		map[p / 8] &= (uint8_t)~(1u << (p % 8));
	return 0;
}

int virt_ioport_allow(struct domain *d, uint32_t port, uint32_t count)
{
	if (!count || port > 0xffff || count > 0x10000 - port)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(core_ports); i++)
		if (port < core_ports[i][0] + core_ports[i][1] && core_ports[i][0] < port + count)
			return -1;
	return ioport_open(d, port, count);
}

int virt_ioport_console(struct domain *d)
{
	return ioport_open(d, core_ports[1][0], core_ports[1][1]);
}

/*
 * Identity map of guest-physical [0, 4 GiB) with 2 MiB pages (tessera/layout.h).
 * GiB 2 and 3 hold device MMIO: PCD|PWT select PAT entry 3 (UC in the guest PAT
 * both backends load), so a driver's register accesses are never cached.
 */
void virt_guest_setup(struct domain *d)
{
	static const uint64_t pds[4] = { TESSERA_GUEST_PD, TESSERA_GUEST_PD_HIGH,
					 TESSERA_GUEST_PD_2G, TESSERA_GUEST_PD_3G };
	uint64_t *pml4 = (uint64_t *)(d->mem + TESSERA_GUEST_PML4);
	uint64_t *pdpt = (uint64_t *)(d->mem + TESSERA_GUEST_PDPT);
	pml4[0] = TESSERA_GUEST_PDPT | 0x3;
	for (uint64_t g = 0; g < ARRAY_SIZE(pds); g++) {
		uint64_t *pd = (uint64_t *)(d->mem + pds[g]);
		uint64_t bits = g >= 2 ? 0x9b : 0x83; /* P, RW, PS (+ PWT, PCD) */
		pdpt[g] = pds[g] | 0x3;
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = ((g << 30) + (i << 21)) | bits;
	}
}
_Static_assert(TESSERA_GUEST_MMIO_MIN == 2ULL << 30 && TESSERA_GUEST_MAP_MAX == 4ULL << 30,
	       "virt_guest_setup maps GiB 2 and 3 uncached");

/* svm_run.S and vmx_run.S reach struct vcpu_regs by these offsets (arch/gprs.h). */
_Static_assert(__builtin_offsetof(struct vcpu_regs, rax) == 0 &&
		       __builtin_offsetof(struct vcpu_regs, rbx) == 8 &&
		       __builtin_offsetof(struct vcpu_regs, rbp) == 48 &&
		       __builtin_offsetof(struct vcpu_regs, r8) == 56 &&
		       __builtin_offsetof(struct vcpu_regs, r15) == 112,
	       "struct vcpu_regs and arch/gprs.h disagree");
