/* The core's portable boot path: boot information -> domains -> scheduler. */
#include <core/acpi.h>
#include <core/avc.h>
#include <core/iommu.h>
#include <core/pci.h>
#include <core/bootinfo.h>
#include <core/config.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/frame.h>
#include <core/lock.h>
#include <core/main.h>
#include <core/measure.h>
#include <core/sched.h>
#include <core/tpm.h>
#include <core/virt.h>
#include <core/arch.h>
#include <tessera/hypercall.h>

static bool core_running;

/* Other CPUs wait here until the boot CPU has created the domains. */
static bool virt_ready;
static unsigned cpus_ready = 1;

_Noreturn void core_secondary_main(void)
{
	while (!__atomic_load_n(&virt_ready, __ATOMIC_ACQUIRE))
		arch_cpu_idle();
	spin_lock(&core_lock);
	if (virt_cpu_init())
		panic("cpu %u: virtualization could not be set up", arch_cpu_this());
	__atomic_add_fetch(&cpus_ready, 1, __ATOMIC_RELEASE);
	spin_unlock(&core_lock);
	while (!__atomic_load_n(&core_running, __ATOMIC_ACQUIRE))
		arch_cpu_idle();
	sched_run_secondary();
}

static void kick_others(void)
{
	for (unsigned cpu = 1; cpu < ARCH_CPU_MAX; cpu++)
		if (arch_cpu_online(cpu))
			arch_cpu_kick(cpu);
}

/*
 * Exactly one module is the policy, and it must validate: otherwise no
 * domain starts (fail closed) and the reason is on the console.
 */
static void load_policy(const struct boot_info *bi)
{
	const struct boot_module *found = NULL;
	const char *why = NULL;
	const void *buf;
	for (uint32_t i = 0; i < bi->nmodules; i++) {
		int rc = config_module_is_policy(bi->modules[i].cmdline, &why);
		if (rc <= 0)
			continue;
		if (found) {
			kprintf("tessera: policy rejected: more than one policy module; no domain will start\n");
			arch_halt(ARCH_HALT_NO_POLICY);
		}
		found = &bi->modules[i];
	}
	if (!found) {
		kprintf("tessera: no policy module (kind=policy); no domain will start\n");
		arch_halt(ARCH_HALT_NO_POLICY);
	}
	buf = phys_map(found->start, found->end - found->start);
	if (!buf)
		why = "module not addressable";
	if (!buf || avc_load(buf, found->end - found->start, &why)) {
		kprintf("tessera: policy rejected: %s; no domain will start\n", why);
		arch_halt(ARCH_HALT_NO_POLICY);
	}
	avc_describe(found->end - found->start);
}

/*
 * Devices: ACPI -> PCI functions -> the IOMMU, with every DMA blocked, before
 * any domain exists. Without ACPI, ECAM or an IOMMU the system still runs,
 * but no device can be assigned (pci_assign refuses) and the console says why.
 */
static void devices_init(const struct boot_info *bi)
{
	struct acpi_info ai;
	const char *why = NULL;
	if (acpi_scan(bi->rsdp, bi->rsdp_len, &ai, &why)) {
		kprintf("tessera: no ACPI tables (%s): no device can be assigned\n", why);
		return;
	}
	for (uint32_t i = 0; i < ai.nnotes && i < ACPI_NOTE_MAX; i++)
		kprintf("tessera: acpi: %s at 0x%lx ignored: %s\n", ai.notes[i].sig,
			(unsigned long)ai.notes[i].pa, ai.notes[i].why);
	kprintf("tessera: pci: %u functions\n", pci_init(&ai, bi));
	for (uint32_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *dev = pci_get(i);
		kprintf("tessera: pci " SBDF_FMT " %04x:%04x class %06x\n", SBDF_ARGS(dev->sbdf),
			dev->vendor, dev->device, dev->class_rev >> 8);
	}
	if (iommu_init(&ai, &why))
		kprintf("tessera: no IOMMU (%s): no device can be assigned\n", why);
	else
		kprintf("tessera: iommu %s: DMA remapping on, every device blocked\n", iommu_name());
}

static void start_module(const struct boot_module *m, uint32_t i)
{
	struct domain_config dc;
	struct domain *d;
	const char *why = NULL;
	const uint8_t *img = phys_map(m->start, m->end - m->start);
	int rc = config_module_is_policy(m->cmdline, &why);
	int32_t type;
	if (rc > 0)
		return;
	if (!rc)
		rc = config_parse_domain(m->cmdline, &dc, &why);
	if (!rc && !img) {
		rc = -1;
		why = "image not addressable";
	}
	if (!rc) {
		type = avc_domain_type(dc.name);
		if (type < 0) {
			rc = type;
			why = "the policy has no label for it (label domain NAME TYPE;)";
		} else {
			dc.type = (uint32_t)type;
		}
	}
	if (!rc)
		rc = domain_start(&dc, img, m->end - m->start, &d, &why);
	if (rc) {
		kprintf("tessera: module %u rejected: %s\n", i, why);
		return;
	}
	kprintf("tessera: domain %s (id %u) created: %lu MiB, core overhead %lu bytes, cpu %u, "
		"label %s\n", d->name, d->id, (unsigned long)(d->mem_size >> 20),
		(unsigned long)domain_core_overhead(d), d->vcpu.cpu, avc_type_name(d->type));
}

_Noreturn void core_main(struct boot_info *bi, uint64_t core_start, uint64_t core_end)
{
	struct core_config cc;
	const char *why = NULL;
	uint32_t started = 0;

	kprintf("tessera: core ABI %u.%u, booted by %s, %u memory regions, %u modules\n",
		TESSERA_ABI_MAJOR, TESSERA_ABI_MINOR, bi->loader, bi->nregions, bi->nmodules);
	int rc = config_parse_core(bi->cmdline, &cc, &why);
	arch_set_debug_exit(cc.debug_exit);
	if (rc) {
		kprintf("tessera: core command line rejected: %s\n", why);
		arch_halt(ARCH_HALT_BAD_BOOT);
	}
	if (cc.selftest_trap)
		arch_selftest_trap();
	if (bootinfo_check(bi, core_start, core_end, &why)) {
		kprintf("tessera: boot information rejected: %s\n", why);
		arch_halt(ARCH_HALT_BAD_BOOT);
	}
	if (frame_init(bi, core_start, core_end))
		panic("no usable memory");
	kprintf("tessera: %lu MiB free\n", (unsigned long)(frame_free_count() >> 8));
	if (virt_init()) {
		kprintf("tessera: no usable virtualization backend\n");
		arch_halt(ARCH_HALT_NO_DOMAINS);
	}
	kprintf("tessera: virtualization backend %s\n", virt_name());
	/* Every CPU sets up its own virtualization state before any domain exists. */
	__atomic_store_n(&virt_ready, true, __ATOMIC_RELEASE);
	kick_others();
	while (__atomic_load_n(&cpus_ready, __ATOMIC_ACQUIRE) < arch_cpu_count())
		arch_cpu_relax();
	devices_init(bi);
	if (tpm_boot(bi, &cc)) {
		kprintf("tessera: tpm: tpm=required and no TPM is usable; no domain will start\n");
		arch_halt(ARCH_HALT_NO_DOMAINS);
	}
	/* What the policy and the domains are made of, before the core reads any of it. */
	if (measure_boot(bi)) {
		if (cc.tpm == CONFIG_TPM_REQUIRED) {
			kprintf("tessera: measure: tpm=required and the boot could not be measured; no domain will start\n");
			arch_halt(ARCH_HALT_NO_DOMAINS);
		}
		kprintf("tessera: measure: boot is NOT measured\n");
	}
	load_policy(bi);
	spin_lock(&core_lock);
	for (uint32_t i = 0; i < bi->nmodules; i++)
		start_module(&bi->modules[i], i);
	spin_unlock(&core_lock);
	tpm_detach(); /* the TPM serves boot only: no domain runs while the core holds it */
	started = domain_live_count();
	if (!started) {
		kprintf("tessera: no domain to run\n");
		arch_halt(ARCH_HALT_NO_DOMAINS);
	}
	__atomic_store_n(&core_running, true, __ATOMIC_RELEASE);
	kick_others();
	if (sched_run() == SCHED_ALL_BLOCKED) {
		kprintf("tessera: every domain is blocked waiting for an event; none can come\n");
		arch_halt(ARCH_HALT_ALL_BLOCKED);
	}
	iommu_report_faults();
	kprintf("tessera: all domains ended\n");
	arch_halt(ARCH_HALT_DONE);
}
