/* What the boot information targets share (boot.h). */
#include "boot.h"
#include "../../tests/sim/sim.h"
#include <core/config.h>
#include <core/frame.h>
#include <stdlib.h>
#include <string.h>

#define CORE_START 0x100000ULL
#define CORE_END 0x200000ULL

void boot_place(const uint8_t *data, size_t size)
{
	size_t n = size < BOOT_INPUT_MAX ? size : BOOT_INPUT_MAX;
	uint8_t *mem = sim_phys(0, BOOT_INPUT_MAX);
	memcpy(mem, data, n);
	memset(mem + n, 0, BOOT_INPUT_MAX - n);
}

static void line_ok(const char *s)
{
	if (!memchr(s, 0, BOOT_CMDLINE_MAX))
		abort(); /* every line the parsers give is NUL-terminated in its buffer */
}

void boot_accepted(const struct boot_info *bi)
{
	struct domain_config dc;
	struct core_config cc;
	const char *why = NULL;
	if (bi->nregions > BOOT_MAX_REGIONS || bi->nmodules > BOOT_MAX_MODULES ||
	    bi->rsdp_len > BOOT_RSDP_MAX)
		abort();
	line_ok(bi->cmdline);
	(void)config_parse_core(bi->cmdline, &cc, &why);
	for (uint32_t i = 0; i < bi->nmodules; i++) {
		line_ok(bi->modules[i].cmdline);
		if (bi->modules[i].end < bi->modules[i].start)
			abort();
		if (config_module_is_policy(bi->modules[i].cmdline, &why) == 0)
			(void)config_parse_domain(bi->modules[i].cmdline, &dc, &why);
	}
	if (bootinfo_check(bi, CORE_START, CORE_END, &why) || frame_init(bi, CORE_START, CORE_END))
		return;
	/* Whatever the map says, nothing below 1 MiB, in the core or a module is handed out. */
	for (uint64_t pa, k = 0; k < 32 && (pa = frame_alloc(16, 4096)) != 0; k++) {
		if (pa < (1u << 20) || (pa < CORE_END && pa + 16 * 4096 > CORE_START))
			abort();
		for (uint32_t i = 0; i < bi->nmodules; i++)
			if (pa < bi->modules[i].end && pa + 16 * 4096 > bi->modules[i].start)
				abort();
		if (pa >= 0xfec00000ULL && pa < 0xff000000ULL)
			abort();
	}
}
