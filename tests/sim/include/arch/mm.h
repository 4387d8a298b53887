/* Hosted build: physical address pa is byte pa of the simulated memory buffer. */
#ifndef ARCH_MM_H
#define ARCH_MM_H
#include <core/types.h>

#define SIM_MEM_SIZE (64ULL << 20)

/* Mapped once at start-up, with an inaccessible guard page after it. */
extern uint8_t *sim_mem;
_Noreturn void sim_bad_phys(uint64_t pa);

static inline void *phys_to_virt(uint64_t pa)
{
	if (pa >= SIM_MEM_SIZE)
		sim_bad_phys(pa);
	return sim_mem + pa;
}
#endif
