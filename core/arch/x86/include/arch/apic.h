#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#define APIC_VEC_TIMER    0x20
#define APIC_VEC_SPURIOUS 0xff

void apic_init(void);
void apic_timer_interrupt(void);
void apic_take_interrupts(void);
#endif
