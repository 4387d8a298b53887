/*
 * tboot (Intel TXT's measured launch) as the core's loader: the page tboot shares with
 * the kernel it launched, and what the core must do with it. Our own definitions of
 * tboot's public interface; sources (tboot 1.9-1.10, the version Debian 12 ships):
 *  - include/tboot.h: tboot_shared_t, its UUID {663C8DFF-E8B3-4b82-AABF-19EA4D057A08},
 *    the TB_SHUTDOWN_* types and TB_FLAG_AP_WAKE_SUPPORT; version 6 since tboot 1.7.
 *  - tboot/common/tboot.c post_launch(): fills the page (version 6, shutdown_entry,
 *    tboot_base = _start, tboot_size = _end - _start) and marks [TBOOT_BASE_ADDR,
 *    PAGE_UP(_end)) E820_UNUSABLE for an ELF kernel (E820_RESERVED for Linux).
 *  - tboot/common/loader.c adjust_kernel_cmdline(): on a measured launch only, it
 *    appends " tboot=%p" (0x-prefixed hex) to a Multiboot kernel's command line; an
 *    unmeasured fallback launch (no SINIT ACM, no SMX/TXT: the default policy's
 *    TB_POLACT_UNMEASURED_LAUNCH) passes the command line unchanged.
 *  - tboot/common/shutdown.S shutdown_entry: one entry for 32-bit protected mode and
 *    64-bit mode (it checks EFER.LME), called with tboot's pages identity-mapped; then
 *    shutdown() caps the dynamic PCRs, GETSEC[SEXIT]s (on the BSP, outside VMX
 *    operation: Intel SDM GETSEC[SEXIT]) and halts or resets as shutdown_type says.
 * Linux (arch/x86/kernel/tboot.c) and Xen (xen/arch/x86/tboot.c) are the reference users.
 */
#ifndef CORE_TBOOT_H
#define CORE_TBOOT_H
#include <core/bootinfo.h>

#define TBOOT_SHARED_UUID                                                              \
	{ 0xff, 0x8d, 0x3c, 0x66, 0xb3, 0xe8, 0x82, 0x4b, 0xbf, 0xaa, 0x19, 0xea, 0x4d, 0x05, \
	  0x7a, 0x08 }
/* Version 6 added flags (AP wake-up by MWAIT): older pages lack fields we must read. */
#define TBOOT_SHARED_VERSION_MIN 6

enum tboot_shutdown {
	TBOOT_SHUTDOWN_REBOOT = 0,
	TBOOT_SHUTDOWN_S5 = 1,
	TBOOT_SHUTDOWN_S4 = 2,
	TBOOT_SHUTDOWN_S3 = 3,
	TBOOT_SHUTDOWN_HALT = 4,
	TBOOT_SHUTDOWN_WFS = 5,
};
/* Set: other CPUs wait in MWAIT for ap_wake_trigger, not for INIT-SIPI-SIPI. */
#define TBOOT_FLAG_AP_WAKE_SUPPORT 1u

/* tboot_shared_t, version 6 (packed, little-endian); the page is 4 KiB. */
struct tboot_shared {
	uint8_t uuid[16];
	uint32_t version;
	uint32_t log_addr;
	uint32_t shutdown_entry;
	uint32_t shutdown_type;
	uint8_t acpi_sinfo[72]; /* ACPI sleep registers, for S3/S4/S5 only */
	uint32_t tboot_base;
	uint32_t tboot_size;
	uint8_t num_mac_regions;
	uint8_t mac_regions[32][12]; /* { u64 start, u32 size }: memory to MAC across S3 */
	uint8_t s3_key[64];
	uint8_t reserved_align[3];
	uint32_t num_in_wfs;
	uint32_t flags;
	uint64_t ap_wake_addr;
	uint32_t ap_wake_trigger;
} __attribute__((packed));
_Static_assert(offsetof(struct tboot_shared, tboot_base) == 104, "tboot_shared_t layout");
_Static_assert(offsetof(struct tboot_shared, num_in_wfs) == 564, "tboot_shared_t layout");
_Static_assert(sizeof(struct tboot_shared) == 584, "tboot_shared_t layout");

/*
 * After the Multiboot information is parsed: did tboot start the core? Takes tboot's
 * words off bi->cmdline: `tboot=0x...` (tboot's, last; a measured launch) and
 * `launcher=tboot` (the ISO's tboot entry: tboot started us, measured or not). Checks
 * the shared page strictly and sets bi->loader to "tboot". 0, or an error and *why.
 */
int tboot_probe(struct boot_info *bi, const char **why);
/* The page is valid: what tboot_probe checks, for a page at pa. 0 or error and *why. */
int tboot_check(const struct boot_info *bi, uint64_t pa, const char **why);
/* A measured launch is on: shutdown_type := type, and tboot's shutdown entry; else 0. */
uint32_t tboot_shutdown_entry(enum tboot_shutdown type);
/* Arch: on the BSP after a measured launch, leave VMX and enter tboot's shutdown (does
 * not return); otherwise return. Quiet from the stop IPI (no printing). */
void tboot_exit(bool quiet);
#endif
