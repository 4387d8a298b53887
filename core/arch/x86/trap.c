/* Host-mode exceptions are core bugs: report everything and stop. */
#include <core/console.h>
#include <core/arch.h>
#include <arch/cpu.h>
#include <arch/trap.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

static const char *const trap_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF(9)", "#TS",
	"#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

_Noreturn void trap_report(const struct trap_frame *f);

void arch_selftest_trap(void)
{
	__asm__ volatile("ud2");
}

_Noreturn void trap_report(const struct trap_frame *f)
{
	const char *name = f->vector < 32 && trap_names[f->vector] ? trap_names[f->vector] : "interrupt";
	kprintf("tessera: HOST EXCEPTION %s vector %lu error 0x%lx\n", name,
		(unsigned long)f->vector, (unsigned long)f->error);
	kprintf("  rip %016lx cs %04lx rflags %016lx rsp %016lx ss %04lx\n",
		(unsigned long)f->rip, (unsigned long)f->cs, (unsigned long)f->rflags,
		(unsigned long)f->rsp, (unsigned long)f->ss);
	kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", (unsigned long)f->rax,
		(unsigned long)f->rbx, (unsigned long)f->rcx, (unsigned long)f->rdx);
	kprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", (unsigned long)f->rsi,
		(unsigned long)f->rdi, (unsigned long)f->rbp, (unsigned long)f->r8);
	kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", (unsigned long)f->r9,
		(unsigned long)f->r10, (unsigned long)f->r11, (unsigned long)f->r12);
	kprintf("  r13 %016lx r14 %016lx r15 %016lx\n", (unsigned long)f->r13,
		(unsigned long)f->r14, (unsigned long)f->r15);
	kprintf("  cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx\n", (unsigned long)read_cr(0),
		(unsigned long)read_cr(2), (unsigned long)read_cr(3), (unsigned long)read_cr(4));
	arch_halt(ARCH_HALT_EXCEPTION);
}
