/* Hypercall stubs for domains, generated from tessera/hypercall.def. */
#ifndef RT_HCALL_H
#define RT_HCALL_H
#include <stdint.h>
#include <tessera/hypercall.h>
#include <tessera/errno.h>

/* VMCALL on Intel, VMMCALL on AMD (the other vendor's is #UD): set by the runtime at entry. */
extern int rt_use_vmcall;

static inline long tessera_hcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				 uint64_t a4)
{
	long ret;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	if (rt_use_vmcall)
		__asm__ volatile("vmcall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
				 : "memory");
	else
		__asm__ volatile("vmmcall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8)
				 : "memory");
	return ret;
}

#define HCALL_STUB_0(num, name) \
	static inline long tessera_##name(void) { return tessera_hcall(num, 0, 0, 0, 0, 0); }
#define HCALL_STUB_1(num, name) \
	static inline long tessera_##name(uint64_t a0) { return tessera_hcall(num, a0, 0, 0, 0, 0); }
#define HCALL_STUB_2(num, name)                                      \
	static inline long tessera_##name(uint64_t a0, uint64_t a1) \
	{ return tessera_hcall(num, a0, a1, 0, 0, 0); }
#define HCALL_STUB_3(num, name)                                                  \
	static inline long tessera_##name(uint64_t a0, uint64_t a1, uint64_t a2) \
	{ return tessera_hcall(num, a0, a1, a2, 0, 0); }
#define HCALL_STUB_4(num, name)                                                               \
	static inline long tessera_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) \
	{ return tessera_hcall(num, a0, a1, a2, a3, 0); }
#define HCALL(num, name, nargs, cls, perm, target, doc) HCALL_STUB_##nargs(num, name)
#include <tessera/hypercall.def>
#undef HCALL

_Noreturn void rt_exit(long code);
#endif
