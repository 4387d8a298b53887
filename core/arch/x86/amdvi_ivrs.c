/*
 * The ACPI IVRS table, read as hostile input: every length is checked against
 * what contains it before use, every loop advances by at least 4 bytes, and
 * anything malformed rejects the whole table with a reason (then the core runs
 * without an IOMMU and assigns no device).
 */
#include <core/lib.h>
#include <tessera/errno.h>
#include "iommu_backend.h"
#include "amdvi.h"

#define IVRS_FIRST 48 /* header (36), IVinfo (4), reserved (8) */
#define IVHD_BASE_END (4ULL << 30) /* the core's 1:1 map */
#define IVHD_MMIO_SIZE 0x4000ULL

static bool is_ivhd(uint8_t type)
{
	return type == 0x10 || type == 0x11 || type == 0x40;
}

static void mark(uint64_t *map, uint32_t first, uint32_t last)
{
	for (uint32_t id = first; id <= last; id++)
		map[id / 64] |= 1ULL << (id % 64);
}

/* A range opened by a START entry (0x03, 0x43, 0x47), closed by the next END (0x04). */
struct range {
	bool open, alias;
	uint16_t first, alias_id;
};

static int range_end(struct amdvi_ivrs *o, struct range *r, uint16_t last, const char **why)
{
	if (!r->open) {
		*why = "IVRS: device range end without a start before it";
		return -1;
	}
	if (last < r->first) {
		*why = "IVRS: device range ends before it starts";
		return -1;
	}
	mark(o->covered, r->first, last);
	if (r->alias) {
		/* Every id in the range issues DMA as alias_id: one DTE for all of them. */
		mark(o->aliased, r->first, last);
		mark(o->aliased, r->alias_id, r->alias_id);
	}
	r->open = false;
	return 0;
}

static int entry(struct amdvi_ivrs *o, const uint8_t *e, struct range *r, const char **why)
{
	uint16_t id = le16(e + 1);
	switch (e[0]) {
	case 0x01: /* ALL */
		mark(o->covered, 0, AMDVI_IDS - 1);
		return 0;
	case 0x02: case 0x46: /* SELECT, EXTENDED SELECT */
		mark(o->covered, id, id);
		return 0;
	case 0x42: /* ALIAS SELECT: id issues DMA as the id in bytes 5-6 */
		mark(o->covered, id, id);
		mark(o->aliased, id, id);
		mark(o->aliased, le16(e + 5), le16(e + 5));
		return 0;
	case 0x03: case 0x43: case 0x47:
		if (r->open) {
			*why = "IVRS: device range start inside another range";
			return -1;
		}
		*r = (struct range){ true, e[0] == 0x43, id, e[0] == 0x43 ? le16(e + 5) : 0 };
		return 0;
	case 0x04:
		return range_end(o, r, id, why);
	case 0x48: /* SPECIAL: IOAPIC (variety 1), HPET (2) */
		id = le16(e + 5);
		mark(o->covered, id, id);
		if ((e[7] == 1 && !id_add(o->ioapic, &o->nioapic, AMDVI_SPECIAL_MAX, id)) ||
		    !id_add(o->special, &o->nspecial, AMDVI_SPECIAL_MAX, id)) {
			*why = "IVRS: more than 16 IOAPIC/HPET entries";
			return -1;
		}
		return 0;
	case 0xf0: /* ACPI HID device: not PCI, never assigned */
		mark(o->covered, id, id);
		if (!id_add(o->special, &o->nspecial, AMDVI_SPECIAL_MAX, id)) {
			*why = "IVRS: more than 16 special device entries";
			return -1;
		}
		return 0;
	default: /* padding and reserved types of a known size */
		return 0;
	}
}

/* The device entries of one IVHD, [off, end) of the table. */
static int entries(struct amdvi_ivrs *o, const uint8_t *t, uint32_t off, uint32_t end,
		   const char **why)
{
	struct range r = { 0 };
	while (off < end) {
		uint32_t size;
		if (t[off] == 0xf0)
			size = end - off >= 22 ? 22u + t[off + 21] : UINT32_MAX;
		else if (t[off] < 0x80)
			size = t[off] < 0x40 ? 4 : 8;
		else {
			*why = "IVRS: unknown IVHD device entry type";
			return -1;
		}
		if (size > end - off) {
			*why = "IVRS: an IVHD device entry runs past its IVHD";
			return -1;
		}
		if (entry(o, t + off, &r, why))
			return -1;
		off += size;
	}
	if (r.open) {
		*why = "IVRS: device range start without an end";
		return -1;
	}
	return 0;
}

static int ivhd(struct amdvi_ivrs *o, const uint8_t *t, uint32_t off, uint32_t len,
		const char **why)
{
	const uint8_t *h = t + off;
	uint32_t hdr = h[0] == 0x10 ? 24 : 40;
	if (len < hdr) {
		*why = "IVRS: IVHD shorter than its header";
		return -1;
	}
	o->base = le64(h + 8);
	o->iommu_id = le16(h + 4);
	o->ivhd_type = h[0];
	o->ivhd_flags = h[1];
	if (le16(h + 16) != 0) {
		*why = "IVRS: the IOMMU is not on PCI segment 0 (not supported)";
		return -1;
	}
#ifdef FUZZ_PLANTED_BUG /* IOMMU registers not checked for alignment (fuzz/planted.sh) */
	if (!o->base ||
#else
	if (!o->base || !IS_ALIGNED(o->base, IVHD_MMIO_SIZE) ||
#endif
	    o->base > IVHD_BASE_END - IVHD_MMIO_SIZE) {
		*why = "IVRS: IOMMU registers not 16 KiB aligned inside the first 4 GiB";
		return -1;
	}
	return entries(o, t, off + hdr, off + len, why);
}

int amdvi_ivrs_parse(const uint8_t *t, uint32_t len, struct amdvi_ivrs *o, const char **why)
{
	bool found = false;
	memset(o, 0, sizeof(*o));
	if (len < IVRS_FIRST) {
		*why = "IVRS: shorter than its header";
		return -TESSERA_EINVAL;
	}
	for (uint32_t off = IVRS_FIRST, sub; off < len; off += sub) {
		if (len - off < 4 || (sub = le16(t + off + 2)) < 4 || sub > len - off) {
			*why = "IVRS: a sub-table runs past the table or is shorter than 4 bytes";
			return -TESSERA_EINVAL;
		}
		if (!is_ivhd(t[off]))
			continue; /* IVMD (unity maps) and unknown types: not used */
		if (!found) {
			if (ivhd(o, t, off, sub, why))
				return -TESSERA_EINVAL;
			found = true;
		} else if (sub < (t[off] == 0x10 ? 24u : 40u)) {
			*why = "IVRS: IVHD shorter than its header";
			return -TESSERA_EINVAL;
		} else if (le64(t + off + 8) != o->base) {
			/* The devices behind a second IOMMU would not be blocked. */
			*why = "IVRS: more than one IOMMU (not supported)";
			return -TESSERA_EINVAL;
		}
	}
	if (!found) {
		*why = "IVRS: no IVHD (IOMMU definition)";
		return -TESSERA_EINVAL;
	}
	return 0;
}
