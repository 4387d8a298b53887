/* Intel VMX backend with EPT and VPID. */
#include <core/console.h>
#include <core/frame.h>
#include <core/lib.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/mm.h>
#include <arch/stage2.h>
#include <arch/vmcs.h>
#include "virt_backend.h"

#define CPUID_VMX (1u << 5)
#define CR4_VMXE  (1ULL << 13)
#define FC_LOCK   (1ULL << 0)
#define FC_VMXON  (1ULL << 2)
#define FC_VMXON_SMX (1ULL << 1) /* VMXON inside SMX operation (after a TXT launch) */
#define CPUID_SMX (1u << 6)
#define CR4_SMXE  (1ULL << 14)
#define AR_CODE64 0xa09b
#define AR_DATA   0xc093
#define AR_TSS64  0x008b
#define AR_UNUSABLE 0x10000

int vmx_enter(struct vcpu_regs *regs, int launched);
void vmx_exit_stub(void);

static uint64_t vmxon_pa[CPU_MAX], ept_caps;
static uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
static uint32_t revision, ctl_pin, ctl_proc, ctl_proc2, ctl_exit, ctl_entry;
static uint32_t ctl_proc_io; /* ctl_proc with I/O bitmaps instead; 0 if the CPU has none */
static bool true_ctls;
static const struct vcpu *loaded[CPU_MAX]; /* the VMCS current on each CPU */

static bool vmwrite(uint64_t field, uint64_t val)
{
	bool fail;
	__asm__ volatile("vmwrite %[v], %[f]; setna %[e]"
			 : [e] "=qm"(fail) : [v] "rm"(val), [f] "r"(field) : "cc", "memory");
	return !fail;
}

static uint64_t vmread(uint64_t field)
{
	uint64_t v = 0;
	__asm__ volatile("vmread %[f], %[v]" : [v] "=rm"(v) : [f] "r"(field) : "cc");
	return v;
}

static bool vmcs_op(uint64_t pa, int clear)
{
	bool fail;
	if (clear)
		__asm__ volatile("vmclear %[p]; setna %[e]" : [e] "=qm"(fail) : [p] "m"(pa) : "cc", "memory");
	else
		__asm__ volatile("vmptrld %[p]; setna %[e]" : [e] "=qm"(fail) : [p] "m"(pa) : "cc", "memory");
	return !fail;
}

/* Controls: bits the CPU forces to 1 are added; a wanted bit it cannot set is a failure. */
static bool ctl_adjust(uint32_t msr, uint32_t want, uint32_t optional, uint32_t *out)
{
	uint64_t v = rdmsr(msr);
	uint32_t must = (uint32_t)v, may = (uint32_t)(v >> 32);
	*out = (want | must | (optional & may)) & may;
	return (*out & want) == want;
}

/* The enable bit VMXON needs here: inside SMX operation (tboot's measured launch) it is bit 1. */
static uint64_t fc_vmxon(void)
{
	return read_cr(4) & CR4_SMXE ? FC_VMXON_SMX : FC_VMXON;
}

/* Unlocked: enable VMXON in and outside SMX (bit 1 only where the CPU has SMX) and lock. */
static uint64_t fc_enable(uint64_t fc)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	return fc | FC_LOCK | FC_VMXON | (r[2] & CPUID_SMX ? FC_VMXON_SMX : 0);
}

static int vmx_probe(void)
{
	uint32_t r[4];
	uint64_t fc;
	cpuid(1, 0, r);
	if (!(r[2] & CPUID_VMX))
		return -1;
	fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FC_LOCK) && !(fc & fc_vmxon())) {
		kprintf("tessera: VMX is disabled by firmware (IA32_FEATURE_CONTROL)\n");
		return -1;
	}
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	revision = (uint32_t)basic & 0x7fffffff;
	true_ctls = basic & (1ULL << 55);
	if (!ctl_adjust(MSR_VMX_PROCBASED2, PROC2_EPT | PROC2_WBINVD, PROC2_VPID | PROC2_RDTSCP,
			&ctl_proc2)) {
		kprintf("tessera: VMX without EPT is not supported\n");
		return -1;
	}
	ept_caps = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if ((ept_caps & (EPTCAP_4LEVEL | EPTCAP_WB | EPTCAP_2M | EPTCAP_INVEPT)) !=
	    (EPTCAP_4LEVEL | EPTCAP_WB | EPTCAP_2M | EPTCAP_INVEPT)) {
		kprintf("tessera: EPT lacks 4-level walks, WB, 2 MiB pages or INVEPT\n");
		return -1;
	}
	if (!(ept_caps & VPIDCAP_INVVPID))
		ctl_proc2 &= ~PROC2_VPID;
	uint32_t proc_msr = true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED;
	uint32_t proc_want = PROC_INTR_WINDOW | PROC_HLT | PROC_MWAIT | PROC_RDPMC | PROC_CR8_LOAD |
			     PROC_CR8_STORE | PROC_MOV_DR | PROC_UNCOND_IO | PROC_MONITOR |
			     PROC_SECONDARY;
	if (!ctl_adjust(true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED,
			PIN_EXT_INTR | PIN_NMI, 0, &ctl_pin) ||
	    !ctl_adjust(proc_msr, proc_want, 0, &ctl_proc) ||
	    !ctl_adjust(true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT,
			EXIT_SAVE_DEBUG | EXIT_HOST_64 | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
				EXIT_SAVE_EFER | EXIT_LOAD_EFER,
			0, &ctl_exit) ||
	    !ctl_adjust(true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY,
			ENTRY_LOAD_DEBUG | ENTRY_IA32E | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER, 0,
			&ctl_entry)) {
		kprintf("tessera: VMX lacks a required control\n");
		return -1;
	}
	/* Domains given I/O ports (virt_ioport_allow) exit through bitmaps instead. */
	if (!ctl_adjust(proc_msr, (proc_want & ~PROC_UNCOND_IO) | PROC_IO_BITMAPS, 0, &ctl_proc_io))
		ctl_proc_io = 0;
	/* MSR bitmaps stay off: every RDMSR/WRMSR exits. The interrupt window opens on demand. */
	ctl_proc &= ~((1u << 28) | PROC_INTR_WINDOW);
	ctl_proc_io &= ~((1u << 28) | PROC_INTR_WINDOW);
	cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	return 0;
}

static int vmx_cpu_init(void)
{
	bool fail;
	/* The MSR is per CPU: firmware may have locked it differently on each. */
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FC_LOCK) && !(fc & fc_vmxon()))
		return -1;
	if (!(fc & FC_LOCK))
		wrmsr(MSR_FEATURE_CONTROL, fc_enable(fc));
	uint64_t cr0 = (read_cr(0) | cr0_fixed0) & cr0_fixed1;
	uint64_t cr4 = (read_cr(4) | CR4_VMXE | cr4_fixed0) & cr4_fixed1;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	write_cr4(cr4);
	uint64_t *region = &vmxon_pa[cpu_this()];
	*region = page_zalloc();
	if (!*region)
		return -1;
	*(uint32_t *)phys_to_virt(*region) = revision;
	__asm__ volatile("vmxon %[p]; setna %[e]" : [e] "=qm"(fail) : [p] "m"(*region) : "cc", "memory");
	if (fail) {
		kprintf("tessera: VMXON failed\n");
		return -1;
	}
	return 0;
}

static void invept_domain(uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint64_t type = (ept_caps & EPTCAP_INVEPT_SINGLE) ? 1 : 2;
	__asm__ volatile("invept %[d], %[t]" : : [d] "m"(desc), [t] "r"(type) : "cc", "memory");
}

static void invvpid_domain(uint16_t vpid)
{
	struct { uint64_t vpid, addr; } desc = { vpid, 0 };
	uint64_t type = (ept_caps & VPIDCAP_SINGLE) ? 1 : 2;
	if (ctl_proc2 & PROC2_VPID)
		__asm__ volatile("invvpid %[d], %[t]" : : [d] "m"(desc), [t] "r"(type) : "cc", "memory");
}

static int vmx_domain_init(struct domain *d)
{
	if (stage2_build(d, EPT_RWX, EPT_RWX | EPT_WB | EPT_LARGE))
		return -1;
	d->arch.asid = d->id + 1; /* VPID: unique among live domains, flushed when freed */
	invept_domain(d->arch.stage2[0] | EPTP_WB_4LEVEL);
	invvpid_domain((uint16_t)d->arch.asid);
	return 0;
}

static void vmx_domain_teardown(struct domain *d)
{
	struct vcpu *v = &d->vcpu;
	fpu_forget(v);
	if (v->arch.vmcb_pa) {
		vmcs_op(v->arch.vmcb_pa, 1);
		if (loaded[cpu_this()] == v)
			loaded[cpu_this()] = NULL;
	}
	if (d->arch.stage2[0])
		invept_domain(d->arch.stage2[0] | EPTP_WB_4LEVEL);
	invvpid_domain((uint16_t)d->arch.asid);
	stage2_free(d);
	page_scrub_free(&v->arch.vmcb_pa);
}

static uint64_t vmx_domain_overhead(const struct domain *d)
{
	return stage2_overhead(d) + PAGE_SIZE; /* extended tables + VMCS */
}

static int vmx_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, bool writable)
{
	/* Read (and write) but never execute: grants carry data. */
	return stage2_grant_map(d, slot, hpa, EPT_RWX, 0x1 | (writable ? 0x2 : 0) | EPT_WB);
}

static void vmx_stage2_flush(struct domain *d)
{
	invept_domain(d->arch.stage2[0] | EPTP_WB_4LEVEL);
}

/* Device MMIO: read/write, never executable, UC (the guest PAT has no WC entry, so
 * no combination with it is anything but UC: SDM vol. 3, 29.3.7.2). */
static int vmx_mmio_map(struct domain *d, uint64_t hpa, uint64_t size)
{
	return stage2_mmio_map(d, hpa, size, EPT_RWX, 0x1 | 0x2 | EPT_UC);
}

/* Written into the VMCS by vmx_vcpu_init, or on the vCPU's next run if it exists. */
static int vmx_io_bitmap_use(struct domain *d)
{
	if (!ctl_proc_io)
		return -1;
	d->vcpu.arch.io_stale = true;
	return 0;
}

static uint32_t proc_ctls(const struct domain *d)
{
	return d->arch.io_bitmap ? ctl_proc_io : ctl_proc;
}

/* Bitmap A covers ports 0-0x7fff, B (the next page) 0x8000-0xffff. */
static bool vmcs_io(const struct domain *d)
{
	return !d->arch.io_bitmap || (vmwrite(IO_BITMAP_A, d->arch.io_bitmap) &&
				      vmwrite(IO_BITMAP_B, d->arch.io_bitmap + PAGE_SIZE));
}

static bool vmcs_host_state(void)
{
	uint64_t gdt, idt, tss;
	cpu_host_tables(&gdt, &idt, &tss);
	return vmwrite(HOST_CR0, read_cr(0)) && vmwrite(HOST_CR3, read_cr(3)) &&
	       vmwrite(HOST_CR4, read_cr(4)) && vmwrite(HOST_CS_SEL, 0x08) &&
	       vmwrite(HOST_SS_SEL, 0x10) && vmwrite(HOST_DS_SEL, 0x10) &&
	       vmwrite(HOST_ES_SEL, 0x10) && vmwrite(HOST_FS_SEL, 0) && vmwrite(HOST_GS_SEL, 0) &&
	       vmwrite(HOST_TR_SEL, 0x18) && vmwrite(HOST_FS_BASE, 0) && vmwrite(HOST_GS_BASE, 0) &&
	       vmwrite(HOST_TR_BASE, tss) && vmwrite(HOST_GDTR_BASE, gdt) &&
	       vmwrite(HOST_IDTR_BASE, idt) && vmwrite(HOST_SYSENTER_CS, 0) &&
	       vmwrite(HOST_SYSENTER_ESP, 0) && vmwrite(HOST_SYSENTER_EIP, 0) &&
	       vmwrite(HOST_PAT, rdmsr(MSR_PAT)) && vmwrite(HOST_EFER, rdmsr(MSR_EFER)) &&
	       vmwrite(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
}

/* The bits of CR0/CR4 VMX forces are the host's: the guest sees its own values. */
static bool vmcs_guest_cr(uint64_t cr0, uint64_t cr4)
{
	return vmwrite(GUEST_CR0, (cr0 | cr0_fixed0) & cr0_fixed1) &&
	       vmwrite(CR0_MASK, cr0_fixed0 | ~cr0_fixed1) && vmwrite(CR0_READ_SHADOW, cr0) &&
	       vmwrite(GUEST_CR4, (cr4 | cr4_fixed0) & cr4_fixed1) &&
	       vmwrite(CR4_MASK, cr4_fixed0 | ~cr4_fixed1) && vmwrite(CR4_READ_SHADOW, cr4);
}

static bool vmcs_guest_state(const struct vcpu *v)
{
	bool ok = vmcs_guest_cr(0x80000031ULL, 0x20) && vmwrite(GUEST_CR3, TESSERA_GUEST_PML4);
	for (uint64_t i = 0; i < 6; i++) { /* ES CS SS DS FS GS */
		ok = ok && vmwrite(GUEST_ES_SEL + 2 * i, i == 1 ? 0x08 : 0x10) &&
		     vmwrite(GUEST_ES_BASE + 2 * i, 0) && vmwrite(GUEST_ES_LIMIT + 2 * i, 0xffffffff) &&
		     vmwrite(GUEST_ES_AR + 2 * i, i == 1 ? AR_CODE64 : AR_DATA);
	}
	return ok && vmwrite(GUEST_LDTR_SEL, 0) && vmwrite(GUEST_ES_BASE + 12, 0) &&
	       vmwrite(GUEST_ES_LIMIT + 12, 0) && vmwrite(GUEST_ES_AR + 12, AR_UNUSABLE) &&
	       vmwrite(GUEST_TR_SEL, 0x18) && vmwrite(GUEST_ES_BASE + 14, 0) &&
	       vmwrite(GUEST_ES_LIMIT + 14, 0x67) && vmwrite(GUEST_ES_AR + 14, AR_TSS64) &&
	       vmwrite(GUEST_GDTR_BASE, 0) && vmwrite(GUEST_GDTR_LIMIT, 0) &&
	       vmwrite(GUEST_IDTR_BASE, 0) && vmwrite(GUEST_IDTR_LIMIT, 0) &&
	       vmwrite(GUEST_DR7, 0x400) && vmwrite(GUEST_RSP, v->regs.rsp) &&
	       vmwrite(GUEST_RIP, v->regs.rip) && vmwrite(GUEST_RFLAGS, v->regs.rflags) &&
	       vmwrite(GUEST_PENDING_DBG, 0) && vmwrite(GUEST_INTERRUPTIBILITY, 0) &&
	       vmwrite(GUEST_ACTIVITY, 0) && vmwrite(GUEST_SYSENTER_CS, 0) &&
	       vmwrite(GUEST_SYSENTER_ESP, 0) && vmwrite(GUEST_SYSENTER_EIP, 0) &&
	       vmwrite(GUEST_DEBUGCTL, 0) && vmwrite(GUEST_PAT, 0x0007040600070406ULL) &&
	       vmwrite(GUEST_EFER, EFER_LME | EFER_LMA) && vmwrite(VMCS_LINK_POINTER, ~0ULL);
}

static bool vmcs_controls(const struct domain *d)
{
	return vmwrite(PIN_CONTROLS, ctl_pin) && vmwrite(PROC_CONTROLS, proc_ctls(d)) && vmcs_io(d) &&
	       vmwrite(PROC_CONTROLS2, ctl_proc2) && vmwrite(EXIT_CONTROLS, ctl_exit) &&
	       vmwrite(ENTRY_CONTROLS, ctl_entry) &&
	       /* #DB and #AC are reflected (no endless delivery loops); #MC is the host's */
	       vmwrite(EXCEPTION_BITMAP, (1u << 1) | (1u << 17) | (1u << 18)) &&
	       vmwrite(PF_ERROR_MASK, 0) && vmwrite(PF_ERROR_MATCH, 0) &&
	       vmwrite(CR3_TARGET_COUNT, 0) && vmwrite(EXIT_MSR_STORE_COUNT, 0) &&
	       vmwrite(EXIT_MSR_LOAD_COUNT, 0) && vmwrite(ENTRY_MSR_LOAD_COUNT, 0) &&
	       vmwrite(ENTRY_INTR_INFO, 0) && vmwrite(EPT_POINTER, d->arch.stage2[0] | EPTP_WB_4LEVEL) &&
	       (!(ctl_proc2 & PROC2_VPID) || vmwrite(VMCS_VPID, d->arch.asid));
}

static int vmx_vcpu_init(struct vcpu *v, uint64_t entry)
{
	v->arch.vmcb_pa = page_zalloc();
	if (!v->arch.vmcb_pa)
		return -1;
	*(uint32_t *)phys_to_virt(v->arch.vmcb_pa) = revision;
	v->regs.rip = entry;
	v->regs.rsp = 0;
	v->regs.rflags = 0x2;
	v->arch.launched = false;
	fpu_vcpu_init(v);
	if (!vmcs_op(v->arch.vmcb_pa, 1) || !vmcs_op(v->arch.vmcb_pa, 0))
		return -1;
	if (!vmcs_host_state() || !vmcs_controls(v->dom) || !vmcs_guest_state(v)) {
		kprintf("tessera: VMWRITE failed (VM-instruction error %lu)\n",
			(unsigned long)vmread(VM_INSTRUCTION_ERROR));
		vmcs_op(v->arch.vmcb_pa, 1);
		return -1;
	}
	/* Cleared, so whichever CPU the vCPU is placed on can make it current. */
	return vmcs_op(v->arch.vmcb_pa, 1) ? 0 : -1;
}

static uint64_t *gpr(struct vcpu_regs *r, unsigned n)
{
	uint64_t *const regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
				     &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
				     &r->r12, &r->r13, &r->r14, &r->r15 };
	return regs[n & 15];
}

/* MOV to CR0/CR4 touching a bit VMX owns: the guest gets its value, the CPU a legal one. */
static bool vmx_mov_to_cr(struct vcpu *v)
{
	uint64_t q = vmread(EXIT_QUALIFICATION);
	unsigned cr = q & 15, type = (q >> 4) & 3;
	uint64_t val = *gpr(&v->regs, (unsigned)(q >> 8));
	if (type != 0 || (cr != 0 && cr != 4))
		return false;
	if (cr == 0)
		return vmwrite(GUEST_CR0, (val | cr0_fixed0) & cr0_fixed1) &&
		       vmwrite(CR0_READ_SHADOW, val);
	return vmwrite(GUEST_CR4, (val | cr4_fixed0) & cr4_fixed1) && vmwrite(CR4_READ_SHADOW, val);
}

static const char *forbidden_name(uint32_t reason)
{
	static const char *const names[] = {
		[9] = "task switch", [11] = "GETSEC", [13] = "INVD", [15] = "RDPMC",
		[17] = "RSM", [19] = "VMCLEAR", [20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST",
		[23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF", [27] = "VMXON",
		[28] = "MOV CR", [29] = "MOV DR", [30] = "IN/OUT", [31] = "RDMSR/WRMSR",
		[32] = "RDMSR/WRMSR", [36] = "MWAIT", [39] = "MONITOR", [50] = "INVEPT",
		[53] = "INVVPID", [54] = "WBINVD", [55] = "XSETBV", [59] = "VMFUNC",
	};
	return reason < ARRAY_SIZE(names) ? names[reason] : NULL;
}

/* An event the exit interrupted (e.g. an interrupt arriving mid-delivery) is redelivered. */
static void vmx_reinject(void)
{
	uint64_t idt = vmread(IDT_VECTORING_INFO);
	if (!(idt & (1u << 31)))
		return;
	vmwrite(ENTRY_INTR_INFO, idt & ~(1ULL << 12));
	if (idt & (1u << 11))
		vmwrite(ENTRY_EXCEPTION_ERROR, vmread(IDT_VECTORING_ERROR));
	vmwrite(ENTRY_INSTR_LEN, vmread(EXIT_INSTR_LEN));
}

/* The event upcall as an external interrupt when the guest can take one; otherwise
 * an interrupt-window exit says when it can. */
static void vmx_inject_upcall(struct vcpu *v)
{
	bool open = (v->regs.rflags & (1u << 9)) && !(vmread(GUEST_INTERRUPTIBILITY) & 3) &&
		    !(vmread(ENTRY_INTR_INFO) & (1u << 31));
	uint64_t proc = proc_ctls(v->dom);
	if (open) {
		vmwrite(ENTRY_INTR_INFO, v->dom->event_vector | (1u << 31));
		__atomic_store_n(&v->upcall, false, __ATOMIC_SEQ_CST);
	} else {
		proc |= PROC_INTR_WINDOW;
	}
	vmwrite(PROC_CONTROLS, proc);
}

/* Exceptions exit only for #DB, #AC (reflected), #MC, and NMIs. */
static bool vmx_exception(struct vexit *x)
{
	uint64_t info = vmread(EXIT_INTR_INFO);
	unsigned vec = info & 0xff, type = (info >> 8) & 7;
	if (type == 2) { /* NMI: the platform's, already dealt with by exiting */
		x->reason = VEXIT_IGNORED;
		return false;
	}
	if (vec == 1 || vec == 17) {
		vmwrite(ENTRY_INTR_INFO, vec | (3u << 8) | (vec == 17 ? 1u << 11 : 0) | (1u << 31));
		if (vec == 17)
			vmwrite(ENTRY_EXCEPTION_ERROR, vmread(EXIT_INTR_ERROR));
		return true;
	}
	x->reason = VEXIT_ENTRY_FAILED;
	x->what = vec == 18 ? "machine check while the domain ran" : "unexpected exception exit";
	x->info = info;
	return false;
}

/* Step over an instruction the core handled; an STI or MOV SS shadow ends with it. */
static void vmx_skip(struct vcpu *v)
{
	v->regs.rip += vmread(EXIT_INSTR_LEN);
	vmwrite(GUEST_INTERRUPTIBILITY, vmread(GUEST_INTERRUPTIBILITY) & ~3ULL);
}

static void vmx_cpuid(struct vcpu *v)
{
	uint32_t r[4];
	cpuid_guest((uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, r);
	v->regs.rax = r[0];
	v->regs.rbx = r[1];
	v->regs.rcx = r[2];
	v->regs.rdx = r[3];
}

/* Runs until an exit the kernel objects must see; the rest is handled here. */
static void vmx_vcpu_run(struct vcpu *v, struct vexit *x)
{
	uint32_t reason;
	memset(x, 0, sizeof(*x));
	for (;;) {
		if (loaded[cpu_this()] != v) {
			/* Host state names this CPU's GDT and TSS: refresh it on every load. */
			if (!vmcs_op(v->arch.vmcb_pa, 0) || !vmcs_host_state())
				panic("VMPTRLD failed");
			loaded[cpu_this()] = v;
		}
		if (v->arch.io_stale) {
			if (!vmcs_io(v->dom) || !vmwrite(PROC_CONTROLS, proc_ctls(v->dom))) {
				x->reason = VEXIT_ENTRY_FAILED;
				x->what = "VMWRITE of the I/O bitmaps failed";
				return;
			}
			v->arch.io_stale = false;
		}
		vmwrite(GUEST_RIP, v->regs.rip);
		vmwrite(GUEST_RSP, v->regs.rsp);
		vmwrite(GUEST_RFLAGS, v->regs.rflags);
		if (v->dom->event_vector && __atomic_load_n(&v->upcall, __ATOMIC_SEQ_CST))
			vmx_inject_upcall(v);
		fpu_switch_to(v);
		__asm__ volatile("mov %0, %%cr2" : : "r"(v->arch.cr2));
		int failed = vmx_enter(&v->regs, v->arch.launched);
		v->arch.cr2 = read_cr(2);
		if (failed) {
			x->reason = VEXIT_ENTRY_FAILED;
			x->what = v->arch.launched ? "VMRESUME failed" : "VMLAUNCH failed";
			x->info = vmread(VM_INSTRUCTION_ERROR);
			return;
		}
		v->arch.launched = true;
		v->regs.rip = vmread(GUEST_RIP);
		v->regs.rsp = vmread(GUEST_RSP);
		v->regs.rflags = vmread(GUEST_RFLAGS);
		reason = (uint32_t)vmread(EXIT_REASON);
		if (reason & EXIT_ENTRY_FAILURE) {
			x->reason = VEXIT_ENTRY_FAILED;
			x->what = (reason & 0xffff) == EXIT_ENTRY_BAD_GUEST ? "invalid guest state" :
				  (reason & 0xffff) == EXIT_ENTRY_BAD_MSR ? "MSR loading" :
									    "machine check during entry";
			x->info = vmread(EXIT_QUALIFICATION);
			return;
		}
		switch (reason & 0xffff) {
		case EXIT_CPUID:
			vmx_cpuid(v);
			vmx_skip(v);
			continue;
		case EXIT_CR_ACCESS:
			if (vmx_mov_to_cr(v)) {
				vmx_skip(v);
				continue;
			}
			x->reason = VEXIT_FORBIDDEN;
			x->what = "MOV CR";
			return;
		case EXIT_EXCEPTION_NMI:
			if (vmx_exception(x))
				continue;
			return;
		case EXIT_VMCALL:
			vmx_skip(v);
			x->reason = VEXIT_HYPERCALL;
			return;
		case EXIT_EPT_VIOLATION:
			x->reason = VEXIT_NESTED_FAULT;
			x->gpa = vmread(GUEST_PHYS_ADDR);
			x->info = vmread(EXIT_QUALIFICATION);
			return;
		case EXIT_TRIPLE_FAULT:
			x->reason = VEXIT_SHUTDOWN;
			return;
		case EXIT_INTR_WINDOW:
			vmwrite(PROC_CONTROLS, proc_ctls(v->dom));
			continue;
		case EXIT_HLT:
			vmx_skip(v);
			x->reason = VEXIT_HALT;
			x->info = v->regs.rflags;
			x->gpa = __atomic_load_n(&v->upcall, __ATOMIC_SEQ_CST);
			return;
		case EXIT_EXTERNAL_INTR:
			apic_take_interrupts();
			vmx_reinject();
			x->reason = VEXIT_IGNORED;
			return;
		case EXIT_INIT:
		case EXIT_SIPI:
			vmx_reinject();
			x->reason = VEXIT_IGNORED;
			return;
		case EXIT_EPT_MISCONFIG:
			x->reason = VEXIT_ENTRY_FAILED;
			x->what = "EPT misconfiguration";
			x->gpa = vmread(GUEST_PHYS_ADDR);
			return;
		default:
			x->what = forbidden_name(reason & 0xffff);
			x->reason = x->what ? VEXIT_FORBIDDEN : VEXIT_ENTRY_FAILED;
			if (!x->what)
				x->what = "unexpected exit";
			x->info = reason;
			return;
		}
	}
}

const struct virt_backend vmx_backend = {
	.name = "intel-vmx",
	.probe = vmx_probe,
	.cpu_init = vmx_cpu_init,
	.domain_init = vmx_domain_init,
	.domain_teardown = vmx_domain_teardown,
	.domain_overhead = vmx_domain_overhead,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_run = vmx_vcpu_run,
	.grant_map = vmx_grant_map,
	.stage2_flush = vmx_stage2_flush,
	.mmio_map = vmx_mmio_map,
	.io_bitmap_pages = 2, /* bitmaps A and B */
	.io_bitmap_use = vmx_io_bitmap_use,
};
