/* Cross-checks on the boot information, whichever loader produced it. */
#include <core/bootinfo.h>
#include <core/console.h>
#include <tessera/errno.h>

/* Every byte of [start, end) is available RAM and no other region claims it. */
static bool in_available_ram(const struct boot_info *bi, uint64_t start, uint64_t end)
{
	uint64_t cur = start;
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_region *r = &bi->regions[i];
		if (r->type != BOOT_MEM_AVAILABLE && ranges_overlap(start, end - start, r->base, r->len))
			return false;
	}
	/* Walk forward through available regions; each pass must make progress. */
	for (uint32_t pass = 0; pass <= bi->nregions && cur < end; pass++) {
		for (uint32_t i = 0; i < bi->nregions; i++) {
			const struct boot_region *r = &bi->regions[i];
			if (r->type == BOOT_MEM_AVAILABLE && r->base <= cur && cur - r->base < r->len)
				cur = r->base + r->len;
		}
	}
	return cur >= end;
}

int bootinfo_check(const struct boot_info *bi, uint64_t core_start, uint64_t core_end,
		   const char **why)
{
	static char msg[96];
	for (uint32_t i = 0; i < bi->nmodules; i++) {
		const struct boot_module *m = &bi->modules[i];
		const char *err = NULL;
		if (m->end > BOOT_PHYS_LIMIT)
			err = "lies above 4 GiB";
		else if (!in_available_ram(bi, m->start, m->end))
			err = "is not inside available RAM";
		else if (ranges_overlap(m->start, m->end - m->start, core_start, core_end - core_start))
			err = "overlaps the core image";
		for (uint32_t j = 0; !err && j < i; j++) {
			const struct boot_module *o = &bi->modules[j];
			if (ranges_overlap(m->start, m->end - m->start, o->start, o->end - o->start))
				err = "overlaps an earlier module";
		}
		if (err) {
			ksnprintf(msg, sizeof(msg), "module %u %s", i, err);
			*why = msg;
			return -TESSERA_EINVAL;
		}
	}
	return 0;
}
