/*
 * VT-d registers, queued invalidation and fault recording. Callers hold
 * core_lock. Every wait is a bounded poll (about a second; hardware answers
 * in microseconds, QEMU within the register write). Invalidations go through
 * the queue only: interrupt entries cannot be invalidated any other way, and
 * register-based invalidation is not allowed while the queue is on.
 */
#include <core/console.h>
#include <arch/apic.h>
#include <arch/mm.h>
#include <tessera/errno.h>
#include "vtd.h"

#define REG_CAP    0x08
#define REG_ECAP   0x10
#define REG_GCMD   0x18
#define REG_GSTS   0x1c
#define REG_RTADDR 0x20
#define REG_FSTS   0x34
#define REG_FECTL  0x38
#define REG_IQH    0x80
#define REG_IQT    0x88
#define REG_IQA    0x90
#define REG_IECTL  0xa0
#define REG_IRTA   0xb8

/* GCMD command bits; GSTS reports each at the same position. */
#define TE    (1u << 31)
#define SRTP  (1u << 30)
#define WBF   (1u << 27)
#define QIE   (1u << 26)
#define IRE   (1u << 25)
#define SIRTP (1u << 24)
#define CFI   (1u << 23)
#define KEEP  (TE | QIE | IRE | CFI) /* states a GCMD write must restate, or they turn off */

#define CAP_RWBF      (1ULL << 4)
#define CAP_SAGAW_39  (1ULL << 9)
#define CAP_SAGAW_48  (1ULL << 10)
#define CAP_SLLPS_2M  (1ULL << 34)
#define CAP_DWD       (1ULL << 54)
#define CAP_DRD       (1ULL << 55)
#define ECAP_C        (1ULL << 0)
#define ECAP_QI       (1ULL << 1)
#define ECAP_IR       (1ULL << 3)
#define FSTS_PFO      1u
#define FSTS_QERR     0x70u /* IQE, ICE, ITE: the queue stopped */
#define INT_MASK      (1u << 31) /* FECTL/IECTL: no interrupt message; the core polls */
#define FRCD_F        (1ULL << 63)
#define FRCD_READ     (1ULL << 62)

#define IQ_ENTRIES 256 /* IQA.QS = 0: one page of 16-byte descriptors */
#define IRTA_256   7ULL /* 2^(7+1) entries: one page */
#define DESC_CC_GLOBAL     (0x1ULL | 1ULL << 4)
#define DESC_CC_DEVICE     (0x1ULL | 3ULL << 4)
#define DESC_IOTLB_GLOBAL  (0x2ULL | 1ULL << 4)
#define DESC_IOTLB_DOMAIN  (0x2ULL | 2ULL << 4)
#define DESC_IEC_GLOBAL    0x4ULL
#define DESC_WAIT_SW       (0x5ULL | 1ULL << 5 | 1ULL << 6) /* status write, fence */

static uint64_t base, cap, fro, iq_pa, iq_tail;
static uint32_t nfr, seq;
static bool coherent;
static volatile uint32_t wait_word __attribute__((aligned(8))); /* 1:1 map: its address is physical */

static uint32_t rd32(uint64_t off)
{
	return *(volatile uint32_t *)phys_to_virt(base + off);
}

static uint64_t rd64(uint64_t off)
{
	return *(volatile uint64_t *)phys_to_virt(base + off);
}

static void wr32(uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)phys_to_virt(base + off) = v;
}

static void wr64(uint64_t off, uint64_t v)
{
	*(volatile uint64_t *)phys_to_virt(base + off) = v;
}

/* GSTS bit on (bit set in *want) or off. */
static bool status_is(void *want)
{
	const uint32_t *w = want;
	return (rd32(REG_GSTS) & w[0]) == w[1];
}

static bool wait_status(uint32_t bit, bool on)
{
	return poll_until(status_is, (uint32_t[2]){ bit, on ? bit : 0 });
}

/* A persistent state (TE, QIE, IRE, CFI) on or off; a one-shot command (SRTP, SIRTP) done. */
static int command(uint32_t bit, bool on)
{
	uint32_t keep = rd32(REG_GSTS) & KEEP;
	wr32(REG_GCMD, on ? keep | bit : keep & ~bit);
	return wait_status(bit, on) ? 0 : -TESSERA_EBUSY;
}

void vtd_sync(const void *p, uint64_t len)
{
	if (coherent)
		return;
	for (uint64_t a = (uintptr_t)p & ~63ULL; a < (uintptr_t)p + len; a += 64)
		__asm__ volatile("clflush (%0)" ::"r"(a) : "memory");
	__asm__ volatile("mfence" ::: "memory");
}

static void qi(uint64_t lo, uint64_t hi)
{
	volatile uint64_t *d = (volatile uint64_t *)phys_to_virt(iq_pa) + iq_tail * 2;
	d[0] = lo;
	d[1] = hi;
	iq_tail = (iq_tail + 1) % IQ_ENTRIES;
}

/* The unit stored seq, or its queue stopped. */
static bool qi_done(void *want)
{
	return wait_word == *(uint32_t *)want || rd32(REG_FSTS) & FSTS_QERR;
}

static bool iq_drained(void *unused)
{
	(void)unused;
	return rd64(REG_IQH) == rd64(REG_IQT);
}

/* Everything queued before is done once the unit has stored seq. */
static int qi_sync(void)
{
	seq++;
	qi(DESC_WAIT_SW | (uint64_t)seq << 32, (uint64_t)(uintptr_t)&wait_word);
	vtd_sync(phys_to_virt(iq_pa), IQ_ENTRIES * 16);
	if (cap & CAP_RWBF) { /* flush the chipset's write buffers before the unit looks */
		wr32(REG_GCMD, (rd32(REG_GSTS) & KEEP) | WBF);
		if (!wait_status(WBF, false))
			return -TESSERA_EBUSY;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr64(REG_IQT, iq_tail << 4);
	poll_until(qi_done, &seq);
	return wait_word == seq ? 0 : -TESSERA_EBUSY;
}

static uint64_t drain(void)
{
	return (cap & CAP_DRD ? 1ULL << 7 : 0) | (cap & CAP_DWD ? 1ULL << 6 : 0);
}

int vtd_flush_all(void)
{
	qi(DESC_CC_GLOBAL, 0);
	qi(DESC_IOTLB_GLOBAL | drain(), 0);
	return qi_sync();
}

int vtd_flush_device(uint16_t sid, uint16_t did)
{
	qi(DESC_CC_DEVICE | (uint64_t)did << 16 | (uint64_t)sid << 32, 0);
	qi(DESC_IOTLB_DOMAIN | drain() | (uint64_t)did << 16, 0);
	return qi_sync();
}

int vtd_flush_iec(void)
{
	qi(DESC_IEC_GLOBAL, 0);
	return qi_sync();
}

int vtd_hw_probe(uint64_t b, struct vtd_caps *c, const char **why)
{
	uint64_t ecap;
	base = b;
	cap = rd64(REG_CAP);
	ecap = rd64(REG_ECAP);
	fro = (cap >> 24 & 0x3ff) * 16;
	nfr = (uint32_t)(cap >> 40 & 0xff) + 1;
	*why = NULL;
	if (cap == ~0ULL || !cap)
		*why = "no VT-d registers at the DRHD base address";
	else if (!(cap & (CAP_SAGAW_39 | CAP_SAGAW_48)))
		*why = "VT-d: neither 3- nor 4-level second-level tables (SAGAW)";
	else if ((cap & 7) < 2)
		*why = "VT-d: fewer than 256 domain ids (CAP.ND)";
	else if (!(ecap & ECAP_QI))
		*why = "VT-d: no queued invalidation (ECAP.QI)";
	else if (base + fro + nfr * 16ULL > 4ULL << 30)
		*why = "VT-d: fault recording registers beyond 4 GiB";
	if (*why)
		return -TESSERA_ENODEV;
	c->levels = cap & CAP_SAGAW_48 ? 4 : 3; /* 4 where both: QEMU can then test both */
	c->big = cap & CAP_SLLPS_2M;
	coherent = ecap & ECAP_C;
	c->intremap = ecap & ECAP_IR;
	return 0;
}

int vtd_hw_start(uint64_t root_pa, uint64_t q_pa, uint64_t irt_pa, const char **why)
{
	/* No interrupt messages from the unit: faults and completions are polled. */
	wr32(REG_FECTL, INT_MASK);
	wr32(REG_IECTL, INT_MASK);
	if (rd32(REG_GSTS) & QIE) { /* firmware's queue: let it drain, then take it over */
		poll_until(iq_drained, NULL);
		if (command(QIE, false)) {
			*why = "VT-d: firmware's invalidation queue did not stop";
			return -TESSERA_EBUSY;
		}
	}
	iq_pa = q_pa;
	iq_tail = 0;
	wr64(REG_IQT, 0);
	wr64(REG_IQA, iq_pa);
	wr64(REG_RTADDR, root_pa); /* legacy mode: root and context entries */
	*why = "VT-d: the unit did not take the invalidation queue or the root table";
	if (command(QIE, true) || command(SRTP, true) || vtd_flush_all())
		return -TESSERA_EBUSY;
	/* An empty table blocks remapped interrupts; CFI clear blocks the compatibility format. */
	if (irt_pa) {
		wr64(REG_IRTA, irt_pa | IRTA_256);
		*why = "VT-d: interrupt remapping did not come up";
		if (command(SIRTP, true))
			return -TESSERA_EBUSY;
		qi(DESC_IEC_GLOBAL, 0);
		if (qi_sync() || command(CFI, false) || command(IRE, true))
			return -TESSERA_EBUSY;
	}
	*why = "VT-d: translation did not turn on";
	if (command(TE, true))
		return -TESSERA_EBUSY;
	*why = NULL;
	return 0;
}

void vtd_faults_report(void)
{
	uint32_t fsts;
	if (!base)
		return;
	for (uint32_t i = 0; i < nfr; i++) {
		uint64_t off = fro + i * 16ULL, hi = rd64(off + 8), lo;
		if (!(hi & FRCD_F))
			continue;
		lo = rd64(off);
		kprintf("tessera: iommu: DMA fault from 0000:%02x:%02x.%x at 0x%lx (reason 0x%02x, %s)\n",
			(unsigned)(hi >> 8 & 0xff), (unsigned)(hi >> 3 & 0x1f), (unsigned)(hi & 7),
			(unsigned long)(lo & ~0xfffULL), (unsigned)(hi >> 32 & 0xff),
			hi & FRCD_READ ? "read" : "write");
		wr32(off + 12, 1u << 31); /* F is write-1-to-clear; the unit records again */
	}
	fsts = rd32(REG_FSTS);
	if (fsts & FSTS_PFO) {
		kprintf("tessera: iommu: fault recording overflowed, faults were lost\n");
		wr32(REG_FSTS, FSTS_PFO);
	}
}
