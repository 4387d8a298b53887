/*
 * Guest memory access. A domain's guest-physical [0, mem_size) is one
 * contiguous block the core also maps; anything else is -EFAULT. Callers
 * copy into a core buffer once and validate that copy, never the original.
 */
#include <core/guest.h>
#include <core/lib.h>
#include <tessera/errno.h>

/*@ requires guest_mem(d);
    behavior inside:
      assumes in_guest(d, gpa, len);
      requires \valid((char *)dst + (0 .. len - 1)) && \separated((char *)dst + (0 .. len - 1), d->mem + (0 .. d->mem_size - 1));
      assigns ((char *)dst)[0 .. len - 1];
      ensures \result == 0;
    behavior outside:
      assumes !in_guest(d, gpa, len);
      assigns \nothing;
      ensures \result == -TESSERA_EFAULT;
    complete behaviors; disjoint behaviors; */
int guest_copy_in(const struct domain *d, void *dst, uint64_t gpa, uint64_t len)
{
	if (!range_within(gpa, len, d->mem_size))
		return -TESSERA_EFAULT;
	memcpy(dst, d->mem + gpa, (size_t)len);
	return 0;
}

/*@ requires guest_mem(d);
    behavior inside:
      assumes in_guest(d, gpa, len);
      requires \valid_read((char *)src + (0 .. len - 1)) && \separated((char *)src + (0 .. len - 1), d->mem + (0 .. d->mem_size - 1));
      assigns d->mem[gpa .. gpa + len - 1];
      ensures \result == 0;
    behavior outside:
      assumes !in_guest(d, gpa, len);
      assigns \nothing;
      ensures \result == -TESSERA_EFAULT;
    complete behaviors; disjoint behaviors; */
int guest_copy_out(const struct domain *d, uint64_t gpa, const void *src, uint64_t len)
{
	if (!range_within(gpa, len, d->mem_size))
		return -TESSERA_EFAULT;
	memcpy(d->mem + gpa, src, (size_t)len);
	return 0;
}
