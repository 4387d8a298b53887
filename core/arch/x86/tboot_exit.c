/*
 * Stopping after a measured launch: tboot, not a hlt loop, must have the last word, so
 * it can cap PCRs 17-19 and leave TXT (GETSEC[SEXIT]). That instruction runs only on
 * the BSP and outside VMX operation, so the BSP leaves VMX and enters tboot's shutdown
 * entry in 64-bit mode with interrupts off; the core's identity map covers tboot's
 * pages (below 4 GiB, tboot_check). Other CPUs stay halted: SEXIT lets a halted RLP be.
 */
#include <core/console.h>
#include <core/tboot.h>
#include <arch/cpu.h>

#define MSR_APIC_BASE 0x1bu
#define APIC_BASE_BSP (1ULL << 8)
#define CR4_VMXE (1ULL << 13)

void tboot_exit(bool quiet)
{
	static bool entered;
	uint32_t entry;
	__asm__ volatile("cli" ::: "memory");
	if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP) || __atomic_exchange_n(&entered, true, __ATOMIC_SEQ_CST))
		return;
	entry = tboot_shutdown_entry(TBOOT_SHUTDOWN_HALT);
	if (!entry)
		return;
	if (!quiet)
		kprintf("tessera: tboot: handing the machine back to tboot (halt: it caps PCRs 17-19 "
			"and leaves TXT)\n");
	/* CR4.VMXE set by vmx.c means VMXON ran; a #UD here ends in a plain halt (entered). */
	if (read_cr(4) & CR4_VMXE) {
		__asm__ volatile("vmxoff" ::: "cc", "memory");
		write_cr4(read_cr(4) & ~CR4_VMXE);
	}
	__asm__ volatile("jmp *%0" : : "r"((uint64_t)entry) : "memory");
	__builtin_unreachable();
}
