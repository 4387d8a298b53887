#ifndef CORE_DOMAIN_H
#define CORE_DOMAIN_H
#include <core/types.h>
#include <core/avc.h>
#include <core/config.h>
#include <core/evtchn.h>
#include <tessera/device.h>
#include <core/grant.h>
#include <arch/vcpu.h>

#define DOMAIN_MAX 64

struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rsp, rflags;
};

enum domain_state { DOMAIN_FREE = 0, DOMAIN_RUNNING, DOMAIN_DEAD };

struct domain;
struct pci_dev;

struct vcpu {
	struct domain *dom;
	struct vcpu_regs regs;
	bool yielded;
	bool upcall;  /* an event upcall waits to be injected */
	bool blocked; /* halted with interrupts on: runs again when an event arrives */
	uint32_t cpu; /* pinned to this physical CPU */
	struct arch_vcpu arch;
};

struct domain {
	uint32_t id;
	uint32_t type; /* its label: a type of the boot policy */
	enum domain_state state;
	char name[TESSERA_NAME_MAX];
	uint64_t mem_pa;   /* host-physical base of guest-physical 0 */
	uint8_t *mem;      /* the same memory as the core sees it */
	uint64_t mem_size;
	int64_t exit_code;
	uint64_t event_gpa;    /* the event page, once registered */
	uint64_t early_events; /* signalled before the page was registered */
	uint8_t event_vector;
	uint64_t console_ref;  /* console_publish: its console ring's grant ... */
	uint32_t console_port; /* ... and the port it opened for the console domain */
	struct avc_audit audit; /* its denial records' rate limit */
	struct pci_dev *devs[TESSERA_DEVICES_MAX]; /* assigned at creation, in pci= order */
	uint32_t ndevs;
	/* What it was made from: a crashed domain with restarts left is made again from these. */
	struct domain_config cfg;
	const uint8_t *img; /* its boot module, which nothing else can write */
	uint64_t img_size;
	uint32_t restarts;
	struct vcpu vcpu;
	struct evtchn_port ports[TESSERA_EVTCHN_PORTS];
	struct grant_entry grants[TESSERA_GRANT_REFS];
	struct grant_slot slots[TESSERA_GRANT_SLOTS];
	struct arch_domain arch;
};

int domain_create(const struct domain_config *dc, const uint8_t *img, uint64_t img_size,
		  struct domain **out, const char **why);
/* domain_create, then its pci= devices; a domain that cannot have them all is destroyed. */
int domain_start(const struct domain_config *dc, const uint8_t *img, uint64_t img_size,
		 struct domain **out, const char **why);
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void domain_destroy(struct domain *d);
/* Make a crashed domain again if its restart= count allows (domain_crash calls it). */
void domain_restart(const struct domain *old);
/* Checked accessors: a domain that exists (running or dead), or NULL ... */
struct domain *domain_get(uint32_t id);
/* ... and one that is running, or NULL. */
struct domain *domain_running(uint32_t id);
uint32_t domain_live_count(void);
/* The running domain named by the string at guest-physical gpa of d (domain_lookup's rules). */
int64_t domain_find_by_name(const struct domain *d, uint64_t gpa, struct domain **found);
/* Core memory spent on a domain outside its own RAM, in bytes. */
uint64_t domain_core_overhead(const struct domain *d);
#endif
