/* Event channels and domain_lookup: the hypercalls, issued as guests would, on real domains. */
#include "util.h"
#include <core/evtchn.h>
#include <core/frame.h>
#include <core/hypercall.h>
#include <core/sched.h>
#include <tessera/errno.h>
#include <tessera/evtchn.h>

#define MEM (2ULL << 20)
#define PAGE_GPA 0x1f0000ULL /* where the tests put event pages */
#define VEC 0x40

static struct domain *dom[3];

/* Domains "a", "b", "c" (ids 0, 1, 2), the first n of them. */
static void boot(unsigned n)
{
	static const char *names[] = { "a", "b", "c" };
	machine_frames_init();
	for (unsigned i = 0; i < n; i++) {
		dom[i] = make_domain(names[i], MEM);
		CHECK_EQ(dom[i]->id, i);
	}
	sim_console_reset();
}

static int64_t hc1(struct domain *d, uint64_t nr, uint64_t a0)
{
	return hcall(&d->vcpu, nr, a0, 0, 0, 0, 0);
}

static int64_t hc2(struct domain *d, uint64_t nr, uint64_t a0, uint64_t a1)
{
	return hcall(&d->vcpu, nr, a0, a1, 0, 0, 0);
}

static int64_t ev_setup(struct domain *d)
{
	return hc2(d, TESSERA_HC_evtchn_setup, PAGE_GPA, VEC);
}

static struct tessera_event_page *page(struct domain *d)
{
	return (struct tessera_event_page *)(void *)(d->mem + PAGE_GPA);
}

/* Port p of d is in state st with the given remote (domain, port). */
#define CHECK_PORT(d, p, st, rdom, rport)                                          \
	do {                                                                       \
		const struct evtchn_port *p_ = &(d)->ports[p];                     \
		CHECK_EQ(p_->state, st);                                           \
		CHECK_EQ(p_->remote_dom, rdom);                                    \
		CHECK_EQ(p_->remote_port, rport);                                  \
	} while (0)

static bool port_table_free(const struct domain *d)
{
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		if (d->ports[i].state != EVTCHN_FREE || d->ports[i].remote_dom ||
		    d->ports[i].remote_port)
			return false;
	return true;
}

/* a allocates a port for b, b binds it: *pa in a, *pb in b. */
static void connect(struct domain *a, struct domain *b, int64_t *pa, int64_t *pb)
{
	*pa = hc1(a, TESSERA_HC_evtchn_alloc, b->id);
	CHECK(*pa >= 0 && *pa < TESSERA_EVTCHN_PORTS);
	*pb = hc2(b, TESSERA_HC_evtchn_bind, a->id, (uint64_t)*pa);
	CHECK(*pb >= 0 && *pb < TESSERA_EVTCHN_PORTS);
	CHECK_PORT(a, *pa, EVTCHN_BOUND, b->id, *pb);
	CHECK_PORT(b, *pb, EVTCHN_BOUND, a->id, *pa);
}

/* --- evtchn_setup ------------------------------------------------------------------ */

TEST(evtchn_setup_registers_page_and_vector)
{
	boot(1);
	CHECK_EQ(ev_setup(dom[0]), 0);
	CHECK_EQ(dom[0]->event_gpa, PAGE_GPA);
	CHECK_EQ(dom[0]->event_vector, VEC);
	/* the last page of memory and page 0 are pages of the domain too */
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, MEM - PAGE_SIZE, 255), 0);
	CHECK_EQ(dom[0]->event_gpa, MEM - PAGE_SIZE);
	CHECK_EQ(dom[0]->event_vector, 255);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, 0, 32), 0);
	CHECK_EQ(dom[0]->event_gpa, 0);
	CHECK_EQ(dom[0]->event_vector, 32);
}

TEST(evtchn_setup_unaligned_gpa_is_efault)
{
	boot(1);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, PAGE_GPA + 8, VEC), -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, PAGE_GPA + 0x800, VEC), -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, 1, VEC), -TESSERA_EFAULT);
	CHECK_EQ(dom[0]->event_vector, 0);
	CHECK_EQ(dom[0]->event_gpa, 0);
}

TEST(evtchn_setup_page_at_or_past_memory_end_is_efault)
{
	boot(1);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, MEM, VEC), -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, MEM + PAGE_SIZE, VEC), -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, dom[0]->mem_pa + PAGE_GPA, VEC),
		 -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, 1ULL << 32, VEC), -TESSERA_EFAULT);
	CHECK_EQ(dom[0]->event_vector, 0);
}

TEST(evtchn_setup_wrapping_gpa_is_efault)
{
	boot(1);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, ~0ULL & ~0xfffULL, VEC), -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, 0ULL - 2 * PAGE_SIZE, VEC), -TESSERA_EFAULT);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, ~0ULL, VEC), -TESSERA_EFAULT);
	CHECK_EQ(dom[0]->event_vector, 0);
}

TEST(evtchn_setup_vector_below_32_or_above_255_is_einval)
{
	boot(1);
	static const uint64_t bad[] = { 0, 1, 2, 14, 31, 256, 257, 0x140, 1ULL << 32,
					(1ULL << 32) | VEC, (1ULL << 8) | VEC, ~0ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, PAGE_GPA, bad[i]), -TESSERA_EINVAL);
		CHECK_EQ(dom[0]->event_vector, 0);
		CHECK_EQ(dom[0]->event_gpa, 0);
	}
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, PAGE_GPA, 32), 0);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_setup, PAGE_GPA, 255), 0);
	CHECK_EQ(dom[0]->event_vector, 255);
}

/* A rejected setup keeps events that arrived early: they wait for a valid page. */
TEST(evtchn_setup_failure_keeps_early_events)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK_EQ(dom[1]->early_events, 1ULL << pb);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_setup, PAGE_GPA, 7), -TESSERA_EINVAL);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_setup, PAGE_GPA + 4, VEC), -TESSERA_EFAULT);
	CHECK_EQ(dom[1]->early_events, 1ULL << pb);
	CHECK_EQ(page(dom[1])->pending, 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(dom[1]->early_events, 0);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
	CHECK(dom[1]->vcpu.upcall);
}

/* --- evtchn_alloc ------------------------------------------------------------------ */

TEST(evtchn_alloc_for_other_domain_returns_unbound_port_for_it)
{
	boot(2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 1);
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 1, 0);
	CHECK_PORT(dom[0], 1, EVTCHN_UNBOUND, 1, 0);
	CHECK_EQ(dom[0]->ports[2].state, EVTCHN_FREE);
	CHECK(port_table_free(dom[1]));
}

/* Allocating for oneself is allowed: a loopback channel whose events reach oneself. */
TEST(evtchn_alloc_for_self_gives_a_loopback_channel)
{
	boot(1);
	struct domain *a = dom[0];
	CHECK_EQ(ev_setup(a), 0);
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_alloc, 0), 0);
	CHECK_PORT(a, 0, EVTCHN_UNBOUND, 0, 0);
	CHECK_EQ(hc2(a, TESSERA_HC_evtchn_bind, 0, 0), 1);
	CHECK_PORT(a, 0, EVTCHN_BOUND, 0, 1);
	CHECK_PORT(a, 1, EVTCHN_BOUND, 0, 0);
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_send, 0), 0);
	CHECK_EQ(page(a)->pending, 1ULL << 1);
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_close, 1), 0);
	CHECK_PORT(a, 0, EVTCHN_CLOSED, 0, 1);
	CHECK_EQ(page(a)->pending, (1ULL << 1) | 1);
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_send, 0), -TESSERA_EPIPE);
}

TEST(evtchn_alloc_for_nonexistent_domain_is_esrch)
{
	boot(2);
	static const uint64_t bad[] = { 2, 3, DOMAIN_MAX - 1, DOMAIN_MAX, 1ULL << 32,
					(1ULL << 32) | 1, ~0ULL, 0xffffffffULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, bad[i]), -TESSERA_ESRCH);
	CHECK(port_table_free(dom[0]));
}

TEST(evtchn_alloc_for_dead_domain_is_esrch)
{
	boot(2);
	domain_destroy(dom[1]);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), -TESSERA_ESRCH);
	CHECK(port_table_free(dom[0]));
}

/* --- evtchn_bind ------------------------------------------------------------------- */

TEST(evtchn_bind_connects_both_ends_to_each_other)
{
	boot(2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 1);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_alloc, 0), 0); /* b's port 0 is taken */
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, 1), 1);
	CHECK_PORT(dom[0], 1, EVTCHN_BOUND, 1, 1);
	CHECK_PORT(dom[1], 1, EVTCHN_BOUND, 0, 1);
	/* the others are untouched */
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 1, 0);
	CHECK_PORT(dom[1], 0, EVTCHN_UNBOUND, 0, 0);
	CHECK_EQ(dom[0]->ports[2].state, EVTCHN_FREE);
	CHECK_EQ(dom[1]->ports[2].state, EVTCHN_FREE);
}

TEST(evtchn_bind_to_port_unbound_for_another_domain_is_eperm)
{
	boot(3);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 2), 0); /* for c */
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, 0), -TESSERA_EPERM);
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 2, 0);
	CHECK(port_table_free(dom[1]));
	/* nor can the allocator bind its own port meant for c */
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_bind, 0, 0), -TESSERA_EPERM);
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 2, 0);
	CHECK_EQ(dom[0]->ports[1].state, EVTCHN_FREE);
	/* c can */
	CHECK_EQ(hc2(dom[2], TESSERA_HC_evtchn_bind, 0, 0), 0);
	CHECK_PORT(dom[0], 0, EVTCHN_BOUND, 2, 0);
}

TEST(evtchn_bind_to_out_of_range_port_is_einval)
{
	boot(2);
	static const uint64_t bad[] = { TESSERA_EVTCHN_PORTS, TESSERA_EVTCHN_PORTS + 1, 0xffff,
					0x10000, 1ULL << 32, (1ULL << 32) | 0, ~0ULL };
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, bad[i]), -TESSERA_EINVAL);
	CHECK(port_table_free(dom[1]));
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 1, 0);
}

TEST(evtchn_bind_to_free_port_is_eperm)
{
	boot(2);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, 0), -TESSERA_EPERM);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, TESSERA_EVTCHN_PORTS - 1), -TESSERA_EPERM);
	CHECK(port_table_free(dom[0]));
	CHECK(port_table_free(dom[1]));
}

TEST(evtchn_bind_to_already_bound_port_is_eperm)
{
	int64_t pa, pb;
	boot(3);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, pa), -TESSERA_EPERM);
	CHECK_EQ(hc2(dom[2], TESSERA_HC_evtchn_bind, 0, pa), -TESSERA_EPERM);
	CHECK_EQ(hc2(dom[0], TESSERA_HC_evtchn_bind, 1, pb), -TESSERA_EPERM);
	CHECK_PORT(dom[0], pa, EVTCHN_BOUND, 1, pb);
	CHECK_PORT(dom[1], pb, EVTCHN_BOUND, 0, pa);
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++) {
		CHECK(i == pa || dom[0]->ports[i].state == EVTCHN_FREE);
		CHECK(i == pb || dom[1]->ports[i].state == EVTCHN_FREE);
	}
	CHECK(port_table_free(dom[2]));
}

TEST(evtchn_bind_to_closed_port_is_eperm)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_close, pb), 0);
	CHECK_PORT(dom[0], pa, EVTCHN_CLOSED, 1, pb);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, pa), -TESSERA_EPERM);
	CHECK(port_table_free(dom[1]));
}

TEST(evtchn_bind_to_nonexistent_or_dead_domain_is_esrch)
{
	boot(3);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 3, 0), -TESSERA_ESRCH);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, DOMAIN_MAX, 0), -TESSERA_ESRCH);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 1ULL << 32, 0), -TESSERA_ESRCH);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, ~0ULL, 0), -TESSERA_ESRCH);
	CHECK_EQ(hc1(dom[2], TESSERA_HC_evtchn_alloc, 1), 0);
	domain_destroy(dom[2]);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 2, 0), -TESSERA_ESRCH);
	CHECK(port_table_free(dom[1]));
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 1, 0);
}

TEST(evtchn_bind_with_full_port_table_is_enospc_and_leaves_remote_unbound)
{
	boot(2);
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_alloc, 0), i);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, 0), -TESSERA_ENOSPC);
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 1, 0);
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		CHECK_PORT(dom[1], i, EVTCHN_UNBOUND, 0, 0);
	/* one free port is enough */
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_close, 17), 0);
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, 0), 17);
	CHECK_PORT(dom[0], 0, EVTCHN_BOUND, 1, 17);
	CHECK_PORT(dom[1], 17, EVTCHN_BOUND, 0, 0);
}

/* --- evtchn_send ------------------------------------------------------------------- */

TEST(evtchn_send_sets_peer_pending_bit_and_requests_one_upcall)
{
	int64_t pa, pb;
	boot(2);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_alloc, 0), 0); /* so pb is not 0 */
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(pb, 1);
	CHECK_EQ(ev_setup(dom[0]), 0);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
	CHECK_EQ(page(dom[1])->mask, 0);
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	CHECK(dom[1]->vcpu.upcall);
	CHECK_EQ(dom[1]->early_events, 0);
	/* the sender is not signalled */
	CHECK_EQ(page(dom[0])->pending, 0);
	CHECK_EQ(page(dom[0])->upcall_pending, 0);
	CHECK(!dom[0]->vcpu.upcall);
	/* and nothing else in the receiver's page changed */
	for (unsigned i = 17; i < PAGE_SIZE; i++)
		CHECK_EQ(dom[1]->mem[PAGE_GPA + i], 0);
	/* the other direction works too */
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_send, pb), 0);
	CHECK_EQ(page(dom[0])->pending, 1ULL << pa);
	CHECK(dom[0]->vcpu.upcall);
}

TEST(evtchn_send_repeated_sends_coalesce_into_one_upcall)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK(dom[1]->vcpu.upcall);
	dom[1]->vcpu.upcall = false; /* injected */
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	/* the bit still set but upcall_pending cleared: the set bit is not new, no upcall */
	page(dom[1])->upcall_pending = 0;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->upcall_pending, 0);
	/* the guest takes the pending word: the next send is new */
	page(dom[1])->pending = 0;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK(dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
}

/* While upcall_pending is 1 the guest has an upcall coming: new bits only collect. */
TEST(evtchn_send_no_new_upcall_while_upcall_pending_then_new_bit_after_clear)
{
	int64_t p1, q1, p2, q2, p3, q3;
	boot(2);
	connect(dom[0], dom[1], &p1, &q1);
	connect(dom[0], dom[1], &p2, &q2);
	connect(dom[0], dom[1], &p3, &q3);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p1), 0);
	CHECK(dom[1]->vcpu.upcall);
	dom[1]->vcpu.upcall = false; /* injected, the handler has not run yet */
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p2), 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->pending, (1ULL << q1) | (1ULL << q2));
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	/* the guest clears upcall_pending: a new bit raises a new upcall */
	page(dom[1])->upcall_pending = 0;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p3), 0);
	CHECK(dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	CHECK_EQ(page(dom[1])->pending, (1ULL << q1) | (1ULL << q2) | (1ULL << q3));
}

TEST(evtchn_send_to_masked_port_sets_pending_without_upcall)
{
	int64_t p1, q1, p2, q2;
	boot(2);
	connect(dom[0], dom[1], &p1, &q1);
	connect(dom[0], dom[1], &p2, &q2);
	CHECK_EQ(ev_setup(dom[1]), 0);
	page(dom[1])->mask = 1ULL << q1;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p1), 0);
	CHECK_EQ(page(dom[1])->pending, 1ULL << q1);
	CHECK_EQ(page(dom[1])->upcall_pending, 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->mask, 1ULL << q1);
	/* an unmasked port still interrupts */
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p2), 0);
	CHECK_EQ(page(dom[1])->pending, (1ULL << q1) | (1ULL << q2));
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	CHECK(dom[1]->vcpu.upcall);
}

TEST(evtchn_send_before_peer_registered_page_is_delivered_when_it_registers)
{
	int64_t p1, q1, p2, q2;
	boot(2);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_alloc, 0), 0);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_alloc, 0), 1);
	connect(dom[0], dom[1], &p1, &q1);
	connect(dom[0], dom[1], &p2, &q2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p1), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p1), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p2), 0);
	CHECK_EQ(dom[1]->early_events, (1ULL << q1) | (1ULL << q2));
	CHECK(!dom[1]->vcpu.upcall);
	/* no page yet: nothing in guest memory at all */
	CHECK_EQ(page(dom[1])->pending, 0);
	CHECK_EQ(page(dom[1])->upcall_pending, 0);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(dom[1]->early_events, 0);
	CHECK_EQ(page(dom[1])->pending, (1ULL << q1) | (1ULL << q2));
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	CHECK(dom[1]->vcpu.upcall);
}

/* A port the guest masked in its page before registering it stays quiet. */
TEST(evtchn_early_event_on_masked_port_is_pending_without_upcall)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	page(dom[1])->mask = ~0ULL;
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
	CHECK_EQ(page(dom[1])->upcall_pending, 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(dom[1]->early_events, 0);
}

TEST(evtchn_send_on_free_port_is_einval)
{
	boot(2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, 0), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, TESSERA_EVTCHN_PORTS - 1), -TESSERA_EINVAL);
	CHECK(port_table_free(dom[0]));
}

TEST(evtchn_send_on_unbound_port_is_enotconn)
{
	boot(2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, 0), -TESSERA_ENOTCONN);
	CHECK_EQ(page(dom[1])->pending, 0);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(dom[1]->early_events, 0);
	CHECK_PORT(dom[0], 0, EVTCHN_UNBOUND, 1, 0);
}

TEST(evtchn_send_on_closed_port_is_epipe)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[0]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, pa), 0);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_send, pb), -TESSERA_EPIPE);
	CHECK_EQ(page(dom[0])->pending, 0);
	CHECK(!dom[0]->vcpu.upcall);
	CHECK_PORT(dom[1], pb, EVTCHN_CLOSED, 0, pa);
}

TEST(evtchn_send_on_out_of_range_port_is_einval)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, TESSERA_EVTCHN_PORTS), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, (1ULL << 32) | (uint64_t)pa), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, (1ULL << 16) | (uint64_t)pa), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, ~0ULL), -TESSERA_EINVAL);
	CHECK_EQ(page(dom[1])->pending, 0);
	CHECK(!dom[1]->vcpu.upcall);
}

/* A flood costs nothing: after the first send, not one byte of state changes. */
TEST(evtchn_send_flood_changes_nothing_but_one_bit)
{
	static struct domain a_before, b_before;
	static uint8_t amem[MEM], bmem[MEM];
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[1]), 0);
	uint64_t free_before = frame_free_count();
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
	CHECK(dom[1]->vcpu.upcall);
	memcpy(&a_before, dom[0], sizeof(a_before));
	memcpy(&b_before, dom[1], sizeof(b_before));
	memcpy(amem, dom[0]->mem, MEM);
	memcpy(bmem, dom[1]->mem, MEM);
	for (unsigned i = 0; i < 100000; i++)
		if (hc1(dom[0], TESSERA_HC_evtchn_send, pa))
			test_fail(__FILE__, __LINE__, "send %u failed", i);
	CHECK(!memcmp(&a_before, dom[0], sizeof(a_before)));
	CHECK(!memcmp(&b_before, dom[1], sizeof(b_before)));
	CHECK(!memcmp(amem, dom[0]->mem, MEM));
	CHECK(!memcmp(bmem, dom[1]->mem, MEM));
	CHECK_EQ(frame_free_count(), free_before);
	CHECK_STREQ(sim_console(), "");
}

/* Before the page exists, a flood is one bit of early_events. */
TEST(evtchn_send_flood_before_page_is_one_early_bit)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	for (unsigned i = 0; i < 100000; i++)
		if (hc1(dom[0], TESSERA_HC_evtchn_send, pa))
			test_fail(__FILE__, __LINE__, "send %u failed", i);
	CHECK_EQ(dom[1]->early_events, 1ULL << pb);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
}

/* --- waking a halted domain ------------------------------------------------------- */

TEST(evtchn_send_wakes_a_blocked_peer)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[1]), 0);
	dom[1]->vcpu.blocked = true;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), 0);
	CHECK(!dom[1]->vcpu.blocked);
	CHECK(dom[1]->vcpu.upcall);
	CHECK(!dom[0]->vcpu.blocked);
}

/* A masked event does not wake; a new unmasked one does, even if the guest left
 * upcall_pending set (then no second upcall is requested). */
TEST(evtchn_masked_send_leaves_peer_blocked_unmasked_send_wakes_it)
{
	int64_t p1, q1, p2, q2;
	boot(2);
	connect(dom[0], dom[1], &p1, &q1);
	connect(dom[0], dom[1], &p2, &q2);
	CHECK_EQ(ev_setup(dom[1]), 0);
	page(dom[1])->mask = 1ULL << q1;
	dom[1]->vcpu.blocked = true;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p1), 0);
	CHECK(dom[1]->vcpu.blocked);
	CHECK(!dom[1]->vcpu.upcall);
	CHECK_EQ(page(dom[1])->pending, 1ULL << q1);
	page(dom[1])->mask = 0;
	page(dom[1])->upcall_pending = 1; /* an upcall is already on its way */
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p2), 0);
	CHECK(!dom[1]->vcpu.blocked);
	CHECK(!dom[1]->vcpu.upcall);
	dom[1]->vcpu.blocked = true; /* the same bit again: coalesced, nothing new */
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, p2), 0);
	CHECK(dom[1]->vcpu.blocked);
}

/* A close signals the other end, and so wakes it. */
TEST(evtchn_close_wakes_a_blocked_peer)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[1]), 0);
	dom[1]->vcpu.blocked = true;
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, pa), 0);
	CHECK(!dom[1]->vcpu.blocked);
	dom[1]->vcpu.blocked = true;
	page(dom[1])->upcall_pending = 0;
	page(dom[1])->pending = 0;
	/* and so does the death of a peer with a port waiting for it */
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_alloc, 0), 1);
	domain_destroy(dom[0]);
	CHECK(!dom[1]->vcpu.blocked);
	CHECK_EQ(page(dom[1])->pending, 1ULL << 1);
}

#define HALT(id) sim_script_exit_info(id, VEXIT_HALT, 0, 0x202)

static const char *order(void)
{
	static char s[SIM_TRACE_MAX + 1];
	uint32_t n = sim_trace_len();
	for (uint32_t i = 0; i < n; i++)
		s[i] = (char)('0' + sim_trace(i)->domid);
	s[n] = '\0';
	return s;
}

/* End to end: a halted domain sleeps until its peer's send, then runs again. */
TEST(evtchn_send_runs_a_halted_domain_again)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	sim_script_hcall(0, TESSERA_HC_evtchn_setup, PAGE_GPA, VEC, 0);
	HALT(0);
	sim_script_hcall(0, TESSERA_HC_exit, 0, 0, 0);
	sim_script_hcall(1, TESSERA_HC_yield, 0, 0, 0);
	sim_script_hcall(1, TESSERA_HC_evtchn_send, (uint64_t)pb, 0, 0);
	sim_script_hcall(1, TESSERA_HC_yield, 0, 0, 0);
	sim_script_hcall(1, TESSERA_HC_exit, 0, 0, 0);
	CHECK_EQ(sched_step(), SCHED_RAN); /* 0 registers its page and halts */
	CHECK(dom[0]->vcpu.blocked);
	CHECK_EQ(sched_step(), SCHED_RAN); /* 1 yields */
	CHECK_EQ(sched_step(), SCHED_RAN); /* 1 again (0 sleeps): sends, yields */
	CHECK_STREQ(order(), "00111");
	CHECK(!dom[0]->vcpu.blocked);
	CHECK_EQ(page(dom[0])->pending, 1ULL << pa);
	CHECK_EQ(sched_run(), SCHED_NONE_LEFT);
	CHECK_STREQ(order(), "0011101");
}

/* A send to a masked port does not: the halted domain sleeps on, and the core says so. */
TEST(evtchn_masked_send_does_not_run_a_halted_domain)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	page(dom[0])->mask = ~0ULL;
	sim_script_hcall(0, TESSERA_HC_evtchn_setup, PAGE_GPA, VEC, 0);
	HALT(0);
	sim_script_hcall(1, TESSERA_HC_yield, 0, 0, 0);
	sim_script_hcall(1, TESSERA_HC_evtchn_send, (uint64_t)pb, 0, 0);
	sim_script_hcall(1, TESSERA_HC_exit, 0, 0, 0);
	CHECK_EQ(sched_run(), SCHED_ALL_BLOCKED);
	CHECK_STREQ(order(), "00111");
	CHECK(dom[0]->vcpu.blocked);
	CHECK_EQ(dom[0]->state, DOMAIN_RUNNING);
	CHECK_EQ(page(dom[0])->pending, 1ULL << pa);
}

/* --- evtchn_close ------------------------------------------------------------------ */

TEST(evtchn_close_makes_other_end_closed_and_signals_it)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[0]), 0);
	CHECK_EQ(ev_setup(dom[1]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, pa), 0);
	CHECK(port_table_free(dom[0]));
	CHECK_PORT(dom[1], pb, EVTCHN_CLOSED, 0, pa);
	CHECK_EQ(page(dom[1])->pending, 1ULL << pb);
	CHECK_EQ(page(dom[1])->upcall_pending, 1);
	CHECK(dom[1]->vcpu.upcall);
	/* the closer is not signalled */
	CHECK_EQ(page(dom[0])->pending, 0);
	CHECK(!dom[0]->vcpu.upcall);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_send, pa), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_send, pb), -TESSERA_EPIPE);
	/* the closed end is freed by its own close */
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_close, pb), 0);
	CHECK(port_table_free(dom[1]));
	CHECK_EQ(page(dom[0])->pending, 0);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_close, pb), -TESSERA_EINVAL);
}

TEST(evtchn_close_of_free_or_out_of_range_port_is_einval)
{
	boot(1);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, 0), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, TESSERA_EVTCHN_PORTS - 1), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, TESSERA_EVTCHN_PORTS), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, 1ULL << 32), -TESSERA_EINVAL);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, ~0ULL), -TESSERA_EINVAL);
}

TEST(evtchn_close_of_unbound_port_frees_it_so_it_cannot_be_bound)
{
	boot(2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, 0), 0);
	CHECK(port_table_free(dom[0]));
	CHECK_EQ(hc2(dom[1], TESSERA_HC_evtchn_bind, 0, 0), -TESSERA_EPERM);
	CHECK(port_table_free(dom[1]));
}

/* A stale closed end must not reach the channel that reused the port number. */
TEST(evtchn_close_of_stale_end_leaves_reused_port_alone)
{
	int64_t pa, pb, pa2, pc;
	boot(3);
	connect(dom[0], dom[1], &pa, &pb);
	CHECK_EQ(ev_setup(dom[0]), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, pa), 0);
	connect(dom[0], dom[2], &pa2, &pc);
	CHECK_EQ(pa2, pa); /* the same number, now a channel with c */
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_close, pb), 0);
	CHECK_PORT(dom[0], pa, EVTCHN_BOUND, 2, pc);
	CHECK_PORT(dom[2], pc, EVTCHN_BOUND, 0, pa);
	CHECK_EQ(page(dom[0])->pending, 0);
	CHECK(!dom[0]->vcpu.upcall);
	CHECK_EQ(hc1(dom[2], TESSERA_HC_evtchn_send, pc), 0);
	CHECK_EQ(page(dom[0])->pending, 1ULL << pa);
}

/* --- destruction ------------------------------------------------------------------- */

TEST(evtchn_destroy_closes_peer_ends_and_ports_allocated_for_it)
{
	int64_t pa, pb, pb2, pc, pa2;
	boot(3);
	struct domain *a = dom[0], *b = dom[1], *c = dom[2];
	connect(a, b, &pa, &pb);
	pb2 = hc1(b, TESSERA_HC_evtchn_alloc, a->id); /* b waits for a */
	pc = hc1(c, TESSERA_HC_evtchn_alloc, a->id);  /* so does c */
	pa2 = hc1(a, TESSERA_HC_evtchn_alloc, c->id); /* a waits for c */
	CHECK(pb2 >= 0 && pc >= 0 && pa2 >= 0);
	CHECK_EQ(ev_setup(b), 0);
	CHECK_EQ(ev_setup(c), 0);
	CHECK_EQ(hc1(a, TESSERA_HC_exit, 0), 0);
	CHECK_EQ(a->state, DOMAIN_DEAD);
	CHECK(port_table_free(a));
	CHECK_PORT(b, pb, EVTCHN_CLOSED, a->id, pa);
	CHECK_EQ(b->ports[pb2].state, EVTCHN_CLOSED);
	CHECK_EQ(b->ports[pb2].remote_dom, a->id);
	CHECK_EQ(c->ports[pc].state, EVTCHN_CLOSED);
	CHECK_EQ(c->ports[pc].remote_dom, a->id);
	CHECK_EQ(page(b)->pending, (1ULL << pb) | (1ULL << pb2));
	CHECK_EQ(page(c)->pending, 1ULL << pc);
	CHECK(b->vcpu.upcall);
	CHECK(c->vcpu.upcall);
	CHECK_EQ(hc1(b, TESSERA_HC_evtchn_send, pb), -TESSERA_EPIPE);
	CHECK_EQ(hc1(b, TESSERA_HC_evtchn_send, pb2), -TESSERA_EPIPE);
	CHECK_EQ(hc1(c, TESSERA_HC_evtchn_send, pc), -TESSERA_EPIPE);
	CHECK_EQ(hc2(c, TESSERA_HC_evtchn_bind, a->id, pa2), -TESSERA_ESRCH);
	/* their closed ends close normally */
	CHECK_EQ(hc1(b, TESSERA_HC_evtchn_close, pb), 0);
	CHECK_EQ(hc1(b, TESSERA_HC_evtchn_close, pb2), 0);
	CHECK_EQ(hc1(c, TESSERA_HC_evtchn_close, pc), 0);
	CHECK(port_table_free(b));
	CHECK(port_table_free(c));
}

/* Channels between the survivors are not touched by someone else's death. */
TEST(evtchn_destroy_leaves_other_channels_alone)
{
	int64_t pb, pc, pa, pb2;
	boot(3);
	connect(dom[1], dom[2], &pb, &pc);
	connect(dom[0], dom[1], &pa, &pb2);
	CHECK_EQ(ev_setup(dom[2]), 0);
	domain_destroy(dom[0]);
	CHECK_PORT(dom[1], pb, EVTCHN_BOUND, 2, pc);
	CHECK_PORT(dom[2], pc, EVTCHN_BOUND, 1, pb);
	CHECK_PORT(dom[1], pb2, EVTCHN_CLOSED, 0, pa);
	CHECK_EQ(page(dom[2])->pending, 0);
	CHECK(!dom[2]->vcpu.upcall);
	CHECK_EQ(hc1(dom[1], TESSERA_HC_evtchn_send, pb), 0);
	CHECK_EQ(page(dom[2])->pending, 1ULL << pc);
}

/* A dying domain's loopback channel closes without signalling the dead domain itself. */
TEST(evtchn_destroy_with_loopback_channel_frees_it_and_signals_nobody)
{
	int64_t pa, pb;
	boot(2);
	connect(dom[0], dom[0], &pa, &pb);
	connect(dom[0], dom[1], &pa, &pb);
	domain_destroy(dom[0]);
	CHECK(port_table_free(dom[0]));
	CHECK_EQ(dom[0]->early_events, 0);
	CHECK(!dom[0]->vcpu.upcall);
	CHECK_PORT(dom[1], pb, EVTCHN_CLOSED, 0, pa);
	CHECK_EQ(dom[1]->early_events, 1ULL << pb);
}

/* --- the port table ---------------------------------------------------------------- */

TEST(evtchn_port_table_exhaustion_is_enospc_and_freed_ports_are_reused)
{
	boot(2);
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), i);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), -TESSERA_ENOSPC);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 0), -TESSERA_ENOSPC);
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		CHECK_PORT(dom[0], i, EVTCHN_UNBOUND, 1, 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, 40), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_close, 3), 0);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 3);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), 40);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_evtchn_alloc, 1), -TESSERA_ENOSPC);
	CHECK(port_table_free(dom[1]));
}

/* --- domain_lookup ----------------------------------------------------------------- */

#define NAME_GPA 0x180000ULL

static int64_t lookup_at(struct domain *d, uint64_t gpa, const void *s, size_t n)
{
	CHECK(gpa <= d->mem_size && n <= d->mem_size - gpa);
	memcpy(d->mem + gpa, s, n);
	return hc1(d, TESSERA_HC_domain_lookup, gpa);
}

static int64_t lookup(struct domain *d, const char *name)
{
	return lookup_at(d, NAME_GPA, name, strlen(name) + 1);
}

TEST(domain_lookup_finds_running_domain_by_name)
{
	boot(3);
	CHECK_EQ(lookup(dom[0], "a"), 0);
	CHECK_EQ(lookup(dom[0], "b"), 1);
	CHECK_EQ(lookup(dom[0], "c"), 2);
	CHECK_EQ(lookup(dom[2], "b"), 1);
	CHECK_EQ(lookup(dom[1], "b"), 1);
}

TEST(domain_lookup_of_unknown_or_dead_name_is_esrch)
{
	boot(3);
	CHECK_EQ(lookup(dom[0], "d"), -TESSERA_ESRCH);
	CHECK_EQ(lookup(dom[0], ""), -TESSERA_ESRCH);
	CHECK_EQ(lookup(dom[0], "bb"), -TESSERA_ESRCH);
	CHECK_EQ(lookup(dom[0], "B"), -TESSERA_ESRCH);
	domain_destroy(dom[1]);
	CHECK_EQ(lookup(dom[0], "b"), -TESSERA_ESRCH);
}

TEST(domain_lookup_matches_whole_names_only)
{
	machine_frames_init();
	struct domain *a = make_domain("alpha", MEM);
	make_domain("alphabet", MEM);
	CHECK_EQ(lookup(a, "alph"), -TESSERA_ESRCH);
	CHECK_EQ(lookup(a, "alpha"), 0);
	CHECK_EQ(lookup(a, "alphabet"), 1);
	CHECK_EQ(lookup(a, "alphabets"), -TESSERA_ESRCH);
	/* bytes after the NUL do not matter */
	CHECK_EQ(lookup_at(a, NAME_GPA, "alpha\0bet", 10), 0);
}

TEST(domain_lookup_of_15_char_name)
{
	machine_frames_init();
	struct domain *a = make_domain("a", MEM);
	make_domain("abcdefghijklmno", MEM);
	CHECK_EQ(lookup(a, "abcdefghijklmno"), 1);
	CHECK_EQ(lookup(a, "abcdefghijklmn"), -TESSERA_ESRCH);
}

TEST(domain_lookup_of_16_bytes_without_nul_is_einval)
{
	machine_frames_init();
	struct domain *a = make_domain("a", MEM);
	make_domain("abcdefghijklmno", MEM);
	CHECK_EQ(lookup_at(a, NAME_GPA, "abcdefghijklmnop", 16), -TESSERA_EINVAL);
	/* even when a longer string continues with a NUL later */
	CHECK_EQ(lookup_at(a, NAME_GPA, "abcdefghijklmnopq", 18), -TESSERA_EINVAL);
	/* a NUL as the 16th byte is a 15-character name */
	CHECK_EQ(lookup_at(a, NAME_GPA, "abcdefghijklmno", 16), 1);
}

TEST(domain_lookup_at_or_past_memory_end_is_efault)
{
	boot(2);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_domain_lookup, MEM), -TESSERA_EFAULT);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_domain_lookup, MEM + 1), -TESSERA_EFAULT);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_domain_lookup, dom[1]->mem_pa), -TESSERA_EFAULT);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_domain_lookup, 1ULL << 32), -TESSERA_EFAULT);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_domain_lookup, ~0ULL), -TESSERA_EFAULT);
	CHECK_EQ(hc1(dom[0], TESSERA_HC_domain_lookup, ~0ULL - 15), -TESSERA_EFAULT);
}

TEST(domain_lookup_of_string_ending_exactly_at_memory_end_succeeds)
{
	boot(2);
	CHECK_EQ(lookup_at(dom[0], MEM - 2, "b", 2), 1);
	CHECK_EQ(lookup_at(dom[0], MEM - 1, "", 1), -TESSERA_ESRCH);
}

TEST(domain_lookup_of_15_char_name_ending_exactly_at_memory_end_succeeds)
{
	machine_frames_init();
	struct domain *a = make_domain("a", MEM);
	make_domain("abcdefghijklmno", MEM);
	CHECK_EQ(lookup_at(a, MEM - 16, "abcdefghijklmno", 16), 1);
}

/* The string is not NUL-terminated inside guest memory: its end lies past memory. */
TEST(domain_lookup_of_unterminated_string_running_off_memory_end_is_efault)
{
	boot(3);
	CHECK_EQ(lookup_at(dom[0], MEM - 1, "b", 1), -TESSERA_EFAULT);
	CHECK_EQ(lookup_at(dom[0], MEM - 1, "c", 1), -TESSERA_EFAULT);
}
