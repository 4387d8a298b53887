/*
 * The hypercall dispatcher: one table, generated from tessera/hypercall.def.
 * Every entry names its class, permission and target; an unknown class or
 * permission does not compile. The check is made here, before the handler,
 * so no handler can run unchecked.
 */
#include <core/avc.h>
#include <core/evtchn.h>
#include <core/hypercall.h>
#include <core/pci.h>
#include <tessera/errno.h>

static const struct hcall_entry hcall_table[TESSERA_HC_COUNT] = {
#define HCALL(num, name, nargs, cls, perm, target, doc) \
	[num] = { hc_##name, #name, nargs, TESSERA_CLASS_##cls, TESSERA_PERMBIT(cls, perm), \
		  HCALL_TARGET_##target },
#include <tessera/hypercall.def>
#undef HCALL
};

/*@ assigns \nothing;
    ensures \result == \null || (nr < TESSERA_HC_COUNT && \result == &hcall_table[nr] && \result->fn != \null); */
const struct hcall_entry *hcall_lookup(uint64_t nr)
{
	if (nr >= TESSERA_HC_COUNT || !hcall_table[nr].fn)
		return NULL;
	return &hcall_table[nr];
}

/* The object a call acts on, from its first argument; errors are the call's own. */
/*@ requires ports_ok(d) && guest_mem(d) && \valid(hc) && \separated(d, hc) && d->ndevs <= TESSERA_DEVICES_MAX;
    assigns hc->target, hc->dev;
    ensures target == HCALL_TARGET_CORE ==> \result == 0 && hc->target == \null;
    ensures target == HCALL_TARGET_SELF ==> \result == 0 && hc->target == d;
    ensures target == HCALL_TARGET_DOMAIN || target == HCALL_TARGET_NAME || target == HCALL_TARGET_PORT ==>
            (\result == 0 <==> hc->target != \null) && (\result == 0 ==> running(hc->target));
    ensures target == HCALL_TARGET_DOMAIN && \result == 0 ==> hc->target == dom_slot(hc->arg[0]);
    ensures target == HCALL_TARGET_PORT && \result == 0 ==> bound_to(d, hc->arg[0]) && hc->target == peer_of(d, hc->arg[0]);
    ensures target == HCALL_TARGET_DEVICE ==> (\result == 0 <==> hc->dev != \null) &&
            (\result == 0 ==> hc->arg[0] < d->ndevs && hc->dev == d->devs[hc->arg[0]]);
    ensures target > HCALL_TARGET_DEVICE ==> \result == -TESSERA_ENOSYS; */
static int64_t resolve_target(struct domain *d, uint8_t target, struct hcall_ctx *hc)
{
	switch (target) {
	case HCALL_TARGET_CORE:
		hc->target = NULL;
		return 0;
	case HCALL_TARGET_SELF:
		hc->target = d;
		return 0;
	case HCALL_TARGET_DOMAIN:
		hc->target = hc->arg[0] <= UINT32_MAX ? domain_running((uint32_t)hc->arg[0]) : NULL;
		return hc->target ? 0 : -TESSERA_ESRCH;
	case HCALL_TARGET_NAME:
		return domain_find_by_name(d, hc->arg[0], &hc->target);
	case HCALL_TARGET_PORT:
		return evtchn_peer(d, hc->arg[0], &hc->target);
	case HCALL_TARGET_DEVICE:
		hc->dev = hc->arg[0] < d->ndevs ? d->devs[hc->arg[0]] : NULL;
		return hc->dev ? 0 : -TESSERA_ENODEV;
	default:
		return -TESSERA_ENOSYS;
	}
}

void hypercall_dispatch(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->regs;
	/* Snapshot the arguments once; handlers never reread guest registers. */
	struct hcall_ctx hc = { { r->rdi, r->rsi, r->rdx, r->r10, r->r8 }, NULL, NULL };
	const struct hcall_entry *e = hcall_lookup(r->rax);
	int64_t ret = e ? resolve_target(v->dom, e->target, &hc) : -TESSERA_ENOSYS;
	if (!ret && e->target == HCALL_TARGET_DEVICE)
		ret = avc_check_device(v->dom, hc.dev, e->cls, e->perm, e->name);
#ifdef FUZZ_PLANTED_BUG /* evtchn_send runs without its access check (fuzz/planted.sh) */
	else if (!ret && e->fn != hc_evtchn_send)
		ret = avc_check(v->dom, hc.target, e->cls, e->perm, e->name);
#else
	else if (!ret)
		ret = avc_check(v->dom, hc.target, e->cls, e->perm, e->name);
#endif
	if (!ret)
		ret = e->fn(v, &hc);
	v->regs.rax = (uint64_t)ret;
}
