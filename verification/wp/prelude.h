/*
 * Forced into every core file Frama-C reads (cpp.sh): the contracts of what the
 * proven code calls outside the proven set (assumed, not proven: each is listed
 * in verification/README.md), facts of bit arithmetic (proven on bit-vectors
 * by z3: bits.smt2), and the predicates the ACSL contracts in core/ are
 * written in. gcc never sees any of this.
 */
#ifndef VERIFY_PRELUDE_H
#define VERIFY_PRELUDE_H
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* The one overflow builtin the portable core uses, on uint64_t (unsigned long). */
#define __builtin_add_overflow(a, b, r) __builtin_uaddl_overflow(a, b, r)

/* --- C library, over bytes (libc in the hosted build, core/lib in the image) --- */
/*@ requires \valid((uint8_t *)dst + (0 .. n - 1));
    requires \valid_read((uint8_t *)src + (0 .. n - 1));
    requires \separated((uint8_t *)dst + (0 .. n - 1), (uint8_t *)src + (0 .. n - 1));
    assigns ((uint8_t *)dst)[0 .. n - 1] \from ((uint8_t *)src)[0 .. n - 1];
    assigns \result \from dst;
    ensures \result == dst; */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

/*@ requires \valid((uint8_t *)dst + (0 .. n - 1));
    assigns ((uint8_t *)dst)[0 .. n - 1] \from c;
    assigns \result \from dst;
    ensures \result == dst; */
void *memset(void *dst, int c, size_t n);

/*@ requires \valid_read(s + (0 .. max - 1));
    assigns \result \from s[0 .. max - 1];
    ensures \result <= max; */
size_t strnlen(const char *s, size_t max);

/* Names: both NUL-terminated (a domain's name is; the copy was checked with strnlen). */
/*@ assigns \nothing; */
int strcmp(const char *s1, const char *s2);

/*@ axiomatic Bits {
      // Unsigned AND and shifts, which the provers' integer theory does not know.
      axiom land_bound32: \forall uint32_t x, m; 0 <= (x & m) <= x && (x & m) <= m;
      axiom land_bound64: \forall uint64_t x, m; 0 <= (x & m) <= x && (x & m) <= m;
      axiom bit_set_nonzero: \forall uint64_t x; \forall integer k;
        0 <= k < 64 ==> ((x >> k) & 1) != 0 ==> x != 0;
    }
*/

/*@ assigns \nothing; */
static inline uint32_t tpol_av_hash(uint32_t source, uint32_t target, uint32_t cls);

#include <core/policy.h>
#include <core/domain.h>
#include <core/hypercall.h>
#include <core/pci.h>
#include <tessera/errno.h>

/* --- the machine layer and the rest of the core, as the proven code sees them --- */
/*@ assigns \nothing; ensures \result < ARCH_CPU_MAX; */
unsigned arch_cpu_this(void);
/*@ assigns \nothing; */
void arch_cpu_kick(unsigned cpu);
/*@ assigns \nothing; ensures \false; */
_Noreturn void panic(const char *fmt, ...);

/*@ axiomatic DomainTable {
      // The domain in slot id of the table (core/domain.c gives its definition).
      logic struct domain *dom_slot(integer id);
    }
*/

/* --- predicates -------------------------------------------------------------- */
/*@ predicate av_match(struct tpol_av *e, integer s, integer t, integer c) =
      e->flags != 0 && e->source == s && e->target == t && e->cls == c;

    // What policy_load leaves in a policy it accepted: a table of avmask + 1
    // readable slots and a probe bound; or no policy at all (hdr NULL).
    predicate policy_table(struct policy *p) =
      \valid_read(p) &&
      (p->hdr != \null ==> p->avmask < TPOL_AVTAB_SLOTS_MAX && p->probe <= TPOL_PROBE_MAX &&
                           \valid_read(p->avtab + (0 .. p->avmask)));

    // The policy has an entry for (s, t, c), and it grants the bits a.
    predicate policy_grants(struct policy *p, integer s, integer t, integer c, integer a) =
      p->hdr != \null && s < p->ntypes && t < p->ntypes && c < TESSERA_CLASS_COUNT &&
      \exists integer i; 0 <= i <= p->avmask && av_match(&p->avtab[i], s, t, c) &&
                         p->avtab[i].allowed == a;

    // Bit i of a bitmap of 64-bit words (core/frame.c).
    predicate bit_at(uint64_t *map, integer i) = ((map[i / 64] >> (i % 64)) & 1) != 0;

    predicate running(struct domain *d) = d->state == DOMAIN_RUNNING;

    // A domain's guest-physical [0, mem_size), as the core maps it.
    predicate guest_mem(struct domain *d) =
      \valid(d) && \valid(d->mem + (0 .. d->mem_size - 1)) &&
      \separated(d, d->mem + (0 .. d->mem_size - 1));

    // [gpa, gpa + len) is guest memory (mathematical integers: no wrap-around).
    predicate in_guest(struct domain *d, integer gpa, integer len) = gpa + len <= d->mem_size;

    logic struct tessera_event_page *event_page(struct domain *d) =
      (struct tessera_event_page *)(d->mem + d->event_gpa);

    // Every port's state is one of the four and names a port that exists.
    predicate ports_ok(struct domain *d) =
      \valid(d) && \forall integer i; 0 <= i < TESSERA_EVTCHN_PORTS ==>
        d->ports[i].state <= EVTCHN_CLOSED && d->ports[i].remote_port < TESSERA_EVTCHN_PORTS;

    // What the core keeps true of a domain's event state: ports as above and, once
    // registered, an event page inside its memory.
    predicate events_ok(struct domain *d) =
      ports_ok(d) &&
      (d->event_vector != 0 ==> in_guest(d, d->event_gpa, 4096) && \valid(event_page(d)) &&
                                \separated(event_page(d), d));

    predicate port_is(struct evtchn_port *p, integer state, integer rdom, integer rport) =
      p->state == state && p->remote_dom == rdom && p->remote_port == rport;

    predicate bound_to(struct domain *d, integer port) =
      0 <= port < TESSERA_EVTCHN_PORTS && d->ports[port].state == EVTCHN_BOUND;

    // The domain at the other end of d's port (meaningful while it is BOUND).
    logic struct domain *peer_of(struct domain *d, integer port) =
      dom_slot(d->ports[port].remote_dom);

    // Every running domain's event state is sound, and no event page overlaps a domain.
    predicate domains_ok =
      \forall integer i; 0 <= i < DOMAIN_MAX && running(dom_slot(i)) ==>
        events_ok(dom_slot(i)) &&
        \forall integer j; 0 <= j < DOMAIN_MAX ==> \separated(event_page(dom_slot(i)), dom_slot(j));

    // Ports of d other than those named by skip1 and skip2 are as they were at L.
    predicate ports_kept{L1, L2}(struct domain *d, integer skip1, integer skip2) =
      \forall integer i; 0 <= i < TESSERA_EVTCHN_PORTS && i != skip1 && i != skip2 ==>
        \at(d->ports[i].state, L1) == \at(d->ports[i].state, L2) &&
        \at(d->ports[i].remote_dom, L1) == \at(d->ports[i].remote_dom, L2) &&
        \at(d->ports[i].remote_port, L1) == \at(d->ports[i].remote_port, L2);
*/
/* Assumed (WP 25 stops with an internal error on this function): the name lookup
 * of NAME targets finds a running domain or nothing. */
/*@ requires \valid_read(d) && \valid(found) && \separated(found, d);
    assigns *found;
    ensures \result == 0 <==> *found != \null;
    ensures \result == 0 ==> running(*found); */
int64_t domain_find_by_name(const struct domain *d, uint64_t gpa, struct domain **found);

#endif
