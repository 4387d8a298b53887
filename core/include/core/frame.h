/* Physical frame allocator: a bitmap over the first 4 GiB. */
#ifndef CORE_FRAME_H
#define CORE_FRAME_H
#include <core/bootinfo.h>

#define FRAME_LOW_RESERVED (1ULL << 20) /* below 1 MiB belongs to firmware */
/* 0xfec00000-0xfeffffff: I/O APIC, HPET, TPM (0xfed40000), local APIC. */
#define FRAME_CHIPSET_BASE 0xfec00000ULL
#define FRAME_CHIPSET_SIZE 0x00400000ULL

int frame_init(const struct boot_info *bi, uint64_t core_start, uint64_t core_end);
/* count contiguous frames aligned to align bytes (power of two >= 4 KiB); 0 on failure. */
uint64_t frame_alloc(uint64_t count, uint64_t align);
int frame_free(uint64_t pa, uint64_t count);
bool frame_is_free(uint64_t pa);
uint64_t frame_free_count(void);
#endif
