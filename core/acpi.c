/* ACPI root tables, MCFG, TPM2, and where IVRS and DMAR are; every pointer, length, checksum checked. */
#include <core/acpi.h>
#include <core/bootinfo.h>
#include <core/lib.h>
#include <tessera/errno.h>

#define HDR_LEN 36u
#define TABLE_MAX (1u << 20)
#define ROOT_ENTRIES_MAX 256u
#define MCFG_HDR_LEN 44u /* the table header and 8 reserved bytes */
#define MCFG_ENTRY_LEN 16u
#define MCFG_ENTRIES_MAX 256u
#define ECAM_BUS_SHIFT 20
#define RSDP_V1_LEN 20u
#define RSDP_V2_LEN 36u
#define EBDA_SEG_PA 0x40eu
#define EBDA_SCAN_LEN 1024u
#define EBDA_LIMIT 0xa0000u
#define BIOS_AREA_PA 0xe0000u
#define BIOS_AREA_LEN 0x20000u
/* TPM2 (TCG ACPI Specification): the header, then platform class and reserved (or
 * rev 3 flags), control area (8), start method (4), 0 or 12 bytes of start-method
 * parameters, then optionally LAML (4) and LASA (8). */
#define TPM2_LEN_MIN 52u
#define TPM2_LEN_PARAMS 64u
#define TPM2_LEN_LOG 76u

/* What to call each check's failure, per table. */
struct tdesc {
	const char *sig, *bad_sig, *short_len, *long_len, *unmapped, *bad_sum;
};
#define TDESC(s)                                                                          \
	{ s, s " signature invalid", s " length below 36", s " length above 1 MiB",        \
	  s " not addressable", s " checksum mismatch" }

static const struct tdesc t_rsdt = TDESC("RSDT"), t_xsdt = TDESC("XSDT"),
			  t_mcfg = TDESC("MCFG"), t_ivrs = TDESC("IVRS"), t_dmar = TDESC("DMAR"),
			  t_tpm2 = TDESC("TPM2");

struct rdesc {
	const struct tdesc *t;
	uint32_t esize;
	const char *bad_len, *too_many, *null_entry, *entry_unmapped;
};
#define RDESC(t, s, n)                                                                    \
	{ t, n, s " length not a multiple of " #n " after its header",                     \
	  s " has more than 256 entries", s " entry is null", s " entry not addressable" }

static const struct rdesc r_rsdt = RDESC(&t_rsdt, "RSDT", 4),
			  r_xsdt = RDESC(&t_xsdt, "XSDT", 8);

static int fail(const char **why, const char *msg, int rc)
{
	*why = msg;
	return rc;
}

static void note(struct acpi_info *ai, const char *sig, uint64_t pa, const char *why)
{
#ifdef FUZZ_PLANTED_BUG /* a ninth note written past the array (fuzz/planted.sh) */
	if (ai->nnotes <= ACPI_NOTE_MAX) {
#else
	if (ai->nnotes < ACPI_NOTE_MAX) {
#endif
		struct acpi_note *n = &ai->notes[ai->nnotes];
		memcpy(n->sig, sig, 4);
		n->sig[4] = '\0';
		n->pa = pa;
		n->why = why;
	}
	ai->nnotes++;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* The whole table at pa, if its signature, length and checksum hold; else why not. */
static const char *table_map(uint64_t pa, const struct tdesc *t, const uint8_t **out,
			     uint32_t *len)
{
	const uint8_t *p = phys_map(pa, HDR_LEN);
	if (!p)
		return t->unmapped;
	if (memcmp(p, t->sig, 4))
		return t->bad_sig;
	memcpy(len, p + 4, 4);
	if (*len < HDR_LEN)
		return t->short_len;
	if (*len > TABLE_MAX)
		return t->long_len;
	p = phys_map(pa, *len);
	if (!p)
		return t->unmapped;
	if (sum(p, *len))
		return t->bad_sum;
	*out = p;
	return NULL;
}

/*
 * Every entry is checked before any is kept: a malformed one means the table
 * cannot be trusted. A well-formed range the 4 GiB map cannot reach is left out.
 */
static const char *mcfg_parse(struct acpi_info *ai, uint64_t pa, const uint8_t *p, uint32_t len)
{
	uint32_t n;
	if (len < MCFG_HDR_LEN)
		return "MCFG shorter than its header";
	if ((len - MCFG_HDR_LEN) % MCFG_ENTRY_LEN)
		return "MCFG length not a multiple of 16 after its header";
	n = (len - MCFG_HDR_LEN) / MCFG_ENTRY_LEN;
	if (n > MCFG_ENTRIES_MAX)
		return "MCFG has more than 256 entries";
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + MCFG_HDR_LEN + i * MCFG_ENTRY_LEN;
		uint64_t base = le64(e), top;
		uint16_t seg = le16(e + 8);
		if (!base)
			return "MCFG entry base is zero";
		if (!IS_ALIGNED(base, 1ULL << ECAM_BUS_SHIFT))
			return "MCFG entry base not 1 MiB aligned";
		if (e[10] > e[11])
			return "MCFG entry bus range reversed";
		if (!range_add_ok(base, ((uint64_t)e[11] + 1) << ECAM_BUS_SHIFT, &top))
			return "MCFG entry ECAM range wraps around";
		for (uint32_t j = 0; j < i; j++) {
			const uint8_t *f = p + MCFG_HDR_LEN + j * MCFG_ENTRY_LEN;
			if (le16(f + 8) == seg && f[10] <= e[11] && e[10] <= f[11])
				return "MCFG entries overlap";
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = p + MCFG_HDR_LEN + i * MCFG_ENTRY_LEN;
		struct acpi_mcfg m;
		m.base = le64(e);
		m.segment = le16(e + 8);
		m.bus_start = e[10];
		m.bus_end = e[11];
		if (!range_within(m.base, ((uint64_t)m.bus_end + 1) << ECAM_BUS_SHIFT,
				  BOOT_PHYS_LIMIT))
			note(ai, "MCFG", pa, "MCFG entry ECAM range above 4 GiB ignored");
		else if (ai->nmcfg == ACPI_MCFG_MAX)
			note(ai, "MCFG", pa, "MCFG entry beyond the first 4 ignored");
		else
			ai->mcfg[ai->nmcfg++] = m;
	}
	return NULL;
}

/* The TPM's start method and addresses; a log area that cannot be read is left out. */
static const char *tpm2_parse(struct acpi_info *ai, uint64_t pa, const uint8_t *p, uint32_t len)
{
	struct acpi_tpm2 *t = &ai->tpm2;
	if (len != TPM2_LEN_MIN && len != TPM2_LEN_PARAMS && len != TPM2_LEN_LOG)
		return "TPM2 length not 52, 64 or 76";
	t->control = le64(p + 40);
	t->start_method = le32(p + 48);
	if (len < TPM2_LEN_LOG)
		return NULL;
	t->laml = le32(p + 64);
	t->lasa = le64(p + 68);
	if (!t->laml && !t->lasa)
		return NULL;
	if (!t->laml || !t->lasa)
		note(ai, "TPM2", pa, "TPM2 log area has an address or a length but not both");
	else if (!range_within(t->lasa, t->laml, BOOT_PHYS_LIMIT))
		note(ai, "TPM2", pa, "TPM2 log area not below 4 GiB ignored");
	else
		return NULL;
	t->laml = 0;
	t->lasa = 0;
	return NULL;
}

/* One table the root table points to: checked and kept if it is one we use. */
static void visit(struct acpi_info *ai, const struct rdesc *r, uint64_t pa)
{
	const struct tdesc *t;
	struct acpi_table *slot;
	const uint8_t *p;
	const char *why;
	uint32_t len;

	if (!pa) {
		note(ai, r->t->sig, pa, r->null_entry);
		return;
	}
	p = phys_map(pa, HDR_LEN);
	if (!p) {
		note(ai, r->t->sig, pa, r->entry_unmapped);
		return;
	}
	if (!memcmp(p, "MCFG", 4))
		t = &t_mcfg, slot = &ai->mcfg_table;
	else if (!memcmp(p, "IVRS", 4))
		t = &t_ivrs, slot = &ai->ivrs;
	else if (!memcmp(p, "DMAR", 4))
		t = &t_dmar, slot = &ai->dmar;
	else if (!memcmp(p, "TPM2", 4))
		t = &t_tpm2, slot = &ai->tpm2_table;
	else
		return; /* a table we do not use */
	if (slot->len) {
		note(ai, t->sig, pa, "duplicate table ignored");
		return;
	}
	why = table_map(pa, t, &p, &len);
	if (!why && t == &t_mcfg)
		why = mcfg_parse(ai, pa, p, len);
	if (!why && t == &t_tpm2)
		why = tpm2_parse(ai, pa, p, len);
	if (why) {
		note(ai, t->sig, pa, why);
		return;
	}
	slot->pa = pa;
	slot->len = len;
}

static int root_parse(struct acpi_info *ai, const struct rdesc *r, uint64_t pa, const char **why)
{
	const uint8_t *p;
	uint32_t len, n;
	const char *bad = table_map(pa, r->t, &p, &len);
	if (bad)
		return fail(why, bad, -TESSERA_EINVAL);
	if ((len - HDR_LEN) % r->esize)
		return fail(why, r->bad_len, -TESSERA_EINVAL);
	n = (len - HDR_LEN) / r->esize;
	if (n > ROOT_ENTRIES_MAX)
		return fail(why, r->too_many, -TESSERA_EINVAL);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = 0;
		memcpy(&e, p + HDR_LEN + i * r->esize, r->esize); /* little-endian */
		visit(ai, r, e);
	}
	return 0;
}

/* The RSDP at p, with avail bytes readable there; NULL if sound, else why not. */
static const char *rsdp_check(const uint8_t *p, uint32_t avail)
{
	uint32_t len;
	if (avail < RSDP_V1_LEN)
		return "RSDP shorter than 20 bytes";
	if (memcmp(p, "RSD PTR ", 8))
		return "RSDP signature invalid";
	if (sum(p, RSDP_V1_LEN))
		return "RSDP checksum mismatch";
	if (p[15] < 2)
		return NULL;
	if (avail < RSDP_V2_LEN)
		return "RSDP revision 2 shorter than 36 bytes";
	len = le32(p + 20);
	if (len < RSDP_V2_LEN)
		return "RSDP length below 36";
	if (len > avail)
		return "RSDP length runs past its area";
	if (sum(p, len))
		return "RSDP extended checksum mismatch";
	return NULL;
}

/* The first sound RSDP in [pa, pa+len), on 16-byte steps; unsound candidates are noted. */
static const uint8_t *rsdp_find(struct acpi_info *ai, uint64_t pa, uint32_t len, uint32_t *avail)
{
	const uint8_t *p = phys_map(pa, len);
	if (!p)
		return NULL;
	for (uint32_t off = 0; len - off >= RSDP_V1_LEN; off += 16) {
		const char *why;
		if (memcmp(p + off, "RSD PTR ", 8))
			continue;
		why = rsdp_check(p + off, len - off);
		if (!why) {
			*avail = len - off;
			return p + off;
		}
		note(ai, "RSDP", pa + off, why);
	}
	return NULL;
}

int acpi_scan(const uint8_t *rsdp, uint32_t rsdp_len, struct acpi_info *ai, const char **why)
{
	const char *bad;
	uint32_t rsdt, avail = rsdp_len;
	uint64_t xsdt = 0;

	memset(ai, 0, sizeof(*ai));
	if (!rsdp_len) {
		const uint8_t *seg = phys_map(EBDA_SEG_PA, 2);
		uint64_t ebda = seg ? (uint64_t)(seg[0] | seg[1] << 8) << 4 : 0;
		if (ebda > 0x400 && ebda + EBDA_SCAN_LEN <= EBDA_LIMIT)
			rsdp = rsdp_find(ai, ebda, EBDA_SCAN_LEN, &avail);
		if (!rsdp)
			rsdp = rsdp_find(ai, BIOS_AREA_PA, BIOS_AREA_LEN, &avail);
		if (!rsdp)
			return fail(why, "no valid RSDP in the BIOS areas", -TESSERA_ENOENT);
	} else if (!rsdp) {
		return fail(why, "RSDP not given", -TESSERA_EINVAL);
	}
	bad = rsdp_check(rsdp, avail);
	if (bad)
		return fail(why, bad, -TESSERA_EINVAL);
	ai->revision = rsdp[15];
	rsdt = le32(rsdp + 16);
	if (ai->revision >= 2)
		xsdt = le64(rsdp + 24);
	if (xsdt)
		return root_parse(ai, &r_xsdt, xsdt, why);
	if (rsdt)
		return root_parse(ai, &r_rsdt, rsdt, why);
	return fail(why, "RSDP has no RSDT or XSDT address", -TESSERA_EINVAL);
}
