/*
 * The simulated machine the hosted core runs on: physical memory is a
 * buffer, the console is a capture buffer, arch_halt returns to the test,
 * and the virtualization backend replays exits a test scripted per domain.
 */
#ifndef SIM_H
#define SIM_H
#include <core/domain.h>
#include <core/virt.h>
#include <core/arch.h>
#include <arch/mm.h>

/* Writable view of simulated physical memory; aborts the test when out of range. */
void *sim_phys(uint64_t pa, uint64_t len);

/* Console capture: everything the core printed since the last reset, NUL-terminated. */
const char *sim_console(void);
void sim_console_reset(void);
bool sim_debug_exit(void);
enum debug_exit_mode sim_debug_exit_mode(void);

/* Run fn(arg); returns the arch_halt reason if it halted, -1 if it returned. */
int sim_catch_halt(void (*fn)(void *), void *arg);

/* Scripted exits, one queue per domain id, consumed by virt_vcpu_run. */
#define SIM_QUEUE_MAX 64
#define SIM_TRACE_MAX 1024
/* Runaway guard: a scheduler that never stops aborts the test. */
#define SIM_RUNS_MAX 100000

void sim_script_hcall(uint32_t domid, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
void sim_script_exit(uint32_t domid, enum vexit_reason reason, uint64_t gpa, const char *what);
/* An exit with gpa and info set (e.g. VEXIT_HALT: gpa = event waiting, info = RFLAGS). */
void sim_script_exit_info(uint32_t domid, enum vexit_reason reason, uint64_t gpa, uint64_t info);
/* The slice timer fires while domid runs (an ignored exit, as a physical interrupt is). */
void sim_script_timer(uint32_t domid);
uint32_t sim_timer_arms(void);

/* One virt_vcpu_run call: which domain ran, RAX as it re-entered, the exit it took. */
struct sim_run {
	uint32_t domid;
	uint64_t rax_in;
	enum vexit_reason reason;
	uint64_t nr; /* hypercall number for VEXIT_HYPERCALL */
};
uint32_t sim_trace_len(void);
const struct sim_run *sim_trace(uint32_t i);

/* Backend behaviour and counters. */
struct sim_virt {
	int fail_init, fail_domain_init, fail_vcpu_init; /* returned by the hooks when non-zero */
	uint32_t domain_inits, domain_teardowns, guest_setups, vcpu_inits;
	uint32_t teardown_errors; /* teardown of a domain the backend did not set up */
	uint64_t last_entry;
	int fail_grant_map;
	uint32_t grant_flushes;
	/* The simulated grant window, per domain id and slot. */
	struct sim_grant {
		bool mapped, writable;
		uint64_t hpa;
	} grant[DOMAIN_MAX][TESSERA_GRANT_SLOTS];
};
extern struct sim_virt sim_virt;
#define SIM_DOMAIN_OVERHEAD PAGE_SIZE

/* PCI (tests/sim/pci.c): ECAM for segment 0, buses 0-1, and the simulated IOMMU. */
#define SIM_ECAM_BASE 0xb0000000ULL
#define SIM_ECAM_SIZE (2ULL << 20)
#define SIM_PCI_FNS 16
#define SIM_PCI_MAPS 64
struct sim_pci_fn {
	uint32_t sbdf;
	uint8_t cfg[4096];
	uint64_t bar_size[6]; /* ~0: the upper half of a 64-bit BAR */
	uint32_t dma_owner;   /* domain id + 1 the IOMMU lets it reach */
};
struct sim_map {
	uint32_t domid;
	uint64_t base, size;
};
struct sim_pci {
	uint32_t nfns, writes;
	struct sim_pci_fn fns[SIM_PCI_FNS];
	bool no_iommu, iommu_on, fail_mmio_map, fail_ioport, fail_iommu_assign;
	uint32_t nmaps, nports, iommu_domain_destroys;
	struct sim_map maps[SIM_PCI_MAPS], ports[SIM_PCI_MAPS];
	/* Interrupt remapping: entry slot routes device sbdf to vector (message: 0xfee00000, data slot). */
	bool fail_irq_route;
	uint32_t irq_unroutes;
	struct sim_irq_route {
		bool on;
		uint32_t sbdf;
		uint8_t vector;
	} irq_routes[ARCH_IRQ_VECTORS];
	uint32_t irq_pending; /* what arch_irq_pending returns (and clears) next */
};
extern struct sim_pci sim_pci;
struct sim_pci_fn *sim_pci_add(uint32_t sbdf, uint16_t vendor, uint16_t device, uint32_t class_rev);
/* BAR i at base (flags: 1 I/O, 4 64-bit memory, 8 prefetchable) of size bytes. */
void sim_pci_bar(struct sim_pci_fn *f, unsigned i, uint64_t base, uint64_t size, uint32_t flags);

/* Forget scripts, trace, counters, failure injection and console output. */
void sim_reset(void);
#endif
