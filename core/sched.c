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

bool sched_step(void)
{
	for (uint32_t n = 0; n < DOMAIN_MAX; n++) {
		uint32_t id = (sched_next + n) % DOMAIN_MAX;
		struct domain *d = domain_get(id);
		struct vexit x;
		if (!d || d->state != DOMAIN_RUNNING)
			continue;
		sched_next = (id + 1) % DOMAIN_MAX;
		d->vcpu.yielded = false;
		arch_timer_arm(SCHED_SLICE_US);
		while (d->state == DOMAIN_RUNNING && !d->vcpu.yielded) {
			virt_vcpu_run(&d->vcpu, &x);
			vcpu_handle_exit(&d->vcpu, &x);
			if (arch_timer_expired())
				break;
		}
		return true;
	}
	return false;
}

void sched_run(void)
{
	while (sched_step())
		;
}

int64_t hc_yield(struct vcpu *v, const uint64_t *args)
{
	(void)args;
	v->yielded = true;
	return 0;
}
