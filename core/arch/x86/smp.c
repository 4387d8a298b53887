/*
 * Bringing up the other CPUs: INIT-SIPI-SIPI to all but self, through a
 * real-mode trampoline copied below 1 MiB. Each AP loads its own GDT, TSS
 * and stacks, enables its local APIC and halts: no vCPU is placed on it yet,
 * so an idle CPU sleeps with interrupts off.
 */
#include <core/arch.h>
#include <core/bootinfo.h>
#include <core/console.h>
#include <core/lib.h>
#include <core/main.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/mm.h>
#include <arch/smp.h>

extern const uint8_t ap_trampoline_start[], ap_trampoline_end[], ap_tr_gdtr_base[], ap_tr_far32[];
_Noreturn void ap_main(unsigned cpu);

/* Bit n: CPU n is online. SMP_CLOSED: bring-up is over; a CPU arriving later parks. */
#define SMP_CLOSED (1u << 31)
static uint32_t online = 1;

static unsigned count_cpus(uint32_t mask)
{
	unsigned n = 0;
	for (mask &= ~SMP_CLOSED; mask; mask &= mask - 1)
		n++;
	return n;
}

/* Join unless bring-up is closed: one atomic word, so the boot CPU's final count is exact. */
static bool join(unsigned cpu)
{
	uint32_t old = __atomic_load_n(&online, __ATOMIC_ACQUIRE);
	do {
		if (old & SMP_CLOSED)
			return false;
	} while (!__atomic_compare_exchange_n(&online, &old, old | (1u << cpu), false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return true;
}

_Noreturn void ap_main(unsigned cpu)
{
	cpu_init(cpu); /* even a CPU that parks gets tables and stacks: NMIs stay harmless */
	apic_ap_init();
	apic_timer_enable();
	apic_record_id(cpu);
	if (join(cpu))
		core_secondary_main();
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool arch_cpu_online(unsigned cpu)
{
	return cpu < CPU_MAX && (__atomic_load_n(&online, __ATOMIC_ACQUIRE) & (1u << cpu));
}

unsigned arch_cpu_count(void)
{
	return count_cpus(__atomic_load_n(&online, __ATOMIC_ACQUIRE));
}

unsigned arch_cpu_this(void)
{
	return cpu_this();
}

void arch_cpu_kick(unsigned cpu)
{
	if (arch_cpu_online(cpu))
		apic_ipi(cpu, APIC_VEC_KICK);
}

/* Interrupts on only while asleep: sti's one-instruction shadow means a kick that
 * arrived before the hlt still wakes it. */
void arch_cpu_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

/* A page below 1 MiB in available RAM that holds no module (GRUB on EFI loads some low). */
static uint64_t trampoline_page(const struct boot_info *bi)
{
	for (uint64_t pa = 0x1000; pa < 0x9f000; pa += PAGE_SIZE) {
		bool ok = false;
		for (uint32_t i = 0; i < bi->nregions && !ok; i++) {
			const struct boot_region *r = &bi->regions[i];
			ok = r->type == BOOT_MEM_AVAILABLE && r->base <= pa && pa + PAGE_SIZE <= r->base + r->len;
		}
		for (uint32_t i = 0; i < bi->nregions && ok; i++) {
			const struct boot_region *r = &bi->regions[i];
			ok = r->type == BOOT_MEM_AVAILABLE || !ranges_overlap(pa, PAGE_SIZE, r->base, r->len);
		}
		for (uint32_t i = 0; i < bi->nmodules && ok; i++)
			ok = !ranges_overlap(pa, PAGE_SIZE, bi->modules[i].start,
					     bi->modules[i].end - bi->modules[i].start);
		if (ok)
			return pa;
	}
	return 0;
}

static void patch32(uint8_t *copy, const uint8_t *field, uint32_t add)
{
	uint32_t v;
	size_t off = (size_t)(field - ap_trampoline_start);
	memcpy(&v, copy + off, 4);
	v += add;
	memcpy(copy + off, &v, 4);
}

void smp_init(const struct boot_info *bi)
{
	size_t size = (size_t)(ap_trampoline_end - ap_trampoline_start);
	uint64_t page = trampoline_page(bi);
	unsigned seen = 0;
	if (!page) {
		kprintf("tessera: no page below 1 MiB for the AP trampoline; 1 CPU\n");
		return;
	}
	uint8_t *copy = phys_to_virt(page);
	memcpy(copy, ap_trampoline_start, size);
	patch32(copy, ap_tr_gdtr_base, (uint32_t)page);
	patch32(copy, ap_tr_far32, (uint32_t)page);
	apic_ipi_all_but_self(APIC_ICR_INIT);
	pit_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		apic_ipi_all_but_self(APIC_ICR_STARTUP | (uint32_t)(page >> 12));
		pit_delay_us(200);
	}
	/* APs check in within microseconds; stop once the count has been still for 50 ms. */
	for (int still = 0; still < 5; still++) {
		pit_delay_us(10000);
		if (arch_cpu_count() != seen) {
			seen = arch_cpu_count();
			still = 0;
		}
	}
	seen = count_cpus(__atomic_fetch_or(&online, SMP_CLOSED, __ATOMIC_ACQ_REL));
	/* The trampoline stays: a CPU slower than the wait may still be running it. */
	kprintf("tessera: %u CPUs online\n", seen);
}


