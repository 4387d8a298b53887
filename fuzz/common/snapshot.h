/*
 * The hosted core's static state (every global of core/ *.c), saved once and put
 * back before each input, so a persistent-mode fuzzer starts every input from the
 * same machine without a fork. mk/fuzz.mk renames the .data and .bss sections of
 * the core's objects to core_state_data and core_state_bss; the linker's
 * __start_/__stop_ symbols bound them.
 */
#ifndef FUZZ_SNAPSHOT_H
#define FUZZ_SNAPSHOT_H
#include <stdint.h>

struct snapshot {
	uint64_t *data, *bss; /* malloc'd copies */
};

void snapshot_save(struct snapshot *s);
void snapshot_restore(const struct snapshot *s);
#endif
