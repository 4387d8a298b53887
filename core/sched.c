/* Round-robin scheduling of domains on one CPU; a domain runs until it yields or ends. */
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
		while (d->state == DOMAIN_RUNNING && !d->vcpu.yielded) {
			virt_vcpu_run(&d->vcpu, &x);
			vcpu_handle_exit(&d->vcpu, &x);
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
