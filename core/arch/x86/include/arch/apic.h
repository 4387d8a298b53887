#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#define APIC_VEC_TIMER    0x20
#define APIC_VEC_KICK     0xf0
#define APIC_VEC_STOP     0xf2
#define APIC_VEC_SPURIOUS 0xff

#define APIC_ICR_INIT    0x500
#define APIC_ICR_STARTUP 0x600

void apic_init(void);
void apic_ap_init(void);
void apic_ipi_all_but_self(uint32_t icr);
void apic_record_id(unsigned cpu);
void apic_ipi(unsigned cpu, uint8_t vector);
void apic_kick_interrupt(void);
void apic_stop_others(void);
void pit_delay_us(uint32_t us);
/* Bounded wait, about a second (100000 x 10 us): hardware answers in microseconds. Is done(arg)? */
bool poll_until(bool (*done)(void *), void *arg);
/* Physical address of the local APIC registers every CPU's core uses. */
uint64_t apic_base(void);
void apic_timer_interrupt(void);
void apic_timer_enable(void);
void apic_take_interrupts(void);
/* CPU cpu's local APIC id (xAPIC, 8 bits). */
uint8_t apic_id(unsigned cpu);
#endif
