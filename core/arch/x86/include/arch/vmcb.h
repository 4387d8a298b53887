/* VMCB layout (AMD APM vol. 2, appendix B): only the fields Tessera uses. */
#ifndef ARCH_VMCB_H
#define ARCH_VMCB_H
#include <core/types.h>

struct vmcb_seg {
	uint16_t sel, attrib;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb {
	/* control area */
	uint32_t icpt_cr, icpt_dr, icpt_exc, icpt_misc1, icpt_misc2;
	uint8_t r0[0x40 - 0x14];
	uint64_t iopm_pa, msrpm_pa, tsc_offset;
	uint32_t asid;
	uint8_t tlb_control, r1[3];
	uint64_t int_ctl, int_shadow, exitcode, exitinfo1, exitinfo2, exitintinfo, np_enable;
	uint8_t r2[0xa8 - 0x98];
	uint64_t eventinj, n_cr3, lbr_virt, clean, nrip;
	uint8_t r3[0x400 - 0xd0];
	/* state save area */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint8_t r4[0x4cb - 0x4a0];
	uint8_t cpl;
	uint32_t r5;
	uint64_t efer;
	uint8_t r6[0x548 - 0x4d8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;
	uint8_t r7[0x5d8 - 0x580];
	uint64_t rsp;
	uint8_t r8[0x5f8 - 0x5e0];
	uint64_t rax, star, lstar, cstar, sfmask, kernel_gs_base, sysenter_cs, sysenter_esp,
		sysenter_eip, cr2;
	uint8_t r9[0x668 - 0x648];
	uint64_t g_pat;
	uint8_t r10[0x1000 - 0x670];
} __attribute__((packed));

_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB is one page");
_Static_assert(__builtin_offsetof(struct vmcb, iopm_pa) == 0x40, "iopm");
_Static_assert(__builtin_offsetof(struct vmcb, asid) == 0x58, "asid");
_Static_assert(__builtin_offsetof(struct vmcb, exitcode) == 0x70, "exitcode");
_Static_assert(__builtin_offsetof(struct vmcb, np_enable) == 0x90, "np");
_Static_assert(__builtin_offsetof(struct vmcb, n_cr3) == 0xb0, "ncr3");
_Static_assert(__builtin_offsetof(struct vmcb, nrip) == 0xc8, "nrip");
_Static_assert(__builtin_offsetof(struct vmcb, tr) == 0x490, "tr");
_Static_assert(__builtin_offsetof(struct vmcb, cpl) == 0x4cb, "cpl");
_Static_assert(__builtin_offsetof(struct vmcb, efer) == 0x4d0, "efer");
_Static_assert(__builtin_offsetof(struct vmcb, cr4) == 0x548, "cr4");
_Static_assert(__builtin_offsetof(struct vmcb, rip) == 0x578, "rip");
_Static_assert(__builtin_offsetof(struct vmcb, rsp) == 0x5d8, "rsp");
_Static_assert(__builtin_offsetof(struct vmcb, rax) == 0x5f8, "rax");
_Static_assert(__builtin_offsetof(struct vmcb, cr2) == 0x640, "cr2");
_Static_assert(__builtin_offsetof(struct vmcb, g_pat) == 0x668, "pat");

/* Intercept bits */
#define ICPT1_INTR     (1u << 0)
#define ICPT1_NMI      (1u << 1)
#define ICPT1_SMI      (1u << 2)
#define ICPT1_INIT     (1u << 3)
#define ICPT1_RDPMC    (1u << 15)
#define ICPT1_CPUID    (1u << 18)
#define ICPT1_RSM      (1u << 19)
#define ICPT1_INVD     (1u << 22)
#define ICPT1_HLT      (1u << 24)
#define ICPT1_INVLPGA  (1u << 26)
#define ICPT1_IOIO     (1u << 27)
#define ICPT1_MSR      (1u << 28)
#define ICPT1_TASKSW   (1u << 29)
#define ICPT1_SHUTDOWN (1u << 31)
#define ICPT2_VMRUN    (1u << 0)
#define ICPT2_VMMCALL  (1u << 1)
#define ICPT2_VMLOAD   (1u << 2)
#define ICPT2_VMSAVE   (1u << 3)
#define ICPT2_STGI     (1u << 4)
#define ICPT2_CLGI     (1u << 5)
#define ICPT2_SKINIT   (1u << 6)
#define ICPT2_ICEBP    (1u << 8)
#define ICPT2_WBINVD   (1u << 9)
#define ICPT2_MONITOR  (1u << 10)
#define ICPT2_MWAIT    (1u << 11)
#define ICPT2_MWAITC   (1u << 12)
#define ICPT2_XSETBV   (1u << 13)
#define ICPT2_RDPRU    (1u << 14)

/* int_ctl */
#define V_IRQ           (1ULL << 8)
#define V_INTR_PRIO_MAX (0xfULL << 16)
#define V_IGN_TPR       (1ULL << 20)

/* Exit codes */
#define VMEXIT_EXCP_BASE 0x40
#define VMEXIT_EXCP_DB  0x41
#define VMEXIT_EXCP_AC  0x51
#define VMEXIT_EXCP_MC  0x52
#define VMEXIT_INTR     0x60
#define VMEXIT_NMI      0x61
#define VMEXIT_SMI      0x62
#define VMEXIT_INIT     0x63
#define VMEXIT_CPUID    0x72
#define VMEXIT_HLT      0x78
#define VMEXIT_SHUTDOWN 0x7f
#define VMEXIT_VMMCALL  0x81
#define VMEXIT_NPF      0x400
#define VMEXIT_INVALID  ((uint64_t)-1)
#endif
