/*
 * Measured launch (core/measure.c): what is extended where and in which order,
 * checked against digests mbedTLS computes from the same bytes; the log read
 * back through eventlog_read; the TPM's hand-over under the policy.
 */
#include "util.h"
#include "policy_build.h"
#include <core/avc.h>
#include <core/hypercall.h>
#include <core/measure.h>
#include <core/frame.h>
#include <core/tpm.h>
#include <tessera/errno.h>
#include <tessera/measure.h>
#include <tessera/policy.h>
#include <tessera/tcg.h>
#include <mbedtls/sha256.h>
#include <stdlib.h>
#include <string.h>

#define EXTENDS_MAX 32
#define MOD_PA 0x2000000ULL
#define BUF 0x100000ULL

/* A TPM that answers Startup, GetCapability (sha1 + sha256) and records each PCR_Extend. */
static struct {
	uint32_t pcr;
	uint8_t sha256[32];
} ext[EXTENDS_MAX];
static uint32_t next;
static int fail_extend_at = -1;

static uint32_t be(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void put(uint8_t *b, uint32_t *len, uint32_t v, unsigned n)
{
	while (n--)
		b[(*len)++] = (uint8_t)(v >> (8 * n));
}

static int xfer(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
		const char **why)
{
	uint32_t cc = be(cmd + 6, 4), n = 0, rc = 0;
	(void)max;
	(void)why;
	CHECK(len >= 10);
	if (cc == 0x182) { /* PCR_Extend: handle, auth area (9), count, then sha1 and sha256 */
		CHECK(next < EXTENDS_MAX);
		CHECK_EQ(be(cmd + 18 + 9, 4), 2);
		CHECK_EQ(be(cmd + 31, 2), 0x0004);
		CHECK_EQ(be(cmd + 53, 2), 0x000b);
		ext[next].pcr = be(cmd + 10, 4);
		memcpy(ext[next].sha256, cmd + 55, 32);
		if (fail_extend_at == (int)next)
			rc = 0x101;
		next++;
	}
	put(rsp, &n, cc == 0x182 ? 0x8002 : 0x8001, 2);
	put(rsp, &n, 0, 4);
	put(rsp, &n, rc, 4);
	if (!rc && cc == 0x17a) { /* two banks, all 24 PCRs */
		put(rsp, &n, 0, 1);
		put(rsp, &n, 5, 4);
		put(rsp, &n, 2, 4);
		put(rsp, &n, 0x0004, 2);
		put(rsp, &n, 0x03ffffff, 4);
		put(rsp, &n, 0x000b, 2);
		put(rsp, &n, 0x03ffffff, 4);
	} else if (!rc && cc == 0x182) {
		put(rsp, &n, 0, 4);
		put(rsp, &n, 0, 2);
		put(rsp, &n, 1, 1);
		put(rsp, &n, 0, 2);
	}
	rsp[2] = (uint8_t)(n >> 24), rsp[3] = (uint8_t)(n >> 16), rsp[4] = (uint8_t)(n >> 8),
	rsp[5] = (uint8_t)n;
	*got = n;
	return 0;
}

static void close_tpm(void)
{
}

static const struct tpm_ops ops = { "sim", xfer, close_tpm };

static struct boot_info bi;

/* A boot: core line, a policy module and two domain images with their own bytes. */
static void boot_with_tpm(void)
{
	static const char *lines[] = { "alpha.elf domain=alpha mem=2M", "p.tpb kind=policy",
				       "beta.elf domain=beta mem=2M tpm=1" };
	memset(&bi, 0, sizeof(bi));
	bi.loader = "multiboot2";
	strcpy(bi.cmdline, "debug_exit=on tpm=required");
	for (uint32_t i = 0; i < 3; i++) {
		uint8_t *p = sim_phys(MOD_PA + i * 0x10000, 0x1000 + i);
		for (uint32_t k = 0; k < 0x1000 + i; k++)
			p[k] = (uint8_t)(k * 7 + i);
		bi.modules[i].start = MOD_PA + i * 0x10000;
		bi.modules[i].end = bi.modules[i].start + 0x1000 + i;
		strcpy(bi.modules[i].cmdline, lines[i]);
	}
	bi.nmodules = 3;
	CHECK_EQ(tpm_attach(&ops), 0);
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	CHECK_EQ(mbedtls_sha256_ret(p, n, out, 0), 0);
}

static void check_extend(uint32_t i, uint32_t pcr, const void *p, size_t n)
{
	uint8_t want[32];
	sha256(p, n, want);
	CHECK_EQ(ext[i].pcr, pcr);
	CHECK(!memcmp(ext[i].sha256, want, 32));
}

TEST(measure_extends_boot_path_cmdlines_policy_images_then_separators_in_order)
{
	static const uint8_t zeros[4];
	boot_with_tpm();
	CHECK_EQ(measure_boot(&bi), 0);
	CHECK_EQ(next, 11);
	check_extend(0, 12, "tessera:boot-path:multiboot2", 28);
	check_extend(1, 12, bi.cmdline, strlen(bi.cmdline));
	for (uint32_t i = 0; i < 3; i++)
		check_extend(2 + i, 12, bi.modules[i].cmdline, strlen(bi.modules[i].cmdline));
	check_extend(5, 11, sim_phys(MOD_PA + 0x10000, 0x1001), 0x1001); /* the policy */
	check_extend(6, 13, sim_phys(MOD_PA, 0x1000), 0x1000);
	check_extend(7, 13, sim_phys(MOD_PA + 0x20000, 0x1002), 0x1002);
	check_extend(8, 12, zeros, 4);
	check_extend(9, 11, zeros, 4);
	check_extend(10, 13, zeros, 4);
	CHECK_HAS(sim_console(), "tessera: measure: 11 events into PCRs 11, 12 and 13");
}

TEST(measure_failure_of_the_tpm_is_an_error_and_no_log_is_given_out)
{
	boot_with_tpm();
	fail_extend_at = 4;
	CHECK(measure_boot(&bi) < 0);
	CHECK_HAS(sim_console(), "tessera: measure: failed");
	machine_frames_init();
	struct domain *d = make_domain("a", 2ULL << 20);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_eventlog_read, BUF, 4096, 0, 0, 0), -TESSERA_ENODEV);
}

TEST(measure_without_a_tpm_measures_nothing)
{
	boot_with_tpm();
	tpm_detach();
	CHECK_EQ(measure_boot(&bi), 0);
	CHECK_EQ(next, 0);
}

/* The log as eventlog_read gives it: the header's signature, then the events, in pieces. */
TEST(measure_log_reads_back_whole_and_in_pieces)
{
	static uint8_t whole[65536];
	boot_with_tpm();
	CHECK_EQ(measure_boot(&bi), 0);
	machine_frames_init();
	struct domain *d = make_domain("a", 2ULL << 20);
	int64_t n = hcall(&d->vcpu, TESSERA_HC_eventlog_read, BUF, 65536, 0, 0, 0);
	CHECK(n > 32 + 11 * (4 + 4 + 4 + 2 + 20 + 2 + 32 + 4));
	memcpy(whole, d->mem + BUF, (size_t)n);
	CHECK(!memcmp(whole + 32, "Spec ID Event03", 16));
	for (uint64_t off = 0; off < (uint64_t)n; off += 100) {
		int64_t k = hcall(&d->vcpu, TESSERA_HC_eventlog_read, BUF, 100, off, 0, 0);
		CHECK_EQ(k, (uint64_t)n - off < 100 ? n - (int64_t)off : 100);
		CHECK(!memcmp(d->mem + BUF, whole + off, (size_t)k));
	}
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_eventlog_read, BUF, 100, (uint64_t)n, 0, 0), 0);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_eventlog_read, BUF, 100, (uint64_t)n + 1, 0, 0),
		 -TESSERA_EINVAL);
	CHECK_EQ(hcall(&d->vcpu, TESSERA_HC_eventlog_read, (2ULL << 20) - 10, 100, 0, 0, 0),
		 -TESSERA_EFAULT);
}

/* tpm=1: only with a measured boot and the policy's device:assign on the page's label. */
TEST(measure_tpm_goes_only_to_a_domain_the_policy_allows)
{
	static struct pb b;
	size_t size;
	const char *why = NULL;
	pb_init(&b);
	/* Type ids in name order: att_t 0, core_t 1, dom_t 2, tpm_t 3. */
	pb_type(&b, "att_t", 0);
	pb_type(&b, "core_t", 0);
	pb_type(&b, "dom_t", 0);
	pb_type(&b, "tpm_t", 0);
	pb_label(&b, TPOL_LABEL_CORE, 1, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, 2, "a", 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, 0, "att", 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, 0, "att2", 0, 0);
	pb_label(&b, TPOL_LABEL_IOMEM, 3, NULL, TPM_PAGE, TPM_PAGE + 0x4fff);
	pb_allow(&b, 0, 3, TESSERA_CLASS_device, 1u << TESSERA_PERMBIT(device, assign));
	uint8_t *bin = pb_emit(&b, &size);
	avc_reset();
	if (avc_load(bin, size, &why))
		test_fail(__FILE__, __LINE__, "policy rejected: %s", why);
	machine_frames_init();
	struct domain *a = make_domain("a", 2ULL << 20), *att = make_domain("att", 2ULL << 20);
	struct domain *att2 = make_domain("att2", 2ULL << 20);
	/* Not measured yet. */
	CHECK_EQ(measure_tpm_assign(att, &why), -TESSERA_ENODEV);
	boot_with_tpm();
	CHECK_EQ(measure_boot(&bi), 0);
	CHECK_EQ(measure_tpm_assign(a, &why), -TESSERA_EACCES);
	CHECK_HAS(why, "the policy does not allow it");
	CHECK_EQ(sim_pci.nmaps, 0);
	CHECK_EQ(measure_tpm_assign(att, &why), 0);
	CHECK_EQ(sim_pci.nmaps, 1);
	CHECK_EQ(sim_pci.maps[0].domid, att->id);
	CHECK_EQ(sim_pci.maps[0].base, TPM_PAGE);
	CHECK_EQ(sim_pci.maps[0].size, 0x1000);
	CHECK_EQ(measure_tpm_assign(att2, &why), -TESSERA_EBUSY);
	domain_destroy(att);
	CHECK_EQ(measure_tpm_assign(att2, &why), 0);
	free(bin);
}
