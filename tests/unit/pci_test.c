/* PCI: enumeration and BAR sizing over the simulated ECAM, assignment, and the device hypercalls. */
#include "util.h"
#include "policy_build.h"
#include <core/acpi.h>
#include <core/avc.h>
#include <core/frame.h>
#include <core/config.h>
#include <core/iommu.h>
#include <core/irq.h>
#include <core/pci.h>
#include <core/sched.h>
#include <tessera/errno.h>

#define MEM (2ULL << 20)
#define SBDF(b, d, f) ((uint32_t)(b) << 8 | (uint32_t)(d) << 3 | (uint32_t)(f))
#define BAR0 0xfeb00000ULL
#define BUF 0x3000ULL

static struct acpi_info ai = { .nmcfg = 1, .mcfg = { { SIM_ECAM_BASE, 0, 0, 1 } } };

/* 00:03.0: a 4 KiB memory BAR, a 64-bit 16 KiB BAR, 32 I/O ports, an MSI-X table in BAR 2. */
static struct sim_pci_fn *nic(void)
{
	struct sim_pci_fn *f = sim_pci_add(SBDF(0, 3, 0), 0x1af4, 0x1041, 0x02000001);
	sim_pci_bar(f, 0, BAR0, 0x1000, 0);
	sim_pci_bar(f, 1, 0xfe000000ULL, 0x4000, 4);
	sim_pci_bar(f, 3, 0xc000, 0x20, 1);
	f->cfg[0x04] = 0x03; /* firmware left I/O and memory decoding on */
	return f;
}

static void add_msix(struct sim_pci_fn *f, uint8_t at, uint32_t table_bar, uint32_t off, uint16_t entries)
{
	uint16_t ctl = (uint16_t)(entries - 1);
	uint32_t table = off | table_bar, pba = (off + 0x1000) | table_bar;
	f->cfg[0x06] |= 0x10;
	f->cfg[0x34] = at;
	f->cfg[at] = 0x11;
	f->cfg[at + 1] = 0;
	memcpy(f->cfg + at + 2, &ctl, 2);
	memcpy(f->cfg + at + 4, &table, 4);
	memcpy(f->cfg + at + 8, &pba, 4);
}

static struct domain *boot_one(void)
{
	const char *why = NULL;
	machine_frames_init();
	CHECK_EQ(iommu_init(&ai, &why), 0);
	return make_domain("drv", MEM);
}

TEST(pci_finds_functions_with_ids_and_class)
{
	nic();
	sim_pci_add(SBDF(1, 0, 0), 0x1234, 0x11e8, 0x00ff0010);
	CHECK_EQ(pci_init(&ai, NULL), 2);
	struct pci_dev *d = pci_find(SBDF(0, 3, 0));
	CHECK(d != NULL);
	CHECK_EQ(d->vendor, 0x1af4);
	CHECK_EQ(d->device, 0x1041);
	CHECK_EQ(d->class_rev, 0x02000001);
	CHECK_EQ(d->header, 0);
	CHECK(pci_find(SBDF(1, 0, 0)) != NULL);
	CHECK(pci_find(SBDF(0, 4, 0)) == NULL);
}

TEST(pci_sizes_memory_64bit_and_io_bars_and_restores_them)
{
	struct sim_pci_fn *f = nic();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct pci_dev *d = pci_find(SBDF(0, 3, 0));
	CHECK_EQ(d->bars[0].base, BAR0);
	CHECK_EQ(d->bars[0].size, 0x1000);
	CHECK_EQ(d->bars[0].flags, TESSERA_BAR_MEM);
	CHECK_EQ(d->bars[1].base, 0xfe000000ULL);
	CHECK_EQ(d->bars[1].size, 0x4000);
	CHECK_EQ(d->bars[1].flags, TESSERA_BAR_MEM | TESSERA_BAR_64);
	CHECK_EQ(d->bars[2].flags, 0); /* the upper half of BAR 1 */
	CHECK_EQ(d->bars[3].base, 0xc000);
	CHECK_EQ(d->bars[3].size, 0x20);
	CHECK_EQ(d->bars[3].flags, TESSERA_BAR_IO);
	CHECK_EQ(d->bars[4].flags, 0);
	/* The BARs hold their addresses again and decoding is back on. */
	CHECK_EQ(pci_config_read(d, 0x10, 4), (uint32_t)BAR0);
	CHECK_EQ(pci_config_read(d, 0x1c, 4), 0xc001);
	CHECK_EQ(f->cfg[0x04], 0x03);
}

TEST(pci_probes_other_functions_only_of_multifunction_devices)
{
	sim_pci_add(SBDF(0, 5, 0), 1, 1, 0);
	sim_pci_add(SBDF(0, 5, 1), 1, 2, 0); /* hidden: function 0 is single-function */
	struct sim_pci_fn *m = sim_pci_add(SBDF(0, 6, 0), 1, 3, 0);
	m->cfg[0x0e] = 0x80;
	sim_pci_add(SBDF(0, 6, 2), 1, 4, 0);
	CHECK_EQ(pci_init(&ai, NULL), 3);
	CHECK(pci_find(SBDF(0, 5, 1)) == NULL);
	CHECK(pci_find(SBDF(0, 6, 2)) != NULL);
}

TEST(pci_capability_loop_is_bounded)
{
	struct sim_pci_fn *f = nic();
	f->cfg[0x06] |= 0x10;
	f->cfg[0x34] = 0x40;
	f->cfg[0x40] = 0x09;
	f->cfg[0x41] = 0x40; /* points at itself */
	CHECK_EQ(pci_init(&ai, NULL), 1);
	CHECK_EQ(pci_find(SBDF(0, 3, 0))->msix, 0);
}

TEST(pci_assign_maps_memory_bars_opens_ports_and_dma)
{
	nic();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct domain *d = boot_one();
	struct pci_dev *dev = pci_find(SBDF(0, 3, 0));
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, dev, &why), 0);
	CHECK_EQ(sim_pci.nmaps, 2);
	CHECK_EQ(sim_pci.maps[0].base, BAR0);
	CHECK_EQ(sim_pci.maps[0].size, 0x1000);
	CHECK_EQ(sim_pci.maps[1].base, 0xfe000000ULL);
	CHECK_EQ(sim_pci.maps[1].size, 0x4000);
	CHECK_EQ(sim_pci.nports, 1);
	CHECK_EQ(sim_pci.ports[0].base, 0xc000);
	CHECK_EQ(sim_pci.ports[0].size, 0x20);
	CHECK_EQ(sim_pci.fns[0].dma_owner, d->id + 1);
	CHECK_EQ(d->ndevs, 1);
	CHECK(dev->bars[0].flags & TESSERA_BAR_MAPPED);
}

TEST(pci_assign_refuses_a_device_already_assigned)
{
	nic();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct domain *d = boot_one(), *e = make_domain("other", MEM);
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), 0);
	CHECK_EQ(pci_assign(e, pci_find(SBDF(0, 3, 0)), &why), -1);
	CHECK_STREQ(why, "the device is already assigned");
	CHECK_EQ(e->ndevs, 0);
}

TEST(pci_assign_refuses_bridges)
{
	struct sim_pci_fn *f = sim_pci_add(SBDF(0, 1, 0), 0x8086, 0x29c0, 0x06040000);
	f->cfg[0x0e] = 0x01;
	CHECK_EQ(pci_init(&ai, NULL), 1);
	const char *why = NULL;
	CHECK_EQ(pci_assign(boot_one(), pci_find(SBDF(0, 1, 0)), &why), -1);
	CHECK_STREQ(why, "not an endpoint (bridges stay with the core)");
}

TEST(pci_assign_refuses_without_an_iommu)
{
	nic();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	machine_frames_init();
	struct domain *d = make_domain("drv", MEM);
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), -1);
	CHECK_STREQ(why, "no IOMMU: the device's DMA could not be confined");
	CHECK_EQ(sim_pci.nmaps, 0);
}

TEST(pci_assign_refuses_a_bar_below_2_gib)
{
	struct sim_pci_fn *f = sim_pci_add(SBDF(0, 3, 0), 1, 1, 0);
	sim_pci_bar(f, 0, 0x7ff00000ULL, 0x1000, 0);
	CHECK_EQ(pci_init(&ai, NULL), 1);
	const char *why = NULL;
	CHECK_EQ(pci_assign(boot_one(), pci_find(SBDF(0, 3, 0)), &why), -1);
	CHECK_STREQ(why, "a memory BAR lies outside [2 GiB, 4 GiB)");
}

TEST(pci_assign_refuses_a_bar_sharing_a_page_with_another_function)
{
	struct sim_pci_fn *a = sim_pci_add(SBDF(0, 3, 0), 1, 1, 0);
	struct sim_pci_fn *b = sim_pci_add(SBDF(0, 4, 0), 1, 2, 0);
	sim_pci_bar(a, 0, BAR0, 0x100, 0);
	sim_pci_bar(b, 0, BAR0 + 0x800, 0x100, 0);
	CHECK_EQ(pci_init(&ai, NULL), 2);
	const char *why = NULL;
	CHECK_EQ(pci_assign(boot_one(), pci_find(SBDF(0, 3, 0)), &why), -1);
	CHECK_STREQ(why, "a memory BAR shares a page with another function's");
}

TEST(pci_assign_never_maps_the_msix_table)
{
	struct sim_pci_fn *f = sim_pci_add(SBDF(0, 3, 0), 1, 1, 0);
	sim_pci_bar(f, 0, BAR0, 0x4000, 0);
	add_msix(f, 0x40, 0, 0x1000, 4); /* table at +0x1000, PBA at +0x2000 */
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct pci_dev *dev = pci_find(SBDF(0, 3, 0));
	CHECK_EQ(dev->msix_table, BAR0 + 0x1000);
	const char *why = NULL;
	struct domain *d = boot_one();
	CHECK_EQ(pci_assign(d, dev, &why), -1); /* table and PBA in different pages */
	CHECK_STREQ(why, "MSI-X table and PBA apart in one BAR are not supported yet");
	/* The PBA in the table's page: one hole. */
	uint32_t pba = 0x1800;
	memcpy(f->cfg + 0x48, &pba, 4);
	CHECK_EQ(pci_init(&ai, NULL), 1);
	dev = pci_find(SBDF(0, 3, 0));
	CHECK_EQ(pci_assign(d, dev, &why), 0);
	for (uint32_t i = 0; i < sim_pci.nmaps; i++)
		CHECK(!ranges_overlap(sim_pci.maps[i].base, sim_pci.maps[i].size, BAR0 + 0x1000, 0x1000));
	CHECK_EQ(sim_pci.nmaps, 2);
	CHECK_EQ(sim_pci.maps[0].base, BAR0);
	CHECK_EQ(sim_pci.maps[1].base, BAR0 + 0x2000);
}

TEST(pci_destroying_the_domain_stops_the_device_and_blocks_its_dma)
{
	struct sim_pci_fn *f = nic();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct domain *d = boot_one();
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), 0);
	f->cfg[0x04] = 0x07; /* the driver turned bus mastering on */
	domain_crash(d, "test");
	CHECK_EQ(f->cfg[0x04], 0);
	CHECK_EQ(f->dma_owner, 0);
	CHECK_EQ(pci_find(SBDF(0, 3, 0))->owner, 0);
	CHECK_EQ(sim_pci.iommu_domain_destroys, 1);
	/* and it can be given to the next domain */
	CHECK_EQ(pci_assign(make_domain("next", MEM), pci_find(SBDF(0, 3, 0)), &why), 0);
}

/* --- the device hypercalls ------------------------------------------------------------ */

static struct domain *with_nic(struct sim_pci_fn **f)
{
	*f = nic();
	(*f)->cfg[0x06] |= 0x10;
	(*f)->cfg[0x34] = 0x50;
	(*f)->cfg[0x50] = 0x05; /* MSI */
	(*f)->cfg[0x51] = 0x60;
	(*f)->cfg[0x60] = 0x09; /* vendor-specific, 16 bytes */
	(*f)->cfg[0x61] = 0x00;
	(*f)->cfg[0x62] = 16;
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct domain *d = boot_one();
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), 0);
	pci_find(SBDF(0, 3, 0))->type = 1; /* dom_t of the allow-all policy: every device check passes */
	return d;
}

static int64_t cfg_write(struct domain *d, uint64_t off, uint64_t size, uint64_t val)
{
	return hcall(&d->vcpu, TESSERA_HC_dev_config_write, 0, off, size, val, 0);
}

TEST(dev_info_copies_ids_and_bars)
{
	struct sim_pci_fn *f;
	struct domain *d = with_nic(&f);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_info, 0, BUF, 0, 0, 0), 0);
	struct tessera_dev_info info;
	memcpy(&info, d->mem + BUF, sizeof(info));
	CHECK_EQ(info.sbdf, SBDF(0, 3, 0));
	CHECK_EQ(info.vendor, 0x1af4);
	CHECK_EQ(info.bars[0].base, BAR0);
	CHECK_EQ(info.bars[0].flags, TESSERA_BAR_MEM | TESSERA_BAR_MAPPED);
	CHECK_EQ(info.bars[3].flags, TESSERA_BAR_IO | TESSERA_BAR_MAPPED);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_info, 0, MEM - 8, 0, 0, 0), -TESSERA_EFAULT);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_info, 1, BUF, 0, 0, 0), -TESSERA_ENODEV);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_info, ~0ULL, BUF, 0, 0, 0), -TESSERA_ENODEV);
}

TEST(dev_info_without_devices_is_enodev)
{
	machine_frames_init();
	struct domain *d = make_domain("plain", MEM);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_info, 0, BUF, 0, 0, 0), -TESSERA_ENODEV);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 0, 4, 0, 0), -TESSERA_ENODEV);
}

TEST(dev_config_read_reads_any_aligned_register)
{
	struct sim_pci_fn *f;
	struct domain *d = with_nic(&f);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 0, 4, 0, 0), 0x10411af4);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 2, 2, 0, 0), 0x1041);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 0x10, 4, 0, 0), (int64_t)BAR0);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 1, 2, 0, 0), -TESSERA_EINVAL);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 0, 3, 0, 0), -TESSERA_EINVAL);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, 4096, 4, 0, 0), -TESSERA_EINVAL);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_dev_config_read, 0, ~0ULL - 3, 4, 0, 0), -TESSERA_EINVAL);
}

TEST(dev_config_write_keeps_bars_rom_msi_and_ids_out_of_reach)
{
	struct sim_pci_fn *f;
	struct domain *d = with_nic(&f);
	CHECK_EQ(cfg_write(d, 0x10, 4, 0x1000), -TESSERA_EPERM);
	CHECK_EQ(cfg_write(d, 0x14, 4, 0), -TESSERA_EPERM);
	CHECK_EQ(cfg_write(d, 0x30, 4, 0xfff00001), -TESSERA_EPERM);
	CHECK_EQ(cfg_write(d, 0x50, 4, 0xffffffff), -TESSERA_EPERM); /* MSI */
	CHECK_EQ(cfg_write(d, 0x54, 4, 0xfee00000), -TESSERA_EPERM);
	CHECK_EQ(cfg_write(d, 0x00, 4, 0), -TESSERA_EPERM);
	CHECK_EQ(cfg_write(d, 0x0f, 1, 0x40), -TESSERA_EPERM); /* BIST */
	CHECK_EQ(cfg_write(d, 0x100, 4, 0), -TESSERA_EPERM);   /* extended space */
	CHECK_EQ(cfg_write(d, 0x60, 1, 0), -TESSERA_EPERM);    /* a capability's header */
	CHECK_EQ(pci_config_read(pci_find(SBDF(0, 3, 0)), 0x10, 4), (uint32_t)BAR0);
}

TEST(dev_config_write_lets_the_driver_set_only_its_command_bits)
{
	struct sim_pci_fn *f;
	struct domain *d = with_nic(&f);
	CHECK_EQ(pci_config_read(pci_find(SBDF(0, 3, 0)), 0x04, 2), 0x0403); /* INTx off at assignment */
	CHECK_EQ(cfg_write(d, 0x04, 2, 0xffff), 0);
	CHECK_EQ(pci_config_read(pci_find(SBDF(0, 3, 0)), 0x04, 2), 0x0407);
	CHECK_EQ(cfg_write(d, 0x04, 2, 0), 0);
	CHECK_EQ(pci_config_read(pci_find(SBDF(0, 3, 0)), 0x04, 2), 0x0400); /* INTx stays off */
	CHECK_EQ(cfg_write(d, 0x04, 1, 7), -TESSERA_EPERM);
}

TEST(dev_config_write_reaches_vendor_capabilities_and_plain_registers)
{
	struct sim_pci_fn *f;
	struct domain *d = with_nic(&f);
	CHECK_EQ(cfg_write(d, 0x68, 4, 0x12345678), 0);
	CHECK_EQ(pci_config_read(pci_find(SBDF(0, 3, 0)), 0x68, 4), 0x12345678);
	CHECK_EQ(cfg_write(d, 0x6c, 4, 1), 0);
	CHECK_EQ(cfg_write(d, 0x70, 4, 1), -TESSERA_EPERM); /* past the capability */
	CHECK_EQ(cfg_write(d, 0x3c, 1, 11), 0);
	CHECK_EQ(cfg_write(d, 0x0d, 1, 0x40), 0);
	CHECK_EQ(cfg_write(d, 0x06, 2, 0xffff), 0);
}

TEST(dev_config_write_rejects_bad_sizes_offsets_and_values)
{
	struct sim_pci_fn *f;
	struct domain *d = with_nic(&f);
	CHECK_EQ(cfg_write(d, 0x04, 3, 0), -TESSERA_EINVAL);
	CHECK_EQ(cfg_write(d, 0x05, 2, 0), -TESSERA_EINVAL);
	CHECK_EQ(cfg_write(d, 0x3c, 1, 0x100), -TESSERA_EINVAL);
	CHECK_EQ(cfg_write(d, 0x04, 2, 0x10000), -TESSERA_EINVAL);
	CHECK_EQ(cfg_write(d, 0x04, 4, 1ULL << 32), -TESSERA_EINVAL);
	CHECK_EQ(cfg_write(d, 4096, 4, 0), -TESSERA_EINVAL);
}

/* --- pci= on the module line ---------------------------------------------------------- */

static int parse(const char *line, struct domain_config *dc)
{
	const char *why = NULL;
	return config_parse_domain(line, dc, &why);
}

TEST(config_pci_lists_functions_in_order)
{
	struct domain_config dc;
	CHECK_EQ(parse("domain=d mem=2M pci=00:03.0,01:1f.7,00ff:02:00.1", &dc), 0);
	CHECK_EQ(dc.ndevs, 3);
	CHECK_EQ(dc.devs[0], SBDF(0, 3, 0));
	CHECK_EQ(dc.devs[1], SBDF(1, 0x1f, 7));
	CHECK_EQ(dc.devs[2], 0xff0000 | SBDF(2, 0, 1));
}

TEST(config_pci_rejects_malformed_lists)
{
	static const char *bad[] = {
		"pci=", "pci=00:03", "pci=00:03.0,", "pci=,00:03.0", "pci=00:20.0", "pci=00:03.8",
		"pci=0:03.0", "pci=00:3.0", "pci=00:0A.0", "pci=0100:00:03.0", "pci=00:03.0,00:03.0",
		"pci=00:01.0,00:02.0,00:03.0,00:04.0,00:05.0,00:06.0,00:07.0,00:08.0,00:09.0",
		"pci=00-03.0", "pci=00:03:0", "pci=g0:03.0",
	};
	char line[256];
	struct domain_config dc;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "domain=d mem=2M %s", bad[i]);
		CHECK_EQ(parse(line, &dc), -TESSERA_EINVAL);
	}
}

TEST(pci_assign_refuses_a_bar_over_ram_ecam_or_the_chipset)
{
	static struct boot_info bi;
	static const uint64_t bases[] = { 0x90000000ULL, SIM_ECAM_BASE, 0xfed40000ULL, 0xfee00000ULL };
	memset(&bi, 0, sizeof(bi));
	bi.regions[0] = (struct boot_region){ 0x80000000ULL, 0x20000000ULL, BOOT_MEM_AVAILABLE };
	bi.nregions = 1;
	struct sim_pci_fn *f = sim_pci_add(SBDF(0, 3, 0), 1, 1, 0);
	struct domain *d = boot_one();
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		const char *why = NULL;
		sim_pci_bar(f, 0, bases[i], 0x1000, 0);
		CHECK_EQ(pci_init(&ai, &bi), 1);
		CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), -1);
		CHECK_STREQ(why, "a memory BAR overlaps RAM, ECAM or the chipset's registers");
	}
	CHECK_EQ(sim_pci.nmaps, 0);
}

/* --- restart= -------------------------------------------------------------------------- */

static struct domain *running(const char *name)
{
	for (uint32_t id = 0; id < DOMAIN_MAX; id++) {
		struct domain *d = domain_running(id);
		if (d && !strcmp(d->name, name))
			return d;
	}
	return NULL;
}

TEST(restart_brings_a_crashed_domain_back_at_most_n_times)
{
	machine_frames_init();
	uint64_t free0 = frame_free_count();
	struct domain *d = make_domain("drv", MEM);
	d->cfg.restart = 2;
	domain_crash(d, "first");
	struct domain *d2 = running("drv");
	CHECK(d2 != NULL);
	CHECK(d2 != d);
	CHECK_EQ(d2->restarts, 1);
	CHECK_HAS(sim_console(), "tessera: domain drv restarted as id 1 (restart 1 of 2)\n");
	domain_crash(d2, "second");
	struct domain *d3 = running("drv");
	CHECK(d3 != NULL);
	CHECK_EQ(d3->id, 2);
	domain_crash(d3, "third");
	CHECK(running("drv") == NULL);
	CHECK_EQ(count_of(sim_console(), "restarted as"), 2);
	CHECK_EQ(frame_free_count(), free0);
}

TEST(restart_does_not_follow_a_clean_exit)
{
	machine_frames_init();
	struct domain *d = make_domain("drv", MEM);
	d->cfg.restart = 5;
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_exit, 0, 0, 0, 0, 0), 0);
	CHECK(running("drv") == NULL);
	CHECK_NOT_HAS(sim_console(), "restarted");
}

/* The allow-all policy and a label for 00:03.0 that dom_t may be given (dev: its permissions). */
static void load_device_policy_with(uint32_t dev)
{
	static struct pb b;
	static uint8_t *bin;
	size_t size;
	const char *why = NULL;
	pb_init(&b);
	uint32_t core = pb_type(&b, "core_t", 0), dom = pb_type(&b, "dom_t", 0), nic_t = pb_type(&b, "nic_t", 0);
	pb_label(&b, TPOL_LABEL_CORE, core, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN_DEFAULT, dom, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DEVICE, nic_t, NULL, SBDF(0, 3, 0), SBDF(0, 3, 0));
	pb_allow(&b, dom, core, TESSERA_CLASS_core, tessera_class_mask(TESSERA_CLASS_core));
	pb_allow(&b, dom, dom, TESSERA_CLASS_domain, tessera_class_mask(TESSERA_CLASS_domain));
	pb_allow(&b, dom, nic_t, TESSERA_CLASS_device, dev);
	bin = pb_emit(&b, &size);
	avc_reset();
	CHECK_EQ(avc_load(bin, size, &why), 0);
}

static void load_device_policy(void)
{
	load_device_policy_with(tessera_class_mask(TESSERA_CLASS_device));
}

TEST(restart_gives_a_driver_domain_its_device_back)
{
	load_device_policy();
	struct sim_pci_fn *f = nic();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct domain *d = boot_one();
	d->cfg.restart = 1;
	d->cfg.ndevs = 1;
	d->cfg.devs[0] = SBDF(0, 3, 0);
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), 0);
	f->cfg[0x04] = 0x07;
	domain_crash(d, "driver bug");
	struct domain *d2 = running("drv");
	CHECK(d2 != NULL);
	CHECK_EQ(d2->ndevs, 1);
	CHECK(d2->devs[0] == pci_find(SBDF(0, 3, 0)));
	CHECK_EQ(f->dma_owner, d2->id + 1);
	CHECK_EQ(f->cfg[0x04] & 0x04, 0); /* bus mastering was stopped in between */
}

TEST(device_assign_config_needs_a_label_and_the_policy_s_permission)
{
	load_device_policy();
	nic();
	sim_pci_add(SBDF(0, 4, 0), 0x1234, 0x11e8, 0);
	CHECK_EQ(pci_init(&ai, NULL), 2);
	struct domain *d = boot_one();
	struct domain_config dc = d->cfg;
	const char *why = NULL;
	dc.ndevs = 1;
	dc.devs[0] = SBDF(0, 4, 0);
	CHECK_EQ(device_assign_config(d, &dc, &why), -1);
	CHECK_STREQ(why, "device 0000:00:04.0: the policy has no label for it (label device ...)");
	dc.devs[0] = SBDF(0, 9, 0);
	CHECK_EQ(device_assign_config(d, &dc, &why), -1);
	CHECK_STREQ(why, "device 0000:00:09.0: no such PCI function");
	d->type = 0; /* core_t: not allowed device assign */
	dc.devs[0] = SBDF(0, 3, 0);
	CHECK_EQ(device_assign_config(d, &dc, &why), -1);
	CHECK_STREQ(why, "device 0000:00:03.0: the policy does not allow it (device assign)");
	d->type = 1;
	CHECK_EQ(device_assign_config(d, &dc, &why), 0);
	CHECK_EQ(d->ndevs, 1);
}

/* A vendor capability whose claimed length covers the MSI capability gives no write access at all. */
TEST(dev_config_write_refuses_a_vendor_capability_that_claims_the_msi_registers)
{
	struct sim_pci_fn *f = nic();
	uint16_t ctl = 0x0180; /* 64-bit with per-vector masking: 24 bytes */
	f->cfg[0x06] |= 0x10;
	f->cfg[0x34] = 0x40;
	f->cfg[0x40] = 0x09;
	f->cfg[0x41] = 0x50;
	f->cfg[0x42] = 0x40; /* "64 bytes": over the MSI capability at 0x50 */
	f->cfg[0x50] = 0x05;
	f->cfg[0x51] = 0x00;
	memcpy(f->cfg + 0x52, &ctl, 2);
	load_device_policy();
	CHECK_EQ(pci_init(&ai, NULL), 1);
	struct domain *d = boot_one();
	const char *why = NULL;
	CHECK_EQ(pci_assign(d, pci_find(SBDF(0, 3, 0)), &why), 0);
	pci_find(SBDF(0, 3, 0))->type = 2; /* nic_t */
	CHECK_EQ(cfg_write(d, 0x54, 4, 0xfee00000), -TESSERA_EPERM);
	CHECK_EQ(cfg_write(d, 0x44, 4, 0), -TESSERA_EPERM);
	CHECK_EQ(pci_config_read(pci_find(SBDF(0, 3, 0)), 0x54, 4), 0);
}

/* --- device interrupts as events ------------------------------------------------------ */

#define MSI_CAP 0x50
#define PORT 3

/* with_nic's MSI made 64-bit; port PORT of d opened (unbound, for itself). */
static struct domain *with_msi(struct sim_pci_fn **f)
{
	struct domain *d = with_nic(f);
	(*f)->cfg[MSI_CAP + 2] = 0x80;
	d->ports[PORT] = (struct evtchn_port){ EVTCHN_UNBOUND, 0, d->id };
	return d;
}

static uint32_t cfg32(const struct sim_pci_fn *f, unsigned off)
{
	uint32_t v;
	memcpy(&v, f->cfg + off, 4);
	return v;
}

static int64_t irq_bind(struct domain *d, uint64_t entry, uint64_t port)
{
	return hcall(&d->vcpu, TESSERA_HC_dev_irq_bind, 0, entry, port, 0, 0);
}

static int64_t irq_unbind(struct domain *d, uint64_t entry)
{
	return hcall(&d->vcpu, TESSERA_HC_dev_irq_unbind, 0, entry, 0, 0, 0);
}

TEST(dev_irq_bind_routes_the_msi_and_the_core_programs_it)
{
	struct sim_pci_fn *f;
	struct domain *d = with_msi(&f);
	CHECK_EQ(irq_bind(d, 0, PORT), 0);
	CHECK(sim_pci.irq_routes[0].on);
	CHECK_EQ(sim_pci.irq_routes[0].sbdf, SBDF(0, 3, 0));
	CHECK_EQ(sim_pci.irq_routes[0].vector, ARCH_IRQ_VECTOR_BASE);
	CHECK_EQ(f->cfg[MSI_CAP + 2] & 0x71, 0x01); /* enabled, one message */
	CHECK_EQ(cfg32(f, MSI_CAP + 4), 0xfee00000u);
	CHECK_EQ(cfg32(f, MSI_CAP + 8), 0);
	CHECK_EQ(cfg32(f, MSI_CAP + 12) & 0xffff, 0); /* the remapping entry's index */
	CHECK_EQ(irq_bind(d, 0, PORT), -TESSERA_EBUSY);
	CHECK_EQ(irq_bind(d, 1, PORT), -TESSERA_ENODEV);
	CHECK_EQ(irq_bind(d, 0, PORT + 1), -TESSERA_EINVAL); /* a free port */
	CHECK_EQ(irq_bind(d, 0, TESSERA_EVTCHN_PORTS), -TESSERA_EINVAL);
	CHECK_EQ(irq_unbind(d, 0), 0);
	CHECK(!sim_pci.irq_routes[0].on);
	CHECK_EQ(f->cfg[MSI_CAP + 2] & 1, 0);
	CHECK_EQ(cfg32(f, MSI_CAP + 4), 0);
	CHECK_EQ(irq_unbind(d, 0), -TESSERA_ENOENT);
	CHECK_EQ(irq_bind(d, 0, PORT), 0); /* and again */
}

TEST(dev_irq_bind_without_msi_or_a_route_fails)
{
	struct sim_pci_fn *f;
	struct domain *d = with_msi(&f);
	sim_pci.fail_irq_route = true;
	CHECK_EQ(irq_bind(d, 0, PORT), -TESSERA_ENODEV);
	CHECK_EQ(f->cfg[MSI_CAP + 2] & 1, 0);
	CHECK(!irq_any_bound());
	sim_pci.fail_irq_route = false;
	pci_find(SBDF(0, 3, 0))->msi = 0;
	CHECK_EQ(irq_bind(d, 0, PORT), -TESSERA_ENODEV);
}

TEST(dev_irq_bind_programs_msix_entries_until_no_vector_is_left)
{
	struct sim_pci_fn *f;
	struct domain *d = with_msi(&f);
	struct pci_dev *dev = pci_find(SBDF(0, 3, 0));
	uint64_t table = d->mem_pa + 0x10000; /* simulated memory stands in for the BAR */
	volatile uint32_t *t = sim_phys(table, 40 * 16);
	dev->msix = 0x70;
	dev->msix_table = table;
	dev->msix_table_size = 40 * 16;
	f->cfg[0x72 + 1] = 0x40; /* function mask set */
	for (uint32_t i = 0; i < 40; i++)
		t[i * 4 + 3] = 1;
	for (uint32_t i = 0; i < ARCH_IRQ_VECTORS; i++)
		CHECK_EQ(irq_bind(d, i, PORT), 0);
	CHECK_EQ(irq_bind(d, 39, PORT), -TESSERA_ENOSPC);
	CHECK_EQ(irq_bind(d, 40, PORT), -TESSERA_ENODEV);
	CHECK_EQ(t[5 * 4], 0xfee00000u);
	CHECK_EQ(t[5 * 4 + 2], 5);
	CHECK_EQ(t[5 * 4 + 3], 0); /* unmasked */
	CHECK_EQ(t[39 * 4 + 3], 1);
	CHECK_EQ(f->cfg[0x73] & 0xc0, 0x80); /* MSI-X on, function mask off */
	CHECK_EQ(irq_unbind(d, 5), 0);
	CHECK_EQ(t[5 * 4 + 3], 1);
	CHECK_EQ(irq_bind(d, 39, PORT), 0);
	CHECK_EQ(t[39 * 4 + 2], 5); /* the freed vector */
}

TEST(a_device_interrupt_raises_exactly_the_bound_port_until_the_domain_dies)
{
	struct sim_pci_fn *f;
	struct domain *d = with_msi(&f), *o = make_domain("other", MEM);
	o->ports[PORT] = (struct evtchn_port){ EVTCHN_UNBOUND, 0, o->id };
	CHECK_EQ(irq_bind(d, 0, PORT), 0);
	sim_pci.irq_pending = 1u << 1; /* nobody's vector */
	irq_deliver();
	CHECK_EQ(d->early_events, 0);
	sim_pci.irq_pending = 1;
	irq_deliver();
	CHECK_EQ(d->early_events, 1ULL << PORT);
	CHECK_EQ(o->early_events, 0);
	domain_crash(d, "test");
	CHECK(!sim_pci.irq_routes[0].on);
	CHECK_EQ(sim_pci.irq_unroutes, 1);
	CHECK(!irq_any_bound());
	CHECK_EQ(f->dma_owner, 0);
	struct domain *n = make_domain("next", MEM); /* may reuse the id */
	n->ports[PORT] = (struct evtchn_port){ EVTCHN_UNBOUND, 0, n->id };
	sim_pci.irq_pending = 1;
	irq_deliver();
	CHECK_EQ(n->early_events, 0);
	CHECK_EQ(o->early_events, 0);
}

TEST(dev_irq_bind_needs_device_irq)
{
	load_device_policy_with(tessera_class_mask(TESSERA_CLASS_device) &
				~(1u << TESSERA_PERMBIT(device, irq)));
	struct sim_pci_fn *f;
	struct domain *d = with_msi(&f);
	pci_find(SBDF(0, 3, 0))->type = 2; /* nic_t */
	CHECK_EQ(irq_bind(d, 0, PORT), -TESSERA_EACCES);
	CHECK_HAS(sim_console(), "tessera: avc: denied { irq } ");
	CHECK_HAS(sim_console(), " hcall=dev_irq_bind ");
	CHECK(!sim_pci.irq_routes[0].on);
	CHECK_EQ(f->cfg[MSI_CAP + 2] & 1, 0);
}

/* A domain asleep in HLT with a bound interrupt is not "all blocked"; the vector wakes it. */
TEST(a_device_interrupt_wakes_a_halted_driver_through_the_scheduler)
{
	struct sim_pci_fn *f;
	struct domain *d = with_msi(&f);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_evtchn_setup, 0x180000, 0x40, 0, 0, 0), 0);
	CHECK_EQ(irq_bind(d, 0, PORT), 0);
	sim_script_exit_info(d->id, VEXIT_HALT, 0, 0x202);
	sim_script_hcall(d->id, TESSERA_HC_yield, 0, 0, 0);
	CHECK_EQ(sched_step(), SCHED_RAN);
	CHECK(d->vcpu.blocked);
	CHECK_EQ(sched_step(), SCHED_IDLE);
	sim_pci.irq_pending = 1;
	CHECK_EQ(sched_step(), SCHED_RAN); /* woken, ran until it yielded */
	CHECK(!d->vcpu.blocked);
	CHECK_EQ(sim_trace(sim_trace_len() - 1)->nr, TESSERA_HC_yield);
	struct tessera_event_page *page = (struct tessera_event_page *)(d->mem + 0x180000);
	CHECK_EQ(page->pending, 1ULL << PORT);
	domain_crash(d, "test");
	CHECK(!sim_pci.irq_routes[0].on); /* released with the domain */
}
