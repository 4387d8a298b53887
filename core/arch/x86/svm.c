/* AMD SVM backend with nested paging. */
#include <core/console.h>
#include <core/frame.h>
#include <core/lib.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/stage2.h>
#include <arch/mm.h>
#include <arch/vmcb.h>
#include "virt_backend.h"

#define CPUID_SVM   (1u << 2)
#define CPUID_NP    (1u << 0)
#define CPUID_NRIP  (1u << 3)
#define VM_CR_SVMDIS (1u << 4)
#define NPT_P  0x1ULL
#define NPT_RW 0x2ULL
#define NPT_US 0x4ULL  /* nested entries must allow user access */
#define NPT_PWT 0x8ULL
#define NPT_PCD 0x10ULL
#define NPT_PS 0x80ULL
#define NPT_PAT 0x80ULL /* in a 4 KiB leaf */
#define NPT_NX (1ULL << 63)
#define SEG_CODE64 0x29b /* P, S, code read/accessed, L, DPL 0 */
#define SEG_DATA   0xc93
#define SEG_TSS64  0x08b
#define MAX_ASIDS  256

void svm_enter(uint64_t vmcb_pa, struct vcpu_regs *regs, uint64_t host_pa);

/* Shared, read-only for the CPU; a domain given ports has its own IOPM instead. */
static uint64_t iopm_pa, msrpm_pa;
static uint32_t nasids;
/* Per CPU: VMRUN's host save area, the VMLOAD image of host state, and which vCPU
 * last used each ASID here (a vCPU is pinned to one CPU). */
static uint64_t hsave_pa[CPU_MAX], host_save_pa[CPU_MAX];
static const struct vcpu *asid_owner[CPU_MAX][MAX_ASIDS];
static bool have_nrip;

static int svm_probe(void)
{
	uint32_t r[4];
	cpuid(0x80000000, 0, r);
	if (r[0] < 0x8000000a)
		return -1;
	cpuid(0x80000001, 0, r);
	if (!(r[2] & CPUID_SVM))
		return -1;
	cpuid(0x8000000a, 0, r);
	if (!(r[3] & CPUID_NP)) {
		kprintf("tessera: SVM without nested paging is not supported\n");
		return -1;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		kprintf("tessera: SVM is disabled by firmware (VM_CR.SVMDIS)\n");
		return -1;
	}
	have_nrip = r[3] & CPUID_NRIP;
	nasids = r[1] < MAX_ASIDS ? r[1] : MAX_ASIDS;
	return nasids > 1 ? 0 : -1;
}

static int svm_cpu_init(void)
{
	unsigned cpu = cpu_this();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	if (!iopm_pa) {
		/* Every port and every MSR is intercepted: a domain owns no hardware yet. */
		iopm_pa = frame_alloc(3, PAGE_SIZE);
		msrpm_pa = frame_alloc(2, PAGE_SIZE);
		if (!iopm_pa || !msrpm_pa)
			return -1;
		memset(phys_to_virt(iopm_pa), 0xff, 3 * PAGE_SIZE);
		memset(phys_to_virt(msrpm_pa), 0xff, 2 * PAGE_SIZE);
	}
	hsave_pa[cpu] = page_zalloc();
	host_save_pa[cpu] = page_zalloc();
	if (!hsave_pa[cpu] || !host_save_pa[cpu])
		return -1;
	wrmsr(MSR_VM_HSAVE_PA, hsave_pa[cpu]);
	__asm__ volatile("vmsave %0" : : "a"(host_save_pa[cpu]) : "memory");
	return 0;
}

static int svm_domain_init(struct domain *d)
{
	if (stage2_build(d, NPT_P | NPT_RW | NPT_US, NPT_P | NPT_RW | NPT_US | NPT_PS))
		return -1;
	d->arch.asid = 1 + d->id % (nasids - 1);
	return 0;
}

static void svm_domain_teardown(struct domain *d)
{
	struct vcpu *v = &d->vcpu;
	if (asid_owner[cpu_this()][d->arch.asid] == v)
		asid_owner[cpu_this()][d->arch.asid] = NULL;
	fpu_forget(v);
	stage2_free(d);
	page_scrub_free(&v->arch.vmcb_pa);
}

static uint64_t svm_domain_overhead(const struct domain *d)
{
	return stage2_overhead(d) + PAGE_SIZE; /* nested tables + VMCB */
}

static int svm_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, bool writable)
{
	return stage2_grant_map(d, slot, hpa, NPT_P | NPT_RW | NPT_US,
				NPT_P | NPT_US | (writable ? NPT_RW : 0));
}

/*
 * Device MMIO: read/write, never executable, uncached. A nested leaf picks its
 * host memory type from the host PAT like any page table entry, and UC wins
 * over whatever type the guest's own tables pick (APM vol. 2, 15.25.8).
 */
static int svm_mmio_map(struct domain *d, uint64_t hpa, uint64_t size)
{
	uint64_t pat = rdmsr(MSR_PAT), leaf = NPT_P | NPT_RW | NPT_US;
	unsigned i = 0;
	while (i < 8 && ((pat >> (8 * i)) & 0xff) != 0) /* an entry holding UC */
		i++;
	if (i == 8)
		return -1;
	leaf |= (i & 1 ? NPT_PWT : 0) | (i & 2 ? NPT_PCD : 0) | (i & 4 ? NPT_PAT : 0);
	/* Nested NX is honoured only under the host's EFER.NXE (set at boot on every CPU);
	 * without it bit 63 would be reserved. */
	if (rdmsr(MSR_EFER) & EFER_NXE)
		leaf |= NPT_NX;
	return stage2_mmio_map(d, hpa, size, NPT_P | NPT_RW | NPT_US, leaf);
}

/* d's own IOPM (virt_ioport_allow): its VMCB, if made already, names it. */
static int svm_io_bitmap_use(struct domain *d)
{
	if (d->vcpu.arch.vmcb_pa)
		((struct vmcb *)phys_to_virt(d->vcpu.arch.vmcb_pa))->iopm_pa = d->arch.io_bitmap;
	return 0;
}

/* The ASID's next entry flushes the whole TLB (TLB_CONTROL = 1). */
static void svm_stage2_flush(struct domain *d)
{
	asid_owner[cpu_this()][d->arch.asid] = NULL;
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit)
{
	*s = (struct vmcb_seg){ sel, attrib, limit, 0 };
}

static int svm_vcpu_init(struct vcpu *v, uint64_t entry)
{
	struct domain *d = v->dom;
	struct vmcb *vm;
	v->arch.vmcb_pa = page_zalloc();
	if (!v->arch.vmcb_pa)
		return -1;
	vm = phys_to_virt(v->arch.vmcb_pa);
	/* DR0-3 are not switched by VMRUN: a domain may not read or write debug registers. */
	vm->icpt_dr = 0xffffffffu;
	/* #DB and #AC are reflected by the core so a guest cannot wedge the CPU in an
	 * endless microcode delivery loop (CVE-2015-5307/8104); #MC is the host's. */
	vm->icpt_exc = (1u << 1) | (1u << 17) | (1u << 18);
	vm->icpt_misc1 = ICPT1_INTR | ICPT1_NMI | ICPT1_SMI | ICPT1_INIT | ICPT1_RDPMC | ICPT1_CPUID | ICPT1_RSM |
			 ICPT1_INVD | ICPT1_HLT | ICPT1_INVLPGA | ICPT1_IOIO | ICPT1_MSR |
			 ICPT1_TASKSW | ICPT1_SHUTDOWN;
	vm->icpt_misc2 = ICPT2_VMRUN | ICPT2_VMMCALL | ICPT2_VMLOAD | ICPT2_VMSAVE | ICPT2_STGI |
			 ICPT2_CLGI | ICPT2_SKINIT | ICPT2_ICEBP | ICPT2_WBINVD | ICPT2_MONITOR |
			 ICPT2_MWAIT | ICPT2_MWAITC | ICPT2_XSETBV | ICPT2_RDPRU;
	vm->iopm_pa = d->arch.io_bitmap ? d->arch.io_bitmap : iopm_pa;
	vm->msrpm_pa = msrpm_pa;
	vm->asid = d->arch.asid;
	vm->int_ctl = 1ULL << 24; /* V_INTR_MASKING: guest IF never gates host interrupts */
	vm->np_enable = 1;
	vm->n_cr3 = d->arch.stage2[0];
	seg(&vm->cs, 0x08, SEG_CODE64, 0xffffffff);
	seg(&vm->ds, 0x10, SEG_DATA, 0xffffffff);
	seg(&vm->es, 0x10, SEG_DATA, 0xffffffff);
	seg(&vm->ss, 0x10, SEG_DATA, 0xffffffff);
	seg(&vm->fs, 0x10, SEG_DATA, 0xffffffff);
	seg(&vm->gs, 0x10, SEG_DATA, 0xffffffff);
	seg(&vm->tr, 0, SEG_TSS64, 0x67);
	seg(&vm->ldtr, 0, 0, 0);
	seg(&vm->gdtr, 0, 0, 0);
	seg(&vm->idtr, 0, 0, 0);
	vm->cpl = 0;
	vm->efer = EFER_LME | EFER_LMA | EFER_SVME;
	vm->cr0 = 0x80000031ULL; /* PG, NE, ET, PE */
	vm->cr3 = TESSERA_GUEST_PML4;
	vm->cr4 = 0x20;          /* PAE */
	vm->dr6 = 0xffff0ff0;
	vm->dr7 = 0x400;
	vm->rflags = 0x2;
	vm->g_pat = 0x0007040600070406ULL;
	v->regs.rip = entry;
	v->regs.rsp = 0;
	v->regs.rflags = 0x2;
	fpu_vcpu_init(v);
	return 0;
}

static const char *forbidden_name(uint64_t code)
{
	if (code >= 0x20 && code <= 0x3f)
		return "MOV DR";
	switch (code) {
	case 0x6f: return "RDPMC";
	case 0x73: return "RSM";
	case 0x76: return "INVD";
	case 0x7a: return "INVLPGA";
	case 0x7b: return "IN/OUT";
	case 0x7c: return "RDMSR/WRMSR";
	case 0x7d: return "task switch";
	case 0x80: return "VMRUN";
	case 0x82: return "VMLOAD";
	case 0x83: return "VMSAVE";
	case 0x84: return "STGI";
	case 0x85: return "CLGI";
	case 0x86: return "SKINIT";
	case 0x88: return "ICEBP";
	case 0x89: return "WBINVD";
	case 0x8a: return "MONITOR";
	case 0x8b: case 0x8c: return "MWAIT";
	case 0x8d: return "XSETBV";
	case 0x8e: return "RDPRU";
	default: return NULL;
	}
}

static void svm_cpuid(struct vcpu *v, struct vmcb *vm)
{
	uint32_t r[4];
	cpuid_guest((uint32_t)vm->rax, (uint32_t)v->regs.rcx, r);
	vm->rax = r[0];
	v->regs.rbx = r[1];
	v->regs.rcx = r[2];
	v->regs.rdx = r[3];
	vm->rip = have_nrip ? vm->nrip : vm->rip + 2;
	vm->int_shadow = 0;
}

/* Hand an intercepted #DB/#AC back to the guest (EVENTINJ: exception, valid). */
static void svm_reflect(struct vmcb *vm)
{
	uint64_t vec = vm->exitcode - VMEXIT_EXCP_BASE;
	uint64_t ev = vec | (3ULL << 8) | (1ULL << 31);
	if (vec == 17)
		ev |= (1ULL << 11); /* #AC pushes error code 0 */
	vm->eventinj = ev;
}

static void svm_vcpu_run(struct vcpu *v, struct vexit *x)
{
	struct vmcb *vm = phys_to_virt(v->arch.vmcb_pa);
	const char *name;

	for (;;) {
		/* TCG has no flush-by-ASID: flush everything when an ASID changes hands. */
		const struct vcpu **owner = &asid_owner[cpu_this()][vm->asid];
		vm->tlb_control = *owner != v;
		*owner = v;
		vm->rax = v->regs.rax;
		vm->rip = v->regs.rip;
		vm->rsp = v->regs.rsp;
		vm->rflags = v->regs.rflags;
		if (v->dom->event_vector && __atomic_exchange_n(&v->upcall, false, __ATOMIC_SEQ_CST)) {
			/* A virtual interrupt, taken when the guest's IF allows (V_INTR_MASKING). */
			vm->int_ctl = (vm->int_ctl & ~(0xffULL << 32)) | V_IRQ | V_INTR_PRIO_MAX |
				      V_IGN_TPR | ((uint64_t)v->dom->event_vector << 32);
		}
		fpu_switch_to(v);
		svm_enter(v->arch.vmcb_pa, &v->regs, host_save_pa[cpu_this()]);
		vm->eventinj = 0;
		v->regs.rax = vm->rax;
		v->regs.rip = vm->rip;
		v->regs.rsp = vm->rsp;
		v->regs.rflags = vm->rflags;
		if (vm->exitcode == VMEXIT_EXCP_DB || vm->exitcode == VMEXIT_EXCP_AC) {
			svm_reflect(vm);
			continue;
		}
		if (vm->exitcode != VMEXIT_CPUID)
			break;
		svm_cpuid(v, vm);
		v->regs.rax = vm->rax;
		v->regs.rip = vm->rip;
	}

	memset(x, 0, sizeof(*x));
	switch (vm->exitcode) {
	case VMEXIT_VMMCALL:
		/* TCG has no NRIP save; VMMCALL is 3 bytes. */
		v->regs.rip = have_nrip ? vm->nrip : v->regs.rip + 3;
		vm->int_shadow = 0; /* stepping over the instruction ends an STI shadow */
		x->reason = VEXIT_HYPERCALL;
		break;
	case VMEXIT_NPF:
		x->reason = VEXIT_NESTED_FAULT;
		x->gpa = vm->exitinfo2;
		x->info = vm->exitinfo1;
		break;
	case VMEXIT_SHUTDOWN:
		x->reason = VEXIT_SHUTDOWN;
		break;
	case VMEXIT_HLT:
		v->regs.rip = have_nrip ? vm->nrip : v->regs.rip + 1;
		vm->int_shadow = 0;
		x->reason = VEXIT_HALT;
		x->info = vm->rflags;
		x->gpa = (vm->int_ctl & V_IRQ) != 0;
		break;
	case VMEXIT_INTR:
		apic_take_interrupts();
		x->reason = VEXIT_IGNORED;
		break;
	case VMEXIT_NMI:
	case VMEXIT_SMI:
	case VMEXIT_INIT:
		x->reason = VEXIT_IGNORED;
		break;
	case VMEXIT_EXCP_MC:
		x->reason = VEXIT_ENTRY_FAILED;
		x->what = "machine check while the domain ran";
		x->info = vm->exitcode;
		break;
	case VMEXIT_INVALID:
		x->reason = VEXIT_ENTRY_FAILED;
		x->what = "invalid guest state";
		x->info = vm->exitcode;
		break;
	default:
		name = forbidden_name(vm->exitcode);
		x->reason = name ? VEXIT_FORBIDDEN : VEXIT_ENTRY_FAILED;
		x->what = name ? name : "unexpected exit";
		x->info = vm->exitcode;
		break;
	}
}

const struct virt_backend svm_backend = {
	.name = "amd-svm",
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.domain_init = svm_domain_init,
	.domain_teardown = svm_domain_teardown,
	.domain_overhead = svm_domain_overhead,
	.vcpu_init = svm_vcpu_init,
	.vcpu_run = svm_vcpu_run,
	.grant_map = svm_grant_map,
	.stage2_flush = svm_stage2_flush,
	.mmio_map = svm_mmio_map,
	.io_bitmap_pages = 3, /* 12 KiB: a bit per port, then bits for accesses past 0xffff */
	.io_bitmap_use = svm_io_bitmap_use,
};
