/*
 * Seeds for the boot-time parsers, as the unit tests build them (mb1_test.c,
 * mb2_test.c, elf_test.c, acpi_test.c, ivrs_test.c): Multiboot 1 and 2
 * information laid out at physical 0 (fuzz/common/boot.h), the unit tests'
 * ELF image, ACPI tables behind an RSDP, an IVRS and a DMAR.
 */
#include "gen.h"
#include "../../tests/unit/util.h"
#include <string.h>

static struct buf s;

static void at(size_t off)
{
	if (s.n < off) {
		memset(s.b + s.n, 0, off - s.n);
		s.n = off;
	}
}

static void mmap_entry(uint64_t base, uint64_t len, uint32_t type, int mb1)
{
	if (mb1)
		put32(&s, 20);
	put64(&s, base);
	put64(&s, len);
	put32(&s, type);
	if (!mb1)
		put32(&s, 0);
}

static void mb2_tag_str(uint32_t type, const char *str, uint32_t start, uint32_t end)
{
	uint32_t size = 8 + (type == 3 ? 8 : 0) + (uint32_t)strlen(str) + 1;
	put32(&s, type);
	put32(&s, size);
	if (type == 3) {
		put32(&s, start);
		put32(&s, end);
	}
	putb(&s, str, strlen(str) + 1);
	at((s.n + 7) & ~(size_t)7);
}

static void gen_mb2(void)
{
	static const char *mods[] = { "hello.elf domain=alpha mem=4M", "p.tpb kind=policy" };
	static const uint8_t rsdp[36] = "RSD PTR ";
	s.n = 0;
	put32(&s, 0); /* total, below */
	put32(&s, 0);
	mb2_tag_str(1, "debug_exit=on tpm=auto", 0, 0);
	put32(&s, 15); /* ACPI 2.0 RSDP */
	put32(&s, 8 + 36);
	putb(&s, rsdp, sizeof(rsdp));
	at(s.n + 16);
	at((s.n + 7) & ~(size_t)7);
	for (uint32_t i = 0; i < 2; i++)
		mb2_tag_str(3, mods[i], 0x800000 + i * 0x100000, 0x800000 + i * 0x100000 + 0x3000);
	put32(&s, 6); /* memory map: entry size 24, version 0 */
	put32(&s, 16 + 3 * 24);
	put32(&s, 24);
	put32(&s, 0);
	mmap_entry(0, 0x9fc00, 1, 0);
	mmap_entry(0xf0000, 0x10000, 2, 0);
	mmap_entry(0x100000, 0x3f00000, 1, 0);
	put32(&s, 14); /* ACPI 1.0 RSDP */
	put32(&s, 8 + 20);
	putb(&s, rsdp, 20);
	at((s.n + 7) & ~(size_t)7);
	put32(&s, 0); /* end */
	put32(&s, 8);
	uint32_t total = (uint32_t)s.n;
	memcpy(s.b, &total, 4);
	seed("mb2", "qemu-like", s.b, s.n);
	dict("mb2", "end_tag", "\x00\x00\x00\x00\x08\x00\x00\x00", 8);
	dict("mb2", "mmap_tag", "\x06\x00\x00\x00", 4);
	dict("mb2", "module_tag", "\x03\x00\x00\x00", 4);
	dict("mb2", "rsdp_new", "\x0f\x00\x00\x00", 4);
	dict_str("mb2", "RSD PTR ");
	dict_str("mb2", "kind=policy");
}

static void gen_mb1(void)
{
	/* info at 0, command lines at 0x100, the module list at 0x200, the map at 0x300 */
	s.n = 0;
	put32(&s, 1u << 2 | 1u << 3 | 1u << 6);
	put32(&s, 639);
	put32(&s, 64512);
	put32(&s, 0);
	put32(&s, 0x100);
	put32(&s, 2);
	put32(&s, 0x200);
	for (int i = 0; i < 4; i++)
		put32(&s, 0);
	put32(&s, 3 * 24);
	put32(&s, 0x300);
	at(0x100);
	putb(&s, "debug_exit=on", 14);
	at(0x140);
	putb(&s, "build/domains/hello.elf domain=alpha mem=2M", 44);
	at(0x180);
	putb(&s, "p.tpb kind=policy", 18);
	at(0x200);
	uint32_t mods[8] = { 0x800000, 0x803000, 0x140, 0, 0x900000, 0x900400, 0x180, 0 };
	putb(&s, mods, sizeof(mods));
	at(0x300);
	mmap_entry(0, 0x9fc00, 1, 1);
	mmap_entry(0xf0000, 0x10000, 2, 1);
	mmap_entry(0x100000, 0x3f00000, 1, 1);
	seed("mb1", "qemu-kernel", s.b, s.n);
	/* the most modules there may be (BOOT_MAX_MODULES), all with one line; the map further on */
	memcpy(s.b + 20, &(uint32_t){ BOOT_MAX_MODULES }, 4);
	memcpy(s.b + 48, &(uint32_t){ 0x800 }, 4);
	s.n = 0x200;
	for (uint32_t i = 0; i < BOOT_MAX_MODULES; i++) {
		uint32_t e[4] = { 0x800000 + i * 0x1000, 0x800800 + i * 0x1000, 0x140, 0 };
		putb(&s, e, sizeof(e));
	}
	at(0x800);
	mmap_entry(0, 0x9fc00, 1, 1);
	mmap_entry(0xf0000, 0x10000, 2, 1);
	mmap_entry(0x100000, 0x3f00000, 1, 1);
	seed("mb1", "max-modules", s.b, s.n);
	dict("mb1", "flags", "\x4c\x00\x00\x00", 4);
	dict("mb1", "esize", "\x14\x00\x00\x00", 4);
	dict_str("mb1", "domain=");
}

static void gen_elf(void)
{
	static struct img im;
	img_default(&im);
	seed("elf", "unit-default", im.b, im.size);
	seed("elf", "unit-default-4m", im.b, im.size + 1); /* odd length: a 4 MiB domain */
	img_ph(&im, 1)->p_vaddr = img_ph(&im, 1)->p_paddr = 0x100020; /* overlaps the text */
	seed("elf", "overlap", im.b, im.size);
	dict("elf", "magic", "\x7f" "ELF\x02\x01\x01", 7);
	dict("elf", "pt_load", "\x01\x00\x00\x00", 4);
	dict("elf", "x86_64", "\x3e\x00", 2);
}

static void sum_fix(uint8_t *t, size_t len, size_t at_byte)
{
	uint8_t x = 0;
	t[at_byte] = 0;
	for (size_t i = 0; i < len; i++)
		x = (uint8_t)(x + t[i]);
	t[at_byte] = (uint8_t)-x;
}

static size_t header(uint8_t *t, const char *sig, uint32_t len)
{
	memset(t, 0, 36);
	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	t[8] = 1;
	memcpy(t + 10, "TESSER", 6);
	return 36;
}

/* An IVRS with one IVHD (type 0x10) over all devices. */
static size_t ivrs_table(uint8_t *t)
{
	uint32_t len = 48 + 24 + 4 + 4 + 8;
	uint64_t base = 0xfeb80000ULL;
	header(t, "IVRS", len);
	memset(t + 36, 0, 12);
	uint8_t *h = t + 48;
	memset(h, 0, 24);
	h[0] = 0x10, h[1] = 0xb0;
	h[2] = (uint8_t)(len - 48), h[3] = 0;
	h[4] = 0x02, h[5] = 0;      /* the IOMMU's own id: 00:00.2 */
	memcpy(h + 8, &base, 8);
	uint8_t *e = h + 24;
	e[0] = 0x03, e[1] = 0x00, e[2] = 0x00, e[3] = 0x00; /* START at 00:00.0 */
	e[4] = 0x04, e[5] = 0xff, e[6] = 0x00, e[7] = 0x00; /* END at 00:1f.7 */
	e[8] = 0x48, e[9] = 0, e[10] = 0, e[11] = 0;        /* special: IOAPIC */
	e[12] = 0, e[13] = 0xa0, e[14] = 0, e[15] = 1;
	sum_fix(t, len, 9);
	return len;
}

/* A DMAR with one DRHD (include all) and one RMRR for 00:14.0. */
static size_t dmar_table(uint8_t *t)
{
	uint32_t len = 48 + 16 + 32;
	uint64_t base = 0xfed90000ULL, lo = 0x7c000000ULL, hi = 0x7c0fffffULL;
	header(t, "DMAR", len);
	t[36] = 38;
	uint8_t *d = t + 48;
	memset(d, 0, 16 + 32);
	d[0] = 0, d[2] = 16, d[4] = 1;
	memcpy(d + 8, &base, 8);
	uint8_t *r = d + 16;
	r[0] = 1, r[2] = 32;
	memcpy(r + 8, &lo, 8);
	memcpy(r + 16, &hi, 8);
	r[24] = 1, r[25] = 8, r[29] = 0, r[30] = 0x14, r[31] = 0; /* endpoint 00:14.0 */
	sum_fix(t, len, 9);
	return len;
}

static void gen_acpi(void)
{
	/* flags (fix checksums), RSDP v2 -> XSDT at 0x200000 -> MCFG, IVRS, DMAR, TPM2 */
	static uint8_t w[0x1000];
	uint8_t rsdp[36] = "RSD PTR ";
	uint64_t xsdt = 0x200000, tables[4] = { 0x200100, 0x200200, 0x200400, 0x200600 };
	uint32_t len;
	memset(w, 0, sizeof(w));
	rsdp[15] = 2;
	len = 36;
	memcpy(rsdp + 20, &len, 4);
	memcpy(rsdp + 24, &xsdt, 8);
	len = 36 + 8 * 4;
	header(w, "XSDT", len);
	memcpy(w + 36, tables, sizeof(tables));
	header(w + 0x100, "MCFG", 44 + 16);
	uint64_t ecam = 0xb0000000ULL;
	memcpy(w + 0x100 + 44, &ecam, 8);
	w[0x100 + 44 + 11] = 1;
	ivrs_table(w + 0x200);
	dmar_table(w + 0x400);
	header(w + 0x600, "TPM2", 52);
	w[0x600 + 48] = 6;
	s.n = 0;
	put8(&s, 1);
	putb(&s, rsdp, sizeof(rsdp));
	putb(&s, w, 0x700);
	seed("acpi", "xsdt-all", s.b, s.n);
	s.b[0] = 1 | 2 | 0x30; /* the same, RSDP in the BIOS area */
	seed("acpi", "bios-area", s.b, s.n);
	s.b[0] = 1;
	s.b[1 + 15] = 0; /* revision 0: the RSDT (none here) */
	seed("acpi", "rsdt", s.b, s.n);
	dict_str("acpi", "RSD PTR ");
	dict_str("acpi", "XSDT");
	dict_str("acpi", "RSDT");
	dict_str("acpi", "MCFG");
	dict_str("acpi", "IVRS");
	dict_str("acpi", "DMAR");
	dict_str("acpi", "TPM2");
	dict("acpi", "window", "\x00\x00\x20\x00", 4);
	seed("ivrs", "one-ivhd", w + 0x200, ivrs_table(w + 0x200));
	dict("ivrs", "ivhd10", "\x10", 1);
	dict("ivrs", "ivhd11", "\x11", 1);
	dict("ivrs", "ivhd40", "\x40", 1);
	dict("ivrs", "ext", "\xf0", 1);
	seed("dmar", "drhd-rmrr", w + 0x400, dmar_table(w + 0x400));
	dict_str("dmar", "DMAR");
	dict("dmar", "regs", "\x00\x00\xd9\xfe", 4);
}

void gen_boot(void)
{
	gen_mb2();
	gen_mb1();
	gen_elf();
	gen_acpi();
}
