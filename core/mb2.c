/* Multiboot2 boot information, parsed strictly into struct boot_info. */
#include <core/bootinfo.h>
#include <core/lib.h>
#include <tessera/errno.h>

#define MB2_INFO_MAX (1u << 20)

enum {
	MB2_END = 0,
	MB2_CMDLINE = 1,
	MB2_MODULE = 3,
	MB2_MMAP = 6,
	MB2_EFI32 = 11, /* the EFI system table: the loader ran on UEFI firmware */
	MB2_EFI64 = 12,
	MB2_ACPI_OLD = 14, /* an ACPI 1.0 RSDP copy, 20 bytes */
	MB2_ACPI_NEW = 15, /* an ACPI 2.0+ RSDP copy, 36 bytes */
};

struct mb2_tag {
	uint32_t type, size;
};

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -TESSERA_EINVAL;
}

/* A string field: NUL-terminated inside its tag and short enough to keep. */
static int copy_str(char *dst, const uint8_t *src, uint32_t avail, const char **why)
{
	size_t n = strnlen((const char *)src, avail);
	if (n == avail)
		return fail(why, "string not terminated inside its tag");
	if (n >= BOOT_CMDLINE_MAX)
		return fail(why, "command line longer than 255 bytes");
	memcpy(dst, src, n + 1);
	return 0;
}

static int parse_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size, const char **why)
{
	uint32_t esize, n;
	if (size < 16)
		return fail(why, "memory map tag truncated");
	memcpy(&esize, t + 8, 4);
	if (esize < 24 || esize % 8)
		return fail(why, "memory map entry size invalid");
	if ((size - 16) % esize)
		return fail(why, "memory map tag size not a multiple of its entry size");
	n = (size - 16) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + (uint64_t)i * esize;
		struct boot_region r;
		uint64_t end;
		memcpy(&r.base, e, 8);
		memcpy(&r.len, e + 8, 8);
		memcpy(&r.type, e + 16, 4);
		if (!range_add_ok(r.base, r.len, &end))
			return fail(why, "memory map entry wraps around");
		if (!r.len)
			continue;
		if (bi->nregions >= BOOT_MAX_REGIONS)
			return fail(why, "memory map has too many entries");
		bi->regions[bi->nregions++] = r;
	}
	return 0;
}

/* Copy the RSDP of tag 14 or 15 (its payload); tag 15 wins whichever comes first. */
static int copy_rsdp(struct boot_info *bi, uint32_t type, const uint8_t *t, uint32_t size,
		     bool seen[2], const char **why)
{
	bool v2 = type == MB2_ACPI_NEW;
#ifdef FUZZ_PLANTED_BUG /* an ACPI 2.0 RSDP copied 16 bytes past its buffer (fuzz/planted.sh) */
	uint32_t n = v2 ? BOOT_RSDP_MAX + 16 : 20;
#else
	uint32_t n = v2 ? BOOT_RSDP_MAX : 20;
#endif
	if (size - 8 < n)
		return fail(why, "ACPI RSDP tag truncated");
	if (seen[v2])
		return fail(why, v2 ? "more than one ACPI 2.0 RSDP tag" : "more than one ACPI 1.0 RSDP tag");
	seen[v2] = true;
	if (!v2 && seen[1])
		return 0;
	memcpy(bi->rsdp, t + 8, n);
	bi->rsdp_len = n;
	return 0;
}

int mb2_parse(uint64_t info_pa, struct boot_info *bi, const char **why)
{
	const uint8_t *info;
	uint32_t total, off;
	bool have_mmap = false, have_end = false, have_rsdp[2] = { false, false };
	int rc;

	memset(bi, 0, sizeof(*bi));
	bi->loader = "multiboot2";
	if (info_pa % 8)
		return fail(why, "boot information not 8-byte aligned");
	info = phys_map(info_pa, 8);
	if (!info)
		return fail(why, "boot information not addressable");
	memcpy(&total, info, 4);
	if (total < 16 || total > MB2_INFO_MAX || total % 8)
		return fail(why, "boot information size invalid");
	info = phys_map(info_pa, total);
	if (!info)
		return fail(why, "boot information not addressable");

	for (off = 8; off < total && !have_end;) {
		struct mb2_tag tag;
		const uint8_t *t = info + off;
		if (total - off < 8)
			return fail(why, "tag header truncated");
		memcpy(&tag, t, 8);
		if (tag.size < 8 || tag.size > total - off)
			return fail(why, "tag size runs past the boot information");
		switch (tag.type) {
		case MB2_END:
			if (tag.size != 8)
				return fail(why, "end tag has wrong size");
			have_end = true;
			break;
		case MB2_CMDLINE:
			rc = copy_str(bi->cmdline, t + 8, tag.size - 8, why);
			if (rc)
				return rc;
			break;
		case MB2_MODULE: {
			struct boot_module *m;
			uint32_t s, e;
			if (tag.size < 17)
				return fail(why, "module tag truncated");
			if (bi->nmodules >= BOOT_MAX_MODULES)
				return fail(why, "too many modules");
			m = &bi->modules[bi->nmodules];
			memcpy(&s, t + 8, 4);
			memcpy(&e, t + 12, 4);
			if (e < s)
				return fail(why, "module ends before it starts");
			m->start = s;
			m->end = e;
			rc = copy_str(m->cmdline, t + 16, tag.size - 16, why);
			if (rc)
				return rc;
			bi->nmodules++;
			break;
		}
		case MB2_MMAP:
			if (have_mmap)
				return fail(why, "more than one memory map tag");
			have_mmap = true;
			rc = parse_mmap(bi, t, tag.size, why);
			if (rc)
				return rc;
			break;
		case MB2_EFI32:
		case MB2_EFI64:
			bi->efi = true; /* only recorded (measured as the boot path); never used */
			break;
		case MB2_ACPI_OLD:
		case MB2_ACPI_NEW:
			rc = copy_rsdp(bi, tag.type, t, tag.size, have_rsdp, why);
			if (rc)
				return rc;
			break;
		default:
			break; /* tags we do not use are skipped, after the size check */
		}
		off += (tag.size + 7) & ~7u;
	}
	if (!have_end)
		return fail(why, "no end tag");
	if (!have_mmap)
		return fail(why, "no memory map tag");
	return 0;
}
