/*
 * The access model: before a hypercall, decide from the policy's description
 * (not the core's loaded policy or avc_check) whether the call may act, finding
 * its target the way hypercall.def says. Afterwards:
 *   allowed    the status is anything but -EACCES (the core must not deny it);
 *   denied     -EACCES, and nothing the call could change has changed;
 *   no target  (no such domain, port, device or name) an error, nothing changed;
 *   unknown    number: -ENOSYS, nothing changed.
 * "Nothing" is every existing domain's record except its registers and denial
 * budget, the frame allocator, the backend's grant window, the PCI and IOMMU
 * counters, the caller's memory at every argument and every event page.
 */
#include "hcall.h"
#include "../../tests/sim/sim.h"
#include <core/frame.h>
#include <core/hypercall.h>
#include <core/pci.h>
#include <stdlib.h>
#include <string.h>

static const struct { uint8_t cls, perm, target; } calls[TESSERA_HC_COUNT] = {
#define HCALL(num, name, nargs, cls, perm, target, doc) \
	[num] = { TESSERA_CLASS_##cls, TESSERA_PERMBIT(cls, perm), HCALL_TARGET_##target },
#include <tessera/hypercall.def>
#undef HCALL
};

enum verdict { ALLOW, DENY, NO_TARGET, NOSYS };
#define WINDOW 4096
#define WINDOWS (5 + FZ_IDS)

struct fz_before {
	enum verdict verdict;
	uint64_t nr;
	bool exists[FZ_IDS];
	struct domain dom[FZ_IDS];
	uint64_t frames_free;
	uint32_t flushes, pci_writes, nports, nmaps, unroutes;
	uint32_t nwin;
	struct { const uint8_t *at; size_t len; uint8_t copy[WINDOW]; } win[WINDOWS];
};

static int32_t type_of(const struct fz_policy *p, const struct domain *d)
{
	return d ? fz_model_domain_type(p, d->name) : -1;
}

/* The running domain named by the string at gpa (at most 16 bytes with its NUL). */
static struct domain *by_name(const struct domain *caller, uint64_t gpa)
{
	uint64_t room = gpa < caller->mem_size ? caller->mem_size - gpa : 0;
	size_t n = room < TESSERA_NAME_MAX ? (size_t)room : TESSERA_NAME_MAX;
	const char *s = n ? (const char *)caller->mem + gpa : NULL;
	if (!n || !memchr(s, 0, n) || (fz_faults & FZ_X_COPY_IN))
		return NULL;
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		struct domain *o = domain_running(id);
		if (o && !strcmp(o->name, s))
			return o;
	}
	return NULL;
}

/* The target's type, or -1 if the call has none (the core reports that instead). */
static int32_t target_type(const struct fz_policy *p, struct domain *c, uint8_t target,
			   const uint64_t arg[5])
{
	const struct evtchn_port *port = arg[0] < TESSERA_EVTCHN_PORTS ? &c->ports[arg[0]] : NULL;
	switch (target) {
	case HCALL_TARGET_CORE:
		return p->core;
	case HCALL_TARGET_SELF:
		return type_of(p, c);
	case HCALL_TARGET_DOMAIN:
		return arg[0] <= UINT32_MAX ? type_of(p, domain_running((uint32_t)arg[0])) : -1;
	case HCALL_TARGET_NAME:
		return type_of(p, by_name(c, arg[0]));
	case HCALL_TARGET_PORT:
		return port && port->state == EVTCHN_BOUND ? type_of(p, domain_running(port->remote_dom)) : -1;
	case HCALL_TARGET_DEVICE:
		return arg[0] < c->ndevs && c->devs[arg[0]]->sbdf == FZ_NIC_SBDF ? p->nic : -1;
	}
	abort();
}

static void mask(struct domain *d)
{
	memset(&d->vcpu.regs, 0, sizeof(d->vcpu.regs));
	memset(&d->audit, 0, sizeof(d->audit));
}

static void watch(struct fz_before *b, const struct domain *d, uint64_t gpa)
{
	if (gpa >= d->mem_size || b->nwin == WINDOWS)
		return;
	b->win[b->nwin].at = d->mem + gpa;
	b->win[b->nwin].len = d->mem_size - gpa < WINDOW ? (size_t)(d->mem_size - gpa) : WINDOW;
	memcpy(b->win[b->nwin].copy, b->win[b->nwin].at, b->win[b->nwin].len);
	b->nwin++;
}

struct fz_before *fz_model_before(const struct fz_policy *p, struct domain *caller,
				  uint64_t nr, const uint64_t arg[5])
{
	static struct fz_before b;
	int32_t src = type_of(p, caller), tgt;
	b.nr = nr;
	if (nr >= TESSERA_HC_COUNT) {
		b.verdict = NOSYS;
	} else {
		tgt = target_type(p, caller, calls[nr].target, arg);
		b.verdict = tgt < 0 ? NO_TARGET :
			    fz_model_allows(p, (uint32_t)src, (uint32_t)tgt, calls[nr].cls, calls[nr].perm) ?
			    ALLOW : DENY;
	}
	if (b.verdict == ALLOW)
		return &b;
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *d = domain_get(id);
		b.exists[id] = d != NULL;
		if (d) {
			b.dom[id] = *d;
			mask(&b.dom[id]);
		}
	}
	b.frames_free = frame_free_count();
	b.flushes = sim_virt.grant_flushes;
	b.pci_writes = sim_pci.writes;
	b.nports = sim_pci.nports;
	b.nmaps = sim_pci.nmaps;
	b.unroutes = sim_pci.irq_unroutes;
	b.nwin = 0;
	for (unsigned i = 0; i < 5; i++)
		watch(&b, caller, arg[i]);
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *d = domain_running(id);
		if (d && d->event_vector)
			watch(&b, d, d->event_gpa);
	}
	return &b;
}

static const char *what_changed(const struct fz_before *b)
{
	static struct domain now;
	for (uint32_t id = 0; id < FZ_IDS; id++) {
		const struct domain *d = domain_get(id);
		if (b->exists[id] != (d != NULL))
			return "a domain appeared or vanished";
		if (!d)
			continue;
		now = *d;
		mask(&now);
		if (memcmp(&now, &b->dom[id], sizeof(now)))
			return "a domain's record";
	}
	if (b->frames_free != frame_free_count())
		return "the free frame count";
	if (b->flushes != sim_virt.grant_flushes)
		return "the grant window";
	if (b->pci_writes != sim_pci.writes || b->nports != sim_pci.nports || b->nmaps != sim_pci.nmaps ||
	    b->unroutes != sim_pci.irq_unroutes)
		return "a device, its ports, its mappings or its interrupts";
	for (uint32_t i = 0; i < b->nwin; i++)
		if (memcmp(b->win[i].at, b->win[i].copy, b->win[i].len))
			return "guest memory";
	return NULL;
}

void fz_model_after(struct fz_before *b, int64_t ret)
{
	static const char *const names[] = { "allows", "denies", "finds no target for", "does not know" };
	const char *changed;
	if (b->verdict == ALLOW) {
		if (ret == -TESSERA_EACCES)
			fz_fail("hypercall %llu: the model allows it, the core said -EACCES",
				(unsigned long long)b->nr);
		return;
	}
	changed = what_changed(b);
	if (changed)
		fz_fail("hypercall %llu: the model %s it, yet %s changed", (unsigned long long)b->nr,
			names[b->verdict], changed);
	if ((b->verdict == DENY && ret != -TESSERA_EACCES) ||
	    (b->verdict == NO_TARGET && (ret >= 0 || ret == -TESSERA_EACCES)) ||
	    (b->verdict == NOSYS && ret != -TESSERA_ENOSYS))
		fz_fail("hypercall %llu: the model %s it, the core returned %lld",
			(unsigned long long)b->nr, names[b->verdict], (long long)ret);
}
