/*
 * Round-robin scheduling of domains on one CPU. A domain runs until it
 * yields, ends, or its slice (SCHED_SLICE_US) runs out: the slice timer's
 * interrupt forces an exit, so a domain that never yields cannot starve
 * the others.
 */
#include <core/arch.h>
#include <core/hypercall.h>
#include <core/sched.h>
#include <core/vcpu.h>

static uint32_t sched_next;

enum sched_result sched_step(void)
{
	bool blocked = false;
	for (uint32_t n = 0; n < DOMAIN_MAX; n++) {
		uint32_t id = (sched_next + n) % DOMAIN_MAX;
		struct domain *d = domain_running(id);
		struct vexit x;
		if (!d)
			continue;
		if (d->vcpu.blocked) {
			blocked = true;
			continue;
		}
		sched_next = (id + 1) % DOMAIN_MAX;
		d->vcpu.yielded = false;
		arch_timer_arm(SCHED_SLICE_US);
		while (d->state == DOMAIN_RUNNING && !d->vcpu.yielded && !d->vcpu.blocked) {
			virt_vcpu_run(&d->vcpu, &x);
			vcpu_handle_exit(&d->vcpu, &x);
			if (arch_timer_expired())
				break;
		}
		return SCHED_RAN;
	}
	return blocked ? SCHED_ALL_BLOCKED : SCHED_NONE_LEFT;
}

enum sched_result sched_run(void)
{
	enum sched_result r;
	while ((r = sched_step()) == SCHED_RAN)
		;
	return r;
}

int64_t hc_yield(struct vcpu *v, const uint64_t *args)
{
	(void)args;
	v->yielded = true;
	return 0;
}
