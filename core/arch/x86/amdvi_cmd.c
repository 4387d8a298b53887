/*
 * AMD-Vi registers, command buffer and event log. Callers hold core_lock.
 * Commands are waited for through a COMPLETION_WAIT store, never through
 * head == tail (QEMU 7.2's head reads the buffer size after a wrap). QEMU
 * caches translations by domain id and ignores INVALIDATE_DEVTAB_ENTRY, so
 * every flush also drops the domain's pages.
 */
#include <core/console.h>
#include <core/lib.h>
#include <arch/apic.h>
#include <arch/mm.h>
#include <arch/stage2.h>
#include <tessera/errno.h>
#include "amdvi.h"

#define REG_DEVTAB     0x0000
#define REG_CMD_BASE   0x0008
#define REG_EVT_BASE   0x0010
#define REG_CONTROL    0x0018
#define REG_EXCL_BASE  0x0020
#define REG_EXCL_LIMIT 0x0028
#define REG_EFR        0x0030
#define REG_CMD_HEAD   0x2000
#define REG_CMD_TAIL   0x2008
#define REG_EVT_HEAD   0x2010
#define REG_EVT_TAIL   0x2018
#define REG_STATUS     0x2020

#define CTL_IOMMU_EN       (1ULL << 0)
#define CTL_EVTLOG_EN      (1ULL << 2)
#define CTL_INV_TIMEOUT_1S (4ULL << 5)
#define CTL_COHERENT       (1ULL << 10)
#define CTL_CMDBUF_EN      (1ULL << 12)
#define EFR_IA_SUP         (1ULL << 6)
#define STATUS_EVT_OVERFLOW 1ULL

#define RING_BYTES 4096ULL /* command buffer and event log: 256 entries of 16 bytes */
#define RING_LEN   (8ULL << 56)
#define RING_OFF(x) ((x) & 0x7fff0 & (RING_BYTES - 1))
#define DEVTAB_SIZE_2M 0x1ffULL

#define CMD_COMPLETION_WAIT (1ULL << 60)
#define CMD_INV_DEVTAB      (2ULL << 60)
#define CMD_INV_PAGES       (3ULL << 60)
#define CMD_INV_IRT         (5ULL << 60)
#define CMD_INV_ALL         (8ULL << 60)
#define INV_PAGES_ALL 0x7ffffffffffff003ULL /* S, PDE, every address */

static uint64_t base, cmd_pa, evt_pa, cmd_tail, seq;
static volatile uint64_t completion __attribute__((aligned(8))); /* 1:1 map: its address is physical */

/* 64-bit stores: QEMU latches the base registers only on those (or on the high half). */
static uint64_t rd(uint32_t off)
{
	return *(volatile uint64_t *)phys_to_virt(base + off);
}

static void wr(uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)phys_to_virt(base + off) = v;
}

static bool ring_has_room(void *tail)
{
	return (*(uint64_t *)tail + 16) % RING_BYTES != RING_OFF(rd(REG_CMD_HEAD));
}

static bool completed(void *want)
{
	return completion == *(uint64_t *)want;
}

/* Queue one command and let the IOMMU see it (QEMU runs it inside the tail write). */
static int cmd(uint64_t q0, uint64_t q1)
{
	volatile uint64_t *slot = phys_to_virt(cmd_pa + cmd_tail);
	if (!poll_until(ring_has_room, &cmd_tail))
		return -TESSERA_EBUSY;
	slot[0] = q0;
	slot[1] = q1;
	cmd_tail = (cmd_tail + 16) % RING_BYTES;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(REG_CMD_TAIL, cmd_tail);
	return 0;
}

/* Everything queued before is done once the IOMMU has stored seq. */
static int cmd_sync(void)
{
	seq++;
	if (cmd(CMD_COMPLETION_WAIT | (uint64_t)(uintptr_t)&completion | 1, seq) ||
	    !poll_until(completed, &seq))
		return -TESSERA_EBUSY;
	return 0;
}

int amdvi_flush(uint32_t id, uint64_t domid)
{
	if (cmd(CMD_INV_DEVTAB | id, 0) || cmd(CMD_INV_IRT | id, 0) ||
	    cmd(CMD_INV_PAGES | domid << 32, INV_PAGES_ALL))
		return -TESSERA_EBUSY;
	return cmd_sync();
}

int amdvi_flush_irt(uint32_t id)
{
	if (cmd(CMD_INV_DEVTAB | id, 0) || cmd(CMD_INV_IRT | id, 0))
		return -TESSERA_EBUSY;
	return cmd_sync();
}

/* After enabling: nothing a previous owner left cached may survive. */
static int flush_everything(void)
{
	if (rd(REG_EFR) & EFR_IA_SUP)
		return cmd(CMD_INV_ALL, 0) ? -TESSERA_EBUSY : cmd_sync();
	for (uint32_t id = 0; id < AMDVI_IDS; id++)
		if (cmd(CMD_INV_DEVTAB | id, 0) || cmd(CMD_INV_IRT | id, 0))
			return -TESSERA_EBUSY;
	for (uint64_t domid = 0; domid <= AMDVI_DOMID_BLOCK; domid++)
		if (cmd(CMD_INV_PAGES | domid << 32, INV_PAGES_ALL))
			return -TESSERA_EBUSY;
	return cmd_sync();
}

bool amdvi_hw_probe(uint64_t b)
{
	base = b;
	return rd(REG_CONTROL) != ~0ULL;
}

int amdvi_hw_start(uint64_t devtab_pa, uint8_t f, const char **why)
{
	uint64_t ctl = rd(REG_CONTROL);
	cmd_pa = page_zalloc();
	evt_pa = page_zalloc();
	if (!cmd_pa || !evt_pa) {
		page_scrub_free(&cmd_pa);
		page_scrub_free(&evt_pa);
		*why = "out of memory for the IOMMU command buffer";
		return -TESSERA_ENOMEM;
	}
	/* Whatever firmware left running stops before the tables move. */
	if (ctl & CTL_IOMMU_EN)
		wr(REG_CONTROL, 0);
	wr(REG_EXCL_BASE, 0); /* an exclusion range would let DMA bypass translation */
	wr(REG_EXCL_LIMIT, 0);
	wr(REG_CMD_BASE, cmd_pa | RING_LEN);
	wr(REG_CMD_HEAD, 0);
	wr(REG_CMD_TAIL, 0);
	wr(REG_EVT_BASE, evt_pa | RING_LEN);
	wr(REG_EVT_HEAD, 0);
	wr(REG_EVT_TAIL, 0);
	wr(REG_DEVTAB, devtab_pa | DEVTAB_SIZE_2M);
	wr(REG_STATUS, 0x7); /* write 1 to clear: overflow and interrupt bits */
	cmd_tail = 0;
	/* IVHD flags HtTunEn, PassPW, ResPassPW, Isoc go to their Control bits (link setup). */
	ctl = CTL_IOMMU_EN | CTL_EVTLOG_EN | CTL_CMDBUF_EN | CTL_COHERENT | CTL_INV_TIMEOUT_1S |
	      (uint64_t)(f & 1) << 1 | (uint64_t)(f >> 1 & 1) << 8 | (uint64_t)(f >> 2 & 1) << 9 |
	      (uint64_t)(f >> 3 & 1) << 11;
	wr(REG_CONTROL, ctl);
	/* On failure everything stays allocated: the IOMMU may still read it. */
	if (flush_everything()) {
		*why = "the IOMMU did not complete its first commands (no completion store)";
		return -TESSERA_EBUSY;
	}
	return 0;
}

static const char *const event_names[] = {
	"event 0", "illegal device table entry", "I/O page fault", "device table hardware error",
	"page table hardware error", "illegal command", "command hardware error",
	"IOTLB invalidation timeout", "invalid device request",
};

/* Drain the event log (QEMU 7.2 never writes one; hardware logs blocked DMA here). */
void amdvi_events_report(void)
{
	volatile uint64_t *log = phys_to_virt(evt_pa);
	uint64_t head = RING_OFF(rd(REG_EVT_HEAD)), tail = RING_OFF(rd(REG_EVT_TAIL));
	for (uint32_t n = 0; n < RING_BYTES / 16 && head != tail; n++) {
		volatile uint64_t *e = log + head / 8;
		uint64_t q0 = e[0], q1 = e[1], code = q0 >> 60, domid = q0 >> 32 & 0xffff;
		char who[24] = "no domain";
		if (!code)
			break; /* the tail moved before the entry landed: next time */
		if (domid && domid < AMDVI_DOMID_BLOCK)
			ksnprintf(who, sizeof(who), "domain id %lu", (unsigned long)(domid - 1));
		kprintf("tessera: iommu: %s: device %02x:%02x.%x (%s), %s at 0x%lx\n",
			code < ARRAY_SIZE(event_names) ? event_names[code] : "unknown event",
			(unsigned)(q0 >> 8 & 0xff), (unsigned)(q0 >> 3 & 0x1f), (unsigned)(q0 & 7), who,
			q0 >> 53 & 1 ? "write" : "read", (unsigned long)q1);
		e[0] = e[1] = 0;
		head = (head + 16) % RING_BYTES;
	}
	wr(REG_EVT_HEAD, head);
	if (rd(REG_STATUS) & STATUS_EVT_OVERFLOW) {
		/* Logging stopped at the overflow; it restarts once cleared and re-enabled. */
		uint64_t ctl = rd(REG_CONTROL);
		kprintf("tessera: iommu: event log overflowed, events were lost\n");
		wr(REG_CONTROL, ctl & ~CTL_EVTLOG_EN);
		wr(REG_STATUS, STATUS_EVT_OVERFLOW);
		wr(REG_CONTROL, ctl | CTL_EVTLOG_EN);
	}
}
