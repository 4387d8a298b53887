/*
 * Register state VMRUN/VMEXIT (and VM entry/exit) do not switch, made
 * per-vCPU: x87/SSE through FXSAVE, and PKRU. Switched lazily, only when
 * a different vCPU runs on this CPU. The core itself never uses the FPU.
 */
#include <core/lib.h>
#include <arch/cpu.h>
#include <arch/fpu.h>

#define CR4_PAE        (1ULL << 5)
#define CR4_OSFXSR     (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_OSXSAVE    (1ULL << 18)
#define CR4_PKE        (1ULL << 22)

static const struct vcpu *fpu_owner[CPU_MAX];
static bool have_pku, fxsave_leaks;
static const uint32_t fpu_scrub_value;

void fpu_cpu_init(void)
{
	uint32_t r[4];
	uint64_t cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	bool have_xsave;

	cpuid(0, 0, r);
	uint32_t max = r[0];
	cpuid(1, 0, r);
	have_xsave = r[2] & (1u << 26);
	if (max >= 7) {
		cpuid(7, 0, r);
		have_pku = r[2] & (1u << 3);
	}
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		/* Without this bit AMD FXSAVE/FXRSTOR keep FIP/FDP/FOP of the last user. */
		fxsave_leaks = !(r[1] & (1u << 2));
	} else {
		fxsave_leaks = true;
	}
	/* Exact values, not whatever the loader left: no AVX state, no FFXSR. */
	if (have_xsave)
		cr4 |= CR4_OSXSAVE;
	if (have_pku)
		cr4 |= CR4_PKE;
	write_cr4(cr4);
	if (have_xsave)
		__asm__ volatile("xsetbv" : : "c"(0), "a"(3), "d"(0)); /* x87 | SSE only */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA | EFER_NXE));
	uint64_t cr0 = (read_cr(0) & ~(1ULL << 2 | 1ULL << 3)) | (1ULL << 1) | (1ULL << 5);
	__asm__ volatile("mov %0, %%cr0; fninit" : : "r"(cr0));
}

void fpu_vcpu_init(struct vcpu *v)
{
	memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
	v->arch.fpu[0] = 0x7f; /* FCW 0x037f */
	v->arch.fpu[1] = 0x03;
	v->arch.fpu[24] = 0x80; /* MXCSR 0x1f80 */
	v->arch.fpu[25] = 0x1f;
	v->arch.pkru = 0;
}

void fpu_forget(const struct vcpu *v)
{
	if (fpu_owner[cpu_this()] == v)
		fpu_owner[cpu_this()] = NULL;
}

void fpu_switch_to(struct vcpu *v)
{
	const struct vcpu **owner = &fpu_owner[cpu_this()];
	struct vcpu *old = (struct vcpu *)*owner;
	if (old == v)
		return;
	if (old) {
		__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])old->arch.fpu));
		if (have_pku)
			__asm__ volatile("rdpkru" : "=a"(old->arch.pkru) : "c"(0) : "rdx");
	}
	if (fxsave_leaks)
		__asm__ volatile("fnclex; emms; fildl %0" : : "m"(fpu_scrub_value));
	__asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[512])v->arch.fpu));
	if (have_pku)
		__asm__ volatile("wrpkru" : : "a"(v->arch.pkru), "c"(0), "d"(0));
	*owner = v;
}
