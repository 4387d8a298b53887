/* What the boot loader told us, after strict parsing (Multiboot 1 or 2). */
#ifndef CORE_BOOTINFO_H
#define CORE_BOOTINFO_H
#include <core/types.h>

#define BOOT_MAX_REGIONS 128
#define BOOT_MAX_MODULES 72 /* DOMAIN_MAX domain images, the policy, and room for what comes */
#define BOOT_CMDLINE_MAX 256
#define BOOT_RSDP_MAX 36 /* an ACPI 2.0+ RSDP */
/* The core addresses physical memory through a 4 GiB identity map. */
#define BOOT_PHYS_LIMIT (1ULL << 32)

enum boot_mem_type {
	BOOT_MEM_AVAILABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_region {
	uint64_t base, len;
	uint32_t type;
};

struct boot_module {
	uint64_t start, end; /* [start, end) */
	char cmdline[BOOT_CMDLINE_MAX];
};

struct boot_info {
	const char *loader; /* "multiboot2" or "multiboot1" */
	bool efi;           /* Multiboot2 passed an EFI system table: UEFI firmware ran the loader */
	char cmdline[BOOT_CMDLINE_MAX];
	uint32_t nregions, nmodules;
	struct boot_region regions[BOOT_MAX_REGIONS];
	struct boot_module modules[BOOT_MAX_MODULES];
	/* The boot loader's copy of the ACPI RSDP, unchecked (acpi_scan checks it); 0: none. */
	uint32_t rsdp_len;
	uint8_t rsdp[BOOT_RSDP_MAX];
};

/* Map [pa, pa+len) for reading, or NULL if it is not addressable (arch hook). */
const void *phys_map(uint64_t pa, uint64_t len);

int mb2_parse(uint64_t info_pa, struct boot_info *bi, const char **why);
int mb1_parse(uint64_t info_pa, struct boot_info *bi, const char **why);
/* Modules must be inside available RAM, apart from each other and the core. */
int bootinfo_check(const struct boot_info *bi, uint64_t core_start, uint64_t core_end,
		   const char **why);
#endif
