/* The AMD-Vi IVRS parser on QEMU's table and built ones, as hostile input. */
#include "test.h"
#include "amdvi.h"
#include <tessera/errno.h>
#include <stdlib.h>

/*
 * The IVRS QEMU 7.2 builds for -machine q35 -nodefaults -device amd-iommu -device e1000e,addr=03.0
 * (dumped from the running binary): one IVHD 10h, IOMMU 00:01.0 at 0xfed80000, SELECT entries for
 * 00:00.0, 00:01.0, 00:03.0, 00:1f.0, 00:1f.2, 00:1f.3 and the IOAPIC special entry 0x00a0.
 */
static const uint8_t qemu72[104] = {
	0x49, 0x56, 0x52, 0x53, 0x68, 0x00, 0x00, 0x00, 0x01, 0x00, 0x42, 0x4f, 0x43, 0x48, 0x53, 0x20,
	0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0xd1, 0x38, 0x00, 0x08, 0x00, 0x40, 0x00, 0x00, 0x00, 0xd8, 0xfe, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x44, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00,
	0x02, 0x18, 0x00, 0x00, 0x02, 0xf8, 0x00, 0x00, 0x02, 0xfa, 0x00, 0x00, 0x02, 0xfb, 0x00, 0x00,
	0x48, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x00, 0x01,
};
#define QEMU_IVHD 48
#define QEMU_BASE 0xfed80000ULL

#define BAD_HDR     "IVRS: shorter than its header"
#define BAD_SUB     "IVRS: a sub-table runs past the table or is shorter than 4 bytes"
#define NO_IVHD     "IVRS: no IVHD (IOMMU definition)"
#define SHORT_IVHD  "IVRS: IVHD shorter than its header"
#define BAD_SEG     "IVRS: the IOMMU is not on PCI segment 0 (not supported)"
#define BAD_BASE    "IVRS: IOMMU registers not 16 KiB aligned inside the first 4 GiB"
#define TWO_IOMMUS  "IVRS: more than one IOMMU (not supported)"
#define BAD_TYPE    "IVRS: unknown IVHD device entry type"
#define PAST_IVHD   "IVRS: an IVHD device entry runs past its IVHD"
#define END_ALONE   "IVRS: device range end without a start before it"
#define START_ALONE "IVRS: device range start without an end"
#define NESTED      "IVRS: device range start inside another range"
#define MANY_IOAPIC "IVRS: more than 16 IOAPIC/HPET entries"
#define MANY_HID    "IVRS: more than 16 special device entries"

static struct amdvi_ivrs iv;
static const char *why;

/* Parse a copy in a heap block of exactly len bytes, so ASan sees any read past the table. */
static int parse(const uint8_t *t, uint32_t len)
{
	uint8_t *c = malloc(len);
	int rc;
	CHECK(c || !len);
	if (len)
		memcpy(c, t, len);
	why = NULL;
	rc = amdvi_ivrs_parse(c, len, &iv, &why);
	free(c);
	return rc;
}

static uint32_t ncovered(const uint64_t *map)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < AMDVI_IDS / 64; i++)
		n += (uint32_t)__builtin_popcountll(map[i]);
	return n;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* --- a table builder ---------------------------------------------------------------- */

static uint8_t b[8192];
static uint32_t n;  /* bytes so far */
static uint32_t hd; /* where the IVHD being filled starts */

static void put16(uint32_t at, uint16_t v)
{
	b[at] = (uint8_t)v;
	b[at + 1] = (uint8_t)(v >> 8);
}

static void put32(uint32_t at, uint32_t v)
{
	put16(at, (uint16_t)v);
	put16(at + 2, (uint16_t)(v >> 16));
}

static void put64(uint32_t at, uint64_t v)
{
	put32(at, (uint32_t)v);
	put32(at + 4, (uint32_t)(v >> 32));
}

/* The IVHD being filled and the table both end at n. */
static void fix_len(void)
{
	put16(hd + 2, (uint16_t)(n - hd));
	put32(4, n);
}

/* An IVRS header (revision 2, IVinfo PAsize 40) and no sub-table. */
static void begin(void)
{
	memset(b, 0, sizeof(b));
	memcpy(b, "IVRS", 4);
	b[8] = 2;
	memcpy(b + 10, "TESSER", 6);
	memcpy(b + 16, "UNITTEST", 8);
	put32(36, 0x2800);
	n = 48;
	put32(4, n);
}

/* Open an IVHD of type 0x10 (24-byte header), 0x11 or 0x40 (40) for the IOMMU devid at base. */
static void ivhd(uint8_t type, uint16_t devid, uint64_t base)
{
	hd = n;
	b[n] = type;
	b[n + 1] = 0xd1;
	put16(n + 4, devid);
	put16(n + 6, 0x40);
	put64(n + 8, base);
	n += type == 0x10 ? 24 : 40;
	fix_len();
}

/* A sub-table that is not an IVHD (IVMD 0x20-0x22 or unknown): type, length, zeros. */
static void other(uint8_t type, uint16_t len)
{
	hd = n;
	b[n] = type;
	n += len;
	fix_len();
}

static void e4(uint8_t type, uint16_t id)
{
	b[n] = type;
	put16(n + 1, id);
	n += 4;
	fix_len();
}

static void e8(uint8_t type, uint16_t id, uint8_t b4, uint16_t w5, uint8_t b7)
{
	b[n] = type;
	put16(n + 1, id);
	b[n + 4] = b4;
	put16(n + 5, w5);
	b[n + 7] = b7;
	n += 8;
	fix_len();
}

static void special(uint8_t handle, uint16_t id, uint8_t variety)
{
	e8(0x48, 0, handle, id, variety);
}

/* An ACPI HID entry (0xf0): 22 bytes and a UID of uidlen bytes. */
static void hid(uint16_t id, uint8_t uidlen)
{
	b[n] = 0xf0;
	put16(n + 1, id);
	memcpy(b + n + 4, "AMDI0020", 8);
	memcpy(b + n + 12, "PNP0501 ", 8);
	b[n + 20] = 2; /* UID format: string */
	b[n + 21] = uidlen;
	memset(b + n + 22, '0', uidlen);
	n += 22u + uidlen;
	fix_len();
}

/* One IOMMU at base with one SELECT entry for 00:00.0 */
static void simple(uint8_t type, uint64_t base)
{
	begin();
	ivhd(type, 0x0008, base);
	e4(0x02, 0x0000);
}

static int done(void)
{
	return parse(b, n);
}

#define ACCEPTS()                                                                  \
	do {                                                                       \
		int rc_ = done();                                                  \
		if (rc_)                                                           \
			test_fail(__FILE__, __LINE__, "rejected: %s", why ? why : "(null)"); \
	} while (0)

#define REJECTS(reason)                                                            \
	do {                                                                       \
		CHECK_EQ(done(), -TESSERA_EINVAL);                                 \
		CHECK_STREQ(why, reason);                                          \
	} while (0)

/* --- QEMU's table ------------------------------------------------------------------- */

TEST(ivrs_qemu72_table_gives_the_iommu_base_id_type_and_flags)
{
	CHECK_EQ(parse(qemu72, sizeof(qemu72)), 0);
	CHECK_EQ(iv.base, QEMU_BASE);
	CHECK_EQ(iv.iommu_id, 0x0008); /* 00:01.0 */
	CHECK_EQ(iv.ivhd_type, 0x10);
	CHECK_EQ(iv.ivhd_flags, 0xd1);
}

TEST(ivrs_qemu72_table_covers_its_six_functions_and_the_ioapic_and_nothing_else)
{
	static const uint16_t ids[] = { 0x0000, 0x0008, 0x0018, 0x00f8, 0x00fa, 0x00fb, 0x00a0 };
	CHECK_EQ(parse(qemu72, sizeof(qemu72)), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++)
		CHECK(amdvi_bit(iv.covered, ids[i]));
	CHECK_EQ(ncovered(iv.covered), ARRAY_SIZE(ids));
	CHECK(!amdvi_bit(iv.covered, 0x0010)); /* 00:02.0: nothing there */
	CHECK(!amdvi_bit(iv.covered, 0x0100));
	CHECK_EQ(ncovered(iv.aliased), 0);
}

TEST(ivrs_qemu72_table_has_one_ioapic_special_entry_0x00a0)
{
	CHECK_EQ(parse(qemu72, sizeof(qemu72)), 0);
	CHECK_EQ(iv.nioapic, 1);
	CHECK_EQ(iv.ioapic[0], 0x00a0);
	CHECK_EQ(iv.nspecial, 1);
	CHECK_EQ(iv.special[0], 0x00a0);
}

TEST(ivrs_built_copy_of_the_qemu72_ivhd_parses_the_same)
{
	struct amdvi_ivrs *q = malloc(sizeof(*q));
	CHECK(q);
	CHECK_EQ(parse(qemu72, sizeof(qemu72)), 0);
	*q = iv;
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	put32(hd + 20, 0x44);
	e4(0x02, 0x0000);
	e4(0x02, 0x0008);
	e4(0x02, 0x0018);
	e4(0x02, 0x00f8);
	e4(0x02, 0x00fa);
	e4(0x02, 0x00fb);
	special(0, 0x00a0, 1);
	CHECK_EQ(n, sizeof(qemu72));
	CHECK(!memcmp(b + QEMU_IVHD, qemu72 + QEMU_IVHD, sizeof(qemu72) - QEMU_IVHD));
	ACCEPTS();
	CHECK(!memcmp(q, &iv, sizeof(iv)));
	free(q);
}

TEST(ivrs_result_is_cleared_before_parsing_even_when_rejected)
{
	memset(&iv, 0xff, sizeof(iv));
	CHECK_EQ(parse(qemu72, sizeof(qemu72)), 0);
	CHECK_EQ(ncovered(iv.covered), 7); /* not OR-ed into stale bits */
	CHECK_EQ(parse(qemu72, 40), -TESSERA_EINVAL);
	CHECK_EQ(iv.base, 0);
	CHECK_EQ(iv.nspecial, 0);
	CHECK_EQ(iv.nioapic, 0);
	CHECK_EQ(ncovered(iv.covered), 0);
}

/* --- the table and its sub-tables --------------------------------------------------- */

TEST(ivrs_shorter_than_48_bytes_is_rejected_and_48_has_no_ivhd)
{
	static const uint32_t lens[] = { 0, 1, 4, 35, 36, 40, 47 };
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
		CHECK_EQ(parse(qemu72, lens[i]), -TESSERA_EINVAL);
		CHECK_STREQ(why, BAD_HDR);
	}
	CHECK_EQ(parse(qemu72, 48), -TESSERA_EINVAL);
	CHECK_STREQ(why, NO_IVHD);
}

/* acpi.c passes the header's Length as len once it has mapped that much; the walk stops at len. */
TEST(ivrs_qemu72_cut_anywhere_inside_its_ivhd_is_rejected_as_running_past)
{
	for (uint32_t len = 49; len < sizeof(qemu72); len++) {
		CHECK_EQ(parse(qemu72, len), -TESSERA_EINVAL);
		CHECK_STREQ(why, BAD_SUB);
	}
}

TEST(ivrs_header_length_field_is_not_read_only_len_bounds_the_walk)
{
	uint8_t t[sizeof(qemu72)];
	memcpy(t, qemu72, sizeof(t));
	t[4] = t[5] = t[6] = t[7] = 0xff; /* larger than the buffer */
	CHECK_EQ(parse(t, sizeof(t)), 0);
	CHECK_EQ(iv.base, QEMU_BASE);
	t[4] = 36, t[5] = t[6] = t[7] = 0; /* smaller than the header */
	CHECK_EQ(parse(t, sizeof(t)), 0);
	CHECK_EQ(ncovered(iv.covered), 7);
}

TEST(ivrs_trailing_bytes_after_the_last_sub_table_are_rejected)
{
	uint8_t t[sizeof(qemu72) + 8];
	memset(t, 0, sizeof(t));
	memcpy(t, qemu72, sizeof(qemu72));
	for (uint32_t extra = 1; extra <= 3; extra++) { /* not even a sub-table header */
		CHECK_EQ(parse(t, (uint32_t)sizeof(qemu72) + extra), -TESSERA_EINVAL);
		CHECK_STREQ(why, BAD_SUB);
	}
	CHECK_EQ(parse(t, (uint32_t)sizeof(qemu72) + 4), -TESSERA_EINVAL); /* length 0 */
	CHECK_STREQ(why, BAD_SUB);
	t[sizeof(qemu72) + 2] = 4; /* a 4-byte sub-table of type 0: skipped */
	CHECK_EQ(parse(t, (uint32_t)sizeof(qemu72) + 4), 0);
	CHECK_EQ(parse(t, (uint32_t)sizeof(qemu72) + 5), -TESSERA_EINVAL);
	CHECK_STREQ(why, BAD_SUB);
}

TEST(ivrs_sub_table_length_below_4_is_rejected_so_the_walk_always_advances)
{
	for (uint16_t len = 0; len < 4; len++) {
		begin();
		other(0x21, 32);
		put16(48 + 2, len);
		ivhd(0x10, 0x0008, QEMU_BASE);
		REJECTS(BAD_SUB);
	}
	for (uint16_t len = 0; len < 4; len++) { /* an IVHD too */
		simple(0x10, QEMU_BASE);
		put16(hd + 2, len);
		REJECTS(BAD_SUB);
	}
}

TEST(ivrs_sub_table_longer_than_what_is_left_is_rejected_exactly_one_past)
{
	simple(0x10, QEMU_BASE);
	other(0x20, 32);
	ACCEPTS();
	put16(hd + 2, 33);
	REJECTS(BAD_SUB);
	simple(0x40, QEMU_BASE);
	put16(hd + 2, (uint16_t)(n - hd + 1));
	REJECTS(BAD_SUB);
	put16(hd + 2, 0xffff);
	REJECTS(BAD_SUB);
}

TEST(ivrs_ivmd_and_unknown_sub_tables_are_skipped_around_the_ivhd)
{
	begin();
	other(0x21, 32); /* IVMD, one device */
	other(0x99, 4);  /* unknown, minimal */
	ivhd(0x11, 0x0002, QEMU_BASE);
	e4(0x02, 0x0010);
	other(0x22, 32); /* IVMD, range */
	other(0x12, 0x100);
	ACCEPTS();
	CHECK_EQ(iv.ivhd_type, 0x11);
	CHECK_EQ(iv.iommu_id, 0x0002);
	CHECK_EQ(ncovered(iv.covered), 1);
	CHECK(amdvi_bit(iv.covered, 0x0010));
}

TEST(ivrs_without_an_ivhd_is_rejected)
{
	begin();
	REJECTS(NO_IVHD);
	other(0x20, 32);
	other(0x21, 32);
	other(0x22, 32);
	REJECTS(NO_IVHD);
	b[48] = 0x12; /* not one of 0x10, 0x11, 0x40 */
	b[80] = 0x41;
	b[112] = 0x0f;
	REJECTS(NO_IVHD);
}

/* --- the IVHD ----------------------------------------------------------------------- */

TEST(ivrs_ivhd_shorter_than_its_fixed_part_is_rejected)
{
	for (uint16_t len = 4; len < 24; len++) {
		begin();
		ivhd(0x10, 0x0008, QEMU_BASE);
		put16(hd + 2, len);
		put32(4, n = hd + len);
		REJECTS(SHORT_IVHD);
	}
	for (uint16_t len = 4; len < 40; len++) {
		begin();
		ivhd(len % 2 ? 0x11 : 0x40, 0x0008, QEMU_BASE);
		put16(hd + 2, len);
		put32(4, n = hd + len);
		REJECTS(SHORT_IVHD);
	}
}

TEST(ivrs_ivhd_of_just_its_fixed_part_is_accepted_and_covers_nothing)
{
	static const uint8_t types[] = { 0x10, 0x11, 0x40 };
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		begin();
		ivhd(types[i], 0x0008, QEMU_BASE);
		CHECK_EQ(n - hd, types[i] == 0x10 ? 24 : 40);
		ACCEPTS();
		CHECK_EQ(iv.ivhd_type, types[i]);
		CHECK_EQ(ncovered(iv.covered), 0);
	}
}

TEST(ivrs_type_11_and_40_entries_start_after_the_efr_image)
{
	static const uint8_t types[] = { 0x11, 0x40 };
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		begin();
		ivhd(types[i], 0x0008, QEMU_BASE);
		/* IOMMU attributes and EFR image: garbage that would be entries at offset 24 */
		memset(b + hd + 20, 0xff, 4);
		put64(hd + 24, 0x00000000deadbe02ULL);
		put64(hd + 32, 0x00000000cafe0002ULL);
		e4(0x02, 0x0123);
		ACCEPTS();
		CHECK_EQ(ncovered(iv.covered), 1);
		CHECK(amdvi_bit(iv.covered, 0x0123));
	}
}

TEST(ivrs_iommu_on_a_pci_segment_other_than_0_is_rejected)
{
	static const uint16_t segs[] = { 1, 0x100, 0xffff };
	for (unsigned i = 0; i < ARRAY_SIZE(segs); i++) {
		simple(0x10, QEMU_BASE);
		put16(hd + 16, segs[i]);
		REJECTS(BAD_SEG);
	}
}

TEST(ivrs_iommu_base_zero_misaligned_or_above_4gib_is_rejected)
{
	static const uint64_t bad[] = {
		0, 0x1000, 0x2000, QEMU_BASE + 0x1000, QEMU_BASE + 0x2000, QEMU_BASE + 4, QEMU_BASE | 1,
		0xffffc000ULL + 0x2000, 1ULL << 32, (1ULL << 32) + QEMU_BASE, 0xfffffffffffc000ULL,
		0xffffffffffffc000ULL, 1ULL << 63, ~0ULL,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		simple(i % 2 ? 0x10 : 0x40, bad[i]);
		REJECTS(BAD_BASE);
	}
}

TEST(ivrs_iommu_base_at_the_first_and_last_16kib_below_4gib_is_accepted)
{
	static const uint64_t good[] = { 0x4000, 0x8000, 0xfd000000ULL, QEMU_BASE, 0xffffc000ULL };
	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		simple(0x10, good[i]);
		ACCEPTS();
		CHECK_EQ(iv.base, good[i]);
	}
}

TEST(ivrs_second_iommu_is_rejected)
{
	simple(0x10, QEMU_BASE);
	ivhd(0x10, 0x0010, 0xfed90000ULL);
	e4(0x02, 0x0018);
	REJECTS(TWO_IOMMUS);
	simple(0x11, QEMU_BASE); /* only the base tells them apart */
	ivhd(0x40, 0x0008, QEMU_BASE + (1ULL << 32));
	REJECTS(TWO_IOMMUS);
	begin(); /* the second one need not be valid to be refused */
	ivhd(0x10, 0x0008, QEMU_BASE);
	ivhd(0x10, 0x0008, 0);
	REJECTS(TWO_IOMMUS);
}

TEST(ivrs_same_iommu_listed_as_10h_11h_and_40h_uses_the_first_block)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	e4(0x02, 0x0010);
	ivhd(0x11, 0x0008, QEMU_BASE);
	e4(0x02, 0x0010);
	e4(0x02, 0x0020);
	ivhd(0x40, 0x0008, QEMU_BASE);
	e4(0x02, 0x0010);
	e4(0x02, 0x0030);
	ACCEPTS();
	CHECK_EQ(iv.ivhd_type, 0x10);
	CHECK(amdvi_bit(iv.covered, 0x0010));
	CHECK_EQ(ncovered(iv.covered), 1); /* the later blocks' entries are not read */
}

TEST(ivrs_second_ivhd_shorter_than_24_bytes_is_rejected)
{
	for (uint16_t len = 4; len < 24; len++) {
		simple(0x10, QEMU_BASE);
		ivhd(0x11, 0x0008, QEMU_BASE);
		put16(hd + 2, len);
		put32(4, n = hd + len);
		REJECTS(SHORT_IVHD);
	}
}

/* --- device entries ----------------------------------------------------------------- */

TEST(ivrs_select_and_extended_select_cover_one_id_each)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	e4(0x02, 0x0000);
	e4(0x02, 0xffff);
	e8(0x46, 0x1234, 0xff, 0xffff, 0xff);
	ACCEPTS();
	CHECK_EQ(ncovered(iv.covered), 3);
	CHECK(amdvi_bit(iv.covered, 0x0000));
	CHECK(amdvi_bit(iv.covered, 0xffff));
	CHECK(amdvi_bit(iv.covered, 0x1234));
	CHECK_EQ(ncovered(iv.aliased), 0);
	CHECK_EQ(iv.nspecial, 0);
}

TEST(ivrs_all_entry_covers_every_id)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	e4(0x01, 0x1234);
	ACCEPTS();
	CHECK_EQ(ncovered(iv.covered), AMDVI_IDS);
	CHECK_EQ(ncovered(iv.aliased), 0);
}

TEST(ivrs_reserved_entry_types_are_skipped_by_their_size)
{
	static const uint8_t four[] = { 0x00, 0x05, 0x20, 0x3f };
	static const uint8_t eight[] = { 0x40, 0x41, 0x44, 0x45, 0x49, 0x60, 0x7f };
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	for (unsigned i = 0; i < ARRAY_SIZE(four); i++)
		e4(four[i], 0x0100);
	for (unsigned i = 0; i < ARRAY_SIZE(eight); i++)
		e8(eight[i], 0x0200, 0x02, 0x0300, 0x00); /* bytes 4-7 look like SELECT 0x0003 */
	e4(0x02, 0x0400);
	ACCEPTS();
	CHECK_EQ(ncovered(iv.covered), 1);
	CHECK(amdvi_bit(iv.covered, 0x0400));
}

TEST(ivrs_device_entry_types_of_unknown_size_are_rejected)
{
	static const uint8_t types[] = { 0x80, 0x81, 0xbf, 0xc0, 0xef, 0xf1, 0xfe, 0xff };
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		simple(0x40, QEMU_BASE);
		for (unsigned k = 0; k < 32; k++) /* room for any size the type might have */
			e4(0x00, 0);
		b[hd + 40] = types[i];
		REJECTS(BAD_TYPE);
	}
}

TEST(ivrs_device_entry_running_past_its_ivhd_is_rejected)
{
	/* an 8-byte entry with 4 bytes left, inside the IVHD's length */
	simple(0x10, QEMU_BASE);
	e4(0x46, 0x0010);
	REJECTS(PAST_IVHD);
	/* same, with the rest of the entry in a following sub-table's bytes */
	simple(0x10, QEMU_BASE);
	e8(0x48, 0, 0, 0x00a0, 1);
	put16(hd + 2, (uint16_t)(n - hd - 4));
	put32(4, n);
	REJECTS(PAST_IVHD);
	/* a 4-byte entry with 1, 2 or 3 bytes left (IVHD length not a multiple of 4) */
	for (uint32_t cut = 1; cut <= 3; cut++) {
		simple(0x10, QEMU_BASE);
		e4(0x02, 0x0010);
		put16(hd + 2, (uint16_t)(n - hd - cut));
		put32(4, n -= cut);
		REJECTS(PAST_IVHD);
	}
}

TEST(ivrs_acpi_hid_entries_are_sized_by_their_uid_length)
{
	begin();
	ivhd(0x40, 0x0008, QEMU_BASE);
	hid(0x00a5, 0);
	hid(0x00a6, 7);
	hid(0x00a7, 255);
	e4(0x02, 0x0010); /* read only if the sizes were right */
	ACCEPTS();
	CHECK(amdvi_bit(iv.covered, 0x00a5));
	CHECK(amdvi_bit(iv.covered, 0x00a6));
	CHECK(amdvi_bit(iv.covered, 0x00a7));
	CHECK(amdvi_bit(iv.covered, 0x0010));
	CHECK_EQ(ncovered(iv.covered), 4);
	CHECK_EQ(iv.nspecial, 3);
	CHECK_EQ(iv.nioapic, 0);
	CHECK_EQ(iv.special[0], 0x00a5);
	CHECK_EQ(iv.special[2], 0x00a7);
}

TEST(ivrs_acpi_hid_entry_cut_short_is_rejected)
{
	/* fewer than the 22 fixed bytes left: the UID length byte is outside the IVHD */
	for (uint32_t cut = 1; cut <= 21; cut++) {
		begin();
		ivhd(0x40, 0x0008, QEMU_BASE);
		hid(0x00a5, 0);
		put16(hd + 2, (uint16_t)(n - hd - cut));
		put32(4, n -= cut);
		REJECTS(PAST_IVHD);
	}
	/* the UID runs one byte past */
	begin();
	ivhd(0x40, 0x0008, QEMU_BASE);
	hid(0x00a5, 4);
	b[n - 4 - 1] = 5;
	REJECTS(PAST_IVHD);
	b[n - 4 - 1] = 255;
	REJECTS(PAST_IVHD);
	/* UID length byte right at the end of the table */
	begin();
	ivhd(0x40, 0x0008, QEMU_BASE);
	hid(0x00a5, 0);
	b[n - 1] = 1;
	REJECTS(PAST_IVHD);
}

TEST(ivrs_range_start_end_covers_first_to_last_inclusive)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	e4(0x03, 0x0100);
	e4(0x04, 0x01ff);
	e8(0x47, 0x0300, 0, 0, 0x10);
	e4(0x04, 0x0300); /* one id */
	e4(0x03, 0xff00);
	e4(0x04, 0xffff); /* up to the last id */
	ACCEPTS();
	CHECK(!amdvi_bit(iv.covered, 0x00ff));
	CHECK(amdvi_bit(iv.covered, 0x0100));
	CHECK(amdvi_bit(iv.covered, 0x01ff));
	CHECK(!amdvi_bit(iv.covered, 0x0200));
	CHECK(amdvi_bit(iv.covered, 0x0300));
	CHECK(amdvi_bit(iv.covered, 0xff00));
	CHECK(amdvi_bit(iv.covered, 0xffff));
	CHECK_EQ(ncovered(iv.covered), 0x100 + 1 + 0x100);
	CHECK_EQ(ncovered(iv.aliased), 0);
}

TEST(ivrs_range_end_without_a_start_is_rejected)
{
	simple(0x10, QEMU_BASE);
	e4(0x04, 0x0010);
	REJECTS(END_ALONE);
	simple(0x10, QEMU_BASE); /* a second end after a closed range */
	e4(0x03, 0x0010);
	e4(0x04, 0x0017);
	e4(0x04, 0x0018);
	REJECTS(END_ALONE);
	simple(0x10, QEMU_BASE); /* a SELECT does not open a range */
	e4(0x02, 0x0010);
	e4(0x04, 0x0018);
	REJECTS(END_ALONE);
}

TEST(ivrs_range_ending_before_its_start_is_rejected)
{
	simple(0x10, QEMU_BASE);
	e4(0x03, 0x0200);
	e4(0x04, 0x01ff);
	REJECTS("IVRS: device range ends before it starts");
	simple(0x10, QEMU_BASE);
	e8(0x43, 0xffff, 0, 0x0010, 0);
	e4(0x04, 0x0000);
	REJECTS("IVRS: device range ends before it starts");
}

TEST(ivrs_range_start_without_an_end_is_rejected)
{
	static const uint8_t starts[] = { 0x03, 0x43, 0x47 };
	for (unsigned i = 0; i < ARRAY_SIZE(starts); i++) {
		simple(0x10, QEMU_BASE);
		if (starts[i] == 0x03)
			e4(0x03, 0x0100);
		else
			e8(starts[i], 0x0100, 0, 0x0010, 0);
		e4(0x02, 0x0200);
		REJECTS(START_ALONE);
	}
	/* a range does not continue into the next IVHD of the same IOMMU (never read anyway) */
	simple(0x10, QEMU_BASE);
	e4(0x03, 0x0100);
	ivhd(0x11, 0x0008, QEMU_BASE);
	e4(0x04, 0x01ff);
	REJECTS(START_ALONE);
}

TEST(ivrs_range_start_inside_another_range_is_rejected)
{
	static const uint8_t starts[] = { 0x03, 0x43, 0x47 };
	for (unsigned i = 0; i < ARRAY_SIZE(starts); i++) {
		simple(0x10, QEMU_BASE);
		e4(0x03, 0x0100);
		e8(starts[i], 0x0180, 0, 0x0010, 0);
		e4(0x04, 0x01ff);
		REJECTS(NESTED);
	}
}

TEST(ivrs_alias_select_marks_the_device_and_its_alias_aliased)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	e8(0x42, 0x0300, 0, 0x0200, 0);
	e4(0x02, 0x0400);
	ACCEPTS();
	CHECK(amdvi_bit(iv.covered, 0x0300));
	CHECK(amdvi_bit(iv.aliased, 0x0300));
	CHECK(amdvi_bit(iv.aliased, 0x0200));
	CHECK(!amdvi_bit(iv.covered, 0x0200)); /* not described itself */
	CHECK(amdvi_bit(iv.covered, 0x0400));
	CHECK(!amdvi_bit(iv.aliased, 0x0400));
	CHECK_EQ(ncovered(iv.covered), 2);
	CHECK_EQ(ncovered(iv.aliased), 2);
}

TEST(ivrs_alias_range_marks_the_whole_range_and_its_alias_aliased)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	e8(0x43, 0x0400, 0, 0x0010, 0); /* conventional bus 4 behind the bridge at 00:02.0 */
	e4(0x04, 0x04ff);
	e4(0x03, 0x0500); /* a plain range after it is not aliased */
	e4(0x04, 0x05ff);
	ACCEPTS();
	CHECK_EQ(ncovered(iv.covered), 0x200);
	CHECK(amdvi_bit(iv.aliased, 0x0400));
	CHECK(amdvi_bit(iv.aliased, 0x04ff));
	CHECK(amdvi_bit(iv.aliased, 0x0010));
	CHECK(!amdvi_bit(iv.aliased, 0x0500));
	CHECK_EQ(ncovered(iv.aliased), 0x100 + 1);
}

TEST(ivrs_ioapic_and_hpet_special_entries_are_kept_once_each)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	special(0, 0x00a0, 1);   /* IOAPIC */
	special(1, 0x00a1, 1);   /* IOAPIC */
	special(0, 0x00a2, 2);   /* HPET */
	special(0, 0x00a0, 1);   /* again */
	special(7, 0x00a3, 0x55); /* unknown variety: still special */
	ACCEPTS();
	CHECK_EQ(iv.nioapic, 2);
	CHECK_EQ(iv.ioapic[0], 0x00a0);
	CHECK_EQ(iv.ioapic[1], 0x00a1);
	CHECK_EQ(iv.nspecial, 4);
	CHECK_EQ(iv.special[2], 0x00a2);
	CHECK_EQ(iv.special[3], 0x00a3);
	CHECK_EQ(ncovered(iv.covered), 4);
	CHECK(amdvi_bit(iv.covered, 0x00a2));
	CHECK(!amdvi_bit(iv.covered, 0x0000)); /* bytes 1-2 are reserved, not the id */
}

TEST(ivrs_16_special_entries_are_accepted_the_17th_rejected)
{
	begin();
	ivhd(0x10, 0x0008, QEMU_BASE);
	for (uint16_t i = 0; i < AMDVI_SPECIAL_MAX; i++)
		special((uint8_t)i, (uint16_t)(0x00a0 + i), i % 2 ? 1 : 2);
	special(0, 0x00a0, 2); /* a repeat takes no slot */
	ACCEPTS();
	CHECK_EQ(iv.nspecial, AMDVI_SPECIAL_MAX);
	CHECK_EQ(iv.nioapic, AMDVI_SPECIAL_MAX / 2);
	special(0x20, 0x00c0, 2);
	REJECTS(MANY_IOAPIC);
	begin(); /* 17 IOAPICs */
	ivhd(0x10, 0x0008, QEMU_BASE);
	for (uint16_t i = 0; i <= AMDVI_SPECIAL_MAX; i++)
		special((uint8_t)i, (uint16_t)(0x0100 + i), 1);
	REJECTS(MANY_IOAPIC);
}

TEST(ivrs_16_acpi_hid_entries_are_accepted_the_17th_rejected)
{
	begin();
	ivhd(0x40, 0x0008, QEMU_BASE);
	for (uint16_t i = 0; i < AMDVI_SPECIAL_MAX; i++)
		hid((uint16_t)(0x00a0 + i), 1);
	ACCEPTS();
	CHECK_EQ(iv.nspecial, AMDVI_SPECIAL_MAX);
	hid(0x00b0, 1);
	REJECTS(MANY_HID);
	begin(); /* IOAPICs and ACPI devices share the 16 */
	ivhd(0x40, 0x0008, QEMU_BASE);
	for (uint16_t i = 0; i < AMDVI_SPECIAL_MAX; i++)
		special(0, (uint16_t)(0x00a0 + i), 1);
	hid(0x00b0, 0);
	REJECTS(MANY_HID);
}

/* --- random input ------------------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static bool in_list(const uint16_t *l, uint32_t cnt, uint16_t id)
{
	for (uint32_t i = 0; i < cnt; i++)
		if (l[i] == id)
			return true;
	return false;
}

/* What the parser accepted is consistent in itself and with the first IVHD of t. */
static void check_accepted(const uint8_t *t, uint32_t len)
{
	uint32_t off = 48;
	const uint8_t *h;
	CHECK(iv.base && iv.base % 0x4000 == 0 && iv.base + 0x4000 <= 1ULL << 32);
	CHECK(iv.ivhd_type == 0x10 || iv.ivhd_type == 0x11 || iv.ivhd_type == 0x40);
	CHECK(iv.nioapic <= iv.nspecial && iv.nspecial <= AMDVI_SPECIAL_MAX);
	for (uint32_t i = 0; i < iv.nioapic; i++)
		CHECK(in_list(iv.special, iv.nspecial, iv.ioapic[i]));
	for (uint32_t i = 0; i < iv.nspecial; i++) {
		CHECK(amdvi_bit(iv.covered, iv.special[i]));
		CHECK(!in_list(iv.special + i + 1, iv.nspecial - i - 1, iv.special[i]));
	}
	/* the first IVHD, found the plain way */
	while (off + 4 <= len && t[off] != 0x10 && t[off] != 0x11 && t[off] != 0x40)
		off += get16(t + off + 2);
	CHECK(off + 24 <= len);
	h = t + off;
	CHECK_EQ(iv.ivhd_type, h[0]);
	CHECK_EQ(iv.ivhd_flags, h[1]);
	CHECK_EQ(iv.iommu_id, get16(h + 4));
	CHECK_EQ(iv.base, get64(h + 8));
	CHECK_EQ(get16(h + 16), 0);
}

TEST(ivrs_randomly_mutated_qemu72_tables_are_rejected_or_consistent)
{
	uint8_t t[sizeof(qemu72) + 16];
	unsigned accepted = 0, rejected = 0;
	for (unsigned iter = 0; iter < 6000; iter++) {
		uint32_t len = sizeof(qemu72);
		int rc;
		memcpy(t, qemu72, sizeof(qemu72));
		for (unsigned k = sizeof(qemu72); k < sizeof(t); k++)
			t[k] = (uint8_t)rnd();
		for (unsigned m = 1 + rnd() % 4; m; m--) {
			/* mostly the IVHD, where the parser looks */
			uint32_t at = rnd() % 4 ? QEMU_IVHD + rnd() % (sizeof(qemu72) - QEMU_IVHD)
						: rnd() % sizeof(qemu72);
			switch (rnd() % 4) {
			case 0: t[at] ^= (uint8_t)(1u << rnd() % 8); break;
			case 1: t[at] = (uint8_t)rnd(); break;
			case 2: t[at] = (uint8_t)(t[at] + 1); break;
			default: t[at] = (uint8_t)(t[at] - 1); break;
			}
		}
		if (rnd() % 8 == 0)
			len = rnd() % sizeof(t);
		rc = parse(t, len);
		if (rc) {
			CHECK_EQ(rc, -TESSERA_EINVAL);
			CHECK(why && !strncmp(why, "IVRS: ", 6));
			rejected++;
		} else {
			check_accepted(t, len);
			accepted++;
		}
	}
	CHECK(accepted > 500);
	CHECK(rejected > 500);
}

/*
 * Random IVHDs from a model: every entry kind with random ids, sometimes one
 * mistake; the parser must accept exactly the tables without one and report
 * exactly the ids the model expects.
 */
struct model {
	struct amdvi_ivrs want;
	const char *err; /* the first mistake, or NULL */
	bool open;
};

static void model_mark(uint64_t *map, uint32_t first, uint32_t last)
{
	for (uint32_t id = first; id <= last; id++)
		map[id / 64] |= 1ULL << (id % 64);
}

static void model_fail(struct model *m, const char *err)
{
	if (!m->err)
		m->err = err;
}

static bool model_add(uint16_t *l, uint32_t *cnt, uint16_t id)
{
	if (in_list(l, *cnt, id))
		return true;
	if (*cnt == AMDVI_SPECIAL_MAX)
		return false;
	l[(*cnt)++] = id;
	return true;
}

static uint16_t rnd_id(void)
{
	return (uint16_t)(rnd() % 4 ? rnd() % 0x400 : rnd()); /* mostly low, so ranges fit */
}

static void random_entry(struct model *m, bool mistakes)
{
	uint16_t id = rnd_id(), id2 = rnd_id();
	uint32_t kind = rnd() % (mistakes ? 14 : 11);
	if (m->err)
		kind = rnd() % 3; /* keep the table well formed after the first mistake */
	switch (kind) {
	case 0: e4(0x02, id); model_mark(m->want.covered, id, id); break;
	case 1:
		e8(0x46, id, (uint8_t)rnd(), (uint16_t)rnd(), (uint8_t)rnd());
		model_mark(m->want.covered, id, id);
		break;
	case 2: e4((uint8_t)(rnd() % 2 ? 0x00 : 0x05 + rnd() % 0x3b), id); break;
	case 3: e8((uint8_t)(0x40 + rnd() % 2), id, 0, id2, 0); break;
	case 4:
		e8(0x42, id, 0, id2, 0);
		model_mark(m->want.covered, id, id);
		model_mark(m->want.aliased, id, id);
		model_mark(m->want.aliased, id2, id2);
		break;
	case 5: case 6: { /* a range: 03, 43 or 47 ... 04 */
		uint16_t last = (uint16_t)(id + rnd() % (0x10000u - id < 0x300 ? 0x10000u - id : 0x300));
		uint8_t st = (const uint8_t[]){ 0x03, 0x43, 0x47 }[rnd() % 3];
		if (st == 0x03)
			e4(st, id);
		else
			e8(st, id, 0, id2, 0);
		if (rnd() % 3 == 0)
			e4(0x02, id2), model_mark(m->want.covered, id2, id2);
		e4(0x04, last);
		model_mark(m->want.covered, id, last);
		if (st == 0x43) {
			model_mark(m->want.aliased, id, last);
			model_mark(m->want.aliased, id2, id2);
		}
		break;
	}
	case 7: {
		uint8_t var = (uint8_t)(rnd() % 3);
		special((uint8_t)rnd(), id, var);
		model_mark(m->want.covered, id, id);
		if ((var == 1 && !model_add(m->want.ioapic, &m->want.nioapic, id)) ||
		    !model_add(m->want.special, &m->want.nspecial, id))
			model_fail(m, MANY_IOAPIC);
		break;
	}
	case 8:
		hid(id, (uint8_t)(rnd() % 12));
		model_mark(m->want.covered, id, id);
		if (!model_add(m->want.special, &m->want.nspecial, id))
			model_fail(m, MANY_HID);
		break;
	case 9:
		if (rnd() % 16 == 0) {
			e4(0x01, id);
			model_mark(m->want.covered, 0, AMDVI_IDS - 1);
		}
		break;
	case 10: e4(0x00, 0); break;
	case 11: /* mistakes from here on */
		e4(0x04, id);
		model_fail(m, END_ALONE);
		break;
	case 12:
		e4(0x03, id);
		e4(0x03, id2);
		model_fail(m, NESTED);
		break;
	default:
		e4((uint8_t)(0x80 + rnd() % 0x70), id);
		model_fail(m, BAD_TYPE);
		break;
	}
}

static void model_check(const struct model *m)
{
	if (m->err) {
		REJECTS(m->err);
		return;
	}
	ACCEPTS();
	CHECK_EQ(iv.nioapic, m->want.nioapic);
	CHECK_EQ(iv.nspecial, m->want.nspecial);
	CHECK(!memcmp(iv.ioapic, m->want.ioapic, sizeof(iv.ioapic)));
	CHECK(!memcmp(iv.special, m->want.special, sizeof(iv.special)));
	CHECK(!memcmp(iv.covered, m->want.covered, sizeof(iv.covered)));
	CHECK(!memcmp(iv.aliased, m->want.aliased, sizeof(iv.aliased)));
}

TEST(ivrs_random_ivhds_from_a_model_give_exactly_the_modelled_ids)
{
	struct model *m = malloc(sizeof(*m));
	unsigned accepted = 0, rejected = 0;
	CHECK(m);
	for (unsigned iter = 0; iter < 3000; iter++) {
		uint8_t type = (const uint8_t[]){ 0x10, 0x11, 0x40 }[rnd() % 3];
		memset(m, 0, sizeof(*m));
		begin();
		if (rnd() % 4 == 0)
			other(0x21, 32);
		ivhd(type, (uint16_t)rnd(), 0x4000ULL * (1 + rnd() % 0x3ffff));
		for (unsigned k = rnd() % 40; k; k--)
			random_entry(m, iter % 2);
		if (rnd() % 4 == 0) /* the same IOMMU again: its entries are not read */
			ivhd(0x11, 0, get64(b + 48 + (b[48] == 0x21 ? 32 : 0) + 8)), e4(0x80, 0);
		model_check(m);
		++*(m->err ? &rejected : &accepted);
	}
	free(m);
	CHECK(accepted > 1000);
	CHECK(rejected > 300);
}
