/*
 * Round-robin scheduling. Each domain's vCPU is pinned to one physical CPU
 * (cpu= in its module line); each CPU runs its own vCPUs in turn. A vCPU runs
 * until it yields, blocks, ends, or its slice (SCHED_SLICE_US) runs out: the
 * slice timer's interrupt forces an exit, so a domain that never yields
 * cannot starve the others. A CPU with nothing to run sleeps until kicked.
 * Locking: see core/lock.h.
 */
#include <core/arch.h>
#include <core/avc.h>
#include <core/hypercall.h>
#include <core/iommu.h>
#include <core/irq.h>
#include <core/klog.h>
#include <core/lock.h>
#include <core/sched.h>
#include <core/vcpu.h>

struct spinlock core_lock;
static uint32_t sched_next[8];

/* Everything left is blocked: no CPU can make progress, and nothing will ever
 * wake them (no device interrupt is bound; there are no timers yet). */
static bool all_blocked(void)
{
	bool any = false;
	if (irq_any_bound())
		return false;
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		struct domain *d = domain_running(id);
		if (d && !d->vcpu.blocked)
			return false;
		any |= d != NULL;
	}
	return any;
}

/* With core_lock held: run one of this CPU's vCPUs for a turn. */
static enum sched_result step_locked(void)
{
	unsigned cpu = arch_cpu_this();
	uint32_t *next = &sched_next[cpu % 8];
	if (cpu == 0) /* device interrupts that woke it from idle */
		irq_deliver();
	klog_notify(); /* the console domain prints what was logged */
	for (uint32_t n = 0; n < DOMAIN_MAX; n++) {
		uint32_t id = (*next + n) % DOMAIN_MAX;
		struct domain *d = domain_running(id);
		struct vexit x;
		if (!d || d->vcpu.cpu != cpu || d->vcpu.blocked)
			continue;
		*next = (id + 1) % DOMAIN_MAX;
		d->vcpu.yielded = false;
		arch_timer_arm(SCHED_SLICE_US);
		while (d->state == DOMAIN_RUNNING && !d->vcpu.yielded && !d->vcpu.blocked) {
			spin_unlock(&core_lock);
			virt_vcpu_run(&d->vcpu, &x);
			spin_lock(&core_lock);
			vcpu_handle_exit(&d->vcpu, &x);
			if (cpu == 0) /* device interrupts taken in this exit's interrupt window */
				irq_deliver();
			if (arch_timer_expired()) {
				avc_audit_tick(d);
				if (cpu == 0) /* faults the IOMMU recorded reach the console within a slice */
					iommu_report_faults();
				break;
			}
		}
		return SCHED_RAN;
	}
	if (!domain_live_count())
		return SCHED_NONE_LEFT;
	return all_blocked() ? SCHED_ALL_BLOCKED : SCHED_IDLE;
}

enum sched_result sched_step(void)
{
	spin_lock(&core_lock);
	enum sched_result r = step_locked();
	spin_unlock(&core_lock);
	return r;
}

/* Run until nothing is left to run anywhere (or, for_ever, never return). */
static enum sched_result run(bool for_ever)
{
	enum sched_result r;
	spin_lock(&core_lock);
	for (;;) {
		r = step_locked();
		if (r == SCHED_RAN)
			continue;
		if (r != SCHED_IDLE && !for_ever)
			break;
		/* Only the boot CPU reports the end; make sure it looks. */
		if (r != SCHED_IDLE && arch_cpu_this() != 0)
			arch_cpu_kick(0);
		spin_unlock(&core_lock);
		arch_cpu_idle();
		spin_lock(&core_lock);
	}
	spin_unlock(&core_lock);
	return r;
}

enum sched_result sched_run(void)
{
	return run(false);
}

_Noreturn void sched_run_secondary(void)
{
	run(true);
	for (;;)
		arch_cpu_idle();
}

int64_t hc_yield(struct vcpu *v, const struct hcall_ctx *hc)
{
	(void)hc;
	v->yielded = true;
	return 0;
}
