/* The ACPI table finder, over RSDPs and tables written into simulated physical memory. */
#include "util.h"
#include <core/acpi.h>
#include <tessera/errno.h>

#define RSDT_PA  0x3000000ULL
#define XSDT_PA  0x3001000ULL
#define MCFG_PA  0x3002000ULL
#define IVRS_PA  0x3003000ULL
#define DMAR_PA  0x3004000ULL
#define FACP_PA  0x3005000ULL
#define MCFG2_PA 0x3006000ULL
#define BIG_PA   0x3100000ULL /* room for tables up to 2 MiB */
#define EBDA_PA  0x9fc00ULL
#define MIB      (1ULL << 20)

static struct acpi_info ai;
static const char *why;
static uint8_t rsdp_buf[64];
static const uint8_t *rsdp = rsdp_buf;
static uint32_t rsdp_len;

static uint8_t sum(const uint8_t *p, uint64_t n)
{
	uint8_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static void w16(uint64_t pa, uint16_t v)
{
	memcpy(sim_phys(pa, 2), &v, 2);
}

static void w32(uint64_t pa, uint32_t v)
{
	memcpy(sim_phys(pa, 4), &v, 4);
}

static void w64(uint64_t pa, uint64_t v)
{
	memcpy(sim_phys(pa, 8), &v, 8);
}

static uint32_t len_of(uint64_t pa)
{
	uint32_t len;
	memcpy(&len, sim_phys(pa + 4, 4), 4);
	return len;
}

/* Recompute the checksum of the table at pa over its length field. */
static void fix(uint64_t pa)
{
	uint8_t *p = sim_phys(pa, len_of(pa));
	p[9] = 0;
	p[9] = (uint8_t)-sum(p, len_of(pa));
}

static void header(uint64_t pa, const char *sig, uint32_t len)
{
	uint8_t *p = sim_phys(pa, 36);
	memset(p, 0, 36);
	memcpy(p, sig, 4);
	memcpy(p + 4, &len, 4);
	p[8] = 1;
	memcpy(p + 10, "TESSER", 6);
	memcpy(p + 16, "UNITTEST", 8);
}

/* A table we only locate: a header and a patterned body. */
static void plain(uint64_t pa, const char *sig, uint32_t len)
{
	header(pa, sig, len);
	for (uint32_t i = 36; i < len; i++)
		*(uint8_t *)sim_phys(pa + i, 1) = (uint8_t)(i * 7);
	fix(pa);
}

/* An RSDT (esize 4) or XSDT (esize 8) with n entries. */
static void root(uint64_t pa, const char *sig, uint32_t esize, const uint64_t *e, uint32_t n)
{
	header(pa, sig, 36 + esize * n);
	for (uint32_t i = 0; i < n; i++)
		memcpy(sim_phys(pa + 36 + i * esize, esize), &e[i], esize);
	fix(pa);
}

static void mcfg(uint64_t pa, const struct acpi_mcfg *m, uint32_t n)
{
	header(pa, "MCFG", 44 + 16 * n);
	memset(sim_phys(pa + 36, 8), 0, 8);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = pa + 44 + 16 * i;
		w64(e, m[i].base);
		w16(e + 8, m[i].segment);
		*(uint8_t *)sim_phys(e + 10, 1) = m[i].bus_start;
		*(uint8_t *)sim_phys(e + 11, 1) = m[i].bus_end;
		w32(e + 12, 0);
	}
	fix(pa);
}

static void rsdp_fix(uint8_t *p)
{
	p[8] = 0;
	p[8] = (uint8_t)-sum(p, 20);
	if (p[15] >= 2) {
		p[32] = 0;
		p[32] = (uint8_t)-sum(p, 36);
	}
}

/* An RSDP at p: 20 bytes for revision 0, 36 for revision 2. */
static void rsdp_make(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint32_t len = 36;
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "TESSER", 6);
	p[15] = rev;
	memcpy(p + 16, &rsdt, 4);
	if (rev >= 2) {
		memcpy(p + 20, &len, 4);
		memcpy(p + 24, &xsdt, 8);
	}
	rsdp_fix(p);
}

static const struct acpi_mcfg std_ecam[] = {
	{ 0xb0000000, 0, 0, 0xff },
	{ 0xe0000000, 1, 0x10, 0x3f },
};

/* RSDP 0 -> RSDT -> FACP, MCFG, IVRS. */
static void std_v0(void)
{
	static const uint64_t e[] = { FACP_PA, MCFG_PA, IVRS_PA };
	plain(FACP_PA, "FACP", 116);
	mcfg(MCFG_PA, std_ecam, 2);
	plain(IVRS_PA, "IVRS", 0x100);
	root(RSDT_PA, "RSDT", 4, e, 3);
	rsdp_make(rsdp_buf, 0, (uint32_t)RSDT_PA, 0);
	rsdp = rsdp_buf;
	rsdp_len = 20;
}

/* RSDP 2 -> XSDT -> FACP, MCFG, DMAR; its RSDT -> FACP, IVRS (not used). */
static void std_v2(void)
{
	static const uint64_t r[] = { FACP_PA, IVRS_PA };
	static const uint64_t x[] = { FACP_PA, MCFG_PA, DMAR_PA };
	plain(FACP_PA, "FACP", 244);
	mcfg(MCFG_PA, std_ecam, 2);
	plain(IVRS_PA, "IVRS", 0x100);
	plain(DMAR_PA, "DMAR", 0x80);
	root(RSDT_PA, "RSDT", 4, r, 2);
	root(XSDT_PA, "XSDT", 8, x, 3);
	rsdp_make(rsdp_buf, 2, (uint32_t)RSDT_PA, XSDT_PA);
	rsdp = rsdp_buf;
	rsdp_len = 36;
}

/* The v2 set with the XSDT pointing at the given entries instead. */
static void v2_with(const uint64_t *x, uint32_t n)
{
	std_v2();
	root(XSDT_PA, "XSDT", 8, x, n);
}

/* The v2 set with the given MCFG ranges. */
static void v2_mcfg(const struct acpi_mcfg *m, uint32_t n)
{
	std_v2();
	mcfg(MCFG_PA, m, n);
}

static int scan(void)
{
	why = NULL;
	memset(&ai, 0xa5, sizeof(ai));
	return acpi_scan(rsdp, rsdp_len, &ai, &why);
}

/* A bad RSDP, RSDT or XSDT: the scan fails, names the problem and finds nothing. */
#define REJECTS(msg)                                                                  \
	do {                                                                          \
		CHECK_EQ(scan(), -TESSERA_EINVAL);                                    \
		CHECK_STREQ(why, msg);                                                \
		CHECK_EQ(ai.nmcfg, 0);                                                \
		CHECK_EQ(ai.mcfg_table.len, 0);                                       \
		CHECK_EQ(ai.ivrs.len, 0);                                             \
		CHECK_EQ(ai.dmar.len, 0);                                             \
	} while (0)

static void check_noted(int line, const char *sig, uint64_t pa, const char *msg)
{
	for (uint32_t i = 0; i < ai.nnotes && i < ACPI_NOTE_MAX; i++)
		if (!strcmp(ai.notes[i].sig, sig) && ai.notes[i].pa == pa &&
		    !strcmp(ai.notes[i].why, msg))
			return;
	test_fail(__FILE__, line, "no note %s@0x%llx \"%s\" (%u notes; first %s@0x%llx \"%s\")",
		  sig, (unsigned long long)pa, msg, ai.nnotes, ai.nnotes ? ai.notes[0].sig : "",
		  ai.nnotes ? (unsigned long long)ai.notes[0].pa : 0ULL,
		  ai.nnotes ? ai.notes[0].why : "");
}

/* A bad table: the scan succeeds, leaves the table out and notes why. */
#define NOTED(sig, pa, msg) check_noted(__LINE__, sig, pa, msg)

static void check_std_mcfg(void)
{
	CHECK_EQ(ai.nmcfg, 2);
	CHECK_EQ(ai.mcfg_table.pa, MCFG_PA);
	CHECK_EQ(ai.mcfg_table.len, 44 + 32);
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(ai.mcfg[i].base, std_ecam[i].base);
		CHECK_EQ(ai.mcfg[i].segment, std_ecam[i].segment);
		CHECK_EQ(ai.mcfg[i].bus_start, std_ecam[i].bus_start);
		CHECK_EQ(ai.mcfg[i].bus_end, std_ecam[i].bus_end);
	}
}

/* --- the good cases ---------------------------------------------------------------- */

TEST(acpi_rsdp_v0_rsdt_finds_mcfg_and_ivrs)
{
	std_v0();
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.revision, 0);
	check_std_mcfg();
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
	CHECK_EQ(ai.ivrs.len, 0x100);
	CHECK_EQ(ai.dmar.pa, 0);
	CHECK_EQ(ai.dmar.len, 0);
	CHECK_EQ(ai.nnotes, 0);
}

TEST(acpi_rsdp_v2_prefers_xsdt_and_finds_mcfg_and_dmar)
{
	std_v2();
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.revision, 2);
	check_std_mcfg();
	CHECK_EQ(ai.dmar.pa, DMAR_PA);
	CHECK_EQ(ai.dmar.len, 0x80);
	CHECK_EQ(ai.ivrs.len, 0); /* only the unused RSDT has it */
	CHECK_EQ(ai.nnotes, 0);
}

TEST(acpi_rsdp_v2_without_xsdt_address_uses_rsdt)
{
	std_v2();
	rsdp_make(rsdp_buf, 2, (uint32_t)RSDT_PA, 0);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.revision, 2);
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.dmar.len, 0);
}

/* Revision 1 is not defined; like Linux, it is read as the 20-byte ACPI 1.0 form. */
TEST(acpi_rsdp_v0_ignores_xsdt_field_and_revision_1_is_v1)
{
	std_v0();
	rsdp_buf[15] = 1;
	memset(rsdp_buf + 20, 0xff, 16); /* a copy's tail: not read */
	rsdp_fix(rsdp_buf);
	rsdp_len = 36;
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.revision, 1);
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
}

TEST(acpi_unused_tables_are_skipped_without_checks)
{
	static const uint64_t x[] = { FACP_PA, MCFG_PA, DMAR_PA };
	v2_with(x, 3);
	header(FACP_PA, "FACP", 0xffffffff); /* bad length, no checksum: not ours to check */
	CHECK_EQ(scan(), 0);
	check_std_mcfg();
	CHECK_EQ(ai.dmar.len, 0x80);
	CHECK_EQ(ai.nnotes, 0);
}

/* --- the RSDP --------------------------------------------------------------------- */

TEST(acpi_rsdp_bad_signature_is_rejected)
{
	std_v2();
	rsdp_buf[3] = 'X';
	rsdp_fix(rsdp_buf);
	REJECTS("RSDP signature invalid");
}

TEST(acpi_rsdp_bad_checksum_is_rejected)
{
	std_v0();
	rsdp_buf[8] ^= 1;
	REJECTS("RSDP checksum mismatch");
	std_v2();
	rsdp_buf[16] ^= 0x10; /* the RSDT address: the first checksum is checked first */
	REJECTS("RSDP checksum mismatch");
}

TEST(acpi_rsdp_bad_extended_checksum_is_rejected)
{
	std_v2();
	rsdp_buf[32] ^= 1;
	REJECTS("RSDP extended checksum mismatch");
	std_v2();
	rsdp_buf[24] ^= 0x40; /* the XSDT address, outside the first 20 bytes */
	REJECTS("RSDP extended checksum mismatch");
}

TEST(acpi_rsdp_length_below_36_or_past_the_copy_is_rejected)
{
	std_v2();
	memcpy(rsdp_buf + 20, &(uint32_t){ 20 }, 4);
	rsdp_fix(rsdp_buf);
	REJECTS("RSDP length below 36");
	memcpy(rsdp_buf + 20, &(uint32_t){ 37 }, 4);
	rsdp_fix(rsdp_buf);
	REJECTS("RSDP length runs past its area");
	memcpy(rsdp_buf + 20, &(uint32_t){ 0xffffffff }, 4);
	rsdp_fix(rsdp_buf);
	REJECTS("RSDP length runs past its area");
}

TEST(acpi_rsdp_copy_too_short_is_rejected)
{
	std_v2();
	rsdp_len = 20; /* a revision 2 RSDP from a 20-byte copy */
	REJECTS("RSDP revision 2 shorter than 36 bytes");
	rsdp_len = 19;
	REJECTS("RSDP shorter than 20 bytes");
	rsdp_len = 1;
	REJECTS("RSDP shorter than 20 bytes");
	rsdp = NULL;
	rsdp_len = 36;
	REJECTS("RSDP not given");
}

TEST(acpi_rsdp_without_root_address_is_rejected)
{
	std_v0();
	rsdp_make(rsdp_buf, 0, 0, 0);
	REJECTS("RSDP has no RSDT or XSDT address");
	rsdp_make(rsdp_buf, 2, 0, 0);
	rsdp_len = 36;
	REJECTS("RSDP has no RSDT or XSDT address");
}

/* --- the RSDT and XSDT ------------------------------------------------------------- */

TEST(acpi_root_bad_signature_is_rejected)
{
	std_v0();
	rsdp_make(rsdp_buf, 0, (uint32_t)XSDT_PA, 0); /* an RSDT address pointing at nothing */
	REJECTS("RSDT signature invalid");
	std_v2();
	rsdp_make(rsdp_buf, 2, (uint32_t)RSDT_PA, RSDT_PA); /* the XSDT address at the RSDT */
	REJECTS("XSDT signature invalid");
}

TEST(acpi_root_bad_checksum_is_rejected)
{
	std_v0();
	*(uint8_t *)sim_phys(RSDT_PA + 40, 1) ^= 1;
	REJECTS("RSDT checksum mismatch");
	std_v2();
	*(uint8_t *)sim_phys(XSDT_PA + 9, 1) ^= 0x80;
	REJECTS("XSDT checksum mismatch");
}

TEST(acpi_root_length_below_36_or_above_1mib_is_rejected)
{
	std_v0();
	w32(RSDT_PA + 4, 35);
	REJECTS("RSDT length below 36");
	w32(RSDT_PA + 4, 0);
	REJECTS("RSDT length below 36");
	std_v2();
	w32(XSDT_PA + 4, (1u << 20) + 4);
	REJECTS("XSDT length above 1 MiB");
	w32(XSDT_PA + 4, 0xfffffff8);
	REJECTS("XSDT length above 1 MiB");
}

TEST(acpi_root_not_addressable_is_rejected)
{
	std_v0();
	rsdp_make(rsdp_buf, 0, (uint32_t)SIM_MEM_SIZE, 0);
	REJECTS("RSDT not addressable");
	rsdp_make(rsdp_buf, 0, (uint32_t)(SIM_MEM_SIZE - 16), 0); /* header runs past memory */
	REJECTS("RSDT not addressable");
	rsdp_make(rsdp_buf, 0, 0xffffffe0, 0);
	REJECTS("RSDT not addressable");
	std_v2();
	rsdp_make(rsdp_buf, 2, (uint32_t)RSDT_PA, 0xfffffffffffffff0ULL); /* base + 36 wraps */
	REJECTS("XSDT not addressable");
	/* The header fits, the length runs past the end of memory. */
	static const uint64_t x[] = { MCFG_PA };
	root(SIM_MEM_SIZE - 64, "XSDT", 8, x, 1);
	w32(SIM_MEM_SIZE - 64 + 4, 72);
	rsdp_make(rsdp_buf, 2, (uint32_t)RSDT_PA, SIM_MEM_SIZE - 64);
	REJECTS("XSDT not addressable");
}

TEST(acpi_rsdt_length_not_multiple_of_4_is_rejected)
{
	std_v0();
	w32(RSDT_PA + 4, 36 + 4 * 3 - 1);
	fix(RSDT_PA);
	REJECTS("RSDT length not a multiple of 4 after its header");
	w32(RSDT_PA + 4, 36 + 2);
	fix(RSDT_PA);
	REJECTS("RSDT length not a multiple of 4 after its header");
}

TEST(acpi_xsdt_length_not_multiple_of_8_is_rejected)
{
	std_v2();
	w32(XSDT_PA + 4, 36 + 8 * 3 - 4); /* a valid RSDT length */
	fix(XSDT_PA);
	REJECTS("XSDT length not a multiple of 8 after its header");
}

TEST(acpi_root_with_256_entries_is_accepted_257_rejected)
{
	static uint64_t e[257];
	for (unsigned i = 0; i < 257; i++)
		e[i] = FACP_PA;
	e[100] = MCFG_PA;
	e[255] = DMAR_PA;
	std_v2();
	root(BIG_PA, "XSDT", 8, e, 256);
	rsdp_make(rsdp_buf, 2, (uint32_t)RSDT_PA, BIG_PA);
	CHECK_EQ(scan(), 0);
	check_std_mcfg();
	CHECK_EQ(ai.dmar.pa, DMAR_PA);
	root(BIG_PA, "XSDT", 8, e, 257);
	REJECTS("XSDT has more than 256 entries");
	std_v0();
	root(BIG_PA, "RSDT", 4, e, 257);
	rsdp_make(rsdp_buf, 0, (uint32_t)BIG_PA, 0);
	REJECTS("RSDT has more than 256 entries");
}

/* An entry pointing nowhere is one bad table among others: noted and skipped. */
TEST(acpi_xsdt_entry_outside_memory_is_noted_and_skipped)
{
	static const uint64_t x[] = { SIM_MEM_SIZE, 0, MCFG_PA, 0xfffffffffffffff0ULL,
				      SIM_MEM_SIZE - 35, DMAR_PA };
	v2_with(x, 6);
	CHECK_EQ(scan(), 0);
	check_std_mcfg();
	CHECK_EQ(ai.dmar.pa, DMAR_PA);
	CHECK_EQ(ai.nnotes, 4);
	NOTED("XSDT", SIM_MEM_SIZE, "XSDT entry not addressable");
	NOTED("XSDT", 0, "XSDT entry is null");
	NOTED("XSDT", 0xfffffffffffffff0ULL, "XSDT entry not addressable");
	NOTED("XSDT", SIM_MEM_SIZE - 35, "XSDT entry not addressable");
	CHECK_EQ(ai.notes[0].pa, SIM_MEM_SIZE); /* in table order */
}

TEST(acpi_rsdt_entry_outside_memory_is_noted_and_skipped)
{
	static const uint64_t e[] = { 0xfffff000, MCFG_PA };
	std_v0();
	root(RSDT_PA, "RSDT", 4, e, 2);
	CHECK_EQ(scan(), 0);
	check_std_mcfg();
	CHECK_EQ(ai.nnotes, 1);
	NOTED("RSDT", 0xfffff000, "RSDT entry not addressable");
}

/* --- the tables we keep: MCFG, IVRS, DMAR ------------------------------------------- */

TEST(acpi_bad_ivrs_or_dmar_is_noted_and_left_out)
{
	std_v0();
	*(uint8_t *)sim_phys(IVRS_PA + 0x80, 1) ^= 4;
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.ivrs.len, 0);
	CHECK_EQ(ai.ivrs.pa, 0);
	check_std_mcfg(); /* the rest is still found */
	NOTED("IVRS", IVRS_PA, "IVRS checksum mismatch");
	std_v2();
	w32(DMAR_PA + 4, 35);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.dmar.len, 0);
	NOTED("DMAR", DMAR_PA, "DMAR length below 36");
	w32(DMAR_PA + 4, 2u << 20);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.dmar.len, 0);
	NOTED("DMAR", DMAR_PA, "DMAR length above 1 MiB");
}

TEST(acpi_table_running_past_memory_is_noted_and_left_out)
{
	static const uint64_t x[] = { SIM_MEM_SIZE - 0x40, DMAR_PA };
	v2_with(x, 2);
	mcfg(SIM_MEM_SIZE - 0x40, std_ecam, 1); /* 60 bytes: fits */
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 1);
	w32(SIM_MEM_SIZE - 0x40 + 4, 0x44); /* 4 bytes past the end of memory */
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.mcfg_table.len, 0);
	CHECK_EQ(ai.dmar.len, 0x80);
	NOTED("MCFG", SIM_MEM_SIZE - 0x40, "MCFG not addressable");
}

TEST(acpi_mcfg_bad_checksum_is_noted_and_left_out)
{
	std_v2();
	*(uint8_t *)sim_phys(MCFG_PA + 44, 1) ^= 0x10;
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.mcfg_table.len, 0);
	CHECK_EQ(ai.dmar.len, 0x80);
	NOTED("MCFG", MCFG_PA, "MCFG checksum mismatch");
}

/* A malformed entry: the whole MCFG is suspect and none of its ranges is kept. */
TEST(acpi_mcfg_misaligned_base_is_rejected)
{
	struct acpi_mcfg m[] = { std_ecam[0], std_ecam[1] };
	m[1].base += 0x80000;
	v2_mcfg(m, 2);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.mcfg_table.len, 0);
	NOTED("MCFG", MCFG_PA, "MCFG entry base not 1 MiB aligned");
	m[1].base = std_ecam[1].base + 0x1000;
	v2_mcfg(m, 2);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", MCFG_PA, "MCFG entry base not 1 MiB aligned");
}

TEST(acpi_mcfg_zero_base_is_rejected)
{
	struct acpi_mcfg m[] = { { 0, 0, 0, 0 } };
	v2_mcfg(m, 1);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", MCFG_PA, "MCFG entry base is zero");
}

TEST(acpi_mcfg_reversed_bus_range_is_rejected)
{
	struct acpi_mcfg m[] = { std_ecam[0], { 0xc0000000, 2, 0x20, 0x1f } };
	v2_mcfg(m, 2);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", MCFG_PA, "MCFG entry bus range reversed");
	m[1].bus_end = 0x20; /* a single bus is fine */
	v2_mcfg(m, 2);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 2);
	CHECK_EQ(ai.mcfg[1].bus_start, 0x20);
	CHECK_EQ(ai.mcfg[1].bus_end, 0x20);
}

TEST(acpi_mcfg_range_wrapping_near_2_64_is_rejected)
{
	struct acpi_mcfg m[] = { { 0xfffffffffff00000ULL, 0, 0, 0 } };
	v2_mcfg(m, 1);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", MCFG_PA, "MCFG entry ECAM range wraps around");
	m[0] = (struct acpi_mcfg){ 0xfffffffff0000000ULL, 0, 0, 0xff };
	v2_mcfg(m, 1);
	CHECK_EQ(scan(), 0);
	NOTED("MCFG", MCFG_PA, "MCFG entry ECAM range wraps around");
	m[0].bus_end = 0xfe; /* ends exactly at 2^64 - 2^20: no wrap, but above 4 GiB */
	v2_mcfg(m, 1);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.mcfg_table.pa, MCFG_PA);
	NOTED("MCFG", MCFG_PA, "MCFG entry ECAM range above 4 GiB ignored");
}

/* A sound range the 4 GiB identity map cannot reach: left out, the others kept. */
TEST(acpi_mcfg_ecam_beyond_4gib_is_left_out)
{
	struct acpi_mcfg m[] = {
		{ 0xf0000000, 0, 0, 0xff },	     /* ends exactly at 4 GiB */
		{ 0xf8000000, 1, 0, 0x80 },	     /* ends 1 MiB past it */
		{ 0x100000000ULL, 2, 0, 0 },	     /* wholly above */
		{ 0xe0000000ULL - 0x10000000, 3, 0x80, 0xff }, /* bus 0 base; buses 0x80.. */
	};
	v2_mcfg(m, 4);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 2);
	CHECK_EQ(ai.mcfg[0].segment, 0);
	CHECK_EQ(ai.mcfg[1].segment, 3);
	CHECK_EQ(ai.mcfg[1].base, 0xd0000000);
	CHECK_EQ(ai.nnotes, 2);
	NOTED("MCFG", MCFG_PA, "MCFG entry ECAM range above 4 GiB ignored");
}

TEST(acpi_mcfg_length_not_whole_entries_is_rejected)
{
	std_v2();
	w32(MCFG_PA + 4, 44 + 16 + 8);
	fix(MCFG_PA);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", MCFG_PA, "MCFG length not a multiple of 16 after its header");
	w32(MCFG_PA + 4, 40);
	fix(MCFG_PA);
	CHECK_EQ(scan(), 0);
	NOTED("MCFG", MCFG_PA, "MCFG shorter than its header");
	v2_mcfg(NULL, 0); /* no ranges at all: a valid, empty table */
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.mcfg_table.len, 44);
	CHECK_EQ(ai.nnotes, 0);
}

TEST(acpi_mcfg_overlapping_ranges_are_rejected)
{
	struct acpi_mcfg m[] = {
		{ 0xb0000000, 0, 0, 0x7f },
		{ 0xc0000000, 1, 0, 0xff }, /* another segment: no overlap */
		{ 0xd0000000, 0, 0x7f, 0x80 },
	};
	v2_mcfg(m, 3);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", MCFG_PA, "MCFG entries overlap");
	m[2].bus_start = 0x80;
	v2_mcfg(m, 3);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 3);
}

TEST(acpi_mcfg_more_than_4_ranges_keeps_the_first_4)
{
	struct acpi_mcfg m[6];
	for (uint16_t i = 0; i < 6; i++)
		m[i] = (struct acpi_mcfg){ 0x80000000ULL + i * 0x10000000ULL, i, 0, 0xff };
	m[1].base = 0x200000000ULL; /* unreachable ones do not count */
	v2_mcfg(m, 6);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, ACPI_MCFG_MAX);
	CHECK_EQ(ai.mcfg[0].segment, 0);
	CHECK_EQ(ai.mcfg[1].segment, 2);
	CHECK_EQ(ai.mcfg[3].segment, 4);
	CHECK_EQ(ai.nnotes, 2);
	NOTED("MCFG", MCFG_PA, "MCFG entry beyond the first 4 ignored");
	NOTED("MCFG", MCFG_PA, "MCFG entry ECAM range above 4 GiB ignored");
}

TEST(acpi_mcfg_with_256_entries_is_accepted_257_rejected)
{
	static struct acpi_mcfg m[257];
	static const uint64_t x[] = { BIG_PA };
	for (uint32_t i = 0; i < 257; i++)
		m[i] = (struct acpi_mcfg){ 0x80000000ULL, (uint16_t)i, 0, 0 };
	v2_with(x, 1);
	mcfg(BIG_PA, m, 256);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, ACPI_MCFG_MAX);
	CHECK_EQ(ai.nnotes, 252);
	mcfg(BIG_PA, m, 257);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 0);
	NOTED("MCFG", BIG_PA, "MCFG has more than 256 entries");
}

/* The first valid table of a kind is kept; a bad first one does not block a good second. */
TEST(acpi_duplicate_tables_keep_the_first_valid_one)
{
	static const struct acpi_mcfg other[] = { { 0xc0000000, 7, 0, 1 } };
	static const uint64_t x[] = { DMAR_PA, MCFG_PA, MCFG2_PA, DMAR_PA + 0x800, DMAR_PA };
	v2_with(x, 5);
	mcfg(MCFG2_PA, other, 1);
	plain(DMAR_PA + 0x800, "DMAR", 0x40);
	CHECK_EQ(scan(), 0);
	check_std_mcfg();
	CHECK_EQ(ai.dmar.pa, DMAR_PA);
	CHECK_EQ(ai.nnotes, 3);
	NOTED("MCFG", MCFG2_PA, "duplicate table ignored");
	NOTED("DMAR", DMAR_PA + 0x800, "duplicate table ignored");
	NOTED("DMAR", DMAR_PA, "duplicate table ignored");
	*(uint8_t *)sim_phys(MCFG_PA + 40, 1) ^= 1;
	*(uint8_t *)sim_phys(DMAR_PA + 40, 1) ^= 1;
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nmcfg, 1);
	CHECK_EQ(ai.mcfg[0].segment, 7);
	CHECK_EQ(ai.mcfg_table.pa, MCFG2_PA);
	CHECK_EQ(ai.dmar.pa, DMAR_PA + 0x800);
	NOTED("MCFG", MCFG_PA, "MCFG checksum mismatch");
	NOTED("DMAR", DMAR_PA, "DMAR checksum mismatch");
}

TEST(acpi_notes_beyond_the_first_8_are_counted)
{
	static uint64_t x[20];
	for (unsigned i = 0; i < 20; i++)
		x[i] = SIM_MEM_SIZE + i;
	v2_with(x, 20);
	CHECK_EQ(scan(), 0);
	CHECK_EQ(ai.nnotes, 20);
	CHECK_EQ(ai.notes[ACPI_NOTE_MAX - 1].pa, SIM_MEM_SIZE + ACPI_NOTE_MAX - 1);
}

/* --- the BIOS-area search (Multiboot 1 gives no RSDP) ------------------------------- */

static void bios_rsdp(uint64_t pa, uint8_t rev)
{
	rsdp_make(sim_phys(pa, 36), rev, (uint32_t)RSDT_PA, rev >= 2 ? XSDT_PA : 0);
}

static int bios_scan(void)
{
	rsdp = NULL;
	rsdp_len = 0;
	return scan();
}

TEST(acpi_bios_scan_finds_rsdp_at_0xf0000)
{
	std_v2();
	bios_rsdp(0xf0000, 2);
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.revision, 2);
	check_std_mcfg();
	CHECK_EQ(ai.dmar.pa, DMAR_PA);
	CHECK_EQ(ai.nnotes, 0);
}

TEST(acpi_bios_scan_covers_0xe0000_to_the_end_of_the_area)
{
	std_v0();
	bios_rsdp(0xe0000, 0);
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
	memset(sim_phys(0xe0000, 36), 0, 36);
	bios_rsdp(0xfffe0, 0); /* the last place 20 bytes fit */
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
	memset(sim_phys(0xfffe0, 36), 0, 36);
	bios_rsdp(0xdfff0, 0); /* just below the area */
	CHECK_EQ(bios_scan(), -TESSERA_ENOENT);
	CHECK_STREQ(why, "no valid RSDP in the BIOS areas");
}

TEST(acpi_bios_scan_finds_rsdp_in_the_ebda_first)
{
	std_v0();
	w16(0x40e, (uint16_t)(EBDA_PA >> 4));
	bios_rsdp(EBDA_PA + 0x3f0, 0); /* the last 16 bytes of its first KiB hold no RSDP */
	std_v2();
	bios_rsdp(0xe0000, 2);
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.revision, 2); /* not in the EBDA's first KiB */
	bios_rsdp(EBDA_PA + 0x100, 0);
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.revision, 0);
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
}

TEST(acpi_bios_scan_ignores_an_ebda_outside_base_memory)
{
	std_v0();
	bios_rsdp(0xa0000, 0);
	w16(0x40e, 0xa000 - 0x20); /* its first KiB would end past 640 KiB */
	CHECK_EQ(bios_scan(), -TESSERA_ENOENT);
	w16(0x40e, 0x40); /* 0x400: the BIOS data area itself */
	bios_rsdp(0x410, 0);
	CHECK_EQ(bios_scan(), -TESSERA_ENOENT);
	w16(0x40e, 0x41);
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.ivrs.pa, IVRS_PA);
}

TEST(acpi_bios_scan_skips_bad_candidates_and_finds_a_later_good_one)
{
	std_v2();
	bios_rsdp(0xe0010, 2);
	*(uint8_t *)sim_phys(0xe0010 + 8, 1) ^= 1;
	bios_rsdp(0xe0040, 2);
	*(uint8_t *)sim_phys(0xe0040 + 32, 1) ^= 1;
	bios_rsdp(0xe0088, 2); /* not on a 16-byte boundary: never looked at */
	memcpy(sim_phys(0xe0100, 8), "RSD PTR!", 8);
	bios_rsdp(0xf0000, 2);
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.dmar.pa, DMAR_PA);
	CHECK_EQ(ai.nnotes, 2);
	NOTED("RSDP", 0xe0010, "RSDP checksum mismatch");
	NOTED("RSDP", 0xe0040, "RSDP extended checksum mismatch");
}

TEST(acpi_bios_scan_rejects_rsdp_running_past_the_area)
{
	std_v2();
	bios_rsdp(0xfffe0, 2); /* 36 bytes from 0xfffe0 end past 1 MiB */
	CHECK_EQ(bios_scan(), -TESSERA_ENOENT);
	NOTED("RSDP", 0xfffe0, "RSDP revision 2 shorter than 36 bytes");
	memset(sim_phys(0xfffe0, 36), 0, 36);
	bios_rsdp(0xfffd0, 2);
	w32(0xfffd0 + 20, 0x40);
	rsdp_fix(sim_phys(0xfffd0, 36));
	CHECK_EQ(bios_scan(), -TESSERA_ENOENT);
	NOTED("RSDP", 0xfffd0, "RSDP length runs past its area");
}

/* A sound RSDP is the one: a bad root table behind it is not a reason to search on. */
TEST(acpi_bios_scan_stops_at_the_first_sound_rsdp)
{
	std_v0();
	bios_rsdp(0xe0000, 0);
	*(uint8_t *)sim_phys(RSDT_PA + 9, 1) ^= 1;
	rsdp_make(sim_phys(0xf0000, 36), 2, 0, XSDT_PA);
	CHECK_EQ(bios_scan(), -TESSERA_EINVAL);
	CHECK_STREQ(why, "RSDT checksum mismatch");
}

TEST(acpi_bios_scan_without_rsdp_is_enoent)
{
	std_v2();
	CHECK_EQ(bios_scan(), -TESSERA_ENOENT);
	CHECK_STREQ(why, "no valid RSDP in the BIOS areas");
	CHECK_EQ(ai.nmcfg, 0);
	CHECK_EQ(ai.dmar.len, 0);
	CHECK_EQ(ai.nnotes, 0);
}

/* --- random corruption ------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

#define R_RSDP 0xf0000ULL

/* The v2 set reached through a BIOS-area RSDP, with both root tables in use over time. */
static const uint64_t rand_tables[] = { R_RSDP, RSDT_PA, XSDT_PA, MCFG_PA, IVRS_PA, DMAR_PA };

static void rand_set(void)
{
	static const uint64_t r[] = { FACP_PA, IVRS_PA, MCFG_PA, DMAR_PA };
	static const uint64_t x[] = { FACP_PA, MCFG_PA, DMAR_PA, IVRS_PA, MCFG2_PA };
	static const struct acpi_mcfg m[] = {
		{ 0xb0000000, 0, 0, 0xff },
		{ 0xe0000000, 1, 0, 0x3f },
		{ 0xe8000000, 2, 0x40, 0x7f },
		{ 0xf0000000, 3, 0, 0xff },
		{ 0xc0000000, 4, 0, 0xff },
	};
	for (unsigned i = 1; i < ARRAY_SIZE(rand_tables); i++)
		memset(sim_phys(rand_tables[i], 0x1000), 0, 0x1000);
	memset(sim_phys(MCFG2_PA, 0x1000), 0, 0x1000);
	plain(FACP_PA, "FACP", 244);
	mcfg(MCFG_PA, m, 5);
	mcfg(MCFG2_PA, m + 2, 1);
	plain(IVRS_PA, "IVRS", 0x100);
	plain(DMAR_PA, "DMAR", 0x80);
	root(RSDT_PA, "RSDT", 4, r, 4);
	root(XSDT_PA, "XSDT", 8, x, 5);
	rsdp_make(sim_phys(R_RSDP, 36), 2, (uint32_t)RSDT_PA, XSDT_PA);
}

/* After corruption, make the checksums right again so the deeper checks are reached. */
static void rand_fix(void)
{
	uint8_t *p = sim_phys(R_RSDP, 36);
	uint32_t len;
	memcpy(&len, p + 20, 4);
	if (p[15] < 2 || len == 36)
		rsdp_fix(p);
	for (unsigned i = 1; i < ARRAY_SIZE(rand_tables); i++)
		if (len_of(rand_tables[i]) >= 10 && len_of(rand_tables[i]) <= 0x1000)
			fix(rand_tables[i]);
}

static void check_table(const struct acpi_table *t, const char *sig)
{
	const uint8_t *p;
	if (!t->len) {
		CHECK_EQ(t->pa, 0);
		return;
	}
	CHECK(t->len >= 36 && t->len <= MIB);
	CHECK(range_within(t->pa, t->len, SIM_MEM_SIZE));
	p = sim_phys(t->pa, t->len);
	CHECK(!memcmp(p, sig, 4));
	CHECK_EQ(len_of(t->pa), t->len);
	CHECK_EQ(sum(p, t->len), 0);
}

/* What a scan returns is consistent with memory, whatever it was given. */
static void check_consistent(int rc)
{
	static const char *const sigs[] = { "RSDP", "RSDT", "XSDT", "MCFG", "IVRS", "DMAR" };
	for (uint32_t i = 0; i < ai.nnotes && i < ACPI_NOTE_MAX; i++) {
		bool known = false;
		for (unsigned s = 0; s < ARRAY_SIZE(sigs); s++)
			known |= !strcmp(ai.notes[i].sig, sigs[s]);
		CHECK(known);
		CHECK(ai.notes[i].why && *ai.notes[i].why);
	}
	if (rc) {
		CHECK(rc == -TESSERA_EINVAL || rc == -TESSERA_ENOENT);
		CHECK(why && *why);
		CHECK_EQ(ai.nmcfg, 0);
		CHECK_EQ(ai.mcfg_table.len, 0);
		CHECK_EQ(ai.ivrs.len, 0);
		CHECK_EQ(ai.dmar.len, 0);
		return;
	}
	CHECK(ai.nmcfg <= ACPI_MCFG_MAX);
	check_table(&ai.mcfg_table, "MCFG");
	check_table(&ai.ivrs, "IVRS");
	check_table(&ai.dmar, "DMAR");
	if (ai.nmcfg)
		CHECK(ai.mcfg_table.len);
	for (uint32_t i = 0; i < ai.nmcfg; i++) {
		const struct acpi_mcfg *m = &ai.mcfg[i];
		const uint8_t *t = sim_phys(ai.mcfg_table.pa, ai.mcfg_table.len);
		bool in_table = false;
		CHECK(m->base && m->base % MIB == 0);
		CHECK(m->bus_start <= m->bus_end);
		CHECK(range_within(m->base, ((uint64_t)m->bus_end + 1) << 20, 1ULL << 32));
		for (uint32_t off = 44; off + 16 <= ai.mcfg_table.len; off += 16) {
			uint64_t base;
			uint16_t seg;
			memcpy(&base, t + off, 8);
			memcpy(&seg, t + off + 8, 2);
			in_table |= base == m->base && seg == m->segment &&
				    t[off + 10] == m->bus_start && t[off + 11] == m->bus_end;
		}
		CHECK(in_table);
	}
}

/* iters copies of the set with 1-4 changed bytes each (bits if bits); sums fixed if fix. */
static void corrupt(bool bits, bool fix_sums, unsigned *accepted, unsigned *rejected)
{
	uint32_t lens[ARRAY_SIZE(rand_tables)];
	rand_set();
	lens[0] = 36;
	for (unsigned i = 1; i < ARRAY_SIZE(rand_tables); i++)
		lens[i] = len_of(rand_tables[i]);
	for (unsigned iter = 0; iter < 3000; iter++) {
		int rc;
		rand_set();
		for (unsigned n = 1 + rnd() % 4; n; n--) {
			unsigned t = rnd() % ARRAY_SIZE(rand_tables);
			uint8_t *b = sim_phys(rand_tables[t] + rnd() % lens[t], 1);
			*b ^= (uint8_t)(bits ? 1u << (rnd() % 8) : 1 + rnd() % 255);
		}
		if (fix_sums)
			rand_fix();
		rc = bios_scan();
		check_consistent(rc);
		++*(rc ? rejected : accepted);
	}
}

TEST(acpi_randomly_corrupted_tables_are_rejected_or_consistent)
{
	unsigned accepted = 0, rejected = 0;
	rand_set();
	CHECK_EQ(bios_scan(), 0);
	CHECK_EQ(ai.nmcfg, 4);
	CHECK_EQ(ai.nnotes, 2); /* the fifth range, the second MCFG */
	CHECK_EQ(ai.ivrs.len, 0x100);
	corrupt(false, false, &accepted, &rejected);
	corrupt(true, false, &accepted, &rejected);
	CHECK(accepted > 100);
	CHECK(rejected > 100);
}

TEST(acpi_randomly_corrupted_tables_with_fixed_checksums_are_rejected_or_consistent)
{
	unsigned accepted = 0, rejected = 0;
	corrupt(false, true, &accepted, &rejected);
	corrupt(true, true, &accepted, &rejected);
	CHECK(accepted > 100);
	CHECK(rejected > 100);
}
