/*
 * The machine every input starts from: the simulated memory map, a NIC on the
 * simulated PCI bus behind the simulated IOMMU, and (for measured inputs) a boot
 * measured into a small simulated TPM. It is made once; the core's static state
 * right after it is saved (fuzz/common/snapshot.h) and put back before each input,
 * which then loads its policy and makes its domains through the core's own paths.
 * Fault injection: the linker wraps frame_alloc and guest_copy_in/out (mk/fuzz.mk),
 * and the simulated backend's failure switches are set per record.
 */
#include "hcall.h"
#include "../common/snapshot.h"
#include "../../tests/unit/util.h"
#include <core/avc.h>
#include <core/frame.h>
#include <core/guest.h>
#include <core/iommu.h>
#include <core/measure.h>
#include <core/pci.h>
#include <core/tpm.h>
#include <stdlib.h>
#include <string.h>

uint8_t fz_faults;
uint32_t fz_domains_made;
static struct snapshot boot_plain, boot_measured;
static struct sim_pci pci_at_boot;
static struct img image;

uint64_t __real_frame_alloc(uint64_t count, uint64_t align);
uint64_t __wrap_frame_alloc(uint64_t count, uint64_t align);
uint64_t __wrap_frame_alloc(uint64_t count, uint64_t align)
{
	return fz_faults & FZ_X_FRAME ? 0 : __real_frame_alloc(count, align);
}

int __real_guest_copy_in(const struct domain *d, void *dst, uint64_t gpa, uint64_t len);
int __wrap_guest_copy_in(const struct domain *d, void *dst, uint64_t gpa, uint64_t len);
int __wrap_guest_copy_in(const struct domain *d, void *dst, uint64_t gpa, uint64_t len)
{
	return fz_faults & FZ_X_COPY_IN ? -TESSERA_EFAULT : __real_guest_copy_in(d, dst, gpa, len);
}

int __real_guest_copy_out(const struct domain *d, uint64_t gpa, const void *src, uint64_t len);
int __wrap_guest_copy_out(const struct domain *d, uint64_t gpa, const void *src, uint64_t len);
int __wrap_guest_copy_out(const struct domain *d, uint64_t gpa, const void *src, uint64_t len)
{
	return fz_faults & FZ_X_COPY_OUT ? -TESSERA_EFAULT : __real_guest_copy_out(d, gpa, src, len);
}

/* A TPM that starts, reports SHA-1 and SHA-256 banks, and takes every PCR_Extend. */
static void put(uint8_t *b, uint32_t *n, uint32_t v, unsigned bytes)
{
	while (bytes--)
		b[(*n)++] = (uint8_t)(v >> (8 * bytes));
}

static int tpm_xfer(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
		    const char **why)
{
	uint32_t cc = len >= 10 ? (uint32_t)cmd[6] << 24 | cmd[7] << 16 | cmd[8] << 8 | cmd[9] : 0;
	uint32_t n = 0;
	(void)why;
	if (max < 64)
		abort();
	put(rsp, &n, cc == 0x182 ? 0x8002 : 0x8001, 2);
	put(rsp, &n, 0, 4);
	put(rsp, &n, 0, 4);
	if (cc == 0x17a) { /* GetCapability(PCRS): sha1 and sha256, all 24 PCRs */
		put(rsp, &n, 0, 1);
		put(rsp, &n, 5, 4);
		put(rsp, &n, 2, 4);
		put(rsp, &n, 0x0004, 2);
		put(rsp, &n, 0x03ffffff, 4);
		put(rsp, &n, 0x000b, 2);
		put(rsp, &n, 0x03ffffff, 4);
	} else if (cc == 0x182) { /* PCR_Extend: an empty session area */
		put(rsp, &n, 0, 4);
		put(rsp, &n, 0, 2);
		put(rsp, &n, 1, 1);
		put(rsp, &n, 0, 2);
	}
	rsp[2] = (uint8_t)(n >> 24), rsp[3] = (uint8_t)(n >> 16), rsp[4] = (uint8_t)(n >> 8);
	rsp[5] = (uint8_t)n;
	*got = n;
	return 0;
}

static void tpm_close(void)
{
}

static const struct tpm_ops fz_tpm = { "fuzz", tpm_xfer, tpm_close };

/* Two modules in firmware memory (never allocated): a policy and an image. */
static void measure(void)
{
	static struct boot_info bi;
	size_t size;
	const uint8_t *pol = fz_policy_binary(0, &size);
	memset(&bi, 0, sizeof(bi));
	bi.loader = "multiboot2";
	strcpy(bi.cmdline, "tpm=required");
	memcpy(sim_phys(0x10000, size), pol, size);
	memcpy(sim_phys(0x40000, image.size), image.b, image.size);
	bi.modules[0] = (struct boot_module){ 0x10000, 0x10000 + size, "p.tpb kind=policy" };
	bi.modules[1] = (struct boot_module){ 0x40000, 0x40000 + image.size, "a.elf domain=a mem=2M" };
	bi.nmodules = 2;
	if (tpm_attach(&fz_tpm) || measure_boot(&bi))
		abort();
	tpm_detach();
}

void fz_machine_init(void)
{
	static struct acpi_info ai = { .nmcfg = 1, .mcfg = { { SIM_ECAM_BASE, 0, 0, 1 } } };
	const char *why = NULL;
	struct sim_pci_fn *f;
	uint16_t ctl = 0x80; /* MSI, 64-bit */
	sim_reset();
	img_default(&image);
	machine_frames_init();
	/* 00:03.0: a memory BAR, a 64-bit BAR, I/O ports, an MSI capability at 0x50 */
	f = sim_pci_add(FZ_NIC_SBDF, 0x1af4, 0x1041, 0x02000001);
	sim_pci_bar(f, 0, 0xfeb00000ULL, 0x1000, 0);
	sim_pci_bar(f, 1, 0xfe000000ULL, 0x4000, 4);
	sim_pci_bar(f, 3, 0xc000, 0x20, 1);
	f->cfg[0x06] = 0x10;
	f->cfg[0x34] = 0x50;
	f->cfg[0x50] = 0x05;
	f->cfg[0x51] = 0x60;
	memcpy(f->cfg + 0x52, &ctl, 2);
	f->cfg[0x60] = 0x09; /* a vendor capability a driver may write: 0x64-0x6f */
	f->cfg[0x62] = 0x10;
	if (pci_init(&ai, NULL) != 1 || iommu_init(&ai, &why))
		abort();
	pci_at_boot = sim_pci;
	snapshot_save(&boot_plain);
	measure();
	snapshot_save(&boot_measured);
}

/*
 * FZ_F_GEN_HIGH: every grant entry at generation 0xfffe, so the next offer of an entry
 * gives 0xffff and the one after wraps to 1. A reachable state: 65,534 rounds of
 * offering every entry to a peer and ending it leave the entries exactly so (inactive,
 * unmapped), but no input holds that many records.
 */
static void grant_gen_high(struct domain *d, const struct fz_header *h)
{
	for (uint32_t i = 0; (h->flags & FZ_F_GEN_HIGH) && i < TESSERA_GRANT_REFS; i++)
		d->grants[i].gen = 0xfffe;
}

static void make_domain_from(const struct fz_header *h, uint32_t i, const struct fz_policy *p)
{
	struct domain_config dc;
	struct domain *d;
	const char *why = NULL;
	int32_t type;
	memset(&dc, 0, sizeof(dc));
	strcpy(dc.name, fz_names[(h->dom[i] & FZ_D_NAME) % FZ_NAMES]);
	dc.mem = h->dom[i] & FZ_D_4M ? 4ULL << 20 : 2ULL << 20;
	dc.vcpus = 1;
	if (i == 0 && (h->flags & FZ_F_NIC))
		dc.devs[dc.ndevs++] = FZ_NIC_SBDF;
	if (i == 0 && (h->flags & FZ_F_RESTART))
		dc.restart = 2;
	dc.tpm = i == 1 && (h->flags & FZ_F_TPM);
	type = avc_domain_type(dc.name);
	if ((type < 0 ? -1 : type) != fz_model_domain_type(p, dc.name))
		fz_fail("domain %s: the core labels it %d, the policy says %d", dc.name, type,
			fz_model_domain_type(p, dc.name));
	if (type < 0)
		return; /* main.c rejects a domain the policy does not label */
	dc.type = (uint32_t)type;
	fz_faults = h->create_faults >> i & 1 ? FZ_X_FRAME : 0;
	if (!domain_start(&dc, image.b, image.size, &d, &why)) {
		fz_domains_made++;
		grant_gen_high(d, h);
	}
	fz_faults = 0;
}

void fz_machine_reset(const struct fz_header *h)
{
	const struct fz_policy *p = &fz_policies[h->policy % FZ_POLICIES];
	const char *why = NULL;
	size_t size;
	const uint8_t *bin = fz_policy_binary(h->policy % FZ_POLICIES, &size);
	snapshot_restore(h->flags & FZ_F_MEASURED ? &boot_measured : &boot_plain);
	memset(&sim_virt, 0, sizeof(sim_virt));
	sim_pci = pci_at_boot;
	sim_pci.iommu_on = !(h->flags & FZ_F_NO_IOMMU);
	sim_console_reset();
	fz_faults = 0;
	fz_domains_made = 0;
	if (avc_load(bin, size, &why))
		fz_fail("built-in policy %s rejected: %s", p->name, why);
	if (h->flags & FZ_F_MSIX) { /* its table in firmware memory, where nothing else lives */
		struct pci_dev *dev = pci_find(FZ_NIC_SBDF);
		dev->msix = 0x70;
		dev->msix_table = 0xa0000;
		dev->msix_table_size = 40 * 16; /* more entries than host vectors */
		memset(sim_phys(0xa0000, 40 * 16), 0, 40 * 16);
	}
	for (uint32_t i = 0; i < 1 + h->ndoms % FZ_DOMS_MAX; i++)
		make_domain_from(h, i, p);
}
