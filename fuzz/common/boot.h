/*
 * For the boot information targets (mb1, mb2): the input is placed at physical
 * address 0 of the simulated machine, so the addresses inside it are offsets
 * into it; what the loader's parse accepts then goes through the rest of the
 * core's boot checks (fuzz/common/boot.c).
 */
#ifndef FUZZ_BOOT_H
#define FUZZ_BOOT_H
#include <core/bootinfo.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_INPUT_MAX (1u << 20)
/* Copy the input to physical 0 (the rest of the first MiB zero). */
void boot_place(const uint8_t *data, size_t size);
/* bootinfo_check, the command lines, the frame allocator over the memory map. */
void boot_accepted(const struct boot_info *bi);
#endif
