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

/* The core's log ring (console_read): its size and the most one read copies. */
#define TESSERA_KLOG_SIZE 16384
#define TESSERA_KLOG_READ_MAX 4096

/*
 * What console_read writes at buf, followed by the log bytes [first, first + n)
 * (n is the return value). first > the seq asked for: the bytes between were
 * overwritten before they were read. head: bytes logged so far.
 */
struct tessera_klog_chunk {
	uint64_t first;
	uint64_t head;
};

/* What domain_info tells about another running domain. */
struct tessera_domain_info {
	uint32_t domid;
	uint32_t console_port; /* what it published (console_publish), or ~0 */
	uint64_t console_ref;  /* ~0 until it publishes */
	char name[TESSERA_NAME_MAX]; /* NUL-terminated */
};

struct tessera_self_info {
	uint32_t abi_version;
	uint32_t domid;
	uint64_t mem_bytes;    /* guest-physical memory is [0, mem_bytes) */
	uint32_t vcpus;
	uint32_t reserved;
	char name[TESSERA_NAME_MAX]; /* NUL-terminated */
};

#endif
