/*
 * Invariants after every record, computed from the domains' own tables and
 * compared with the frame allocator, the simulated second-stage grant window
 * and the simulated IOMMU:
 *   - every frame has exactly one owner (a running domain's memory or backend
 *     page, a dead domain's frame still mapped by a peer) or is free;
 *   - every grant mapping names a live entry granted to the mapper, each entry's
 *     map count is the number of slots mapping it, and the backend maps exactly
 *     those slots, at the granted frame, writable only if asked and allowed;
 *   - event channel ends are symmetric; an unbound port's peer is running;
 *   - a device belongs to at most one running domain, which lists it, and only
 *     its owner's interrupts are routed.
 */
#include "hcall.h"
#include "../../tests/sim/sim.h"
#include "../../tests/unit/util.h"
#include <core/frame.h>
#include <core/pci.h>
#include <arch/mm.h>
#include <string.h>

#define NFRAMES (SIM_MEM_SIZE / PAGE_SIZE)
#define FIRST_FREE (CORE_END / PAGE_SIZE) /* below: firmware and the core, never free */

static uint8_t owners[NFRAMES];

static void own(uint64_t pa, const struct domain *d, const char *what)
{
	uint64_t f = pa / PAGE_SIZE;
	if (pa % PAGE_SIZE || f < FIRST_FREE || f >= NFRAMES)
		fz_fail("domain %u: %s frame 0x%llx outside allocatable memory", d->id, what,
			(unsigned long long)pa);
	if (owners[f]++)
		fz_fail("frame 0x%llx has two owners (the second: domain %u's %s)",
			(unsigned long long)pa, d->id, what);
}

/* Frames a dead domain still lends out: each mapped gfn once. */
static uint64_t lent(const struct domain *d, bool mark)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < TESSERA_GRANT_REFS; i++) {
		bool first = d->grants[i].maps != 0;
		for (uint32_t j = 0; first && j < i; j++)
			first = !(d->grants[j].maps && d->grants[j].gfn == d->grants[i].gfn);
		if (!first)
			continue;
		n++;
		if (mark)
			own(d->mem_pa + d->grants[i].gfn * PAGE_SIZE, d, "lent");
	}
	return n;
}

static void check_frames(bool full)
{
	uint64_t used = 0, free = 0;
	if (full)
		memset(owners, 0, sizeof(owners));
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *d = domain_get(id);
		if (!d)
			continue;
		if (d->state == DOMAIN_DEAD) {
			if (d->arch.page)
				fz_fail("dead domain %u keeps its backend page", id);
			used += lent(d, full);
			continue;
		}
		used += d->mem_size / PAGE_SIZE + 1;
		for (uint64_t off = 0; full && off < d->mem_size; off += PAGE_SIZE)
			own(d->mem_pa + off, d, "memory");
		if (full)
			own(d->arch.page, d, "backend");
	}
	if (frame_free_count() != NFRAMES - FIRST_FREE - used)
		fz_fail("%llu frames free, %llu expected", (unsigned long long)frame_free_count(),
			(unsigned long long)(NFRAMES - FIRST_FREE - used));
	for (uint64_t f = 0; full && f < NFRAMES; f++) {
		bool is_free = frame_is_free(f * PAGE_SIZE);
		if (is_free != (f >= FIRST_FREE && !owners[f]))
			fz_fail("frame 0x%llx is %s but has %u owners", (unsigned long long)(f * PAGE_SIZE),
				is_free ? "free" : "allocated", owners[f]);
		free += is_free;
	}
	if (full && free != frame_free_count())
		fz_fail("allocator counts %llu free frames, its bitmap %llu",
			(unsigned long long)frame_free_count(), (unsigned long long)free);
}

static void check_slot(const struct domain *m, uint32_t s)
{
	const struct grant_slot *sl = &m->slots[s];
	const struct sim_grant *sg = &sim_virt.grant[m->id][s];
	const struct domain *g;
	const struct grant_entry *e;
	if (!sl->used) {
		if (sg->mapped)
			fz_fail("domain %u slot %u: mapped in the backend, empty in the core", m->id, s);
		return;
	}
	g = domain_get(sl->granter);
	if (m->state != DOMAIN_RUNNING || !g || (sl->ref & 0xffff) >= TESSERA_GRANT_REFS)
		fz_fail("domain %u slot %u: mapping without a live mapper or granter", m->id, s);
	e = &g->grants[sl->ref & 0xffff];
	if (!e->active || e->gen != sl->ref >> 16 || e->peer != m->id || !e->maps)
		fz_fail("domain %u slot %u: maps ref 0x%llx of domain %u, which is not granted to it",
			m->id, s, (unsigned long long)sl->ref, g->id);
	if (sl->writable && (e->flags & TESSERA_GRANT_READONLY))
		fz_fail("domain %u slot %u: a read-only grant mapped writable", m->id, s);
	if (!sg->mapped || sg->writable != sl->writable || sg->hpa != g->mem_pa + e->gfn * PAGE_SIZE)
		fz_fail("domain %u slot %u: the backend maps something else", m->id, s);
}

static void check_grants(void)
{
	static uint32_t maps[DOMAIN_MAX][TESSERA_GRANT_REFS];
	memset(maps, 0, sizeof(maps));
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *m = domain_get(id);
		for (uint32_t s = 0; s < TESSERA_GRANT_SLOTS; s++) {
			if (!m) {
				if (sim_virt.grant[id][s].mapped)
					fz_fail("slot %u of domain id %u mapped, no such domain", s, id);
				continue;
			}
			check_slot(m, s);
			if (m->slots[s].used)
				maps[m->slots[s].granter][m->slots[s].ref & 0xffff]++;
		}
	}
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *g = domain_get(id);
		for (uint32_t i = 0; g && i < TESSERA_GRANT_REFS; i++) {
			const struct grant_entry *e = &g->grants[i];
			if (e->maps != maps[id][i])
				fz_fail("domain %u grant %u: count %u, %u slots map it", id, i, e->maps,
					maps[id][i]);
			if (e->active && (!e->gen || e->gfn >= g->mem_size / PAGE_SIZE || e->peer == id))
				fz_fail("domain %u grant %u: active with gen %u gfn 0x%llx peer %u", id, i,
					e->gen, (unsigned long long)e->gfn, e->peer);
		}
	}
}

static void check_ports(const struct domain *d)
{
	if (d->event_vector && (d->event_vector < 32 || d->event_gpa % PAGE_SIZE ||
				d->event_gpa + PAGE_SIZE > d->mem_size))
		fz_fail("domain %u: event page 0x%llx vector %u", d->id,
			(unsigned long long)d->event_gpa, d->event_vector);
	for (uint32_t p = 0; p < TESSERA_EVTCHN_PORTS; p++) {
		const struct evtchn_port *e = &d->ports[p];
		const struct domain *r = domain_running(e->remote_dom);
		if (d->state != DOMAIN_RUNNING || e->state == EVTCHN_FREE) {
			if (e->state || e->remote_port || e->remote_dom)
				fz_fail("domain %u port %u: state %u remote %u:%u on a free port or dead domain",
					d->id, p, e->state, e->remote_dom, e->remote_port);
			continue;
		}
		if (e->state > EVTCHN_CLOSED)
			fz_fail("domain %u port %u: state %u", d->id, p, e->state);
		if (e->state == EVTCHN_UNBOUND && !r)
			fz_fail("domain %u port %u: unbound for domain %u, which is not running", d->id,
				p, e->remote_dom);
		if (e->state == EVTCHN_BOUND &&
		    (!r || e->remote_port >= TESSERA_EVTCHN_PORTS ||
		     r->ports[e->remote_port].state != EVTCHN_BOUND ||
		     r->ports[e->remote_port].remote_dom != d->id ||
		     r->ports[e->remote_port].remote_port != p))
			fz_fail("domain %u port %u: bound to %u:%u, which is not bound back", d->id, p,
				e->remote_dom, e->remote_port);
	}
}

static void check_devices(void)
{
	for (uint32_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *dev = pci_get(i);
		const struct domain *o = dev->owner ? domain_running(dev->owner - 1) : NULL;
		bool listed = false;
		for (uint32_t k = 0; o && k < o->ndevs; k++)
			listed |= o->devs[k] == dev;
		if (dev->owner && !listed)
			fz_fail("device %u owned by domain %u, which does not have it", i, dev->owner - 1);
		for (uint32_t f = 0; f < sim_pci.nfns; f++)
			if (sim_pci.fns[f].sbdf == dev->sbdf && sim_pci.fns[f].dma_owner != dev->owner)
				fz_fail("device %u: the IOMMU lets domain %u reach it, its owner is %u", i,
					sim_pci.fns[f].dma_owner, dev->owner);
	}
	for (uint32_t s = 0; s < ARCH_IRQ_VECTORS; s++) {
		const struct pci_dev *dev = sim_pci.irq_routes[s].on ? pci_find(sim_pci.irq_routes[s].sbdf) : NULL;
		if (sim_pci.irq_routes[s].on && (!dev || !dev->owner))
			fz_fail("interrupt slot %u routed for a device no domain has", s);
	}
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *d = domain_get(id);
		for (uint32_t k = 0; d && k < d->ndevs; k++)
			if (d->state != DOMAIN_RUNNING || d->devs[k]->owner != id + 1)
				fz_fail("domain %u lists device %u it does not own", id, k);
	}
}

void fz_check_invariants(bool full)
{
	for (uint32_t id = FZ_IDS; full && id < DOMAIN_MAX; id++)
		if (domain_get(id))
			fz_fail("domain id %u: more domains than the harness can name", id);
	check_frames(full);
	check_grants();
	check_devices();
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *d = domain_get(id);
		if (!d)
			continue;
		check_ports(d);
		if (d->state == DOMAIN_RUNNING &&
		    (d->mem != sim_mem + d->mem_pa || d->vcpu.dom != d || d->id != id ||
		     !memchr(d->name, 0, sizeof(d->name))))
			fz_fail("domain %u: its own record is inconsistent", id);
	}
}
