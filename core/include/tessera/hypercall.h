/* Tessera hypercall ABI: shared by the core, domains, tools, tests and fuzzers. */
#ifndef TESSERA_HYPERCALL_H
#define TESSERA_HYPERCALL_H

#include <stdint.h>

#define TESSERA_ABI_MAJOR 0
#define TESSERA_ABI_MINOR 1
#define TESSERA_ABI_VERSION ((TESSERA_ABI_MAJOR << 16) | TESSERA_ABI_MINOR)

/*
 * Calling convention: VMMCALL (AMD) / VMCALL (Intel). Number in RAX,
 * arguments in RDI, RSI, RDX, R10, R8. Status in RAX: >= 0 on success,
 * a negative TESSERA_E* value on failure. Other registers are preserved.
 */
#define TESSERA_HCALL_MAX_ARGS 5

enum tessera_hcall {
#define HCALL(num, name, nargs, cls, perm, target, doc) TESSERA_HC_##name = (num),
#include <tessera/hypercall.def>
#undef HCALL
	TESSERA_HC_COUNT
};

/* Longest single console write; longer writes fail with -EINVAL. */
#define TESSERA_CONSOLE_MAX 256

#define TESSERA_NAME_MAX 16

struct tessera_self_info {
	uint32_t abi_version;
	uint32_t domid;
	uint64_t mem_bytes;    /* guest-physical memory is [0, mem_bytes) */
	uint32_t vcpus;
	uint32_t reserved;
	char name[TESSERA_NAME_MAX]; /* NUL-terminated */
};

#endif
