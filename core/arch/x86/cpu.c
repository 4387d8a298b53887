/* Per-CPU descriptor tables: GDT with a TSS (IST stacks for #DF/NMI/#MC) and the IDT. */
#include <core/lib.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/trap.h>

#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Per CPU: a GDT (its TSS descriptor's busy bit is per CPU), a TSS, and stacks of
 * their own for NMI, #DF and #MC (IST 1-3). The IDT is shared. */
static struct cpu_tables {
	uint64_t gdt[5];
	struct tss tss;
	uint8_t ist_stack[3][IST_STACK_SIZE] __attribute__((aligned(16)));
} tables[CPU_MAX];
static struct idt_entry idt[256];

static void load_gdt(struct cpu_tables *t)
{
	uint64_t *gdt = t->gdt;
	struct tss *tss = &t->tss;
	uint64_t base = (uint64_t)(uintptr_t)tss, limit = sizeof(*tss) - 1;
	struct desc_ptr p = { sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)gdt };
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL;
	gdt[2] = 0x00cf92000000ffffULL;
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
	for (int i = 0; i < 3; i++)
		tss->ist[i] = (uint64_t)(uintptr_t)(t->ist_stack[i] + IST_STACK_SIZE);
	tss->iomap_base = sizeof(*tss);
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov $0x10, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "mov $0x18, %%eax\n\t"
			 "ltr %%ax"
			 : : "m"(p) : "rax", "memory");
}

static void load_idt(bool build)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	for (unsigned v = 0; build && v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(isr_stubs + 16 * v);
		idt[v] = (struct idt_entry){
			.off_lo = (uint16_t)a, .sel = 0x08,
			.ist = v == 2 ? 1 : v == 8 ? 2 : v == 18 ? 3 : 0,
			.type = 0x8e, .off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(p));
}

void cpu_init(unsigned cpu)
{
	load_gdt(&tables[cpu]);
	load_idt(cpu == 0);
	/* FXSAVE/FXRSTOR of guest state needs OSFXSR; the core itself never uses SSE. */
	fpu_cpu_init();
}

/* What a domain sees of CPUID: the host's values, virtualization hidden, hypervisor bit set. */
void cpuid_guest(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	cpuid(leaf, sub, r);
	if (leaf == 1)
		r[2] = (r[2] & ~(1u << 5)) | (1u << 31); /* no VMX */
	if (leaf == 0x80000001)
		r[2] &= ~(1u << 2);                      /* no SVM */
	if (leaf == 0x8000000a)
		r[0] = r[1] = r[2] = r[3] = 0;
}

/* This CPU's number: the GDT it has loaded says whose tables are in use. */
unsigned cpu_this(void)
{
	struct desc_ptr p;
	__asm__ volatile("sgdt %0" : "=m"(p));
	return (unsigned)((struct cpu_tables *)(uintptr_t)p.base - tables);
}

/* This CPU's tables: the GDT it has loaded tells which ones they are. */
void cpu_host_tables(uint64_t *gdt_base, uint64_t *idt_base, uint64_t *tss_base)
{
	struct desc_ptr p;
	__asm__ volatile("sgdt %0" : "=m"(p));
	const struct cpu_tables *t = (const struct cpu_tables *)(uintptr_t)p.base;
	*gdt_base = p.base;
	*idt_base = (uint64_t)(uintptr_t)idt;
	*tss_base = (uint64_t)(uintptr_t)&t->tss;
}
