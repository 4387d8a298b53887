#ifndef CORE_TYPES_H
#define CORE_TYPES_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096ULL
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((a) - 1)) == 0)

/* Overflow-safe range helpers: every guest or boot-supplied range goes through these. */
/*@ requires \valid(end);
    assigns *end;
    ensures \result <==> base + len <= UINT64_MAX;
    ensures \result ==> *end == base + len; */
static inline bool range_add_ok(uint64_t base, uint64_t len, uint64_t *end)
{
	return !__builtin_add_overflow(base, len, end);
}

/* [base, base+len) lies inside [0, limit). */
/*@ assigns \nothing;
    ensures \result <==> base + len <= limit; */
static inline bool range_within(uint64_t base, uint64_t len, uint64_t limit)
{
	return len <= limit && base <= limit - len;
}

/*@ assigns \nothing; */
static inline bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}
#endif
