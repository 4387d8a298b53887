/* Saving and restoring the core's globals (see snapshot.h). */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "snapshot.h"
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

extern uint64_t __start_core_state_data[], __stop_core_state_data[];
extern uint64_t __start_core_state_bss[], __stop_core_state_bss[];

/*
 * libc's memcpy, past AddressSanitizer's interceptor: the sections hold the
 * redzones it put between globals, which its memcpy would report.
 */
static void *(*raw_copy)(void *, const void *, size_t);

static size_t size(const uint64_t *start, const uint64_t *stop)
{
	return (size_t)((const char *)stop - (const char *)start);
}

static uint64_t *save(uint64_t *start, uint64_t *stop)
{
	uint64_t *copy = malloc(size(start, stop) + 1);
	if (!copy)
		abort();
	raw_copy(copy, start, size(start, stop));
	return copy;
}

void snapshot_save(struct snapshot *s)
{
	if (!raw_copy)
		*(void **)&raw_copy = dlsym(RTLD_NEXT, "memcpy");
	if (!raw_copy)
		abort();
	s->data = save(__start_core_state_data, __stop_core_state_data);
	s->bss = save(__start_core_state_bss, __stop_core_state_bss);
}

void snapshot_restore(const struct snapshot *s)
{
	raw_copy(__start_core_state_data, s->data, size(__start_core_state_data, __stop_core_state_data));
	raw_copy(__start_core_state_bss, s->bss, size(__start_core_state_bss, __stop_core_state_bss));
}
