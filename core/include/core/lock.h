/*
 * The core lock. Locking rule, the only one: every kernel object (domains,
 * vCPUs' scheduling state, event channels, grants, frames, console) is touched
 * only with core_lock held. A CPU holds it from each VM exit until just before
 * the next VM entry, and while idle it holds nothing. Guest memory is the
 * exception: the event page's words are updated with atomic operations.
 * Critical sections are short and never block, so a spinlock suffices.
 */
#ifndef CORE_LOCK_H
#define CORE_LOCK_H
#include <core/arch.h>

struct spinlock {
	int held;
};

extern struct spinlock core_lock;

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}
#endif
