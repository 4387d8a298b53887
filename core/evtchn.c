/*
 * Event channels: a port pairs with one port of another domain; a send sets
 * the peer's pending bit in its event page and, on the first unmasked one,
 * asks for an upcall. Sends coalesce (a set bit stays set), so a flood costs
 * O(1) per send and no memory.
 */
#include <core/arch.h>
#include <core/domain.h>
#include <core/evtchn.h>
#include <core/hypercall.h>
#include <core/lib.h>
#include <tessera/errno.h>

/*@ requires \valid(d);
    assigns \nothing;
    ensures port < TESSERA_EVTCHN_PORTS ? \result == &d->ports[port] : \result == \null; */
static struct evtchn_port *port_get(struct domain *d, uint64_t port)
{
	return port < TESSERA_EVTCHN_PORTS ? &d->ports[port] : NULL;
}

/*@ requires \valid(d);
    assigns \nothing;
    ensures \result == -TESSERA_ENOSPC || (0 <= \result < TESSERA_EVTCHN_PORTS &&
                                         d->ports[\result].state == EVTCHN_FREE); */
static int64_t port_alloc(struct domain *d)
{
	/*@ loop invariant 0 <= i <= TESSERA_EVTCHN_PORTS;
	    loop assigns i;
	    loop variant TESSERA_EVTCHN_PORTS - i; */
	for (uint32_t i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		if (d->ports[i].state == EVTCHN_FREE)
			return i;
	return -TESSERA_ENOSPC;
}

/* Mark port pending in r; request an upcall on a new, unmasked event. */
/*@ requires events_ok(r) && port < TESSERA_EVTCHN_PORTS;
    assigns r->early_events, r->vcpu.upcall, r->vcpu.blocked, *event_page(r);
    ensures events_ok(r); */
void evtchn_raise(struct domain *r, uint32_t port)
{
	uint64_t bit = 1ULL << port, old;
	struct tessera_event_page *page;
	if (!r->event_vector) { /* no event page yet */
		r->early_events |= bit;
		return;
	}
	page = (struct tessera_event_page *)(r->mem + r->event_gpa);
	old = __atomic_fetch_or(&page->pending, bit, __ATOMIC_SEQ_CST);
	if ((old & bit) || (__atomic_load_n(&page->mask, __ATOMIC_SEQ_CST) & bit))
		return;
	if (!__atomic_exchange_n(&page->upcall_pending, 1, __ATOMIC_SEQ_CST))
		__atomic_store_n(&r->vcpu.upcall, true, __ATOMIC_SEQ_CST);
	/* Every new unmasked event wakes it, whatever the guest left in upcall_pending. */
	r->vcpu.blocked = false;
	if (r->vcpu.cpu != arch_cpu_this())
		arch_cpu_kick(r->vcpu.cpu); /* out of guest mode or idle, to take it */
}

bool evtchn_pending(const struct domain *d)
{
	const struct tessera_event_page *page;
	if (!d->event_vector)
		return d->early_events != 0;
	page = (const struct tessera_event_page *)(d->mem + d->event_gpa);
	return __atomic_load_n(&page->pending, __ATOMIC_SEQ_CST) &
	       ~__atomic_load_n(&page->mask, __ATOMIC_SEQ_CST);
}

int64_t hc_evtchn_setup(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom;
	uint64_t gpa = hc->arg[0], vec = hc->arg[1], early;
	if (gpa % PAGE_SIZE || !range_within(gpa, PAGE_SIZE, d->mem_size))
		return -TESSERA_EFAULT;
	if (vec < 32 || vec > 255)
		return -TESSERA_EINVAL;
	d->event_gpa = gpa;
	d->event_vector = (uint8_t)vec;
	early = d->early_events;
	d->early_events = 0;
	for (uint32_t p = 0; p < TESSERA_EVTCHN_PORTS; p++)
		if (early & (1ULL << p))
			evtchn_raise(d, p);
	return 0;
}

/* FREE -> UNBOUND, for the target to bind. */
/*@ requires \valid(v) && ports_ok(v->dom) && \valid_read(hc) && \valid_read(hc->target);
    assigns v->dom->ports[0 .. TESSERA_EVTCHN_PORTS - 1];
    ensures \result == -TESSERA_ENOSPC || (0 <= \result < TESSERA_EVTCHN_PORTS &&
      \old(v->dom->ports[\result].state) == EVTCHN_FREE); */
int64_t hc_evtchn_alloc(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom;
	int64_t port = port_alloc(d);
	if (port < 0)
		return port;
	d->ports[port] = (struct evtchn_port){ EVTCHN_UNBOUND, 0, hc->target->id };
	return port;
}

/* A FREE port of the caller and the target's UNBOUND port offered to it -> BOUND to each other. */
/*@ requires \valid(v) && ports_ok(v->dom) && \valid_read(hc) && ports_ok(hc->target);
    requires hc->target == v->dom || \separated(hc->target, v->dom);
    assigns v->dom->ports[0 .. TESSERA_EVTCHN_PORTS - 1], hc->target->ports[0 .. TESSERA_EVTCHN_PORTS - 1];
    ensures \result < 0 ==> ports_kept{Pre, Post}(v->dom, -1, -1) && ports_kept{Pre, Post}(hc->target, -1, -1);
    ensures \result >= 0 ==> \result < TESSERA_EVTCHN_PORTS && hc->arg[1] < TESSERA_EVTCHN_PORTS &&
      \old(v->dom->ports[\result].state) == EVTCHN_FREE &&
      \old(hc->target->ports[hc->arg[1]].state) == EVTCHN_UNBOUND &&
      \old(hc->target->ports[hc->arg[1]].remote_dom) == v->dom->id &&
      port_is(&v->dom->ports[\result], EVTCHN_BOUND, \old(hc->target->id), hc->arg[1]) &&
      port_is(&hc->target->ports[hc->arg[1]], EVTCHN_BOUND, \old(v->dom->id), \result); */
int64_t hc_evtchn_bind(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom, *r = hc->target;
	struct evtchn_port *rp = port_get(r, hc->arg[1]);
	int64_t port;
	if (!rp)
		return -TESSERA_EINVAL;
	if (rp->state != EVTCHN_UNBOUND || rp->remote_dom != d->id)
		return -TESSERA_EPERM;
	port = port_alloc(d);
	if (port < 0)
		return port;
	d->ports[port] = (struct evtchn_port){ EVTCHN_BOUND, (uint16_t)hc->arg[1], r->id };
	*rp = (struct evtchn_port){ EVTCHN_BOUND, (uint16_t)port, d->id };
	return port;
}

/*@ requires ports_ok(d) && \valid(peer) && \separated(d, peer);
    assigns *peer;
    ensures \result == 0 <==> *peer != \null;
    ensures \result == 0 ==> bound_to(d, port) && *peer == dom_slot(d->ports[port].remote_dom) &&
                             running(*peer); */
int64_t evtchn_peer(struct domain *d, uint64_t port, struct domain **peer)
{
	const struct evtchn_port *p = port_get(d, port);
	*peer = NULL;
	if (!p || p->state == EVTCHN_FREE)
		return -TESSERA_EINVAL;
	if (p->state == EVTCHN_UNBOUND)
		return -TESSERA_ENOTCONN;
	if (p->state == EVTCHN_CLOSED)
		return -TESSERA_EPIPE;
	*peer = domain_running(p->remote_dom);
	return *peer ? 0 : -TESSERA_EPIPE;
}

/* hc->target is the bound peer (evtchn_peer, before the access check). */
/*@ requires \valid(v) && events_ok(v->dom) && \valid_read(hc) && events_ok(hc->target);
    requires bound_to(v->dom, hc->arg[0]);
    assigns hc->target->early_events, hc->target->vcpu.upcall, hc->target->vcpu.blocked,
            *event_page(hc->target);
    ensures \result == 0; */
int64_t hc_evtchn_send(struct vcpu *v, const struct hcall_ctx *hc)
{
	evtchn_raise(hc->target, v->dom->ports[hc->arg[0]].remote_port);
	return 0;
}

/* The other end of a bound port becomes closed and is told so by an event. */
/*@ requires events_ok(d) && domains_ok && port < TESSERA_EVTCHN_PORTS;
    assigns d->ports[port], peer_of(d, port)->ports[d->ports[port].remote_port],
            peer_of(d, port)->early_events, peer_of(d, port)->vcpu.upcall,
            peer_of(d, port)->vcpu.blocked, *event_page(peer_of(d, port));
    ensures port_is(&d->ports[port], EVTCHN_FREE, 0, 0); */
static void port_close(struct domain *d, uint32_t port)
{
	struct evtchn_port *p = &d->ports[port];
	struct domain *r = p->state == EVTCHN_BOUND ? domain_running(p->remote_dom) : NULL;
	struct evtchn_port *rp = r ? port_get(r, p->remote_port) : NULL;
	if (rp && rp->state == EVTCHN_BOUND && rp->remote_dom == d->id && rp->remote_port == port) {
		rp->state = EVTCHN_CLOSED;
		evtchn_raise(r, p->remote_port);
	}
	memset(p, 0, sizeof(*p));
}

/*@ requires \valid(v) && events_ok(v->dom) && domains_ok && \valid_read(hc);
    assigns v->dom->ports[hc->arg[0]], peer_of(v->dom, hc->arg[0])->ports[v->dom->ports[hc->arg[0]].remote_port],
            peer_of(v->dom, hc->arg[0])->early_events, peer_of(v->dom, hc->arg[0])->vcpu.upcall,
            peer_of(v->dom, hc->arg[0])->vcpu.blocked, *event_page(peer_of(v->dom, hc->arg[0]));
    ensures \result == 0 ==> \old(hc->arg[0] < TESSERA_EVTCHN_PORTS && v->dom->ports[hc->arg[0]].state != EVTCHN_FREE);
    ensures \result != 0 ==> \result == -TESSERA_EINVAL && ports_kept{Pre, Post}(v->dom, -1, -1); */
int64_t hc_evtchn_close(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct evtchn_port *p = port_get(v->dom, hc->arg[0]);
	if (!p || p->state == EVTCHN_FREE)
		return -TESSERA_EINVAL;
	port_close(v->dom, (uint32_t)hc->arg[0]);
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	for (uint32_t i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		if (d->ports[i].state != EVTCHN_FREE)
			port_close(d, i);
	/* Ports others opened for d can never be bound now. */
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		struct domain *o = domain_running(id);
		for (uint32_t i = 0; o && o != d && i < TESSERA_EVTCHN_PORTS; i++) {
			if (o->ports[i].state == EVTCHN_UNBOUND && o->ports[i].remote_dom == d->id) {
				o->ports[i].state = EVTCHN_CLOSED;
				evtchn_raise(o, i);
			}
		}
	}
}
