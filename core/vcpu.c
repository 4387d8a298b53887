/* What a vCPU exit means, whichever backend produced it. */
#include <core/console.h>
#include <core/hypercall.h>
#include <core/vcpu.h>

void vcpu_handle_exit(struct vcpu *v, const struct vexit *x)
{
	struct domain *d = v->dom;
	const char *why;
	switch (x->reason) {
	case VEXIT_HYPERCALL:
		hypercall_dispatch(v);
		break;
	case VEXIT_IGNORED:
		break;
	case VEXIT_NESTED_FAULT:
		why = grant_fault_reason(d, x->gpa);
		domain_crash(d, "%s at gpa 0x%lx (rip 0x%lx)", why ? why : "nested page fault",
			     (unsigned long)x->gpa, (unsigned long)v->regs.rip);
		break;
	case VEXIT_FORBIDDEN:
		domain_crash(d, "forbidden instruction %s at rip 0x%lx", x->what,
			     (unsigned long)v->regs.rip);
		break;
	case VEXIT_HALT:
		/* HLT waits for an event; with interrupts off nothing could ever wake it. */
		if (!(x->info & (1u << 9)))
			domain_crash(d, "HLT with interrupts disabled at rip 0x%lx",
				     (unsigned long)v->regs.rip);
		else if (!v->upcall && !x->gpa && !evtchn_pending(d))
			v->blocked = true;
		break;
	case VEXIT_SHUTDOWN:
		domain_crash(d, "triple fault at rip 0x%lx", (unsigned long)v->regs.rip);
		break;
	case VEXIT_ENTRY_FAILED:
	default:
		domain_crash(d, "vm entry failed: %s (0x%lx)", x->what, (unsigned long)x->info);
		break;
	}
}
