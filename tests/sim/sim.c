/* The simulated machine layer for the hosted build (see sim.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include "sim.h"
#include <core/bootinfo.h>
#include <core/frame.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

uint8_t *sim_mem;

__attribute__((constructor)) static void sim_mem_map(void)
{
	/* Not a global array: LeakSanitizer would scan all of it after every test. */
	void *p = mmap(NULL, SIM_MEM_SIZE + PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || mprotect((uint8_t *)p + SIM_MEM_SIZE, PAGE_SIZE, PROT_NONE)) {
		perror("sim: mmap");
		abort();
	}
	sim_mem = p;
}

_Noreturn void sim_bad_phys(uint64_t pa)
{
	fprintf(stderr, "sim: physical address 0x%llx outside simulated memory\n",
		(unsigned long long)pa);
	abort();
}

const void *phys_map(uint64_t pa, uint64_t len)
{
	if (!range_within(pa, len, SIM_MEM_SIZE))
		return NULL;
	return sim_mem + pa;
}

void *sim_phys(uint64_t pa, uint64_t len)
{
	if (!range_within(pa, len, SIM_MEM_SIZE))
		sim_bad_phys(pa);
	return sim_mem + pa;
}

/* --- console and halt ---------------------------------------------------------- */

static char console_buf[1 << 18];
static size_t console_len;
static enum debug_exit_mode debug_exit;
static jmp_buf *halt_jmp;
static int halt_reason;

void arch_console_write(const char *s, size_t n)
{
	if (getenv("SIM_ECHO"))
		fwrite(s, 1, n, stderr);
	if (n > sizeof(console_buf) - 1 - console_len) {
		fprintf(stderr, "sim: console capture buffer full\n");
		abort();
	}
	memcpy(console_buf + console_len, s, n);
	console_len += n;
	console_buf[console_len] = '\0';
}

const char *sim_console(void)
{
	return console_buf;
}

void sim_console_reset(void)
{
	console_len = 0;
	console_buf[0] = '\0';
}

void arch_set_debug_exit(enum debug_exit_mode mode)
{
	debug_exit = mode;
}

enum debug_exit_mode sim_debug_exit_mode(void)
{
	return debug_exit != DEBUG_EXIT_OFF;
}

bool sim_debug_exit(void)
{
	return debug_exit;
}

_Noreturn void arch_halt(enum arch_halt_reason why)
{
	if (!halt_jmp) {
		fprintf(stderr, "sim: unexpected arch_halt(0x%x); console:\n%s\n", (unsigned)why,
			console_buf);
		abort();
	}
	halt_reason = (int)why;
	longjmp(*halt_jmp, 1);
}

void arch_selftest_trap(void)
{
	arch_halt(ARCH_HALT_EXCEPTION);
}

int sim_catch_halt(void (*fn)(void *), void *arg)
{
	jmp_buf jb, *prev = halt_jmp;
	halt_jmp = &jb;
	halt_reason = -1;
	if (!setjmp(jb))
		fn(arg);
	halt_jmp = prev;
	return halt_reason;
}

/* --- virtualization backend ------------------------------------------------------ */

struct sim_exit {
	struct vexit x;
	bool hcall, timer;
	uint64_t nr, a[3];
};

static struct {
	struct sim_exit q[SIM_QUEUE_MAX];
	uint32_t head, tail;
} queues[DOMAIN_MAX];
static struct sim_run trace[SIM_TRACE_MAX];
static bool timer_fired;
static uint32_t timer_arms;

/* One simulated CPU: every domain is placed on CPU 0. */
unsigned arch_cpu_count(void)
{
	return 1;
}

bool arch_cpu_online(unsigned cpu)
{
	return cpu == 0;
}

unsigned arch_cpu_this(void)
{
	return 0;
}

void arch_cpu_kick(unsigned cpu)
{
	(void)cpu;
}

void arch_cpu_idle(void)
{
	fprintf(stderr, "sim: the only CPU went idle with domains left; the scheduler is wrong\n");
	abort();
}

void arch_cpu_relax(void)
{
}

void arch_timer_arm(uint32_t usec)
{
	(void)usec;
	timer_arms++;
	timer_fired = false;
}

bool arch_timer_expired(void)
{
	bool t = timer_fired;
	timer_fired = false;
	return t;
}

uint32_t sim_timer_arms(void)
{
	return timer_arms;
}

static uint32_t ntrace, nruns;
struct sim_virt sim_virt;

void sim_reset(void)
{
	memset(queues, 0, sizeof(queues));
	memset(&sim_virt, 0, sizeof(sim_virt));
	memset(&sim_pci, 0, sizeof(sim_pci));
	ntrace = nruns = 0;
	timer_fired = false;
	timer_arms = 0;
	sim_console_reset();
}

static struct sim_exit *push(uint32_t domid)
{
	if (domid >= DOMAIN_MAX || queues[domid].tail >= SIM_QUEUE_MAX) {
		fprintf(stderr, "sim: exit queue of domain %u full\n", domid);
		abort();
	}
	struct sim_exit *e = &queues[domid].q[queues[domid].tail++];
	memset(e, 0, sizeof(*e));
	return e;
}

void sim_script_hcall(uint32_t domid, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct sim_exit *e = push(domid);
	e->x.reason = VEXIT_HYPERCALL;
	e->hcall = true;
	e->nr = nr;
	e->a[0] = a0;
	e->a[1] = a1;
	e->a[2] = a2;
}

void sim_script_exit(uint32_t domid, enum vexit_reason reason, uint64_t gpa, const char *what)
{
	struct sim_exit *e = push(domid);
	e->x.reason = reason;
	e->x.gpa = gpa;
	e->x.info = 0x5e;
	e->x.what = what;
}

void sim_script_exit_info(uint32_t domid, enum vexit_reason reason, uint64_t gpa, uint64_t info)
{
	struct sim_exit *e = push(domid);
	e->x.reason = reason;
	e->x.gpa = gpa;
	e->x.info = info;
}

void sim_script_timer(uint32_t domid)
{
	struct sim_exit *e = push(domid);
	e->x.reason = VEXIT_IGNORED;
	e->timer = true;
}

uint32_t sim_trace_len(void)
{
	return ntrace;
}

const struct sim_run *sim_trace(uint32_t i)
{
	return i < ntrace ? &trace[i] : NULL;
}

int virt_init(void)
{
	return sim_virt.fail_init;
}

const char *virt_name(void)
{
	return "sim";
}

int virt_cpu_init(void)
{
	return 0;
}

int virt_domain_init(struct domain *d)
{
	if (sim_virt.fail_domain_init)
		return sim_virt.fail_domain_init;
	/* Like nested page tables: core memory spent per domain, freed at teardown. */
	d->arch.page = frame_alloc(1, PAGE_SIZE);
	if (!d->arch.page)
		return -1;
	sim_virt.domain_inits++;
	return 0;
}

void virt_domain_teardown(struct domain *d)
{
	sim_virt.domain_teardowns++;
	if (!d->arch.page || frame_free(d->arch.page, 1))
		sim_virt.teardown_errors++;
	d->arch.page = 0;
}

int virt_grant_map(struct domain *d, uint32_t slot, uint64_t hpa, bool writable)
{
	if (sim_virt.fail_grant_map)
		return sim_virt.fail_grant_map;
	if (d->id >= DOMAIN_MAX || slot >= TESSERA_GRANT_SLOTS) {
		fprintf(stderr, "sim: grant map out of range\n");
		abort();
	}
	sim_virt.grant[d->id][slot] = (struct sim_grant){ true, writable, hpa };
	return 0;
}

void virt_grant_unmap(struct domain *d, uint32_t slot)
{
	if (d->id >= DOMAIN_MAX || slot >= TESSERA_GRANT_SLOTS || !sim_virt.grant[d->id][slot].mapped) {
		fprintf(stderr, "sim: unmap of a slot that is not mapped\n");
		abort();
	}
	sim_virt.grant[d->id][slot].mapped = false;
	sim_virt.grant_flushes++;
}

uint64_t virt_domain_overhead(const struct domain *d)
{
	(void)d;
	return SIM_DOMAIN_OVERHEAD;
}

int virt_vcpu_init(struct vcpu *v, uint64_t entry)
{
	if (sim_virt.fail_vcpu_init)
		return sim_virt.fail_vcpu_init;
	sim_virt.vcpu_inits++;
	sim_virt.last_entry = entry;
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rip = entry;
	v->arch.runs = 0;
	return 0;
}

void virt_guest_setup(struct domain *d)
{
	(void)d;
	sim_virt.guest_setups++;
}

void virt_vcpu_run(struct vcpu *v, struct vexit *x)
{
	uint32_t id = v->dom->id;
	struct sim_exit e = { .x = { .reason = VEXIT_ENTRY_FAILED, .what = "sim: script exhausted" } };

	if (++nruns > SIM_RUNS_MAX) {
		fprintf(stderr, "sim: more than %u vCPU runs; scheduler loops?\n", SIM_RUNS_MAX);
		abort();
	}
	if (id < DOMAIN_MAX && queues[id].head < queues[id].tail)
		e = queues[id].q[queues[id].head++];
	if (ntrace < SIM_TRACE_MAX)
		trace[ntrace++] = (struct sim_run){ id, v->regs.rax, e.x.reason, e.nr };
	v->arch.runs++;
	if (e.timer)
		timer_fired = true;
	if (e.hcall) {
		v->regs.rax = e.nr;
		v->regs.rdi = e.a[0];
		v->regs.rsi = e.a[1];
		v->regs.rdx = e.a[2];
		v->regs.rip += 3; /* past VMMCALL, as the backend contract says */
	}
	*x = e.x;
}
