/* Event channels: the ABI shared by the core and domains. */
#ifndef TESSERA_EVTCHN_H
#define TESSERA_EVTCHN_H
#include <stdint.h>

/* Ports per domain: 0 .. TESSERA_EVTCHN_PORTS-1. */
#define TESSERA_EVTCHN_PORTS 64

/*
 * The event page: one page of the domain's own memory, registered with
 * evtchn_setup. The core sets pending bits (atomic OR) and, when a bit goes
 * from clear to set on an unmasked port and upcall_pending was 0, sets
 * upcall_pending and raises the registered vector in the domain. The domain
 * clears upcall_pending, then takes (atomic exchange) the pending word and
 * handles every port in it. Masked ports collect pending bits silently.
 * A HLT (with interrupts on) does not put a domain to sleep while an unmasked
 * bit is pending, so a domain may leave bits in the word until it is ready.
 */
struct tessera_event_page {
	uint64_t pending;   /* bit n: port n was signalled */
	uint64_t mask;      /* bit n: do not interrupt for port n */
	uint8_t upcall_pending;
	uint8_t pad[4096 - 17];
};

#endif
