/*
 * Measured launch: before any domain exists, the boot path, the command lines,
 * the policy and every domain image go into the TPM and the TCG event log, in the
 * order tessera/measure.h fixes (a verifier recomputes it from the artifacts).
 * Afterwards the log is read-only: eventlog_read copies it out. The TPM's
 * locality-0 page goes to the one domain started with tpm=1 that the policy
 * allows `device:assign` on the page's iomem label; the core never touches the
 * TPM again (main.c releases it before domains run).
 */
#include <core/avc.h>
#include <core/config.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/lib.h>
#include <core/measure.h>
#include <core/tlog.h>
#include <core/tpm.h>
#include <core/virt.h>
#include <tessera/errno.h>
#include <tessera/measure.h>
#include <tessera/policy.h>
#include <tessera/tcg.h>

/* Room for 72 modules' two events each in four banks (about 240 bytes an event). */
#define MEASURE_LOG_MAX (48u * 1024)

static uint8_t log_buf[MEASURE_LOG_MAX];
static struct tlog tlog;
static bool measured;
static int32_t tpm_owner = -1;

static int event(uint32_t pcr, uint32_t type, const void *p, size_t n, const char *desc)
{
	struct hash_digests d;
	int rc = tlog_measure(&tlog, pcr, type, p, n, desc, strlen(desc), &d);
	return rc ? rc : tpm_pcr_extend(pcr, &d);
}

static int separator(uint32_t pcr)
{
	struct hash_digests d;
	int rc = tlog_separator(&tlog, pcr, &d);
	return rc ? rc : tpm_pcr_extend(pcr, &d);
}

static int measure_modules(const struct boot_info *bi)
{
	char desc[48];
	const char *why = NULL;
	int rc = 0;
	for (uint32_t i = 0; !rc && i < bi->nmodules; i++) {
		ksnprintf(desc, sizeof(desc), TESSERA_EV_CMDLINE_MODULE "%u", i);
		rc = event(TESSERA_PCR_CONFIG, TCG_EV_IPL, bi->modules[i].cmdline,
			   strnlen(bi->modules[i].cmdline, BOOT_CMDLINE_MAX), desc);
	}
	/* The policy, then the images: whatever each module is, as the loader gave it. */
	for (uint32_t pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; !rc && i < bi->nmodules; i++) {
			const struct boot_module *m = &bi->modules[i];
			bool policy = config_module_is_policy(m->cmdline, &why) > 0;
			const void *bytes = phys_map(m->start, m->end - m->start);
			if (policy != (pass == 0))
				continue;
			if (!bytes)
				return -TESSERA_EFAULT;
			if (policy)
				rc = event(TESSERA_PCR_POLICY, TCG_EV_IPL, bytes, m->end - m->start,
					   TESSERA_EV_POLICY);
			else {
				ksnprintf(desc, sizeof(desc), TESSERA_EV_IMAGE_MODULE "%u", i);
				rc = event(TESSERA_PCR_IMAGES, TCG_EV_IPL, bytes, m->end - m->start, desc);
			}
		}
	}
	return rc;
}

int measure_boot(const struct boot_info *bi)
{
	char path[48];
	uint32_t banks = 0;
	int rc;
	for (uint32_t i = 0; i < tpm_bank_count(); i++)
		if (tpm_bank_get(i)->hash >= 0)
			banks |= 1u << tpm_bank_get(i)->hash;
	if (!tpm_bank_count())
		return 0; /* no TPM: tpm_boot said the boot is not measured */
	rc = tlog_init(&tlog, log_buf, sizeof(log_buf), banks);
	if (!rc) {
		ksnprintf(path, sizeof(path), TESSERA_EV_BOOT_PATH "%s%s", bi->loader,
			  bi->efi ? "-efi" : "");
		rc = event(TESSERA_PCR_CONFIG, TCG_EV_ACTION, path, strlen(path), path);
	}
	if (!rc)
		rc = event(TESSERA_PCR_CONFIG, TCG_EV_IPL, bi->cmdline,
			   strnlen(bi->cmdline, BOOT_CMDLINE_MAX), TESSERA_EV_CMDLINE_CORE);
	if (!rc)
		rc = measure_modules(bi);
	if (!rc)
		rc = separator(TESSERA_PCR_CONFIG);
	if (!rc)
		rc = separator(TESSERA_PCR_POLICY);
	if (!rc)
		rc = separator(TESSERA_PCR_IMAGES);
	if (rc) {
		kprintf("tessera: measure: failed (%d) after %u events\n", rc, tlog.events);
		return rc;
	}
	measured = true;
	kprintf("tessera: measure: %u events into PCRs %u, %u and %u; log %lu bytes\n", tlog.events,
		TESSERA_PCR_POLICY, TESSERA_PCR_CONFIG, TESSERA_PCR_IMAGES, (unsigned long)tlog.len);
	return 0;
}

int measure_tpm_assign(struct domain *d, const char **why)
{
	int32_t type = avc_label(TPOL_LABEL_IOMEM, TPM_PAGE);
	if (!measured) {
		*why = "tpm=1: the boot was not measured (no TPM in use)";
		return -TESSERA_ENODEV;
	}
	if (type < 0 || !avc_allowed(d->type, (uint32_t)type, TESSERA_CLASS_device,
				     TESSERA_PERMBIT(device, assign))) {
		*why = "tpm=1: the policy does not allow it (device assign on the TPM's iomem label)";
		return -TESSERA_EACCES;
	}
	if (tpm_owner >= 0 && domain_running((uint32_t)tpm_owner)) {
		*why = "tpm=1: another domain has the TPM";
		return -TESSERA_EBUSY;
	}
	if (virt_mmio_map(d, TPM_PAGE, 0x1000)) {
		*why = "tpm=1: the TPM's page could not be mapped";
		return -TESSERA_ENOMEM;
	}
	tpm_owner = (int32_t)d->id;
	kprintf("tessera: tpm: locality 0 handed to domain %s (id %u)\n", d->name, d->id);
	return 0;
}

int64_t hc_eventlog_read(struct vcpu *v, const struct hcall_ctx *hc)
{
	uint64_t gpa = hc->arg[0], len = hc->arg[1], off = hc->arg[2], n;
	if (!measured)
		return -TESSERA_ENODEV;
	if (off > tlog.len)
		return -TESSERA_EINVAL;
	n = tlog.len - off < len ? tlog.len - off : len;
	if (guest_copy_out(v->dom, gpa, log_buf + off, n))
		return -TESSERA_EFAULT;
	return (int64_t)n;
}
