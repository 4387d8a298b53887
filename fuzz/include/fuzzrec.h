/*
 * One hypercall record: the unit of input of both hypercall fuzzers, the hosted one
 * (fuzz/hcall, hcall.h) and the full-system one (driver-domains/fuzz, fuzz/system).
 * Freestanding: the fuzzing domain includes it too.
 *
 *   caller  domain the record runs in (hosted: id % FZ_IDS; system: which fuzzing domain)
 *   kind    FZ_K_* % FZ_KINDS
 *   nr      hypercall number (any: unknown ones must be -ENOSYS)
 *   faults  FZ_X_*: what fails while it runs (hosted only: the real machine has no switch)
 *   wide    bit i < 5: argument i gets the high word 0xffffffff;
 *           bits 5-7 = k: 1-5 argument k-1 is the data's guest-physical address,
 *           FZ_W_PREV argument 0 is the previous record's status
 *   len     data bytes following the record, placed in the caller's memory
 *   off     where: hosted, guest-physical off * 32; system, scratch + off * 32 % scratch
 *   arg[5]  the arguments (low words)
 * Little-endian, FZ_RECORD_SIZE bytes, then `len` data bytes.
 */
#ifndef FUZZ_FUZZREC_H
#define FUZZ_FUZZREC_H
#include <stdint.h>

struct fz_record {
	uint8_t caller, kind, nr, faults, wide, len;
	uint16_t off;
	uint32_t arg[5];
};
#define FZ_RECORD_SIZE 28
enum { FZ_K_HCALL, FZ_K_HCALL2, FZ_K_HCALL3, FZ_K_FAULT, FZ_K_HALT, FZ_K_IRQ, FZ_K_TICK,
       FZ_K_FORBIDDEN, FZ_KINDS };
#define FZ_X_FRAME     0x01 /* frame_alloc returns 0 */
#define FZ_X_COPY_IN   0x02 /* guest_copy_in returns -EFAULT */
#define FZ_X_COPY_OUT  0x04 /* guest_copy_out returns -EFAULT */
#define FZ_X_GRANT_MAP 0x08 /* the backend cannot map a grant */
#define FZ_X_IOPORT    0x10 /* the backend cannot open I/O ports or map MMIO */
#define FZ_X_IRQ_ROUTE 0x20 /* the IOMMU cannot route an interrupt */
#define FZ_X_IOMMU     0x40 /* the IOMMU cannot take a device (restarts) */
#define FZ_W_PREV      6    /* wide >> 5: argument 0 is the previous record's status */

static inline void fz_record_decode(const uint8_t *p, struct fz_record *r)
{
	r->caller = p[0];
	r->kind = p[1];
	r->nr = p[2];
	r->faults = p[3];
	r->wide = p[4];
	r->len = p[5];
	r->off = (uint16_t)(p[6] | p[7] << 8);
	for (unsigned i = 0; i < 5; i++)
		r->arg[i] = (uint32_t)p[8 + 4 * i] | (uint32_t)p[9 + 4 * i] << 8 |
			    (uint32_t)p[10 + 4 * i] << 16 | (uint32_t)p[11 + 4 * i] << 24;
}

/* The five arguments a record names, before the data's address is put in. */
static inline void fz_record_args(const struct fz_record *r, uint64_t prev, uint64_t arg[5])
{
	for (unsigned i = 0; i < 5; i++)
		arg[i] = r->arg[i] | (r->wide >> i & 1 ? 0xffffffff00000000ULL : 0);
	if (r->wide >> 5 == FZ_W_PREV)
		arg[0] = prev;
}

/* Which argument gets the data's address: 0-4, or -1. */
static inline int fz_record_data_arg(const struct fz_record *r)
{
	unsigned k = (unsigned)(r->wide >> 5);
	return k >= 1 && k <= 5 ? (int)k - 1 : -1;
}
#endif
