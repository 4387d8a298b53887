/* Grants: the hypercalls, destruction with live mappings, fault naming, and hostile sequences. */
#include "util.h"
#include <core/frame.h>
#include <core/grant.h>
#include <core/hypercall.h>
#include <core/sched.h>
#include <core/vcpu.h>
#include <tessera/errno.h>
#include <tessera/evtchn.h>
#include <tessera/grant.h>
#include <stdlib.h>

#define MEM (2ULL << 20)
#define FRAMES (MEM / PAGE_SIZE)
#define RO TESSERA_GRANT_READONLY
#define WIN TESSERA_GRANT_WINDOW
#define REF(i, gen) ((uint64_t)(i) | ((uint64_t)(gen) << 16))

static struct domain *dom[3];
static uint64_t free_at_start;

/* Domains "g" (the granter, id 0), "p" (its peer, id 1), "o" (an other, id 2): the first n. */
static void boot(unsigned n)
{
	static const char *names[] = { "g", "p", "o" };
	machine_frames_init();
	free_at_start = frame_free_count();
	for (unsigned i = 0; i < n; i++) {
		dom[i] = make_domain(names[i], MEM);
		CHECK_EQ(dom[i]->id, i);
	}
	sim_console_reset();
}

static int64_t offer(struct domain *d, uint64_t peer, uint64_t gfn, uint64_t flags)
{
	return hcall(&d->vcpu, TESSERA_HC_grant_offer, peer, gfn, flags, 0, 0);
}

static int64_t end(struct domain *d, uint64_t ref)
{
	return hcall(&d->vcpu, TESSERA_HC_grant_end, ref, 0, 0, 0, 0);
}

static int64_t map_flags(struct domain *d, uint64_t granter, uint64_t ref, uint64_t slot, uint64_t flags)
{
	return hcall(&d->vcpu, TESSERA_HC_grant_map, granter, ref, slot, flags, 0);
}

/* As writable as the grant allows: ask for writing, fall back to read-only on -EROFS. */
static int64_t map(struct domain *d, uint64_t granter, uint64_t ref, uint64_t slot)
{
	int64_t rc = map_flags(d, granter, ref, slot, TESSERA_GRANT_MAP_WRITE);
	return rc == -TESSERA_EROFS ? map_flags(d, granter, ref, slot, 0) : rc;
}

static int64_t unmap(struct domain *d, uint64_t slot)
{
	return hcall(&d->vcpu, TESSERA_HC_grant_unmap, slot, 0, 0, 0, 0);
}

static uint64_t frame_pa(const struct domain *d, uint64_t gfn)
{
	return d->mem_pa + gfn * PAGE_SIZE;
}

static bool grants_inactive(const struct domain *d)
{
	for (unsigned i = 0; i < TESSERA_GRANT_REFS; i++)
		if (d->grants[i].active || d->grants[i].maps)
			return false;
	return true;
}

/* No slot of d is used, in the core or in the (simulated) window. */
static bool window_empty(const struct domain *d)
{
	for (unsigned s = 0; s < TESSERA_GRANT_SLOTS; s++)
		if (d->slots[s].used || sim_virt.grant[d->id][s].mapped)
			return false;
	return true;
}

static bool all_bytes(const uint8_t *p, uint64_t n, uint8_t v)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* --- grant_offer ------------------------------------------------------------------- */

TEST(grant_offer_returns_ref_with_index_and_generation)
{
	boot(2);
	CHECK_EQ(offer(dom[0], 1, 5, 0), REF(0, 1));
	CHECK_EQ(offer(dom[0], 1, 6, RO), REF(1, 1));
	const struct grant_entry *e = &dom[0]->grants[0];
	CHECK(e->active);
	CHECK_EQ(e->gen, 1);
	CHECK_EQ(e->peer, 1);
	CHECK_EQ(e->gfn, 5);
	CHECK_EQ(e->flags, 0);
	CHECK_EQ(e->maps, 0);
	CHECK_EQ(dom[0]->grants[1].flags, RO);
	CHECK_EQ(dom[0]->grants[1].gfn, 6);
	CHECK(!dom[0]->grants[2].active);
	CHECK(grants_inactive(dom[1]));
	/* the first and last frame of memory can be granted */
	CHECK_EQ(offer(dom[0], 1, 0, 0), REF(2, 1));
	CHECK_EQ(offer(dom[0], 1, FRAMES - 1, 0), REF(3, 1));
}

TEST(grant_offer_with_unknown_flags_is_einval)
{
	boot(2);
	static const uint64_t bad[] = { 2, 3, 4, 0x80, 1ULL << 32, (1ULL << 32) | RO, ~0ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(offer(dom[0], 1, 5, bad[i]), -TESSERA_EINVAL);
	CHECK(grants_inactive(dom[0]));
}

TEST(grant_offer_of_frame_past_memory_is_efault)
{
	boot(2);
	const uint64_t bad[] = { FRAMES, FRAMES + 1, MEM, (1ULL << 52), ~0ULL,
					~0ULL / PAGE_SIZE, (dom[1]->mem_pa / PAGE_SIZE) };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(offer(dom[0], 1, bad[i], 0), -TESSERA_EFAULT);
	CHECK(grants_inactive(dom[0]));
}

TEST(grant_offer_to_self_nonexistent_or_dead_peer_is_esrch)
{
	boot(3);
	static const uint64_t bad[] = { 0, 3, DOMAIN_MAX - 1, DOMAIN_MAX, 1ULL << 32,
					(1ULL << 32) | 1, 0xffffffffULL, ~0ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(offer(dom[0], bad[i], 5, 0), -TESSERA_ESRCH);
	domain_destroy(dom[2]);
	CHECK_EQ(offer(dom[0], 2, 5, 0), -TESSERA_ESRCH);
	CHECK(grants_inactive(dom[0]));
}

TEST(grant_offer_table_exhaustion_is_enospc_and_ended_entries_are_reused)
{
	boot(2);
	for (unsigned i = 0; i < TESSERA_GRANT_REFS; i++)
		CHECK_EQ(offer(dom[0], 1, i, 0), REF(i, 1));
	CHECK_EQ(offer(dom[0], 1, 0, 0), -TESSERA_ENOSPC);
	CHECK_EQ(end(dom[0], REF(10, 1)), 0);
	CHECK_EQ(end(dom[0], REF(33, 1)), 0);
	CHECK_EQ(offer(dom[0], 1, 99, RO), REF(10, 2));
	CHECK_EQ(dom[0]->grants[10].gfn, 99);
	CHECK_EQ(dom[0]->grants[10].flags, RO);
	CHECK_EQ(offer(dom[0], 1, 98, 0), REF(33, 2));
	CHECK_EQ(offer(dom[0], 1, 0, 0), -TESSERA_ENOSPC);
}

/* An ended entry that is still mapped cannot be reused either (it cannot end while mapped). */
TEST(grant_offer_table_full_of_mapped_grants_is_enospc)
{
	boot(2);
	for (unsigned i = 0; i < TESSERA_GRANT_REFS; i++) {
		CHECK_EQ(offer(dom[0], 1, i, 0), REF(i, 1));
		CHECK_EQ(map(dom[1], 0, REF(i, 1), i), (int64_t)(WIN + i * PAGE_SIZE));
	}
	CHECK_EQ(offer(dom[0], 1, 0, 0), -TESSERA_ENOSPC);
	CHECK_EQ(end(dom[0], REF(7, 1)), -TESSERA_EBUSY);
	CHECK_EQ(offer(dom[0], 1, 0, 0), -TESSERA_ENOSPC);
}

/* Generation 0 is never handed out, also when the 16-bit generation wraps. */
TEST(grant_offer_generation_skips_zero_when_it_wraps)
{
	boot(2);
	for (uint32_t gen = 1; gen <= 0xffff; gen++) {
		int64_t ref = offer(dom[0], 1, 5, 0);
		if (ref != (int64_t)REF(0, gen))
			test_fail(__FILE__, __LINE__, "offer %u returned 0x%llx", gen,
				  (unsigned long long)ref);
		CHECK_EQ(end(dom[0], (uint64_t)ref), 0);
	}
	CHECK_EQ(offer(dom[0], 1, 5, 0), REF(0, 1));
	CHECK_EQ(dom[0]->grants[0].gen, 1);
	/* a reference with generation 0 is never valid */
	CHECK_EQ(map(dom[1], 0, REF(0, 0), 0), -TESSERA_ESTALE);
}

/* --- grant_map --------------------------------------------------------------------- */

TEST(grant_map_returns_window_address_and_maps_granter_frame_writable)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 7, 0);
	CHECK_EQ(ref, REF(0, 1));
	CHECK_EQ(map(dom[1], 0, ref, 5), (int64_t)(WIN + 5 * PAGE_SIZE));
	const struct sim_grant *w = &sim_virt.grant[1][5];
	CHECK(w->mapped);
	CHECK(w->writable);
	CHECK_EQ(w->hpa, dom[0]->mem_pa + 7 * PAGE_SIZE);
	const struct grant_slot *s = &dom[1]->slots[5];
	CHECK(s->used);
	CHECK(s->writable);
	CHECK_EQ(s->granter, 0);
	CHECK_EQ(s->ref, ref);
	CHECK_EQ(dom[0]->grants[0].maps, 1);
	/* nothing else mapped anywhere */
	for (unsigned d = 0; d < DOMAIN_MAX; d++)
		for (unsigned i = 0; i < TESSERA_GRANT_SLOTS; i++)
			CHECK((d == 1 && i == 5) || !sim_virt.grant[d][i].mapped);
	CHECK(window_empty(dom[0]));
	/* last slot */
	int64_t ref2 = offer(dom[0], 1, 8, 0);
	CHECK_EQ(map(dom[1], 0, ref2, TESSERA_GRANT_SLOTS - 1),
		 (int64_t)(WIN + (TESSERA_GRANT_SLOTS - 1) * PAGE_SIZE));
	CHECK_EQ(sim_virt.grant[1][TESSERA_GRANT_SLOTS - 1].hpa, frame_pa(dom[0], 8));
}

TEST(grant_map_of_readonly_grant_is_not_writable)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, RO);
	CHECK_EQ(map(dom[1], 0, ref, 0), (int64_t)WIN);
	CHECK(sim_virt.grant[1][0].mapped);
	CHECK(!sim_virt.grant[1][0].writable);
	CHECK_EQ(sim_virt.grant[1][0].hpa, frame_pa(dom[0], 9));
	CHECK(dom[1]->slots[0].used);
	CHECK(!dom[1]->slots[0].writable);
}

/* Least privilege: a mapping is writable only when asked for, and only of a writable grant. */
TEST(grant_map_is_read_only_unless_write_is_asked_for)
{
	boot(2);
	int64_t rw = offer(dom[0], 1, 5, 0), ro = offer(dom[0], 1, 6, RO);
	CHECK_EQ(map_flags(dom[1], 0, (uint64_t)rw, 0, 0), (int64_t)WIN);
	CHECK(sim_virt.grant[1][0].mapped);
	CHECK(!sim_virt.grant[1][0].writable);
	CHECK_EQ(map_flags(dom[1], 0, (uint64_t)ro, 1, TESSERA_GRANT_MAP_WRITE), -TESSERA_EROFS);
	CHECK(!sim_virt.grant[1][1].mapped);
	CHECK(!dom[1]->slots[1].used);
	CHECK_EQ(map_flags(dom[1], 0, (uint64_t)ro, 1, 2), -TESSERA_EINVAL);
	CHECK_EQ(map_flags(dom[1], 0, (uint64_t)ro, 1, ~0ULL), -TESSERA_EINVAL);
	CHECK_EQ(map_flags(dom[1], 0, (uint64_t)ro, 1, 0), (int64_t)(WIN + PAGE_SIZE));
	CHECK(!sim_virt.grant[1][1].writable);
	CHECK_STREQ(grant_fault_reason(dom[1], WIN), "write to a read-only grant");
}

TEST(grant_map_by_wrong_peer_is_eperm)
{
	boot(3);
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[2], 0, ref, 0), -TESSERA_EPERM);
	CHECK(window_empty(dom[2]));
	CHECK_EQ(dom[0]->grants[0].maps, 0);
	/* the granter cannot map its own grant either */
	CHECK_EQ(map(dom[0], 0, ref, 0), -TESSERA_EPERM);
	CHECK(window_empty(dom[0]));
	CHECK_EQ(dom[0]->grants[0].maps, 0);
}

TEST(grant_map_with_bad_ref_index_is_einval)
{
	boot(2);
	CHECK_EQ(offer(dom[0], 1, 9, 0), REF(0, 1));
	static const uint64_t bad[] = { REF(TESSERA_GRANT_REFS, 1), REF(0xffff, 1),
					REF(0, 0x10000), REF(0, 0x10001), 1ULL << 32,
					(1ULL << 32) | REF(0, 1), ~0ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(map(dom[1], 0, bad[i], 0), -TESSERA_EINVAL);
	CHECK(window_empty(dom[1]));
	CHECK_EQ(dom[0]->grants[0].maps, 0);
}

TEST(grant_map_of_never_offered_or_ended_ref_is_estale)
{
	boot(2);
	CHECK_EQ(map(dom[1], 0, REF(0, 1), 0), -TESSERA_ESTALE);
	CHECK_EQ(map(dom[1], 0, REF(5, 0), 0), -TESSERA_ESTALE);
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(end(dom[0], ref), 0);
	CHECK(!dom[0]->grants[0].active);
	CHECK_EQ(map(dom[1], 0, ref, 0), -TESSERA_ESTALE);
	CHECK_EQ(end(dom[0], ref), -TESSERA_ESTALE);
	CHECK(window_empty(dom[1]));
}

TEST(grant_map_of_reused_entry_with_old_ref_is_estale)
{
	boot(3);
	int64_t old = offer(dom[0], 1, 9, 0);
	CHECK_EQ(end(dom[0], old), 0);
	int64_t ref = offer(dom[0], 2, 10, 0); /* the same entry, for o */
	CHECK_EQ(ref, REF(0, 2));
	CHECK_EQ(map(dom[1], 0, old, 0), -TESSERA_ESTALE);
	CHECK(window_empty(dom[1]));
	/* also when reused for the same peer */
	CHECK_EQ(end(dom[0], ref), 0);
	ref = offer(dom[0], 1, 11, 0);
	CHECK_EQ(ref, REF(0, 3));
	CHECK_EQ(map(dom[1], 0, old, 0), -TESSERA_ESTALE);
	CHECK_EQ(map(dom[1], 0, REF(0, 2), 0), -TESSERA_ESTALE);
	CHECK_EQ(map(dom[1], 0, REF(0, 4), 0), -TESSERA_ESTALE);
	CHECK_EQ(end(dom[0], old), -TESSERA_ESTALE);
	CHECK(dom[0]->grants[0].active);
	CHECK(window_empty(dom[1]));
	CHECK_EQ(map(dom[1], 0, ref, 0), (int64_t)WIN);
	CHECK_EQ(sim_virt.grant[1][0].hpa, frame_pa(dom[0], 11));
}

TEST(grant_map_twice_by_same_mapper_is_eexist)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[1], 0, ref, 0), (int64_t)WIN);
	CHECK_EQ(map(dom[1], 0, ref, 1), -TESSERA_EEXIST);
	CHECK_EQ(map(dom[1], 0, ref, 0), -TESSERA_EEXIST);
	CHECK_EQ(dom[0]->grants[0].maps, 1);
	CHECK(!dom[1]->slots[1].used);
	CHECK(!sim_virt.grant[1][1].mapped);
	/* after an unmap it may be mapped again, anywhere */
	CHECK_EQ(unmap(dom[1], 0), 0);
	CHECK_EQ(map(dom[1], 0, ref, 1), (int64_t)(WIN + PAGE_SIZE));
	CHECK_EQ(dom[0]->grants[0].maps, 1);
}

TEST(grant_map_to_slot_out_of_range_is_einval)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, 0);
	static const uint64_t bad[] = { TESSERA_GRANT_SLOTS, TESSERA_GRANT_SLOTS + 1, 0xffff,
					1ULL << 32, (1ULL << 32) | 1, ~0ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(map(dom[1], 0, ref, bad[i]), -TESSERA_EINVAL);
	CHECK(window_empty(dom[1]));
	CHECK_EQ(dom[0]->grants[0].maps, 0);
}

TEST(grant_map_to_busy_slot_is_ebusy)
{
	boot(3);
	int64_t r1 = offer(dom[0], 1, 9, 0), r2 = offer(dom[0], 1, 10, RO);
	int64_t r3 = offer(dom[2], 1, 11, 0);
	CHECK_EQ(map(dom[1], 0, r1, 4), (int64_t)(WIN + 4 * PAGE_SIZE));
	CHECK_EQ(map(dom[1], 0, r2, 4), -TESSERA_EBUSY);
	CHECK_EQ(map(dom[1], 2, r3, 4), -TESSERA_EBUSY);
	CHECK_EQ(dom[0]->grants[0].maps, 1);
	CHECK_EQ(dom[0]->grants[1].maps, 0);
	CHECK_EQ(dom[2]->grants[0].maps, 0);
	CHECK_EQ(dom[1]->slots[4].ref, r1);
	CHECK(dom[1]->slots[4].writable);
	CHECK(sim_virt.grant[1][4].writable);
	CHECK_EQ(sim_virt.grant[1][4].hpa, frame_pa(dom[0], 9));
}

TEST(grant_map_backend_failure_is_enomem_and_leaves_no_state)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, 0);
	sim_virt.fail_grant_map = -1;
	CHECK_EQ(map(dom[1], 0, ref, 3), -TESSERA_ENOMEM);
	CHECK(window_empty(dom[1]));
	CHECK_EQ(dom[0]->grants[0].maps, 0);
	CHECK_EQ(end(dom[0], ref), 0);
	sim_virt.fail_grant_map = 0;
	ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[1], 0, ref, 3), (int64_t)(WIN + 3 * PAGE_SIZE));
	CHECK_EQ(dom[0]->grants[0].maps, 1);
}

TEST(grant_map_from_nonexistent_or_dead_granter_is_esrch)
{
	boot(3);
	int64_t ref = offer(dom[2], 1, 9, 0);
	CHECK_EQ(map(dom[1], 3, ref, 0), -TESSERA_ESRCH);
	CHECK_EQ(map(dom[1], DOMAIN_MAX, ref, 0), -TESSERA_ESRCH);
	CHECK_EQ(map(dom[1], (1ULL << 32) | 2, ref, 0), -TESSERA_ESRCH);
	CHECK_EQ(map(dom[1], ~0ULL, ref, 0), -TESSERA_ESRCH);
	domain_destroy(dom[2]);
	CHECK_EQ(map(dom[1], 2, ref, 0), -TESSERA_ESRCH);
	CHECK(window_empty(dom[1]));
}

/* --- grant_end and grant_unmap ----------------------------------------------------- */

TEST(grant_end_while_mapped_is_ebusy_and_after_unmap_succeeds)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[1], 0, ref, 2), (int64_t)(WIN + 2 * PAGE_SIZE));
	CHECK_EQ(end(dom[0], ref), -TESSERA_EBUSY);
	CHECK(dom[0]->grants[0].active);
	CHECK(sim_virt.grant[1][2].mapped);
	CHECK_EQ(unmap(dom[1], 2), 0);
	CHECK_EQ(end(dom[0], ref), 0);
	CHECK(!dom[0]->grants[0].active);
	CHECK_EQ(end(dom[0], ref), -TESSERA_ESTALE);
	CHECK_EQ(map(dom[1], 0, ref, 2), -TESSERA_ESTALE);
}

/* Only the granter ends its grants: the peer's "end" names an entry of its own. */
TEST(grant_end_by_peer_does_not_touch_granters_grant)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(end(dom[1], ref), -TESSERA_ESTALE);
	CHECK(dom[0]->grants[0].active);
	CHECK_EQ(end(dom[0], REF(TESSERA_GRANT_REFS, 1)), -TESSERA_EINVAL);
	CHECK_EQ(end(dom[0], ~0ULL), -TESSERA_EINVAL);
}

TEST(grant_unmap_of_empty_slot_is_enoent_and_out_of_range_is_einval)
{
	boot(2);
	uint32_t flushes = sim_virt.grant_flushes;
	CHECK_EQ(unmap(dom[1], 0), -TESSERA_ENOENT);
	CHECK_EQ(unmap(dom[1], TESSERA_GRANT_SLOTS - 1), -TESSERA_ENOENT);
	CHECK_EQ(unmap(dom[1], TESSERA_GRANT_SLOTS), -TESSERA_EINVAL);
	CHECK_EQ(unmap(dom[1], (1ULL << 32) | 0), -TESSERA_EINVAL);
	CHECK_EQ(unmap(dom[1], ~0ULL), -TESSERA_EINVAL);
	CHECK_EQ(sim_virt.grant_flushes, flushes);
	/* a slot of the granter's window is not the peer's */
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[1], 0, ref, 0), (int64_t)WIN);
	CHECK_EQ(unmap(dom[0], 0), -TESSERA_ENOENT);
	CHECK_EQ(dom[0]->grants[0].maps, 1);
	CHECK(sim_virt.grant[1][0].mapped);
}

TEST(grant_unmap_flushes_and_clears_the_slot)
{
	boot(2);
	int64_t ref = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[1], 0, ref, 6), (int64_t)(WIN + 6 * PAGE_SIZE));
	uint32_t flushes = sim_virt.grant_flushes;
	CHECK_EQ(unmap(dom[1], 6), 0);
	CHECK_EQ(sim_virt.grant_flushes, flushes + 1);
	CHECK(!sim_virt.grant[1][6].mapped);
	CHECK_EQ(dom[0]->grants[0].maps, 0);
	CHECK(dom[0]->grants[0].active);
	const struct grant_slot *s = &dom[1]->slots[6];
	CHECK(!s->used && !s->writable && !s->granter && !s->ref);
	CHECK_EQ(unmap(dom[1], 6), -TESSERA_ENOENT);
	CHECK_EQ(sim_virt.grant_flushes, flushes + 1);
	/* a granter that lives does not lose its frame */
	CHECK(!frame_is_free(frame_pa(dom[0], 9)));
}

/* Two peers map the same frame through two grants: each mapping counts separately. */
TEST(grant_counts_maps_per_grant)
{
	boot(3);
	int64_t r1 = offer(dom[0], 1, 9, 0), r2 = offer(dom[0], 2, 9, RO);
	CHECK_EQ(map(dom[1], 0, r1, 0), (int64_t)WIN);
	CHECK_EQ(map(dom[2], 0, r2, 0), (int64_t)WIN);
	CHECK_EQ(map(dom[2], 0, r1, 1), -TESSERA_EPERM);
	CHECK_EQ(map(dom[1], 0, r2, 1), -TESSERA_EPERM);
	CHECK_EQ(dom[0]->grants[0].maps, 1);
	CHECK_EQ(dom[0]->grants[1].maps, 1);
	CHECK_EQ(sim_virt.grant[1][0].hpa, sim_virt.grant[2][0].hpa);
	CHECK(sim_virt.grant[1][0].writable);
	CHECK(!sim_virt.grant[2][0].writable);
	CHECK(grant_frame_in_use(dom[0], 9));
	CHECK_EQ(unmap(dom[1], 0), 0);
	CHECK(grant_frame_in_use(dom[0], 9));
	CHECK_EQ(end(dom[0], r1), 0);
	CHECK_EQ(end(dom[0], r2), -TESSERA_EBUSY);
}

TEST(grant_frame_in_use_reports_mapped_frames_only)
{
	boot(2);
	int64_t r1 = offer(dom[0], 1, 9, 0);
	offer(dom[0], 1, 10, 0);
	CHECK(!grant_frame_in_use(dom[0], 9));
	CHECK(!grant_frame_in_use(dom[0], 10));
	CHECK_EQ(map(dom[1], 0, r1, 0), (int64_t)WIN);
	CHECK(grant_frame_in_use(dom[0], 9));
	CHECK(!grant_frame_in_use(dom[0], 10));
	CHECK(!grant_frame_in_use(dom[0], 8));
	CHECK(!grant_frame_in_use(dom[1], 9));
	CHECK_EQ(unmap(dom[1], 0), 0);
	CHECK(!grant_frame_in_use(dom[0], 9));
}

/* --- destruction ------------------------------------------------------------------- */

TEST(grant_mapper_destroyed_unmaps_its_slots_and_grants_can_end)
{
	boot(2);
	int64_t r1 = offer(dom[0], 1, 9, 0), r2 = offer(dom[0], 1, 10, RO);
	CHECK_EQ(map(dom[1], 0, r1, 3), (int64_t)(WIN + 3 * PAGE_SIZE));
	CHECK_EQ(map(dom[1], 0, r2, 7), (int64_t)(WIN + 7 * PAGE_SIZE));
	uint32_t flushes = sim_virt.grant_flushes;
	CHECK_EQ(hcall(&dom[1]->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0), 0);
	CHECK_EQ(sim_virt.grant_flushes, flushes + 2);
	CHECK(window_empty(dom[1]));
	CHECK_EQ(dom[0]->grants[0].maps, 0);
	CHECK_EQ(dom[0]->grants[1].maps, 0);
	CHECK(dom[0]->grants[0].active);
	CHECK(!frame_is_free(frame_pa(dom[0], 9)));
	CHECK_EQ(end(dom[0], r1), 0);
	CHECK_EQ(end(dom[0], r2), 0);
	CHECK_EQ(hcall(&dom[0]->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0), 0);
	CHECK_EQ(frame_free_count(), free_at_start);
	CHECK_EQ(sim_virt.teardown_errors, 0);
}

/* A granter that dies with grants nobody maps leaves nothing behind. */
TEST(grant_granter_destroyed_with_unmapped_grants_frees_everything)
{
	boot(2);
	for (unsigned i = 0; i < 10; i++)
		CHECK(offer(dom[0], 1, i, i & 1) >= 0);
	domain_destroy(dom[0]);
	CHECK(grants_inactive(dom[0]));
	for (uint64_t f = 0; f < FRAMES; f++)
		CHECK(frame_is_free(frame_pa(dom[0], f)));
	domain_destroy(dom[1]);
	CHECK_EQ(frame_free_count(), free_at_start);
}

/*
 * The granter dies while its peer maps one of its frames: that frame stays
 * allocated with its content (the peer can still see it) while every other
 * frame is scrubbed and freed; the peer's unmap scrubs and frees the last one.
 */
TEST(grant_granter_destroyed_keeps_mapped_frame_until_peer_unmaps)
{
	machine_frames_init();
	uint64_t free0 = frame_free_count();
	struct domain *p = make_domain("p", MEM);
	uint64_t free_before_granter = frame_free_count();
	struct domain *g = make_domain("g", MEM);
	uint64_t gpa0 = g->mem_pa;
	const uint64_t gfn = 300;
	int64_t ref = offer(g, p->id, gfn, 0);
	CHECK_EQ(map(p, g->id, ref, 9), (int64_t)(WIN + 9 * PAGE_SIZE));
	memset(g->mem, 0xa7, MEM);
	CHECK_EQ(hcall(&g->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0), 0);
	CHECK_EQ(g->state, DOMAIN_DEAD);
	/* all but the mapped frame are free and scrubbed */
	CHECK_EQ(frame_free_count(), free_before_granter - 1);
	for (uint64_t f = 0; f < FRAMES; f++) {
		uint64_t pa = gpa0 + f * PAGE_SIZE;
		const uint8_t *m = sim_phys(pa, PAGE_SIZE);
		if (f == gfn) {
			CHECK(!frame_is_free(pa));
			CHECK(all_bytes(m, PAGE_SIZE, 0xa7));
		} else if (!frame_is_free(pa) || !all_bytes(m, PAGE_SIZE, 0)) {
			test_fail(__FILE__, __LINE__, "frame %llu of the dead granter not freed/scrubbed",
				  (unsigned long long)f);
		}
	}
	/* the peer's mapping is intact */
	CHECK(sim_virt.grant[p->id][9].mapped);
	CHECK_EQ(sim_virt.grant[p->id][9].hpa, gpa0 + gfn * PAGE_SIZE);
	CHECK_EQ(g->grants[ref & 0xffff].maps, 1);
	/* but nothing new can be mapped from the dead granter */
	CHECK_EQ(map(p, g->id, ref, 10), -TESSERA_ESRCH);
	/* the last unmap scrubs and frees it */
	CHECK_EQ(unmap(p, 9), 0);
	CHECK(frame_is_free(gpa0 + gfn * PAGE_SIZE));
	CHECK(all_bytes(sim_phys(gpa0 + gfn * PAGE_SIZE, PAGE_SIZE), PAGE_SIZE, 0));
	CHECK_EQ(frame_free_count(), free_before_granter);
	CHECK(grants_inactive(g));
	CHECK_EQ(hcall(&p->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0), 0);
	CHECK_EQ(frame_free_count(), free0);
	CHECK_EQ(sim_virt.teardown_errors, 0);
}

/* ... and when the peer dies instead of unmapping, its death frees the frame. */
TEST(grant_granter_then_mapper_destroyed_frees_the_kept_frame)
{
	boot(2);
	int64_t r1 = offer(dom[0], 1, 0, 0), r2 = offer(dom[0], 1, FRAMES - 1, RO);
	CHECK_EQ(map(dom[1], 0, r1, 0), (int64_t)WIN);
	CHECK_EQ(map(dom[1], 0, r2, 1), (int64_t)(WIN + PAGE_SIZE));
	domain_destroy(dom[0]);
	CHECK(!frame_is_free(frame_pa(dom[0], 0)));
	CHECK(!frame_is_free(frame_pa(dom[0], FRAMES - 1)));
	CHECK(frame_is_free(frame_pa(dom[0], 1)));
	CHECK(frame_is_free(frame_pa(dom[0], FRAMES - 2)));
	domain_destroy(dom[1]);
	CHECK(frame_is_free(frame_pa(dom[0], 0)));
	CHECK(frame_is_free(frame_pa(dom[0], FRAMES - 1)));
	CHECK(grants_inactive(dom[0]));
	CHECK(window_empty(dom[1]));
	CHECK_EQ(frame_free_count(), free_at_start);
}

/*
 * One frame granted twice (two peers, or one peer twice): the frame lives
 * until the last mapping of any grant of it goes, not the last of one grant.
 */
TEST(grant_frame_granted_twice_outlives_dead_granter_until_last_mapping)
{
	boot(3);
	uint64_t pa = frame_pa(dom[0], 9);
	int64_t r1 = offer(dom[0], 1, 9, 0), r2 = offer(dom[0], 2, 9, 0);
	CHECK_EQ(map(dom[1], 0, r1, 0), (int64_t)WIN);
	CHECK_EQ(map(dom[2], 0, r2, 0), (int64_t)WIN);
	memset(dom[0]->mem + 9 * PAGE_SIZE, 0x5c, PAGE_SIZE);
	uint64_t free_before = frame_free_count();
	domain_destroy(dom[0]);
	CHECK_EQ(frame_free_count(), free_before + FRAMES - 1 + 1 /* the backend's page */);
	CHECK(!frame_is_free(pa));
	CHECK_EQ(unmap(dom[1], 0), 0);
	/* o still maps it: it must stay allocated, with its content */
	CHECK(sim_virt.grant[2][0].mapped);
	CHECK(!frame_is_free(pa));
	CHECK(all_bytes(sim_phys(pa, PAGE_SIZE), PAGE_SIZE, 0x5c));
	CHECK_EQ(unmap(dom[2], 0), 0);
	CHECK(frame_is_free(pa));
	CHECK(all_bytes(sim_phys(pa, PAGE_SIZE), PAGE_SIZE, 0));
	domain_destroy(dom[1]);
	domain_destroy(dom[2]);
	CHECK_EQ(frame_free_count(), free_at_start);
}

TEST(grant_frame_granted_twice_to_one_peer_outlives_dead_granter_until_last_mapping)
{
	boot(2);
	uint64_t pa = frame_pa(dom[0], 9);
	int64_t r1 = offer(dom[0], 1, 9, 0), r2 = offer(dom[0], 1, 9, RO);
	CHECK_EQ(map(dom[1], 0, r1, 0), (int64_t)WIN);
	CHECK_EQ(map(dom[1], 0, r2, 1), (int64_t)(WIN + PAGE_SIZE));
	domain_destroy(dom[0]);
	CHECK_EQ(unmap(dom[1], 1), 0);
	CHECK(sim_virt.grant[1][0].mapped);
	CHECK(!frame_is_free(pa));
	CHECK_EQ(unmap(dom[1], 0), 0);
	CHECK(frame_is_free(pa));
	domain_destroy(dom[1]);
	CHECK_EQ(frame_free_count(), free_at_start);
}

/* --- faults in the grant window ---------------------------------------------------- */

TEST(grant_fault_reason_names_empty_readonly_and_writable_slots)
{
	boot(2);
	int64_t rw = offer(dom[0], 1, 9, 0), ro = offer(dom[0], 1, 10, RO);
	CHECK_EQ(map(dom[1], 0, rw, 1), (int64_t)(WIN + PAGE_SIZE));
	CHECK_EQ(map(dom[1], 0, ro, TESSERA_GRANT_SLOTS - 1),
		 (int64_t)(WIN + (TESSERA_GRANT_SLOTS - 1) * PAGE_SIZE));
	CHECK_STREQ(grant_fault_reason(dom[1], WIN), "access to an empty grant slot");
	CHECK_STREQ(grant_fault_reason(dom[1], WIN + 2 * PAGE_SIZE - 1),
		    "fault in a grant slot");
	CHECK_STREQ(grant_fault_reason(dom[1], WIN + PAGE_SIZE), "fault in a grant slot");
	CHECK_STREQ(grant_fault_reason(dom[1], WIN + 2 * PAGE_SIZE),
		    "access to an empty grant slot");
	CHECK_STREQ(grant_fault_reason(dom[1], WIN + TESSERA_GRANT_SLOTS * PAGE_SIZE - 1),
		    "write to a read-only grant");
	CHECK_STREQ(grant_fault_reason(dom[1], WIN + (TESSERA_GRANT_SLOTS - 1) * PAGE_SIZE),
		    "write to a read-only grant");
	/* the granter's own window is empty */
	CHECK_STREQ(grant_fault_reason(dom[0], WIN + PAGE_SIZE), "access to an empty grant slot");
	/* after unmap the slot is empty again */
	CHECK_EQ(unmap(dom[1], 1), 0);
	CHECK_STREQ(grant_fault_reason(dom[1], WIN + PAGE_SIZE), "access to an empty grant slot");
}

TEST(grant_fault_reason_outside_window_is_null)
{
	boot(2);
	int64_t rw = offer(dom[0], 1, 9, 0);
	CHECK_EQ(map(dom[1], 0, rw, 0), (int64_t)WIN);
	static const uint64_t out[] = { 0, 0x200000, MEM, WIN - 1,
					WIN + TESSERA_GRANT_SLOTS * PAGE_SIZE,
					WIN + TESSERA_GRANT_SLOTS * PAGE_SIZE + 1, 2 * WIN, ~0ULL,
					WIN + (1ULL << 63) };
	for (unsigned i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		CHECK(grant_fault_reason(dom[1], out[i]) == NULL);
}

static void run_sched(void *arg)
{
	(void)arg;
	sched_run();
}

/* A write through a read-only grant ends the writer with the reason named. */
TEST(grant_nested_fault_in_readonly_slot_names_reason_on_console)
{
	machine_frames_init();
	uint64_t free0 = frame_free_count();
	struct domain *p = make_domain("peer", MEM), *g = make_domain("gran", MEM);
	int64_t ro = offer(g, p->id, 9, RO);
	CHECK_EQ(map(p, g->id, ro, 2), (int64_t)(WIN + 2 * PAGE_SIZE));
	sim_console_reset();
	sim_script_exit(p->id, VEXIT_NESTED_FAULT, WIN + 2 * PAGE_SIZE + 0x18, NULL);
	sim_script_hcall(g->id, TESSERA_HC_yield, 0, 0, 0);
	sim_script_hcall(g->id, TESSERA_HC_grant_end, (uint64_t)ro, 0, 0);
	sim_script_hcall(g->id, TESSERA_HC_exit, 0, 0, 0);
	CHECK_EQ(sim_catch_halt(run_sched, NULL), -1);
	CHECK_HAS(sim_console(),
		  "tessera: domain peer (id 0) destroyed: write to a read-only grant at gpa 0x40002018 (rip 0x100010)\n");
	CHECK_EQ(count_of(sim_console(), "destroyed"), 1);
	CHECK_HAS(sim_console(), "tessera: domain gran (id 1) exited with code 0\n");
	/* the crash unmapped the slot, so the granter could end its grant */
	CHECK(window_empty(p));
	CHECK(grants_inactive(g));
	CHECK_EQ(frame_free_count(), free0);
}

TEST(grant_nested_fault_in_empty_slot_names_reason_on_console)
{
	boot(1);
	sim_script_hcall(0, TESSERA_HC_version, 0, 0, 0);
	sim_script_exit(0, VEXIT_NESTED_FAULT, WIN + 5 * PAGE_SIZE, NULL);
	CHECK_EQ(sim_catch_halt(run_sched, NULL), -1);
	CHECK_STREQ(sim_console(), "tessera: domain g (id 0) destroyed: access to an empty grant "
				   "slot at gpa 0x40005000 (rip 0x100013)\n");
	CHECK_EQ(frame_free_count(), free_at_start);
}

TEST(grant_nested_fault_outside_window_is_a_plain_nested_page_fault)
{
	boot(1);
	sim_script_exit(0, VEXIT_NESTED_FAULT, WIN + TESSERA_GRANT_SLOTS * PAGE_SIZE, NULL);
	CHECK_EQ(sim_catch_halt(run_sched, NULL), -1);
	CHECK_STREQ(sim_console(), "tessera: domain g (id 0) destroyed: nested page fault at gpa "
				   "0x40040000 (rip 0x100010)\n");
}

/* --- hostile sequences ------------------------------------------------------------- */

/*
 * Random hypercalls with random (often hostile) arguments from a few domains,
 * which sometimes die and are replaced, with the backend sometimes failing;
 * after every step the grant and event channel invariants must hold, and
 * every status must be one the call may return.
 */
struct hostile {
	uint64_t rng;
	uint32_t created; /* domain ids 0 .. created-1 exist */
	struct { uint64_t ref; uint32_t granter, peer; } refs[32]; /* offers that succeeded */
	unsigned nrefs;
	uint64_t free0;
	unsigned step;
	uint64_t ok[TESSERA_HC_COUNT];
	unsigned held_steps; /* steps after which a dead granter's frame was still lent out */
};

static uint64_t rnd(struct hostile *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

static uint64_t pick(struct hostile *h, uint64_t n)
{
	return rnd(h) % n;
}

#define HFAIL(h, ...)                                                              \
	do {                                                                       \
		char m_[512];                                                      \
		snprintf(m_, sizeof(m_), __VA_ARGS__);                             \
		test_fail(__FILE__, __LINE__, "step %u: %s", (h)->step, m_);       \
	} while (0)

static struct domain *hostile_running(struct hostile *h);

static uint64_t hostile_domid(struct hostile *h)
{
	switch (pick(h, 16)) {
	case 0: return DOMAIN_MAX;
	case 1: return ~0ULL;
	case 2: return (1ULL << 32) | pick(h, h->created);
	case 3: return h->created; /* never created */
	case 4:
	case 5: return pick(h, h->created); /* often dead */
	default: return hostile_running(h) ? hostile_running(h)->id : 0;
	}
}

static uint64_t hostile_small(struct hostile *h, uint64_t limit)
{
	switch (pick(h, 12)) {
	case 0: return limit;
	case 1: return limit - 1;
	case 2: return ~0ULL;
	case 3: return (1ULL << 32) | pick(h, 4);
	default: return pick(h, limit < 16 ? limit : 16);
	}
}

static uint64_t hostile_ref(struct hostile *h)
{
	switch (pick(h, 10)) {
	case 0: return pick(h, TESSERA_GRANT_REFS + 2);
	case 1: return REF(pick(h, 4), pick(h, 4));
	case 2: return rnd(h);
	case 3: return REF(TESSERA_GRANT_REFS, 1);
	default: return h->nrefs ? h->refs[pick(h, h->nrefs)].ref : REF(0, 1);
	}
}

static uint64_t hostile_gfn(struct hostile *h)
{
	switch (pick(h, 10)) {
	case 0: return FRAMES;
	case 1: return FRAMES - 1;
	case 2: return ~0ULL;
	case 3: return pick(h, FRAMES);
	default: return 0x100 + pick(h, 4); /* a few frames, granted many times */
	}
}

static bool one_of(int64_t rc, const int *errs)
{
	for (; *errs; errs++)
		if (rc == -*errs)
			return true;
	return false;
}

static struct domain *hostile_running(struct hostile *h)
{
	uint32_t start = (uint32_t)pick(h, h->created);
	for (uint32_t n = 0; n < h->created; n++) {
		struct domain *d = domain_running((start + n) % h->created);
		if (d)
			return d;
	}
	return NULL;
}

static void hostile_check(struct hostile *h)
{
	static uint32_t mapped[DOMAIN_MAX][TESSERA_GRANT_REFS];
	static bool held[DOMAIN_MAX][FRAMES];
	uint64_t expect_free = h->free0;
	memset(mapped, 0, sizeof(mapped));
	memset(held, 0, sizeof(held));
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		struct domain *d = domain_get(id);
		if (id >= h->created) {
			if (d)
				HFAIL(h, "domain %u exists", id);
			for (unsigned s = 0; s < TESSERA_GRANT_SLOTS; s++)
				if (sim_virt.grant[id][s].mapped)
					HFAIL(h, "slot %u of unused id %u mapped", s, id);
			continue;
		}
		if (!d)
			HFAIL(h, "domain %u vanished", id);
		/* slots: each references an active grant of a live or dead granter for us */
		for (unsigned s = 0; s < TESSERA_GRANT_SLOTS; s++) {
			const struct grant_slot *sl = &d->slots[s];
			const struct sim_grant *w = &sim_virt.grant[id][s];
			if (!sl->used) {
				if (w->mapped || sl->writable || sl->granter || sl->ref)
					HFAIL(h, "free slot %u of %u not clear (mapped %d)", s, id, w->mapped);
				continue;
			}
			if (d->state != DOMAIN_RUNNING)
				HFAIL(h, "dead domain %u still has slot %u", id, s);
			struct domain *g = domain_get(sl->granter);
			uint64_t idx = sl->ref & 0xffff;
			if (!g || g == d || idx >= TESSERA_GRANT_REFS)
				HFAIL(h, "slot %u of %u: bad granter %u / ref 0x%llx", s, id, sl->granter,
				      (unsigned long long)sl->ref);
			const struct grant_entry *e = &g->grants[idx];
			if (!e->active || e->gen != sl->ref >> 16 || e->peer != id)
				HFAIL(h, "slot %u of %u references inactive/stale grant 0x%llx of %u "
					 "(active %d gen %u peer %u)", s, id,
				      (unsigned long long)sl->ref, sl->granter, e->active, e->gen,
				      e->peer);
			mapped[sl->granter][idx]++;
			uint64_t hpa = g->mem_pa + e->gfn * PAGE_SIZE;
			if (!w->mapped || w->hpa != hpa || w->writable != sl->writable ||
			    (sl->writable && (e->flags & RO)))
				HFAIL(h, "slot %u of %u: window disagrees (mapped %d hpa 0x%llx want 0x%llx)",
				      s, id, w->mapped, (unsigned long long)w->hpa,
				      (unsigned long long)hpa);
			if (frame_is_free(hpa))
				HFAIL(h, "slot %u of %u maps free frame 0x%llx", s, id,
				      (unsigned long long)hpa);
			for (unsigned t = 0; t < s; t++)
				if (d->slots[t].used && d->slots[t].granter == sl->granter &&
				    d->slots[t].ref == sl->ref)
					HFAIL(h, "slots %u and %u of %u map the same grant", t, s, id);
		}
		/* ports */
		for (unsigned p = 0; p < TESSERA_EVTCHN_PORTS; p++) {
			const struct evtchn_port *ep = &d->ports[p];
			if (d->state != DOMAIN_RUNNING && ep->state != EVTCHN_FREE)
				HFAIL(h, "dead domain %u has port %u in state %u", id, p, ep->state);
			switch (ep->state) {
			case EVTCHN_FREE:
				if (ep->remote_dom || ep->remote_port)
					HFAIL(h, "free port %u of %u not clear", p, id);
				break;
			case EVTCHN_UNBOUND:
				if (!domain_running(ep->remote_dom))
					HFAIL(h, "port %u of %u unbound for dead/absent %u", p, id,
					      ep->remote_dom);
				break;
			case EVTCHN_BOUND: {
				struct domain *r = domain_running(ep->remote_dom);
				const struct evtchn_port *rp =
					r && ep->remote_port < TESSERA_EVTCHN_PORTS ?
						&r->ports[ep->remote_port] : NULL;
				if (!rp || rp->state != EVTCHN_BOUND || rp->remote_dom != id ||
				    rp->remote_port != p)
					HFAIL(h, "port %u of %u bound to %u:%u which does not point back",
					      p, id, ep->remote_dom, ep->remote_port);
				break;
			}
			case EVTCHN_CLOSED:
				break;
			default:
				HFAIL(h, "port %u of %u in state %u", p, id, ep->state);
			}
		}
		if (d->state == DOMAIN_RUNNING) {
			if (d->event_vector && d->early_events)
				HFAIL(h, "domain %u has a page and early events", id);
			expect_free -= FRAMES + 1; /* memory and the backend's page */
		} else if (d->mem) {
			HFAIL(h, "dead domain %u keeps its memory mapping", id);
		}
	}
	for (uint32_t id = 0; id < h->created; id++) {
		struct domain *g = domain_get(id);
		for (unsigned i = 0; i < TESSERA_GRANT_REFS; i++) {
			const struct grant_entry *e = &g->grants[i];
			if (e->maps != mapped[id][i])
				HFAIL(h, "grant %u of %u: maps %u but %u slots map it", i, id, e->maps,
				      mapped[id][i]);
			if (e->maps && !e->active)
				HFAIL(h, "grant %u of %u mapped but inactive", i, id);
			if (e->active && e->gfn >= FRAMES)
				HFAIL(h, "grant %u of %u names frame 0x%llx past memory", i, id,
				      (unsigned long long)e->gfn);
			if (g->state == DOMAIN_DEAD) {
				if (e->active && !e->maps)
					HFAIL(h, "dead domain %u keeps unmapped grant %u", id, i);
				if (e->maps && !held[id][e->gfn]) {
					held[id][e->gfn] = true;
					expect_free--;
				}
			}
		}
	}
	if (expect_free != h->free0 - (uint64_t)domain_live_count() * (FRAMES + 1))
		h->held_steps++; /* some frame of a dead granter is still lent out */
	if (frame_free_count() != expect_free)
		HFAIL(h, "%llu frames free, expected %llu", (unsigned long long)frame_free_count(),
		      (unsigned long long)expect_free);
}

/* A new domain, unless memory is too fragmented by frames dead granters still lend. */
static void hostile_create(struct hostile *h)
{
	static struct img im;
	struct domain *d = NULL;
	const char *why;
	char name[16];
	img_default(&im);
	snprintf(name, sizeof(name), "h%u", h->created);
	int rc = try_domain(name, MEM, &im, &d, &why);
	if (rc == -TESSERA_ENOMEM)
		return;
	if (rc || d->id != h->created)
		HFAIL(h, "creating domain %u: %d %s", h->created, rc, why ? why : "");
	h->created++;
}

static unsigned hostile_live(void)
{
	return domain_live_count();
}

static void hostile_step(struct hostile *h)
{
	static const int e_offer[] = { TESSERA_EINVAL, TESSERA_EFAULT, TESSERA_ESRCH, TESSERA_ENOSPC, 0 };
	static const int e_end[] = { TESSERA_EINVAL, TESSERA_ESTALE, TESSERA_EBUSY, 0 };
	static const int e_map[] = { TESSERA_EINVAL, TESSERA_ESRCH, TESSERA_ESTALE, TESSERA_EPERM, TESSERA_EROFS,
				     TESSERA_EEXIST, TESSERA_EBUSY, TESSERA_ENOMEM, 0 };
	static const int e_unmap[] = { TESSERA_EINVAL, TESSERA_ENOENT, 0 };
	static const int e_setup[] = { TESSERA_EINVAL, TESSERA_EFAULT, 0 };
	static const int e_alloc[] = { TESSERA_ESRCH, TESSERA_ENOSPC, 0 };
	static const int e_bind[] = { TESSERA_ESRCH, TESSERA_EINVAL, TESSERA_EPERM, TESSERA_ENOSPC, 0 };
	static const int e_send[] = { TESSERA_EINVAL, TESSERA_ENOTCONN, TESSERA_EPIPE, 0 };
	static const int e_close[] = { TESSERA_EINVAL, 0 };
	struct domain *d = hostile_running(h);
	uint64_t nr, a0 = 0, a1 = 0, a2 = 0, a3;
	const int *errs;
	int64_t rc;

	if (h->created < DOMAIN_MAX - 1 &&
	    (hostile_live() < 3 || (hostile_live() < 5 && pick(h, 60) == 0))) {
		hostile_create(h);
		return;
	}
	if (!d)
		return;
	switch (pick(h, 20)) {
	case 0:
	case 1:
	case 2:
		nr = TESSERA_HC_grant_offer;
		a0 = hostile_domid(h);
		a1 = hostile_gfn(h);
		a2 = pick(h, 8) ? pick(h, 2) : hostile_small(h, 2);
		errs = e_offer;
		break;
	case 3:
	case 4:
		nr = TESSERA_HC_grant_end;
		a0 = hostile_ref(h);
		if (h->nrefs && pick(h, 2)) { /* the granter ends one of its offers */
			unsigned i = (unsigned)pick(h, h->nrefs);
			d = domain_running(h->refs[i].granter) ? domain_running(h->refs[i].granter) : d;
			a0 = h->refs[i].ref;
		}
		errs = e_end;
		break;
	case 5:
	case 6:
	case 7:
		nr = TESSERA_HC_grant_map;
		a0 = hostile_domid(h);
		a1 = hostile_ref(h);
		a2 = hostile_small(h, TESSERA_GRANT_SLOTS);
		if (h->nrefs && pick(h, 3)) { /* usually a live peer maps what it was offered */
			unsigned i = (unsigned)pick(h, h->nrefs), n;
			for (n = 0; n < h->nrefs; n++, i = (i + 1) % h->nrefs)
				if (domain_running(h->refs[i].peer) && domain_running(h->refs[i].granter))
					break;
			if (n < h->nrefs) {
				d = domain_running(h->refs[i].peer);
				a0 = h->refs[i].granter;
				a1 = h->refs[i].ref;
				a2 = pick(h, 16);
			}
		}
		errs = e_map;
		break;
	case 8:
	case 9:
		nr = TESSERA_HC_grant_unmap;
		a0 = hostile_small(h, TESSERA_GRANT_SLOTS);
		for (unsigned n = 0; n < 4; n++) { /* usually a used slot */
			uint64_t s = pick(h, 16);
			if (d->slots[s].used) {
				a0 = s;
				break;
			}
		}
		errs = e_unmap;
		break;
	case 10:
		nr = TESSERA_HC_evtchn_setup;
		a0 = pick(h, 4) ? pick(h, FRAMES) * PAGE_SIZE : rnd(h);
		a1 = pick(h, 4) ? 32 + pick(h, 224) : rnd(h) % 512;
		errs = e_setup;
		break;
	case 11:
	case 12:
		nr = TESSERA_HC_evtchn_alloc;
		a0 = hostile_domid(h);
		errs = e_alloc;
		break;
	case 13:
	case 14:
		nr = TESSERA_HC_evtchn_bind;
		a0 = hostile_domid(h);
		a1 = hostile_small(h, TESSERA_EVTCHN_PORTS);
		if (pick(h, 2)) { /* usually a port that is unbound for the binder */
			struct domain *o = hostile_running(h);
			unsigned p = (unsigned)pick(h, 6);
			if (o && o->ports[p].state == EVTCHN_UNBOUND &&
			    domain_running(o->ports[p].remote_dom)) {
				d = domain_running(o->ports[p].remote_dom);
				a0 = o->id;
				a1 = p;
			}
		}
		errs = e_bind;
		break;
	case 15:
	case 16:
		nr = TESSERA_HC_evtchn_send;
		a0 = hostile_small(h, TESSERA_EVTCHN_PORTS);
		for (unsigned n = 0; n < 6; n++) { /* usually a port that is not free */
			uint64_t p = pick(h, 16);
			if (d->ports[p].state != EVTCHN_FREE) {
				a0 = p;
				break;
			}
		}
		errs = e_send;
		break;
	case 17:
		nr = TESSERA_HC_evtchn_close;
		a0 = hostile_small(h, TESSERA_EVTCHN_PORTS);
		errs = e_close;
		break;
	case 18: /* the guest scribbles on its event page (wherever it is) and takes events */
		if (d->event_vector) {
			struct tessera_event_page *pg = (void *)(d->mem + d->event_gpa);
			pg->mask = pick(h, 2) ? 0 : rnd(h);
			pg->upcall_pending = (uint8_t)pick(h, 2);
			if (pick(h, 2))
				pg->pending = 0;
			d->vcpu.upcall = false;
		}
		sim_virt.fail_grant_map = pick(h, 8) == 0 ? -1 : 0;
		return;
	default:
		if (pick(h, 5) == 0) { /* an occasional death */
			rc = hcall(&d->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0);
			if (getenv("HOSTILE_TRACE"))
				fprintf(stderr, "%u: %u exit\n", h->step, d->id);
			if (rc || d->state != DOMAIN_DEAD)
				HFAIL(h, "exit of %u: %lld", d->id, (long long)rc);
		}
		return;
	}
	/* grant_map's flags: mostly "write", sometimes none, sometimes junk. */
	a3 = nr != TESSERA_HC_grant_map ? 0 : pick(h, 4) ? TESSERA_GRANT_MAP_WRITE : pick(h, 2) ? 0 : pick(h, 1u << 16);
	rc = hcall(&d->vcpu, nr, a0, a1, a2, a3, 0);
	if (getenv("HOSTILE_TRACE"))
		fprintf(stderr, "%u: %u %s(0x%llx, 0x%llx, 0x%llx) = %lld\n", h->step, d->id,
			hcall_lookup(nr)->name, (unsigned long long)a0, (unsigned long long)a1,
			(unsigned long long)a2, (long long)rc);
	if (rc < 0 && !one_of(rc, errs))
		HFAIL(h, "hypercall %llu(0x%llx, 0x%llx, 0x%llx) by %u returned %lld",
		      (unsigned long long)nr, (unsigned long long)a0, (unsigned long long)a1,
		      (unsigned long long)a2, d->id, (long long)rc);
	if (rc >= 0)
		h->ok[nr]++;
	if (rc >= 0 && nr == TESSERA_HC_grant_offer) {
		unsigned i = h->nrefs < 32 ? h->nrefs++ : (unsigned)pick(h, 32);
		h->refs[i].ref = (uint64_t)rc;
		h->refs[i].granter = d->id;
		h->refs[i].peer = (uint32_t)a0;
	}
}

static void hostile_step_fn(void *h)
{
	hostile_step(h);
}

static void hostile_run(uint64_t seed, unsigned steps)
{
	static struct hostile h;
	memset(&h, 0, sizeof(h));
	h.rng = seed;
	machine_frames_init();
	h.free0 = frame_free_count();
	for (unsigned i = 0; i < 3; i++)
		hostile_create(&h);
	for (h.step = 0; h.step < steps; h.step++) {
		if (sim_catch_halt(hostile_step_fn, &h) != -1) {
			const char *c = sim_console(), *last = strstr(c, "PANIC");
			HFAIL(&h, "the core halted: %s", last ? last : c);
		}
		hostile_check(&h);
	}
	/* everyone dies: every frame comes back, no window keeps a mapping */
	for (uint32_t id = 0; id < h.created; id++) {
		struct domain *d = domain_running(id);
		if (d)
			domain_destroy(d);
		hostile_check(&h);
	}
	for (uint32_t id = 0; id < DOMAIN_MAX; id++)
		for (unsigned s = 0; s < TESSERA_GRANT_SLOTS; s++)
			if (sim_virt.grant[id][s].mapped)
				HFAIL(&h, "slot %u of %u mapped after everyone died", s, id);
	if (frame_free_count() != h.free0)
		HFAIL(&h, "%llu frames free after everyone died, %llu at start",
		      (unsigned long long)frame_free_count(), (unsigned long long)h.free0);
	CHECK_EQ(sim_virt.teardown_errors, 0);
	/* the run did exercise the successful paths */
	CHECK(h.ok[TESSERA_HC_grant_offer] > 50);
	CHECK(h.ok[TESSERA_HC_grant_map] > 30);
	CHECK(h.ok[TESSERA_HC_grant_unmap] > 20);
	CHECK(h.ok[TESSERA_HC_grant_end] > 20);
	CHECK(h.ok[TESSERA_HC_evtchn_setup] > 50);
	CHECK(h.ok[TESSERA_HC_evtchn_alloc] > 50);
	CHECK(h.ok[TESSERA_HC_evtchn_bind] > 30);
	CHECK(h.ok[TESSERA_HC_evtchn_send] > 40);
	CHECK(h.ok[TESSERA_HC_evtchn_close] > 30);
	CHECK(h.held_steps > 0);
	if (getenv("HOSTILE_STATS")) {
		for (unsigned i = 0; i < TESSERA_HC_COUNT; i++)
			fprintf(stderr, "%s: %llu ok\n", hcall_lookup(i)->name, (unsigned long long)h.ok[i]);
		fprintf(stderr, "domains created: %u, steps with lent frames of the dead: %u\n",
			h.created, h.held_steps);
	}
}

TEST(hostile_random_hypercalls_keep_invariants_seed_1)
{
	hostile_run(0x9e3779b97f4a7c15ULL, 4000);
}

TEST(hostile_random_hypercalls_keep_invariants_seed_2)
{
	hostile_run(0x2545f4914f6cdd1dULL, 4000);
}

TEST(hostile_random_hypercalls_keep_invariants_seed_3)
{
	hostile_run(12345, 4000);
}
