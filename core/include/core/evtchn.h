#ifndef CORE_EVTCHN_H
#define CORE_EVTCHN_H
#include <core/types.h>
#include <tessera/evtchn.h>

enum evtchn_state { EVTCHN_FREE = 0, EVTCHN_UNBOUND, EVTCHN_BOUND, EVTCHN_CLOSED };

struct evtchn_port {
	uint8_t state;
	uint16_t remote_port;
	uint32_t remote_dom; /* UNBOUND: who may bind; BOUND: the other end */
};

struct domain;
/* An unmasked event is pending in d's event page (so a HLT must not put it to sleep). */
bool evtchn_pending(const struct domain *d);
/* The running domain at the other end of d's bound port, or the error a send gets. */
int64_t evtchn_peer(struct domain *d, uint64_t port, struct domain **peer);
/* Close every port of d; the other ends become closed (called on destruction). */
void evtchn_domain_destroy(struct domain *d);
/* Mark d's port pending (as a send from its peer would) and wake d for it. */
void evtchn_raise(struct domain *d, uint32_t port);
#endif
