/* Domains: creation from a checked image, destruction that scrubs and frees. */
#include <core/domain.h>
#include <core/arch.h>
#include <core/console.h>
#include <core/klog.h>
#include <core/measure.h>
#include <core/elf.h>
#include <core/frame.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/iommu.h>
#include <core/pci.h>
#include <core/lib.h>
#include <core/virt.h>
#include <arch/mm.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

static struct domain domains[DOMAIN_MAX];
/*@ axiomatic DomainSlots { axiom dom_slot_def: \forall integer i; dom_slot(i) == &domains[i]; } */

/*@ assigns \nothing;
    ensures \result == \null || (id < DOMAIN_MAX && \result == dom_slot(id) && \result->state != DOMAIN_FREE); */
struct domain *domain_get(uint32_t id)
{
	if (id >= DOMAIN_MAX || domains[id].state == DOMAIN_FREE)
		return NULL;
	return &domains[id];
}

/*@ assigns \nothing;
    ensures \result == \null || (id < DOMAIN_MAX && \result == dom_slot(id) && running(\result)); */
struct domain *domain_running(uint32_t id)
{
	struct domain *d = domain_get(id);
	return d && d->state == DOMAIN_RUNNING ? d : NULL;
}

uint32_t domain_live_count(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < DOMAIN_MAX; i++)
		n += domains[i].state == DOMAIN_RUNNING;
	return n;
}

static struct domain *domain_slot(void)
{
	for (uint32_t i = 0; i < DOMAIN_MAX; i++)
		if (domains[i].state == DOMAIN_FREE)
			return &domains[i];
	return NULL;
}

int domain_create(const struct domain_config *dc, const uint8_t *img, uint64_t img_size,
		  struct domain **out, const char **why)
{
	struct elf_image ei;
	struct domain *d = domain_slot();
	int rc;

	if (!d) {
		*why = "too many domains";
		return -TESSERA_ENOSPC;
	}
	/* Names label console output (and, later, policy): they must be unique. */
	for (uint32_t i = 0; i < DOMAIN_MAX; i++) {
		if (domains[i].state == DOMAIN_RUNNING &&
		    !memcmp(domains[i].name, dc->name, sizeof(dc->name))) {
			*why = "a domain with this name is already running";
			return -TESSERA_EEXIST;
		}
	}
	if (!arch_cpu_online(dc->cpu)) {
		*why = "its cpu is not online";
		return -TESSERA_EINVAL;
	}
	rc = elf_check(img, img_size, dc->mem, &ei, why);
	if (rc)
		return rc;
	memset(d, 0, sizeof(*d));
	d->id = (uint32_t)(d - domains);
	d->console_ref = ~0ULL;
	d->console_port = ~0U;
	d->type = dc->type;
	d->cfg = *dc;
	d->img = img;
	d->img_size = img_size;
	memcpy(d->name, dc->name, sizeof(d->name));
	d->mem_size = dc->mem;
	d->mem_pa = frame_alloc(dc->mem / PAGE_SIZE, TESSERA_DOMAIN_MEM_ALIGN);
	if (!d->mem_pa) {
		*why = "out of memory for the domain";
		return -TESSERA_ENOMEM;
	}
	d->mem = phys_to_virt(d->mem_pa);
	memset(d->mem, 0, d->mem_size);
	virt_guest_setup(d);
	elf_load(&ei, img, d->mem);
	d->vcpu.dom = d;
	d->vcpu.cpu = dc->cpu;
	rc = virt_domain_init(d);
	if (rc) {
		*why = "could not build nested page tables";
		goto out_mem;
	}
	rc = virt_vcpu_init(&d->vcpu, ei.entry);
	if (rc) {
		*why = "could not set up the vCPU";
		virt_domain_teardown(d);
		goto out_mem;
	}
	d->state = DOMAIN_RUNNING;
	*out = d;
	return 0;
out_mem:
	memset(d->mem, 0, d->mem_size);
	frame_free(d->mem_pa, d->mem_size / PAGE_SIZE);
	memset(d, 0, sizeof(*d));
	return rc;
}

/* Scrub and free [first, end) frames of d, in runs that skip frames a peer still maps. */
static void domain_free_memory(struct domain *d)
{
	uint64_t frames = d->mem_size / PAGE_SIZE, run = 0;
	bool mapped = false;
	for (uint32_t i = 0; i < TESSERA_GRANT_REFS; i++)
		mapped |= d->grants[i].maps != 0;
	for (uint64_t f = 0; f <= frames; f++) {
		if (f < frames && !(mapped && grant_frame_in_use(d, f)))
			continue;
		if (f > run) {
			uint64_t pa = d->mem_pa + run * PAGE_SIZE, len = (f - run) * PAGE_SIZE;
			memset(phys_to_virt(pa), 0, len);
			if (frame_free(pa, f - run))
				panic("domain %u: memory was not the allocator's", d->id);
		}
		run = f + 1;
	}
}

/*
 * Order matters: the domain stops being findable, its channels close (peers
 * see them closed), its grant mappings go, then its memory is scrubbed and
 * freed, except frames others still map: those follow their last unmap.
 */
void domain_destroy(struct domain *d)
{
	if (d->state != DOMAIN_RUNNING)
		return;
	d->state = DOMAIN_DEAD;
	/* Its devices stop and lose DMA before any of its memory can be reused. */
	pci_domain_release(d);
	klog_domain_release(d);
	evtchn_domain_destroy(d);
	grant_domain_destroy(d);
	virt_domain_teardown(d);
	iommu_domain_destroy(d);
	domain_free_memory(d);
	d->mem = NULL;
	/* Other CPUs rescan: one may have been waiting for the last domain to end. */
	for (unsigned cpu = 0; cpu < ARCH_CPU_MAX; cpu++)
		if (cpu != arch_cpu_this() && arch_cpu_online(cpu))
			arch_cpu_kick(cpu);
}

int domain_start(const struct domain_config *dc, const uint8_t *img, uint64_t img_size,
		 struct domain **out, const char **why)
{
	int rc = domain_create(dc, img, img_size, out, why);
	if (!rc && (device_assign_config(*out, dc, why) || (dc->tpm && measure_tpm_assign(*out, why)))) {
		domain_destroy(*out);
		rc = -TESSERA_EINVAL;
	}
	return rc;
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char reason[128];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	kprintf("tessera: domain %s (id %u) destroyed: %s\n", d->name, d->id, reason);
	d->exit_code = -1;
	domain_destroy(d);
	domain_restart(d);
}

/*
 * A domain configured with restart=N comes back after a crash (not after a clean
 * exit) from the same boot image, with the same label and devices and a new id,
 * at most N times. Its clients see their channels close and find it again by name.
 */
void domain_restart(const struct domain *old)
{
	struct domain *d = NULL;
	const char *why = NULL;
	if (old->restarts >= old->cfg.restart)
		return;
	if (domain_start(&old->cfg, old->img, old->img_size, &d, &why)) {
		kprintf("tessera: domain %s could not be restarted: %s\n", old->name, why);
		return;
	}
	d->restarts = old->restarts + 1;
	kprintf("tessera: domain %s restarted as id %u (restart %u of %u)\n", d->name, d->id,
		d->restarts, d->cfg.restart);
	if (d->vcpu.cpu != arch_cpu_this())
		arch_cpu_kick(d->vcpu.cpu);
}

uint64_t domain_core_overhead(const struct domain *d)
{
	return sizeof(*d) + virt_domain_overhead(d);
}

int64_t hc_self_info(struct vcpu *v, const struct hcall_ctx *hc)
{
	const struct domain *d = v->dom;
	struct tessera_self_info si;
	memset(&si, 0, sizeof(si));
	si.abi_version = TESSERA_ABI_VERSION;
	si.domid = d->id;
	si.mem_bytes = d->mem_size;
	si.vcpus = 1;
	memcpy(si.name, d->name, sizeof(si.name));
	return guest_copy_out(d, hc->arg[0], &si, sizeof(si));
}

int64_t hc_domain_info(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct tessera_domain_info di;
	memset(&di, 0, sizeof(di));
	di.domid = hc->target->id;
	di.console_ref = hc->target->console_ref;
	di.console_port = hc->target->console_port;
	memcpy(di.name, hc->target->name, sizeof(di.name));
	return guest_copy_out(v->dom, hc->arg[1], &di, sizeof(di));
}

int64_t hc_exit(struct vcpu *v, const struct hcall_ctx *hc)
{
	struct domain *d = v->dom;
	d->exit_code = (int64_t)hc->arg[0];
	kprintf("tessera: domain %s (id %u) exited with code %ld\n", d->name, d->id,
		(long)d->exit_code);
	domain_destroy(d);
	return 0;
}

int64_t hc_version(struct vcpu *v, const struct hcall_ctx *hc)
{
	(void)v;
	(void)hc;
	return TESSERA_ABI_VERSION;
}

int64_t domain_find_by_name(const struct domain *d, uint64_t gpa, struct domain **found)
{
	char name[TESSERA_NAME_MAX + 1];
	uint64_t len = gpa < d->mem_size ? d->mem_size - gpa : 0;
	*found = NULL;
	if (!len)
		return -TESSERA_EFAULT;
	if (len > TESSERA_NAME_MAX)
		len = TESSERA_NAME_MAX;
	memset(name, 0, sizeof(name));
	if (guest_copy_in(d, name, gpa, len))
		return -TESSERA_EFAULT;
	/* The name must end inside the domain's memory, within 16 bytes. */
	if (strnlen(name, (size_t)len) == len)
		return len < TESSERA_NAME_MAX ? -TESSERA_EFAULT : -TESSERA_EINVAL;
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		struct domain *o = domain_running(id);
		if (o && !strcmp(o->name, name)) {
			*found = o;
			return 0;
		}
	}
	return -TESSERA_ESRCH;
}

/* hc->target was found by domain_find_by_name before the access check. */
int64_t hc_domain_lookup(struct vcpu *v, const struct hcall_ctx *hc)
{
	(void)v;
	return hc->target->id;
}
