/* VMCS field encodings, controls and exit reasons (Intel SDM vol. 3, appendices A-C). */
#ifndef ARCH_VMCS_H
#define ARCH_VMCS_H

#define MSR_FEATURE_CONTROL   0x03a
#define MSR_VMX_BASIC         0x480
#define MSR_VMX_PINBASED      0x481
#define MSR_VMX_PROCBASED     0x482
#define MSR_VMX_EXIT          0x483
#define MSR_VMX_ENTRY         0x484
#define MSR_VMX_CR0_FIXED0    0x486
#define MSR_VMX_CR0_FIXED1    0x487
#define MSR_VMX_CR4_FIXED0    0x488
#define MSR_VMX_CR4_FIXED1    0x489
#define MSR_VMX_PROCBASED2    0x48b
#define MSR_VMX_EPT_VPID_CAP  0x48c
#define MSR_VMX_TRUE_PINBASED 0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT     0x48f
#define MSR_VMX_TRUE_ENTRY    0x490

/* 16-bit */
#define VMCS_VPID             0x0000
#define GUEST_ES_SEL          0x0800 /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define GUEST_TR_SEL          0x080e
#define GUEST_LDTR_SEL        0x080c
#define HOST_ES_SEL           0x0c00
#define HOST_CS_SEL           0x0c02
#define HOST_SS_SEL           0x0c04
#define HOST_DS_SEL           0x0c06
#define HOST_FS_SEL           0x0c08
#define HOST_GS_SEL           0x0c0a
#define HOST_TR_SEL           0x0c0c
/* 64-bit */
#define IO_BITMAP_A           0x2000
#define IO_BITMAP_B           0x2002
#define EPT_POINTER           0x201a
#define GUEST_PHYS_ADDR       0x2400
#define VMCS_LINK_POINTER     0x2800
#define GUEST_DEBUGCTL        0x2802
#define GUEST_PAT             0x2804
#define GUEST_EFER            0x2806
#define HOST_PAT              0x2c00
#define HOST_EFER             0x2c02
/* 32-bit */
#define PIN_CONTROLS          0x4000
#define PROC_CONTROLS         0x4002
#define EXCEPTION_BITMAP      0x4004
#define PF_ERROR_MASK         0x4006
#define PF_ERROR_MATCH        0x4008
#define CR3_TARGET_COUNT      0x400a
#define EXIT_CONTROLS         0x400c
#define EXIT_MSR_STORE_COUNT  0x400e
#define EXIT_MSR_LOAD_COUNT   0x4010
#define ENTRY_CONTROLS        0x4012
#define ENTRY_MSR_LOAD_COUNT  0x4014
#define ENTRY_INTR_INFO       0x4016
#define ENTRY_EXCEPTION_ERROR 0x4018
#define ENTRY_INSTR_LEN       0x401a
#define PROC_CONTROLS2        0x401e
#define VM_INSTRUCTION_ERROR  0x4400
#define EXIT_REASON           0x4402
#define EXIT_INTR_INFO        0x4404
#define EXIT_INTR_ERROR       0x4406
#define IDT_VECTORING_INFO    0x4408
#define IDT_VECTORING_ERROR   0x440a
#define EXIT_INSTR_LEN        0x440c
#define GUEST_ES_LIMIT        0x4800 /* ... +2 each; GDTR 0x4810, IDTR 0x4812 */
#define GUEST_GDTR_LIMIT      0x4810
#define GUEST_IDTR_LIMIT      0x4812
#define GUEST_ES_AR           0x4814 /* ... +2 each up to TR 0x4822 */
#define GUEST_INTERRUPTIBILITY 0x4824
#define GUEST_ACTIVITY        0x4826
#define GUEST_SYSENTER_CS     0x482a
#define HOST_SYSENTER_CS      0x4c00
/* natural width */
#define CR0_MASK              0x6000
#define CR4_MASK              0x6002
#define CR0_READ_SHADOW       0x6004
#define CR4_READ_SHADOW       0x6006
#define EXIT_QUALIFICATION    0x6400
#define GUEST_CR0             0x6800
#define GUEST_CR3             0x6802
#define GUEST_CR4             0x6804
#define GUEST_ES_BASE         0x6806 /* ... +2 each; GDTR 0x6816, IDTR 0x6818 */
#define GUEST_GDTR_BASE       0x6816
#define GUEST_IDTR_BASE       0x6818
#define GUEST_DR7             0x681a
#define GUEST_RSP             0x681c
#define GUEST_RIP             0x681e
#define GUEST_RFLAGS          0x6820
#define GUEST_PENDING_DBG     0x6822
#define GUEST_SYSENTER_ESP    0x6824
#define GUEST_SYSENTER_EIP    0x6826
#define HOST_CR0              0x6c00
#define HOST_CR3              0x6c02
#define HOST_CR4              0x6c04
#define HOST_FS_BASE          0x6c06
#define HOST_GS_BASE          0x6c08
#define HOST_TR_BASE          0x6c0a
#define HOST_GDTR_BASE        0x6c0c
#define HOST_IDTR_BASE        0x6c0e
#define HOST_SYSENTER_ESP     0x6c10
#define HOST_SYSENTER_EIP     0x6c12
#define HOST_RSP              0x6c14
#define HOST_RIP              0x6c16

/* Controls */
#define PIN_EXT_INTR          (1u << 0)
#define PIN_NMI               (1u << 3)
#define PROC_INTR_WINDOW      (1u << 2)
#define PROC_HLT              (1u << 7)
#define PROC_MWAIT            (1u << 10)
#define PROC_RDPMC            (1u << 11)
#define PROC_CR8_LOAD         (1u << 19)
#define PROC_CR8_STORE        (1u << 20)
#define PROC_MOV_DR           (1u << 23)
#define PROC_UNCOND_IO        (1u << 24)
#define PROC_IO_BITMAPS       (1u << 25)
#define PROC_MONITOR          (1u << 29)
#define PROC_SECONDARY        (1u << 31)
#define PROC2_EPT             (1u << 1)
#define PROC2_RDTSCP          (1u << 3)
#define PROC2_VPID            (1u << 5)
#define PROC2_WBINVD          (1u << 6)
#define EXIT_SAVE_DEBUG       (1u << 2)
#define EXIT_HOST_64          (1u << 9)
#define EXIT_SAVE_PAT         (1u << 18)
#define EXIT_LOAD_PAT         (1u << 19)
#define EXIT_SAVE_EFER        (1u << 20)
#define EXIT_LOAD_EFER        (1u << 21)
#define ENTRY_LOAD_DEBUG      (1u << 2)
#define ENTRY_IA32E           (1u << 9)
#define ENTRY_LOAD_PAT        (1u << 14)
#define ENTRY_LOAD_EFER       (1u << 15)

/* EPT */
#define EPT_RWX               0x7ULL
#define EPT_WB                (6ULL << 3)
#define EPT_UC                (0ULL << 3)
#define EPT_LARGE             (1ULL << 7)
#define EPTP_WB_4LEVEL        (6ULL | (3ULL << 3))
#define EPTCAP_4LEVEL         (1ULL << 6)
#define EPTCAP_WB             (1ULL << 14)
#define EPTCAP_2M             (1ULL << 16)
#define EPTCAP_INVEPT         (1ULL << 20)
#define EPTCAP_INVEPT_SINGLE  (1ULL << 25)
#define EPTCAP_INVEPT_ALL     (1ULL << 26)
#define VPIDCAP_INVVPID       (1ULL << 32)
#define VPIDCAP_SINGLE        (1ULL << 41)
#define VPIDCAP_ALL           (1ULL << 42)

/* Exit reasons */
#define EXIT_EXCEPTION_NMI    0
#define EXIT_EXTERNAL_INTR    1
#define EXIT_TRIPLE_FAULT     2
#define EXIT_INIT             3
#define EXIT_SIPI             4
#define EXIT_INTR_WINDOW      7
#define EXIT_CPUID            10
#define EXIT_HLT              12
#define EXIT_VMCALL           18
#define EXIT_CR_ACCESS        28
#define EXIT_ENTRY_BAD_GUEST  33
#define EXIT_ENTRY_BAD_MSR    34
#define EXIT_ENTRY_MC         41
#define EXIT_EPT_VIOLATION    48
#define EXIT_EPT_MISCONFIG    49
#define EXIT_ENTRY_FAILURE    (1u << 31)
#endif
