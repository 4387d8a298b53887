/*
 * Local APIC timer: the scheduler's one-shot slice timer. Calibrated once
 * against the PIT (channel 2, gated through port 0x61). Its interrupt only
 * records that the slice ended; it reaches the core when a domain's
 * interrupt exit lets it in (see apic_take_interrupts).
 */
#include <core/arch.h>
#include <core/console.h>
#include <arch/apic.h>
#include <arch/cpu.h>

#define MSR_APIC_BASE 0x1b
#define APIC_ENABLE   (1ULL << 11)
#define APIC_ID       0x020
#define APIC_EOI      0x0b0
#define APIC_SVR      0x0f0
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_ICR_LOW  0x300
#define APIC_ICR_HIGH 0x310
#define APIC_ICR_ASSERT      (1u << 14)
#define APIC_ICR_PENDING     (1u << 12)
#define APIC_ICR_ALL_BUT_SELF (3u << 18)
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3e0
#define LVT_MASKED    (1u << 16)
#define PIT_HZ        1193182u
#define CALIBRATE_MS  10u

static volatile uint32_t *apic;
static uint32_t ticks_per_ms;
static volatile bool slice_over[CPU_MAX];
static uint8_t apic_ids[CPU_MAX];

static uint32_t rd(uint32_t reg)
{
	return apic[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	apic[reg / 4] = v;
}

uint64_t apic_base(void)
{
	return (uint64_t)(uintptr_t)apic;
}

/* Busy-wait on PIT channel 2 (gated through port 0x61); bounded if there is no PIT. */
void pit_delay_us(uint32_t us)
{
	uint32_t count = (uint32_t)((uint64_t)PIT_HZ * us / 1000000);
	if (count > 0xffff)
		count = 0xffff;
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(0x43, 0xb0);                                  /* ch 2, lo/hi, mode 0 */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	for (uint32_t spin = 0; spin < 100000000u && !(inb(0x61) & 0x20); spin++)
		;
}

bool poll_until(bool (*done)(void *), void *arg)
{
	for (uint32_t i = 0; i < 100000; i++) {
		if (done(arg))
			return true;
		pit_delay_us(10);
	}
	return done(arg);
}

/* Count APIC ticks over CALIBRATE_MS of PIT time. */
static uint32_t calibrate(void)
{
	wr(APIC_TIMER_INIT, 0xffffffffu);
	pit_delay_us(CALIBRATE_MS * 1000);
	uint32_t elapsed = 0xffffffffu - rd(APIC_TIMER_CUR);
	wr(APIC_TIMER_INIT, 0);
	return elapsed / CALIBRATE_MS;
}

/* Every CPU: enable its local APIC (same MMIO address on all), LINTs and timer masked. */
void apic_ap_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_ENABLE);
	apic = (volatile uint32_t *)(uintptr_t)(base & 0xfffff000u);
	wr(APIC_SVR, 0x100 | APIC_VEC_SPURIOUS);
	wr(APIC_LVT_LINT0, LVT_MASKED);
	wr(APIC_LVT_LINT1, LVT_MASKED);
	wr(APIC_TIMER_DIV, 0x3); /* divide by 16 */
	wr(APIC_LVT_TIMER, LVT_MASKED | APIC_VEC_TIMER);
}

void apic_record_id(unsigned cpu)
{
	apic_ids[cpu] = (uint8_t)(rd(APIC_ID) >> 24);
}

void apic_ipi(unsigned cpu, uint8_t vector)
{
	if (cpu >= CPU_MAX)
		return;
	wr(APIC_ICR_HIGH, (uint32_t)apic_ids[cpu] << 24);
	wr(APIC_ICR_LOW, vector | APIC_ICR_ASSERT);
	for (uint32_t spin = 0; spin < 1000000u && (rd(APIC_ICR_LOW) & APIC_ICR_PENDING); spin++)
		;
}

/* Stop every other CPU; usable from any state once this CPU's APIC is set up. */
void apic_stop_others(void)
{
	if (apic)
		apic_ipi_all_but_self(APIC_VEC_STOP);
}

/* Device interrupt vectors seen (bit: vector - ARCH_IRQ_VECTOR_BASE), set by entry.S. */
uint32_t apic_irq_pending;

uint32_t arch_irq_pending(void)
{
	return __atomic_exchange_n(&apic_irq_pending, 0, __ATOMIC_SEQ_CST);
}

uint8_t apic_id(unsigned cpu)
{
	return cpu < CPU_MAX ? apic_ids[cpu] : 0;
}

/* The kick IPI and device interrupts: nothing to do but EOI. */
void apic_kick_interrupt(void)
{
	wr(APIC_EOI, 0);
}

void apic_ipi_all_but_self(uint32_t icr)
{
	wr(APIC_ICR_HIGH, 0);
	wr(APIC_ICR_LOW, icr | APIC_ICR_ALL_BUT_SELF | APIC_ICR_ASSERT);
	for (uint32_t spin = 0; spin < 1000000u && (rd(APIC_ICR_LOW) & APIC_ICR_PENDING); spin++)
		;
}

void apic_init(void)
{
	apic_ap_init();
	apic_record_id(0);
	ticks_per_ms = calibrate();
	if (!ticks_per_ms) {
		kprintf("tessera: APIC timer did not calibrate; assuming 100 MHz / 16\n");
		ticks_per_ms = 6250;
	}
	apic_timer_enable();
	kprintf("tessera: APIC timer %u ticks/ms\n", ticks_per_ms);
}

/* One-shot and unmasked; it counts only once a slice is armed. */
void apic_timer_enable(void)
{
	wr(APIC_LVT_TIMER, APIC_VEC_TIMER);
}

void apic_timer_interrupt(void)
{
	slice_over[cpu_this()] = true;
	wr(APIC_EOI, 0);
}

/* The host runs with interrupts off; this window lets pending ones be taken. */
void apic_take_interrupts(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

void arch_timer_arm(uint32_t usec)
{
	uint64_t ticks = (uint64_t)ticks_per_ms * usec / 1000;
	apic_take_interrupts(); /* a stale expiry must not cut the next slice short */
	slice_over[cpu_this()] = false;
	wr(APIC_TIMER_INIT, ticks ? (ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks) : 1);
}

bool arch_timer_expired(void)
{
	bool t = slice_over[cpu_this()];
	slice_over[cpu_this()] = false;
	return t;
}
