/*
 * The hypercall fuzzer's entry (format: hcall.h): reset the machine, make the
 * header's domains, then play each record as the exit a guest would cause,
 * through vcpu_handle_exit as the scheduler calls it, with the record's faults
 * switched on. The model checks every hypercall; the invariants hold after
 * every record.
 */
#include "hcall.h"
#include "../../tests/sim/sim.h"
#include <core/avc.h>
#include <core/irq.h>
#include <core/klog.h>
#include <core/vcpu.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t fz_record_index;
static bool trace; /* FUZZ_TRACE=1: each hypercall's status on stderr */
static int64_t prev_status; /* the last hypercall's status (FZ_W_PREV) */

void fz_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hcall oracle, record %u: ", fz_record_index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_TRACE") != NULL;
	fz_machine_init();
	return 0;
}

static void hypercall(const struct fz_policy *p, struct domain *d, const struct fz_record *r,
		      const uint64_t arg[5])
{
	struct vexit x = { .reason = VEXIT_HYPERCALL };
	struct fz_before *b = fz_model_before(p, d, r->nr, arg);
	struct vcpu *v = &d->vcpu;
	v->regs.rax = r->nr;
	v->regs.rdi = arg[0];
	v->regs.rsi = arg[1];
	v->regs.rdx = arg[2];
	v->regs.r10 = arg[3];
	v->regs.r8 = arg[4];
	vcpu_handle_exit(v, &x);
	if (trace)
		fprintf(stderr, "record %u: domain %u hypercall %u -> %lld\n", fz_record_index, d->id,
			r->nr, (long long)v->regs.rax);
	fz_model_after(b, (int64_t)v->regs.rax);
	prev_status = (int64_t)v->regs.rax;
}

/* One record. */
static void play(const struct fz_policy *p, const struct fz_record *r, const uint8_t *data)
{
	struct domain *d = domain_running(r->caller % FZ_IDS);
	uint64_t arg[5], gpa = (uint64_t)r->off * 32;
	struct vexit x = { 0 };
	if (!d)
		return;
	if (r->len && gpa + r->len <= d->mem_size)
		memcpy(d->mem + gpa, data, r->len);
	fz_record_args(r, (uint64_t)prev_status, arg);
	if (fz_record_data_arg(r) >= 0)
		arg[fz_record_data_arg(r)] = gpa;
	prev_status = 0;
	fz_faults = r->faults;
	sim_virt.fail_grant_map = r->faults & FZ_X_GRANT_MAP ? -1 : 0;
	sim_pci.fail_ioport = sim_pci.fail_mmio_map = r->faults & FZ_X_IOPORT;
	sim_pci.fail_irq_route = r->faults & FZ_X_IRQ_ROUTE;
	sim_pci.fail_iommu_assign = r->faults & FZ_X_IOMMU;
	switch (r->kind % FZ_KINDS) {
	case FZ_K_FAULT: /* a nested page fault: in the grant window or anywhere */
		x = (struct vexit){ .reason = VEXIT_NESTED_FAULT, .gpa = arg[0] };
		vcpu_handle_exit(&d->vcpu, &x);
		break;
	case FZ_K_FORBIDDEN:
		x = (struct vexit){ .reason = VEXIT_FORBIDDEN, .what = "fuzz" };
		vcpu_handle_exit(&d->vcpu, &x);
		break;
	case FZ_K_HALT: /* gpa: an event is waiting; info: RFLAGS */
		x = (struct vexit){ .reason = VEXIT_HALT, .gpa = arg[0] & 1, .info = arg[1] };
		vcpu_handle_exit(&d->vcpu, &x);
		break;
	case FZ_K_IRQ: /* device interrupts arrive on these slots */
		sim_pci.irq_pending = (uint32_t)arg[0];
		irq_deliver();
		break;
	case FZ_K_TICK: /* a slice expired: the audit budget refills, the log owner hears */
		avc_audit_tick(d);
		klog_notify();
		break;
	default:
		hypercall(p, d, r, arg);
		break;
	}
	fz_faults = 0;
	sim_virt.fail_grant_map = 0;
	sim_pci.fail_ioport = sim_pci.fail_mmio_map = sim_pci.fail_irq_route = false;
	sim_pci.fail_iommu_assign = false;
	/* The console's capture is the sim's, not the core's: keep it from filling up. */
	sim_console_reset();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_header h;
	const struct fz_policy *p;
	size_t at = sizeof(h);
	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	p = &fz_policies[h.policy % FZ_POLICIES];
	fz_record_index = 0;
	prev_status = 0;
	fz_machine_reset(&h);
	fz_check_invariants(false);
	while (size - at >= FZ_RECORD_SIZE) {
		struct fz_record r;
		fz_record_decode(data + at, &r);
		at += FZ_RECORD_SIZE;
		if (r.len > size - at)
			r.len = (uint8_t)(size - at);
		fz_record_index++;
		play(p, &r, data + at);
		fz_check_invariants(false);
		at += r.len;
	}
	fz_check_invariants(true);
	return 0;
}
