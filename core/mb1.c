/*
 * Multiboot (1) boot information, as QEMU -kernel provides it. Parsed strictly.
 * It carries no ACPI RSDP: rsdp_len stays 0 and acpi_scan searches the BIOS areas.
 */
#include <core/bootinfo.h>
#include <core/lib.h>
#include <tessera/errno.h>

#define MB1_FLAG_CMDLINE (1u << 2)
#define MB1_FLAG_MODS    (1u << 3)
#define MB1_FLAG_MMAP    (1u << 6)
#define MB1_MMAP_MAX     (64u << 10)

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -TESSERA_EINVAL;
}

static int read_str(char *dst, uint64_t pa, const char **why)
{
	for (uint32_t i = 0; i < BOOT_CMDLINE_MAX; i++) {
		const char *c = phys_map(pa + i, 1);
		if (!c)
			return fail(why, "string not addressable");
		dst[i] = *c;
		if (!*c)
			return 0;
	}
	return fail(why, "command line longer than 255 bytes");
}

static int parse_mmap(struct boot_info *bi, const struct mb1_info *mi, const char **why)
{
	const uint8_t *p;
	uint32_t off = 0;
	if (mi->mmap_length > MB1_MMAP_MAX)
		return fail(why, "memory map too large");
	p = phys_map(mi->mmap_addr, mi->mmap_length);
	if (!p)
		return fail(why, "memory map not addressable");
	while (off < mi->mmap_length) {
		uint32_t esize;
		struct boot_region r;
		uint64_t end;
		if (mi->mmap_length - off < 24)
			return fail(why, "memory map entry truncated");
		memcpy(&esize, p + off, 4);
		if (esize < 20 || esize > mi->mmap_length - off - 4)
			return fail(why, "memory map entry size invalid");
		memcpy(&r.base, p + off + 4, 8);
		memcpy(&r.len, p + off + 12, 8);
		memcpy(&r.type, p + off + 20, 4);
		if (!range_add_ok(r.base, r.len, &end))
			return fail(why, "memory map entry wraps around");
		if (r.len) {
			if (bi->nregions >= BOOT_MAX_REGIONS)
				return fail(why, "memory map has too many entries");
			bi->regions[bi->nregions++] = r;
		}
		off += esize + 4;
	}
	return 0;
}

int mb1_parse(uint64_t info_pa, struct boot_info *bi, const char **why)
{
	const struct mb1_info *src = phys_map(info_pa, sizeof(struct mb1_info));
	struct mb1_info mi;
	int rc;

	memset(bi, 0, sizeof(*bi));
	bi->loader = "multiboot1";
	if (!src)
		return fail(why, "boot information not addressable");
	memcpy(&mi, src, sizeof(mi));
	if (!(mi.flags & MB1_FLAG_MMAP))
		return fail(why, "no memory map");
	rc = parse_mmap(bi, &mi, why);
	if (rc)
		return rc;
	if (mi.flags & MB1_FLAG_CMDLINE) {
		rc = read_str(bi->cmdline, mi.cmdline, why);
		if (rc)
			return rc;
	}
	if (!(mi.flags & MB1_FLAG_MODS) || !mi.mods_count)
		return 0;
#ifdef FUZZ_PLANTED_BUG /* one module more than the table holds (fuzz/planted.sh) */
	if (mi.mods_count > BOOT_MAX_MODULES + 1)
#else
	if (mi.mods_count > BOOT_MAX_MODULES)
#endif
		return fail(why, "too many modules");
	const uint32_t *mods = phys_map(mi.mods_addr, (uint64_t)mi.mods_count * 16);
	if (!mods)
		return fail(why, "module list not addressable");
	for (uint32_t i = 0; i < mi.mods_count; i++) {
		uint32_t e[4];
		struct boot_module *m = &bi->modules[i];
		memcpy(e, mods + i * 4, sizeof(e));
		if (e[1] < e[0])
			return fail(why, "module ends before it starts");
		m->start = e[0];
		m->end = e[1];
		rc = read_str(m->cmdline, e[2], why);
		if (rc)
			return rc;
		bi->nmodules++;
	}
	return 0;
}
