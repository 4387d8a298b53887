/* ACPI: the root tables, the PCI ECAM ranges (MCFG), the TPM (TPM2) and where the IOMMU tables are. */
#ifndef CORE_ACPI_H
#define CORE_ACPI_H
#include <core/types.h>

#define ACPI_MCFG_MAX 4
#define ACPI_NOTE_MAX 8

/* Config space of (bus, dev, fn) is at base + (bus << 20 | dev << 15 | fn << 12). */
struct acpi_mcfg {
	uint64_t base; /* of bus 0, as in the table; [bus_start, bus_end] is below 4 GiB */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_table {
	uint64_t pa;
	uint32_t len; /* the whole table, header included, checksum verified; 0: absent */
};

/* The TPM2 table's fields (TCG ACPI Specification), valid when tpm2_table.len != 0. */
#define ACPI_TPM2_START_TIS 6 /* FIFO (TIS) interface at the PC's fixed address */
#define ACPI_TPM2_START_CRB 7 /* command response buffer at control - 0x40 */
struct acpi_tpm2 {
	uint32_t start_method; /* as in the table: the TPM driver decides what it supports */
	uint64_t control;      /* CRB: the control area's address */
	uint32_t laml;         /* log area length and address: both 0 or both set and */
	uint64_t lasa;         /* below 4 GiB (otherwise left out with a note) */
};

/* A table or entry that was ignored, and why (the scan itself went on). */
struct acpi_note {
	char sig[5]; /* "MCFG", "RSDP", ...; NUL-terminated */
	uint64_t pa; /* where the table (or the entry's target, or the RSDP candidate) is */
	const char *why;
};

struct acpi_info {
	uint8_t revision; /* of the RSDP: below 2, the RSDT; 2 or more, the XSDT if it has one */
	uint32_t nmcfg; /* ECAM ranges the core can address, in table order */
	struct acpi_mcfg mcfg[ACPI_MCFG_MAX];
	struct acpi_table mcfg_table, ivrs, dmar, tpm2_table; /* the first valid one of each */
	struct acpi_tpm2 tpm2;
	uint32_t nnotes; /* may exceed ACPI_NOTE_MAX: only the first ones are kept */
	struct acpi_note notes[ACPI_NOTE_MAX];
};

/*
 * Find and check the tables from the RSDP copy the boot loader passed (boot_info
 * rsdp/rsdp_len) or, with rsdp_len 0, from the first valid RSDP in the BIOS areas
 * (EBDA first KiB, then 0xE0000-0xFFFFF). A bad RSDP, RSDT or XSDT fails the
 * whole scan (nothing found); a bad MCFG, IVRS, DMAR or TPM2 is left out with a note.
 * Returns 0, -TESSERA_ENOENT (no RSDP in the BIOS areas) or -TESSERA_EINVAL.
 */
int acpi_scan(const uint8_t *rsdp, uint32_t rsdp_len, struct acpi_info *ai, const char **why);
#endif
