/* The round-robin scheduler and exit handling, driven by scripted exits of the simulated backend. */
#include "util.h"
#include <core/frame.h>
#include <core/sched.h>
#include <core/vcpu.h>
#include <tessera/errno.h>

#define MEM (2ULL << 20)
#define Y(id) sim_script_hcall(id, TESSERA_HC_yield, 0, 0, 0)
#define EXIT(id, code) sim_script_hcall(id, TESSERA_HC_exit, code, 0, 0)

static uint64_t free_at_start;

static void boot(unsigned n)
{
	static const char *names[] = { "a", "b", "c", "d" };
	machine_frames_init();
	free_at_start = frame_free_count();
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(make_domain(names[i], MEM)->id, i);
	sim_console_reset();
}

/* The domain ids of the trace, as a string of digits. */
static const char *order(void)
{
	static char s[SIM_TRACE_MAX + 1];
	uint32_t n = sim_trace_len();
	for (uint32_t i = 0; i < n; i++)
		s[i] = (char)('0' + sim_trace(i)->domid);
	s[n] = '\0';
	return s;
}

TEST(sched_yield_alternates_between_domains)
{
	boot(2);
	Y(0); Y(0); EXIT(0, 0);
	Y(1); Y(1); EXIT(1, 0);
	sched_run();
	CHECK_STREQ(order(), "010101");
	CHECK_EQ(domain_live_count(), 0);
}

TEST(sched_round_robin_skips_ended_domains)
{
	boot(3);
	Y(0); Y(0); Y(0); EXIT(0, 0);
	Y(1); EXIT(1, 0);
	Y(2); Y(2); EXIT(2, 0);
	sched_run();
	CHECK_STREQ(order(), "012012020");
}

/* A domain keeps the CPU across hypercalls that do not yield. */
TEST(sched_domain_runs_until_it_yields)
{
	boot(2);
	sim_script_hcall(0, TESSERA_HC_version, 0, 0, 0);
	sim_script_hcall(0, TESSERA_HC_self_info, 0x1fffff, 0, 0);
	Y(0);
	EXIT(0, 0);
	EXIT(1, 0);
	CHECK_EQ(sched_step(), SCHED_RAN);
	CHECK_STREQ(order(), "000");
	CHECK_EQ(sched_step(), SCHED_RAN);
	CHECK_STREQ(order(), "0001");
	CHECK_EQ(sched_step(), SCHED_RAN);
	CHECK_EQ(sched_step(), SCHED_NONE_LEFT);
	CHECK_STREQ(order(), "00010");
}

/* What a handler returns is in RAX when the guest runs again; RIP moves past the call. */
TEST(sched_hypercall_status_reaches_the_guest)
{
	boot(1);
	sim_script_hcall(0, TESSERA_HC_version, 0, 0, 0);
	sim_script_hcall(0, TESSERA_HC_self_info, ~0ULL, 0, 0);
	sim_script_hcall(0, 99, 0, 0, 0);
	Y(0);
	EXIT(0, 0);
	sched_run();
	CHECK_EQ(sim_trace_len(), 5);
	CHECK_EQ(sim_trace(1)->rax_in, TESSERA_ABI_VERSION);
	CHECK_EQ((int64_t)sim_trace(2)->rax_in, -TESSERA_EFAULT);
	CHECK_EQ((int64_t)sim_trace(3)->rax_in, -TESSERA_ENOSYS);
	CHECK_EQ((int64_t)sim_trace(4)->rax_in, 0);
}

TEST(sched_ignored_exit_resumes_the_same_domain)
{
	boot(2);
	sim_script_exit(0, VEXIT_IGNORED, 0, NULL);
	sim_script_exit(0, VEXIT_IGNORED, 0, NULL);
	Y(0);
	EXIT(0, 0);
	EXIT(1, 0);
	sched_run();
	CHECK_STREQ(order(), "00010");
	CHECK_STREQ(sim_console(), "tessera: domain b (id 1) exited with code 0\n"
				   "tessera: domain a (id 0) exited with code 0\n");
}

TEST(sched_nested_fault_destroys_only_that_domain)
{
	boot(2);
	Y(0);
	sim_script_exit(0, VEXIT_NESTED_FAULT, 0x200000, NULL);
	Y(1); Y(1); Y(1);
	EXIT(1, 5);
	sched_run();
	CHECK_STREQ(order(), "010111");
	CHECK_HAS(sim_console(),
		  "tessera: domain a (id 0) destroyed: nested page fault at gpa 0x200000 (rip 0x100013)\n");
	CHECK_HAS(sim_console(), "tessera: domain b (id 1) exited with code 5\n");
	CHECK_EQ(count_of(sim_console(), "destroyed"), 1);
	CHECK_EQ(domain_get(0)->exit_code, -1);
	CHECK_EQ(domain_get(1)->exit_code, 5);
	CHECK_EQ(frame_free_count(), free_at_start);
}

TEST(sched_forbidden_instruction_destroys_the_domain)
{
	boot(2);
	sim_script_exit(0, VEXIT_FORBIDDEN, 0, "hlt");
	Y(1);
	EXIT(1, 0);
	sched_run();
	CHECK_HAS(sim_console(),
		  "tessera: domain a (id 0) destroyed: forbidden instruction hlt at rip 0x100010\n");
	CHECK_EQ(domain_get(0)->state, DOMAIN_DEAD);
	CHECK_STREQ(order(), "011");
}

TEST(sched_triple_fault_destroys_the_domain)
{
	boot(2);
	Y(0);
	sim_script_exit(0, VEXIT_SHUTDOWN, 0, NULL);
	EXIT(1, 0);
	sched_run();
	CHECK_HAS(sim_console(), "tessera: domain a (id 0) destroyed: triple fault at rip 0x100013\n");
	CHECK_HAS(sim_console(), "tessera: domain b (id 1) exited with code 0\n");
	CHECK_EQ(frame_free_count(), free_at_start);
}

TEST(sched_entry_failure_destroys_the_domain)
{
	boot(2);
	sim_script_exit(1, VEXIT_ENTRY_FAILED, 0, "invalid guest state");
	Y(0);
	EXIT(0, 0);
	sched_run();
	CHECK_HAS(sim_console(),
		  "tessera: domain b (id 1) destroyed: vm entry failed: invalid guest state (0x5e)\n");
	CHECK_STREQ(order(), "010");
}

/* An exit reason the core does not know is treated as fatal for the domain. */
TEST(vcpu_unknown_exit_reason_destroys_the_domain)
{
	boot(1);
	struct domain *d = domain_get(0);
	struct vexit x = { .reason = (enum vexit_reason)77, .what = "?", .info = 77 };
	vcpu_handle_exit(&d->vcpu, &x);
	CHECK_EQ(d->state, DOMAIN_DEAD);
	CHECK_HAS(sim_console(), "destroyed: vm entry failed: ? (0x4d)");
}

TEST(sched_run_returns_when_every_domain_has_ended)
{
	boot(3);
	EXIT(0, 1);
	sim_script_exit(1, VEXIT_SHUTDOWN, 0, NULL);
	Y(2);
	sim_script_exit(2, VEXIT_NESTED_FAULT, 0x12345000, NULL);
	sched_run();
	CHECK_EQ(domain_live_count(), 0);
	CHECK_EQ(sched_step(), SCHED_NONE_LEFT);
	CHECK_EQ(sim_trace_len(), 4);
	CHECK_EQ(frame_free_count(), free_at_start);
	CHECK_EQ(sim_virt.domain_teardowns, 3);
	CHECK_EQ(sim_virt.teardown_errors, 0);
}

TEST(sched_step_without_domains_returns_false)
{
	machine_frames_init();
	CHECK_EQ(sched_step(), SCHED_NONE_LEFT);
	sched_run();
	CHECK_EQ(sim_trace_len(), 0);
}

/* The message a domain printed before it crashed stays intact. */
TEST(sched_console_output_then_crash_keeps_output_and_reason)
{
	boot(1);
	struct domain *d = domain_get(0);
	memcpy(d->mem + 0x180000, "dying\n", 6);
	sim_script_hcall(0, TESSERA_HC_console_write, 0x180000, 6, 0);
	sim_script_exit(0, VEXIT_NESTED_FAULT, 0x80000000, NULL);
	sched_run();
	CHECK_STREQ(sim_console(), "[a] dying\ntessera: domain a (id 0) destroyed: nested page fault "
				   "at gpa 0x80000000 (rip 0x100013)\n");
}

/* A domain that never yields loses the CPU when its slice timer fires. */
TEST(sched_slice_timer_preempts_a_domain_that_never_yields)
{
	boot(2);
	sim_script_hcall(0, TESSERA_HC_version, 0, 0, 0);
	sim_script_timer(0);
	sim_script_hcall(0, TESSERA_HC_version, 0, 0, 0);
	sim_script_timer(0);
	EXIT(0, 0);
	Y(1); Y(1); EXIT(1, 0);
	sched_run();
	CHECK_STREQ(order(), "00100101");
	CHECK_EQ(domain_live_count(), 0);
}

/* Every turn starts with a fresh slice, whether the last one ended by yield or timer. */
TEST(sched_arms_a_fresh_slice_for_every_turn)
{
	boot(2);
	sim_script_timer(0);
	EXIT(0, 0);
	Y(1); EXIT(1, 0);
	sched_run();
	CHECK_STREQ(order(), "0101");
	CHECK_EQ(sim_timer_arms(), 4);
}

#define HALT(id, rflags, pending) \
	sim_script_exit_info(id, VEXIT_HALT, pending, rflags)

/* HLT with interrupts off can never be woken: the domain is destroyed. */
TEST(sched_hlt_with_interrupts_off_destroys_the_domain)
{
	boot(1);
	HALT(0, 0x2, 0);
	CHECK_EQ(sched_run(), SCHED_NONE_LEFT);
	CHECK_HAS(sim_console(), "destroyed: HLT with interrupts disabled");
}

/* HLT with interrupts on blocks until an event; the others keep running. */
TEST(sched_hlt_blocks_until_an_event_wakes_the_domain)
{
	boot(2);
	HALT(0, 0x202, 0);
	EXIT(0, 0);
	Y(1);
	Y(1);
	CHECK_EQ(sched_step(), SCHED_RAN); /* 0 halts */
	CHECK(domain_get(0)->vcpu.blocked);
	CHECK_EQ(sched_step(), SCHED_RAN); /* 1 */
	CHECK_EQ(sched_step(), SCHED_RAN); /* 1 again: 0 is blocked */
	CHECK_STREQ(order(), "011");
	domain_get(0)->vcpu.upcall = true; /* what an event send does */
	domain_get(0)->vcpu.blocked = false;
	EXIT(1, 0);
	CHECK_EQ(sched_run(), SCHED_NONE_LEFT);
	CHECK_STREQ(order(), "01101");
}

/* An event already waiting in the hardware makes HLT return at once. */
TEST(sched_hlt_with_an_event_waiting_does_not_block)
{
	boot(1);
	HALT(0, 0x202, 1);
	EXIT(0, 0);
	CHECK_EQ(sched_run(), SCHED_NONE_LEFT);
	CHECK_STREQ(order(), "00");
}

TEST(sched_reports_when_every_domain_is_blocked)
{
	boot(2);
	HALT(0, 0x202, 0);
	HALT(1, 0x202, 0);
	CHECK_EQ(sched_run(), SCHED_ALL_BLOCKED);
	CHECK_EQ(domain_live_count(), 2);
}

/* An unmasked event left pending in the event page keeps a HLT from sleeping: the
 * upcall may already have been taken between the guest's sti and hlt. */
TEST(sched_hlt_with_an_event_left_pending_in_the_page_does_not_block)
{
	boot(1);
	struct domain *d = domain_get(0);
	struct tessera_event_page *page = (struct tessera_event_page *)(d->mem + 0x180000);
	d->event_gpa = 0x180000;
	d->event_vector = 0x40;
	page->pending = 1u << 3;
	HALT(0, 0x202, 0);
	EXIT(0, 0);
	CHECK_EQ(sched_run(), SCHED_NONE_LEFT);
	CHECK_STREQ(order(), "00");
}

TEST(sched_hlt_with_only_masked_events_pending_blocks)
{
	boot(1);
	struct domain *d = domain_get(0);
	struct tessera_event_page *page = (struct tessera_event_page *)(d->mem + 0x180000);
	d->event_gpa = 0x180000;
	d->event_vector = 0x40;
	page->pending = 1u << 3;
	page->mask = 1u << 3;
	HALT(0, 0x202, 0);
	CHECK_EQ(sched_run(), SCHED_ALL_BLOCKED);
}
