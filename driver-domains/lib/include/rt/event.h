/* Event channels in a domain: descriptor tables, the upcall handler, waiting. */
#ifndef RT_EVENT_H
#define RT_EVENT_H
#include <stdint.h>
#include <tessera/evtchn.h>

#define RT_EVENT_VECTOR 0x40

/* Install GDT/IDT and register the event page with the core. 0 or a hypercall error. */
long rt_events_init(void);
/* After rt_events_init: any vector from 32 up only acknowledges an upcall. */
void rt_events_catch_all(void);
/* Sleep (HLT with interrupts on) until port has been signalled; consumes the signal. */
void rt_event_wait(uint32_t port);
/* Consume a signal on port if there is one; never sleeps. */
int rt_event_poll(uint32_t port);
#endif
