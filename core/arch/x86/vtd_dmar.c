/*
 * The ACPI DMAR table, read as hostile input: every length is checked against
 * what contains it before use, every loop advances by at least 4 bytes, and
 * anything malformed rejects the whole table with a reason (then the core runs
 * without an IOMMU and assigns no device).
 */
#include <core/lib.h>
#include <tessera/errno.h>
#include "iommu_backend.h"
#include "vtd.h"

#define DMAR_FIRST 48 /* header (36), host address width, flags, 10 reserved */
#define DRHD 0
#define RMRR 1
#define DRHD_INCLUDE_PCI_ALL 1
#define SCOPE_ENDPOINT 1
#define SCOPE_BRIDGE   2
#define SCOPE_ACPI     5
#define REG_WINDOW_LO  0xfe000000ULL /* the core maps [this, 4 GiB) uncached */
#define REG_WINDOW_HI  (4ULL << 30)

/*
 * The device scopes in s[0, len). One-hop endpoints go to list (a full list
 * fails only where forgetting one would be unsafe: rmrr); endpoints behind
 * bridges and whole bridges set *deep. IOAPIC, HPET and ACPI scopes name no
 * PCI function a domain could be given.
 */
static int scopes(const uint8_t *s, uint32_t len, uint16_t *list, uint32_t *n, bool rmrr,
		  bool *deep, const char **why)
{
	for (uint32_t off = 0; off < len;) {
		const uint8_t *e = s + off;
		uint32_t elen, path;
		if (len - off < 6 || (elen = e[1]) < 6 || elen > len - off || (elen - 6) % 2) {
			*why = "DMAR: a device scope's length is wrong";
			return -1;
		}
		if (e[0] < SCOPE_ENDPOINT || e[0] > SCOPE_ACPI) {
			*why = "DMAR: unknown device scope type";
			return -1;
		}
		path = (elen - 6) / 2;
		for (uint32_t i = 0; i < path; i++)
			if (e[6 + 2 * i] > 31 || e[7 + 2 * i] > 7) {
				*why = "DMAR: a device scope's path names no PCI function";
				return -1;
			}
		if (!path && e[0] <= SCOPE_BRIDGE) {
			*why = "DMAR: a PCI device scope without a path";
			return -1;
		}
		if (e[0] == SCOPE_BRIDGE || (e[0] == SCOPE_ENDPOINT && path > 1))
			*deep = true;
		else if (e[0] == SCOPE_ENDPOINT &&
			 !id_add(list, n, VTD_SCOPE_MAX, (uint16_t)(e[5] << 8 | e[6] << 3 | e[7])) && rmrr) {
			*why = "DMAR: too many devices with reserved memory (RMRR)";
			return -1;
		}
		off += elen;
	}
	return 0;
}

static int drhd(const uint8_t *e, uint32_t len, struct vtd_dmar *o, const char **why)
{
	bool deep = false;
	uint64_t size;
	if (len < 16) {
		*why = "DMAR: remapping unit (DRHD) too short";
		return -1;
	}
	if (o->base) {
		*why = "DMAR: more than one remapping unit (only one is supported yet)";
		return -1;
	}
	if (le16(e + 6)) {
		*why = "DMAR: a remapping unit for a PCI segment other than 0 (not supported)";
		return -1;
	}
	o->base = le64(e + 8);
	size = 4096ULL << (e[5] & 0xf); /* a zero size field (older tables): one page */
#ifdef FUZZ_PLANTED_BUG /* remapping unit registers not checked for alignment (fuzz/planted.sh) */
	if (o->base < REG_WINDOW_LO || o->base > REG_WINDOW_HI - size) {
#else
	if (o->base % 4096 || o->base < REG_WINDOW_LO || o->base > REG_WINDOW_HI - size) {
#endif
		*why = "DMAR: remapping unit registers outside [0xfe000000, 4 GiB) or unaligned";
		return -1;
	}
	o->include_all = e[4] & DRHD_INCLUDE_PCI_ALL;
	/* Devices the scope reaches only through a bridge are not assigned: nothing to record. */
	return scopes(e + 16, len - 16, o->scope, &o->nscope, false, &deep, why);
}

static int rmrr(const uint8_t *e, uint32_t len, struct vtd_dmar *o, const char **why)
{
	uint64_t lo, hi;
	if (len < 24) {
		*why = "DMAR: reserved memory region (RMRR) too short";
		return -1;
	}
	lo = le64(e + 8);
	hi = le64(e + 16);
	if (lo > hi || lo % 4096 || (hi + 1) % 4096) {
		*why = "DMAR: reserved memory region (RMRR) is not whole pages";
		return -1;
	}
	if (le16(e + 6))
		return 0; /* another segment: none of its devices is ever assigned */
	return scopes(e + 24, len - 24, o->rmrr, &o->nrmrr, true, &o->rmrr_deep, why);
}

int vtd_dmar_parse(const uint8_t *t, uint32_t len, struct vtd_dmar *o, const char **why)
{
	memset(o, 0, sizeof(*o));
	if (len < DMAR_FIRST || memcmp(t, "DMAR", 4)) {
		*why = "DMAR: not a DMAR table, or shorter than its header";
		return -TESSERA_EINVAL;
	}
	o->haw = (uint8_t)(t[36] + 1);
	if (o->haw < 32 || o->haw > 64) {
		*why = "DMAR: host address width out of range";
		return -TESSERA_EINVAL;
	}
	for (uint32_t off = DMAR_FIRST; off < len;) {
		const uint8_t *e = t + off;
		uint32_t elen;
		int rc = 0;
		if (len - off < 4 || (elen = le16(e + 2)) < 4 || elen > len - off) {
			*why = "DMAR: a structure's length runs past the table";
			return -TESSERA_EINVAL;
		}
		if (le16(e) == DRHD)
			rc = drhd(e, elen, o, why);
		else if (le16(e) == RMRR)
			rc = rmrr(e, elen, o, why);
		if (rc)
			return -TESSERA_EINVAL;
		off += elen;
	}
	if (!o->base) {
		*why = "DMAR: no remapping unit (DRHD)";
		return -TESSERA_EINVAL;
	}
	return 0;
}
