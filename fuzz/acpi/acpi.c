/*
 * The ACPI table finder (core/acpi.c), then the IVRS and DMAR parsers on what it
 * found. Input: a flags byte, a 36-byte RSDP, then bytes placed at physical
 * WINDOW (the tables; their addresses point there). Flags: bit 0 fixes every
 * checksum the tables' addresses lead to (so mutations get past them), bit 1
 * leaves the RSDP in the BIOS area at 0xe0000 + 16 * (flags >> 4) instead of
 * handing it over, as a Multiboot 1 boot does.
 */
#include "../../tests/sim/sim.h"
#include "amdvi.h"
#include "vtd.h"
#include <core/acpi.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 0x200000u
#define WINDOW_MAX 0x100000u
#define BIOS 0xe0000u

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Make the table at pa (inside the window) sum to zero. */
static void fix_table(uint64_t pa)
{
	uint8_t *t, s = 0;
	uint32_t len;
	if (pa < WINDOW || pa > WINDOW + WINDOW_MAX - 36)
		return;
	t = sim_phys(pa, 36);
	len = le32_at(t + 4);
	if (len < 36 || len > WINDOW + WINDOW_MAX - pa)
		return;
	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + t[i]);
	t[9] = (uint8_t)-s;
}

static void fix_rsdp(uint8_t *r)
{
	uint8_t s = 0;
	uint64_t root = le32_at(r + 16), xsdt;
	r[8] = 0;
	for (int i = 0; i < 20; i++)
		s = (uint8_t)(s + r[i]);
	r[8] = (uint8_t)-s;
	r[32] = 0, s = 0;
	for (int i = 0; i < 36; i++)
		s = (uint8_t)(s + r[i]);
	r[32] = (uint8_t)-s;
	memcpy(&xsdt, r + 24, 8);
	if (r[15] >= 2 && xsdt)
		root = xsdt;
	if (root < WINDOW || root > WINDOW + WINDOW_MAX - 36)
		return;
	uint32_t len = le32_at(sim_phys(root + 4, 4)), esize = root == xsdt ? 8 : 4;
	for (uint32_t off = 36; len <= WINDOW + WINDOW_MAX - root && off + esize <= len; off += esize) {
		uint64_t e = 0;
		memcpy(&e, sim_phys(root + off, esize), esize);
		fix_table(e);
	}
	fix_table(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info ai;
	static struct amdvi_ivrs ivrs;
	static struct vtd_dmar dmar;
	uint8_t rsdp[36], flags;
	const char *why = NULL;
	size_t n;
	if (size < 1 + sizeof(rsdp))
		return 0;
	flags = data[0];
	memcpy(rsdp, data + 1, sizeof(rsdp));
	n = size - 1 - sizeof(rsdp) < WINDOW_MAX ? size - 1 - sizeof(rsdp) : WINDOW_MAX;
	memset(sim_phys(WINDOW, WINDOW_MAX), 0, WINDOW_MAX);
	memset(sim_phys(BIOS, 0x20000), 0, 0x20000);
	memcpy(sim_phys(WINDOW, n), data + 1 + sizeof(rsdp), n);
	if (flags & 1)
		fix_rsdp(rsdp);
	if (flags & 2)
		memcpy(sim_phys(BIOS + 16u * (flags >> 4), sizeof(rsdp)), rsdp, sizeof(rsdp));
	if (acpi_scan(flags & 2 ? NULL : rsdp, flags & 2 ? 0 : sizeof(rsdp), &ai, &why))
		return 0;
	if (ai.nmcfg > ACPI_MCFG_MAX)
		abort();
	for (uint32_t i = 0; i < ai.nmcfg; i++)
		if (ai.mcfg[i].bus_start > ai.mcfg[i].bus_end || ai.mcfg[i].base % (1u << 20))
			abort();
	if (ai.ivrs.len)
		(void)amdvi_ivrs_parse(sim_phys(ai.ivrs.pa, ai.ivrs.len), ai.ivrs.len, &ivrs, &why);
	if (ai.dmar.len)
		(void)vtd_dmar_parse(sim_phys(ai.dmar.pa, ai.dmar.len), ai.dmar.len, &dmar, &why);
	return 0;
}
