/*
 * What the machine layer provides to the portable core: console output and the
 * way the core stops. core/arch/x86 implements it for the image, tests/sim for
 * the hosted build.
 */
#ifndef CORE_ARCH_H
#define CORE_ARCH_H
#include <core/types.h>
#include <tessera/debug_exit.h>

enum arch_halt_reason {
	ARCH_HALT_DONE = TESSERA_EXIT_ALL_DONE,
	ARCH_HALT_NO_DOMAINS = TESSERA_EXIT_NO_DOMAINS,
	ARCH_HALT_BAD_BOOT = TESSERA_EXIT_BAD_BOOT,
	ARCH_HALT_ALL_BLOCKED = TESSERA_EXIT_ALL_BLOCKED,
	ARCH_HALT_NO_POLICY = TESSERA_EXIT_NO_POLICY,
	ARCH_HALT_PANIC = TESSERA_EXIT_PANIC,
	ARCH_HALT_EXCEPTION = TESSERA_EXIT_EXCEPTION,
};

void arch_console_write(const char *s, size_t n);
/* Test machines only: how the core reports that it stopped (debug_exit=). */
enum debug_exit_mode {
	DEBUG_EXIT_OFF = 0,
	DEBUG_EXIT_QEMU,  /* "on": the code to QEMU's isa-debug-exit port */
	DEBUG_EXIT_BOCHS, /* "bochs": magic breakpoint on success, port 0x8900 shutdown otherwise */
};
void arch_set_debug_exit(enum debug_exit_mode mode);
_Noreturn void arch_halt(enum arch_halt_reason why);
/* CPUs: how many are online, which one runs this code, waking another one (it
 * leaves guest mode or idle and rescans), and sleeping until woken. */
#define ARCH_CPU_MAX 8
unsigned arch_cpu_count(void);
bool arch_cpu_online(unsigned cpu);
unsigned arch_cpu_this(void);
void arch_cpu_kick(unsigned cpu);
void arch_cpu_idle(void);
void arch_cpu_relax(void);

/* Preemption: a one-shot timer for the running vCPU's slice. */
void arch_timer_arm(uint32_t usec);
/* True (once) when the armed slice has run out since it was armed. */
bool arch_timer_expired(void);

/*
 * Device interrupts: host vectors ARCH_IRQ_VECTOR_BASE + i (i < ARCH_IRQ_VECTORS)
 * are aimed at CPU 0. Bit i: vector base + i arrived since the last call
 * (the mask is cleared by the call). Only CPU 0 calls it.
 */
#define ARCH_IRQ_VECTOR_BASE 0x40
#define ARCH_IRQ_VECTORS 32
uint32_t arch_irq_pending(void);

/* Device registers (PCI configuration space through ECAM): naturally aligned 1, 2 or 4 bytes. */
uint32_t arch_mmio_read(uint64_t pa, unsigned size);
void arch_mmio_write(uint64_t pa, unsigned size, uint32_t value);

/* Raise an exception in host mode (selftest=trap): the trap report must follow. */
void arch_selftest_trap(void);
#endif
