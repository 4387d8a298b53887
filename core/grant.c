/*
 * Grants: a domain offers one of its frames to one named peer, which maps it
 * into a slot of its grant window. A grant ends only when no mapping of it
 * remains, and a frame stays allocated while mapped, even after its owner
 * is destroyed: no mapping can ever reach memory that was reused.
 */
#include <core/console.h>
#include <core/domain.h>
#include <core/frame.h>
#include <core/grant.h>
#include <core/hypercall.h>
#include <core/lib.h>
#include <core/virt.h>
#include <arch/mm.h>
#include <tessera/errno.h>

#define REF_INDEX(ref) ((ref) & 0xffff)
#define REF_GEN(ref)   ((ref) >> 16)

/* The granter's entry for ref, or an error: out of range -EINVAL, ended or reused -ESTALE. */
/*@ requires \valid(g) && \valid(err) && \separated(g, err);
    assigns *err;
    ensures \result == \null || (REF_INDEX(ref) < TESSERA_GRANT_REFS && \result == &g->grants[REF_INDEX(ref)] &&
                                  \result->active && \result->gen == REF_GEN(ref));
    ensures \result == \null ==> *err == -TESSERA_EINVAL || *err == -TESSERA_ESTALE; */
static struct grant_entry *entry_get(struct domain *g, uint64_t ref, int64_t *err)
{
	struct grant_entry *e;
	if (REF_INDEX(ref) >= TESSERA_GRANT_REFS || REF_GEN(ref) > 0xffff) {
		*err = -TESSERA_EINVAL;
		return NULL;
	}
	e = &g->grants[REF_INDEX(ref)];
	if (!e->active || e->gen != REF_GEN(ref)) {
		*err = -TESSERA_ESTALE;
		return NULL;
	}
	return e;
}

/* Only an entry that is neither active nor mapped is reused, under a new generation. */
/*@ requires \valid(v) && \valid(v->dom) && \valid_read(hc) && \valid_read(hc->target);
    requires \separated(v, v->dom) && \separated(hc, v->dom);
    assigns v->dom->grants[0 .. TESSERA_GRANT_REFS - 1];
    ensures \result >= 0 ==> \exists integer i; 0 <= i < TESSERA_GRANT_REFS &&
      !\old(v->dom->grants[i].active) && \old(v->dom->grants[i].maps) == 0 &&
      v->dom->grants[i].active && v->dom->grants[i].gen != 0 &&
      v->dom->grants[i].gfn == hc->arg[1] && hc->arg[1] < v->dom->mem_size / PAGE_SIZE;
    ensures \forall integer i; 0 <= i < TESSERA_GRANT_REFS && \old(v->dom->grants[i].maps) != 0 ==>
      v->dom->grants[i].active == \old(v->dom->grants[i].active) &&
      v->dom->grants[i].gen == \old(v->dom->grants[i].gen) && v->dom->grants[i].gfn == \old(v->dom->grants[i].gfn); */
int64_t hc_grant_offer(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom;
	uint64_t gfn = hc->arg[1], flags = hc->arg[2];
	if (flags & ~(uint64_t)TESSERA_GRANT_READONLY)
		return -TESSERA_EINVAL;
	if (gfn >= d->mem_size / PAGE_SIZE)
		return -TESSERA_EFAULT;
	if (hc->target == d) /* a grant to oneself would be a second mapping of one's own RAM */
		return -TESSERA_ESRCH;
	/*@ loop invariant 0 <= i <= TESSERA_GRANT_REFS;
	    loop assigns i;
	    loop variant TESSERA_GRANT_REFS - i; */
	for (uint32_t i = 0; i < TESSERA_GRANT_REFS; i++) {
		struct grant_entry *e = &d->grants[i];
		if (e->active || e->maps)
			continue;
		e->gen = (uint16_t)(e->gen + 1);
		if (!e->gen) /* generation 0 never names a live grant */
			e->gen = 1;
		e->active = true;
		e->flags = (uint8_t)flags;
		e->peer = hc->target->id;
		e->gfn = gfn;
		return (int64_t)(i | ((uint64_t)e->gen << 16));
	}
	return -TESSERA_ENOSPC;
}

/* ACTIVE -> ended, never while mapped. */
/*@ requires \valid(v) && \valid(v->dom) && \valid_read(hc) && \separated(v, v->dom) && \separated(hc, v->dom);
    assigns v->dom->grants[0 .. TESSERA_GRANT_REFS - 1].active;
    ensures \result == 0 || \result == -TESSERA_EINVAL || \result == -TESSERA_ESTALE || \result == -TESSERA_EBUSY;
    ensures \result == 0 ==> REF_INDEX(hc->arg[0]) < TESSERA_GRANT_REFS &&
      \old(v->dom->grants[REF_INDEX(hc->arg[0])].active) && \old(v->dom->grants[REF_INDEX(hc->arg[0])].maps) == 0 &&
      !v->dom->grants[REF_INDEX(hc->arg[0])].active;
    ensures \forall integer i; 0 <= i < TESSERA_GRANT_REFS && (i != REF_INDEX(hc->arg[0]) || \result != 0) ==>
      v->dom->grants[i].active == \old(v->dom->grants[i].active); */
int64_t hc_grant_end(struct vcpu *v, const struct hcall_ctx *hc)
{
	int64_t err = 0;
	struct grant_entry *e = entry_get(v->dom, hc->arg[0], &err);
	if (!e)
		return err;
	if (e->maps)
		return -TESSERA_EBUSY;
	e->active = false;
	return 0;
}

int64_t hc_grant_map(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom, *g;
	struct grant_entry *e;
	uint64_t slot = hc->arg[2];
	int64_t err = 0;
	if (slot >= TESSERA_GRANT_SLOTS || (hc->arg[3] & ~(uint64_t)TESSERA_GRANT_MAP_WRITE))
		return -TESSERA_EINVAL;
	g = hc->target;
	e = entry_get(g, hc->arg[1], &err);
	if (!e)
		return err;
	if (e->peer != d->id)
		return -TESSERA_EPERM;
	for (uint32_t s = 0; s < TESSERA_GRANT_SLOTS; s++)
		if (d->slots[s].used && d->slots[s].granter == g->id && d->slots[s].ref == hc->arg[1])
			return -TESSERA_EEXIST;
	if (d->slots[slot].used)
		return -TESSERA_EBUSY;
	bool writable = hc->arg[3] & TESSERA_GRANT_MAP_WRITE;
#if FUZZ_PLANTED_SYSTEM != 3 /* else a read-only grant maps writable (fuzz/system) */
	if (writable && (e->flags & TESSERA_GRANT_READONLY))
		return -TESSERA_EROFS;
#endif
	if (virt_grant_map(d, (uint32_t)slot, g->mem_pa + e->gfn * PAGE_SIZE, writable))
		return -TESSERA_ENOMEM;
	d->slots[slot] = (struct grant_slot){ true, writable, g->id, hc->arg[1] };
	e->maps++;
	return (int64_t)(TESSERA_GRANT_WINDOW + slot * PAGE_SIZE);
}

/* Drop a mapping; the last one of a dead granter's frame frees the frame. */
static void slot_release(struct domain *d, uint32_t slot)
{
	struct grant_slot *s = &d->slots[slot];
	struct domain *g = domain_get(s->granter);
	struct grant_entry *e = g ? &g->grants[REF_INDEX(s->ref)] : NULL;
	virt_grant_unmap(d, slot);
	memset(s, 0, sizeof(*s));
	if (!e || !e->maps)
		panic("grant slot %u of domain %u has no grant behind it", slot, d->id);
	if (--e->maps || g->state != DOMAIN_DEAD)
		return;
	e->active = false;
	/* The same frame may be granted more than once: free it with its last mapping. */
	if (!grant_frame_in_use(g, e->gfn)) {
		uint64_t pa = g->mem_pa + e->gfn * PAGE_SIZE;
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
		if (frame_free(pa, 1))
			panic("granted frame 0x%lx was not the allocator's", (unsigned long)pa);
	}
}

int64_t hc_grant_unmap(struct vcpu *v, const struct hcall_ctx *hc)
{
	if (hc->arg[0] >= TESSERA_GRANT_SLOTS)
		return -TESSERA_EINVAL;
#if FUZZ_PLANTED_SYSTEM != 1 /* else an empty slot is released: a panic (fuzz/system) */
	if (!v->dom->slots[hc->arg[0]].used)
		return -TESSERA_ENOENT;
#endif
	slot_release(v->dom, (uint32_t)hc->arg[0]);
	return 0;
}

/*@ requires \valid_read(d);
    assigns \nothing;
    ensures \result <==> \exists integer i; 0 <= i < TESSERA_GRANT_REFS && d->grants[i].maps != 0 &&
                                              d->grants[i].gfn == gfn; */
bool grant_frame_in_use(const struct domain *d, uint64_t gfn)
{
	/*@ loop invariant 0 <= i <= TESSERA_GRANT_REFS && \forall integer k; 0 <= k < i ==>
	      !(d->grants[k].maps != 0 && d->grants[k].gfn == gfn);
	    loop assigns i;
	    loop variant TESSERA_GRANT_REFS - i; */
	for (uint32_t i = 0; i < TESSERA_GRANT_REFS; i++)
		if (d->grants[i].maps && d->grants[i].gfn == gfn)
			return true;
	return false;
}

void grant_domain_destroy(struct domain *d)
{
	for (uint32_t s = 0; s < TESSERA_GRANT_SLOTS; s++)
		if (d->slots[s].used)
			slot_release(d, s);
	for (uint32_t i = 0; i < TESSERA_GRANT_REFS; i++)
		if (!d->grants[i].maps)
			d->grants[i].active = false;
}

const char *grant_fault_reason(const struct domain *d, uint64_t gpa)
{
	uint64_t slot;
	if (gpa < TESSERA_GRANT_WINDOW || gpa - TESSERA_GRANT_WINDOW >= TESSERA_GRANT_SLOTS * PAGE_SIZE)
		return NULL;
	slot = (gpa - TESSERA_GRANT_WINDOW) / PAGE_SIZE;
	if (!d->slots[slot].used)
		return "access to an empty grant slot";
	return d->slots[slot].writable ? "fault in a grant slot" : "write to a read-only grant";
}
