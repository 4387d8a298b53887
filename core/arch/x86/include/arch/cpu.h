#ifndef ARCH_CPU_H
#define ARCH_CPU_H
#include <core/types.h>

#define MSR_PAT         0x277u
#define MSR_EFER        0xc0000080u
#define MSR_VM_CR       0xc0010114u
#define MSR_VM_HSAVE_PA 0xc0010117u
#define EFER_SCE  (1ULL << 0)
#define EFER_LME  (1ULL << 8)
#define EFER_LMA  (1ULL << 10)
#define EFER_NXE  (1ULL << 11)
#define EFER_SVME (1ULL << 12)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr(int n)
{
	uint64_t v = 0;
	switch (n) {
	case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
	case 2: __asm__ volatile("mov %%cr2, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
	case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(v)); break;
	}
	return v;
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v));
}

#include <core/arch.h>
#define CPU_MAX ARCH_CPU_MAX

void cpu_init(unsigned cpu);
unsigned cpu_this(void);
void cpuid_guest(uint32_t leaf, uint32_t sub, uint32_t r[4]);
/* Where this CPU's descriptor tables live (VMX host state). */
void cpu_host_tables(uint64_t *gdt_base, uint64_t *idt_base, uint64_t *tss_base);
#endif
