/*
 * Event channels: a port pairs with one port of another domain; a send sets
 * the peer's pending bit in its event page and, on the first unmasked one,
 * asks for an upcall. Sends coalesce (a set bit stays set), so a flood costs
 * O(1) per send and no memory.
 */
#include <core/arch.h>
#include <core/domain.h>
#include <core/evtchn.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/lib.h>
#include <tessera/errno.h>

static struct evtchn_port *port_get(struct domain *d, uint64_t port)
{
	return port < TESSERA_EVTCHN_PORTS ? &d->ports[port] : NULL;
}

static int64_t port_alloc(struct domain *d)
{
	for (uint32_t i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		if (d->ports[i].state == EVTCHN_FREE)
			return i;
	return -TESSERA_ENOSPC;
}

/* Mark port pending in r; request an upcall on a new, unmasked event. */
static void evtchn_raise(struct domain *r, uint32_t port)
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

int64_t hc_evtchn_setup(struct vcpu *v, const uint64_t *args)
{
	struct domain *d = v->dom;
	uint64_t gpa = args[0], vec = args[1], early;
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

int64_t hc_evtchn_alloc(struct vcpu *v, const uint64_t *args)
{
	struct domain *d = v->dom;
	int64_t port;
	if (args[0] > UINT32_MAX || !domain_running((uint32_t)args[0]))
		return -TESSERA_ESRCH;
	port = port_alloc(d);
	if (port < 0)
		return port;
	d->ports[port] = (struct evtchn_port){ EVTCHN_UNBOUND, 0, (uint32_t)args[0] };
	return port;
}

int64_t hc_evtchn_bind(struct vcpu *v, const uint64_t *args)
{
	struct domain *d = v->dom, *r;
	struct evtchn_port *rp;
	int64_t port;
	r = args[0] <= UINT32_MAX ? domain_running((uint32_t)args[0]) : NULL;
	if (!r)
		return -TESSERA_ESRCH;
	rp = port_get(r, args[1]);
	if (!rp)
		return -TESSERA_EINVAL;
	if (rp->state != EVTCHN_UNBOUND || rp->remote_dom != d->id)
		return -TESSERA_EPERM;
	port = port_alloc(d);
	if (port < 0)
		return port;
	d->ports[port] = (struct evtchn_port){ EVTCHN_BOUND, (uint16_t)args[1], r->id };
	*rp = (struct evtchn_port){ EVTCHN_BOUND, (uint16_t)port, d->id };
	return port;
}

int64_t hc_evtchn_send(struct vcpu *v, const uint64_t *args)
{
	struct evtchn_port *p = port_get(v->dom, args[0]);
	struct domain *r;
	if (!p || p->state == EVTCHN_FREE)
		return -TESSERA_EINVAL;
	if (p->state == EVTCHN_UNBOUND)
		return -TESSERA_ENOTCONN;
	if (p->state == EVTCHN_CLOSED)
		return -TESSERA_EPIPE;
	r = domain_running(p->remote_dom);
	if (!r)
		return -TESSERA_EPIPE;
	evtchn_raise(r, p->remote_port);
	return 0;
}

/* The other end of a bound port becomes closed and is told so by an event. */
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

int64_t hc_evtchn_close(struct vcpu *v, const uint64_t *args)
{
	struct evtchn_port *p = port_get(v->dom, args[0]);
	if (!p || p->state == EVTCHN_FREE)
		return -TESSERA_EINVAL;
	port_close(v->dom, (uint32_t)args[0]);
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

int64_t hc_domain_lookup(struct vcpu *v, const uint64_t *args)
{
	const struct domain *d = v->dom;
	char name[TESSERA_NAME_MAX + 1];
	uint64_t gpa = args[0];
	uint64_t len = gpa < d->mem_size ? d->mem_size - gpa : 0;
	if (!len)
		return -TESSERA_EFAULT;
	if (len > TESSERA_NAME_MAX)
		len = TESSERA_NAME_MAX;
	memset(name, 0, sizeof(name));
	if (guest_copy_in(d, name, gpa, len))
		return -TESSERA_EFAULT;
	/* The name must end inside the domain's memory, within 16 bytes. */
	if (strnlen(name, (size_t)len) == len)
		return len < TESSERA_NAME_MAX ? -TESSERA_EFAULT : -TESSERA_EINVAL;
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		const struct domain *o = domain_running(id);
		if (o && !strcmp(o->name, name))
			return o->id;
	}
	return -TESSERA_ESRCH;
}
