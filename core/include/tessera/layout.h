/* Guest-physical layout of a domain at entry: the contract with the loader. */
#ifndef TESSERA_LAYOUT_H
#define TESSERA_LAYOUT_H

/*
 * The core builds identity-mapping page tables for the first 4 GiB of
 * guest-physical space (2 MiB pages: RAM, then the grant window at 1 GiB,
 * see tessera/grant.h, then device MMIO) at these addresses and enters the
 * image's ELF entry point in 64-bit mode, CPL 0, interrupts off, with
 * RSP = 0 (the image sets its own stack). Addresses the domain was not
 * given fault in the nested page tables and the domain is destroyed.
 */
#define TESSERA_GUEST_PML4     0x1000ULL
#define TESSERA_GUEST_PDPT     0x2000ULL
#define TESSERA_GUEST_PD       0x3000ULL /* [0, 1 GiB) */
#define TESSERA_GUEST_PD_HIGH  0x4000ULL /* [1 GiB, 2 GiB) */
#define TESSERA_GUEST_PD_2G    0x5000ULL /* [2 GiB, 3 GiB), uncached */
#define TESSERA_GUEST_PD_3G    0x6000ULL /* [3 GiB, 4 GiB), uncached */
/* ELF segments must lie in [TESSERA_GUEST_LOAD_MIN, mem_bytes). */
#define TESSERA_GUEST_LOAD_MIN 0x100000ULL
#define TESSERA_GUEST_MAP_MAX  (4ULL << 30)
/*
 * Assigned devices' MMIO appears at its host-physical address, in
 * [TESSERA_GUEST_MMIO_MIN, 4 GiB); the initial tables map that range
 * uncached (PCD|PWT: PAT entry 3, UC). Nothing else is ever there.
 */
#define TESSERA_GUEST_MMIO_MIN (2ULL << 30)

/* Domain memory: a multiple of 2 MiB, from 2 MiB to 1 GiB. */
#define TESSERA_DOMAIN_MEM_ALIGN (2ULL << 20)
#define TESSERA_DOMAIN_MEM_MIN   (2ULL << 20)
#define TESSERA_DOMAIN_MEM_MAX   (1ULL << 30)

#endif
