/*
 * Classes and permissions, generated from tessera/access.def. Shared by the
 * core, the policy compiler, tests and fuzzers. Name tables are built by the
 * user with its own ACCESS_CLASS/ACCESS_PERM macros over the same list.
 */
#ifndef TESSERA_ACCESS_H
#define TESSERA_ACCESS_H
#include <stdint.h>

enum tessera_class {
#define ACCESS_CLASS(cls, doc) TESSERA_CLASS_##cls,
#define ACCESS_PERM(cls, perm, doc)
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
	TESSERA_CLASS_COUNT
};

/* One running index over the list; a permission's bit counts from its class's marker. */
enum tessera_access_index {
#define ACCESS_CLASS(cls, doc) TESSERA_AIDX_##cls,
#define ACCESS_PERM(cls, perm, doc) TESSERA_AIDX_##cls##_##perm,
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
	TESSERA_AIDX_COUNT
};
#define TESSERA_PERMBIT(cls, perm) (TESSERA_AIDX_##cls##_##perm - TESSERA_AIDX_##cls - 1)
#define TESSERA_PERM(cls, perm) (1u << TESSERA_PERMBIT(cls, perm))
#define TESSERA_PERMS_MAX 32

#define ACCESS_CLASS(cls, doc)
#define ACCESS_PERM(cls, perm, doc) \
	_Static_assert(TESSERA_PERMBIT(cls, perm) < TESSERA_PERMS_MAX, "class " #cls ": more than 32 permissions");
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM

/* Permissions a class defines, as a mask: bits outside it are invalid in a policy. */
static inline uint32_t tessera_class_mask(uint32_t cls)
{
	uint32_t mask[TESSERA_CLASS_COUNT + 1] = { 0 };
#define ACCESS_CLASS(cls, doc)
#define ACCESS_PERM(cls, perm, doc) mask[TESSERA_CLASS_##cls] |= TESSERA_PERM(cls, perm);
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
	return cls < TESSERA_CLASS_COUNT ? mask[cls] : 0;
}

/*
 * FNV-1a 64 of "class:perm,perm,...;" for every class in order: a policy is
 * compiled against exactly one vocabulary and records this value.
 */
static inline uint64_t tessera_access_fnv(uint64_t h, const char *s)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static inline uint64_t tessera_access_fingerprint(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int first = 1;
#define ACCESS_CLASS(cls, doc) \
	h = tessera_access_fnv(h, first ? #cls ":" : ";" #cls ":"); \
	first = 0;
#define ACCESS_PERM(cls, perm, doc) h = tessera_access_fnv(h, #perm ",");
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
	return tessera_access_fnv(h, ";");
}
#endif
