/* The only way the core reads or writes guest memory: bounds-checked, copied once. */
#ifndef CORE_GUEST_H
#define CORE_GUEST_H
#include <core/domain.h>

int guest_copy_in(const struct domain *d, void *dst, uint64_t gpa, uint64_t len);
int guest_copy_out(const struct domain *d, uint64_t gpa, const void *src, uint64_t len);
#endif
