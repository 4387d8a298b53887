#ifndef ARCH_MM_H
#define ARCH_MM_H
#include <core/types.h>

/* The core runs on a 1:1 map of the first 4 GiB. */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}
#endif
