/* Domains: creation from a checked image, destruction that scrubs and frees. */
#include <core/domain.h>
#include <core/console.h>
#include <core/elf.h>
#include <core/frame.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/lib.h>
#include <core/virt.h>
#include <arch/mm.h>
#include <tessera/errno.h>
#include <tessera/layout.h>

static struct domain domains[DOMAIN_MAX];

struct domain *domain_get(uint32_t id)
{
	if (id >= DOMAIN_MAX || domains[id].state == DOMAIN_FREE)
		return NULL;
	return &domains[id];
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
	rc = elf_check(img, img_size, dc->mem, &ei, why);
	if (rc)
		return rc;
	memset(d, 0, sizeof(*d));
	d->id = (uint32_t)(d - domains);
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

/* Memory is scrubbed before it can be reused: no data passes between domains. */
void domain_destroy(struct domain *d)
{
	if (d->state != DOMAIN_RUNNING)
		return;
	virt_domain_teardown(d);
	memset(d->mem, 0, d->mem_size);
	if (frame_free(d->mem_pa, d->mem_size / PAGE_SIZE))
		panic("domain %u: memory was not the allocator's", d->id);
	d->mem = NULL;
	d->state = DOMAIN_DEAD;
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
}

uint64_t domain_core_overhead(const struct domain *d)
{
	return sizeof(*d) + virt_domain_overhead(d);
}

int64_t hc_self_info(struct vcpu *v, const uint64_t *args)
{
	const struct domain *d = v->dom;
	struct tessera_self_info si;
	memset(&si, 0, sizeof(si));
	si.abi_version = TESSERA_ABI_VERSION;
	si.domid = d->id;
	si.mem_bytes = d->mem_size;
	si.vcpus = 1;
	memcpy(si.name, d->name, sizeof(si.name));
	return guest_copy_out(d, args[0], &si, sizeof(si));
}

int64_t hc_exit(struct vcpu *v, const uint64_t *args)
{
	struct domain *d = v->dom;
	d->exit_code = (int64_t)args[0];
	kprintf("tessera: domain %s (id %u) exited with code %ld\n", d->name, d->id,
		(long)d->exit_code);
	domain_destroy(d);
	return 0;
}
