/*
 * The fuzzing domain's record interpreter: each record (fuzz/include/fuzzrec.h)
 * becomes what a guest really does to the core: a hypercall, a write to any
 * address (an empty grant slot, a read-only grant, memory we were never given),
 * a forbidden instruction, an interrupt window, a yield. A guest-physical
 * argument that would land in our own image (page tables, code, stack) is folded
 * into the scratch memory above it, so a record can hurt this domain only in the
 * ways the core is meant to allow: what the core does with the rest is the test.
 */
#include <rt/console.h>
#include <rt/hcall.h>
#include <tessera/layout.h>
#include "../../fuzz/include/fuzzrec.h"
#include "exec.h"

extern char rt_image_end[]; /* driver-domains/lib/linker.ld */
static uint64_t image_end, scratch, scratch_size;

void exec_init(uint64_t mem_bytes)
{
	image_end = ((uint64_t)(uintptr_t)rt_image_end + 0xffff) & ~0xffffULL;
	scratch = image_end;
	scratch_size = mem_bytes > scratch ? mem_bytes - scratch : 0;
}

uint64_t exec_scratch(void)
{
	return scratch;
}

uint64_t exec_image_end(void)
{
	return image_end;
}

/* Bit i: argument i is a guest-physical address; bit 5 + i: a frame number. */
static uint32_t addr_args(uint8_t nr)
{
	switch (nr) {
	case TESSERA_HC_console_write:
	case TESSERA_HC_self_info:
	case TESSERA_HC_domain_lookup:
	case TESSERA_HC_evtchn_setup:
	case TESSERA_HC_console_read:
	case TESSERA_HC_eventlog_read:
		return 1u << 0;
	case TESSERA_HC_dev_info:
	case TESSERA_HC_domain_info:
		return 1u << 1;
	case TESSERA_HC_grant_offer:
		return 1u << (5 + 1);
	default:
		return 0;
	}
}

static uint64_t fold(uint64_t a)
{
	return a < image_end && scratch_size ? scratch + a % scratch_size : a;
}

static void fold_args(uint8_t nr, uint64_t arg[5])
{
	uint32_t m = addr_args(nr);
	for (unsigned i = 0; i < 5; i++) {
		if (m >> i & 1)
			arg[i] = fold(arg[i]);
		if (m >> (5 + i) & 1 && arg[i] < image_end / 4096 && scratch_size >= 4096)
			arg[i] = scratch / 4096 + arg[i] % (scratch_size / 4096);
	}
}

/* A write of one byte anywhere but our image and device MMIO (which would only cut our
 * channel): beyond our memory it is a nested page fault and the core destroys us. */
static void touch(uint64_t a, uint8_t v)
{
	a = fold(a);
	if (a >= TESSERA_GUEST_MMIO_MIN && a < TESSERA_GUEST_MAP_MAX)
		return;
	*(volatile uint8_t *)(uintptr_t)a = v;
}

/* An instruction the core does not let a domain run: it is destroyed (and restarted). */
static void forbidden(uint32_t which, uint32_t v)
{
	switch (which % 8) {
	case 0: __asm__ volatile("rdmsr" : : "c"(v) : "rax", "rdx"); break;
	case 1: __asm__ volatile("wrmsr" : : "c"(v), "a"(0), "d"(0)); break;
	case 2: __asm__ volatile("inb %%dx, %%al" : : "d"((uint16_t)v) : "rax"); break;
	case 3: __asm__ volatile("outb %%al, %%dx" : : "d"((uint16_t)v), "a"(0)); break;
	case 4: __asm__ volatile("wbinvd" ::: "memory"); break;
	case 5: __asm__ volatile("invd" ::: "memory"); break;
	case 6: __asm__ volatile("mov %0, %%dr7" : : "r"((uint64_t)v)); break;
	default: __asm__ volatile("rdpmc" : : "c"(v) : "rax", "rdx"); break;
	}
}

static int64_t run(const struct fz_record *r, const uint8_t *data, int64_t prev)
{
	uint64_t arg[5], gpa = 0;
	int k = fz_record_data_arg(r);
	if (scratch_size > 256) {
		gpa = scratch + (uint64_t)r->off * 32 % (scratch_size - 256);
		memcpy((void *)(uintptr_t)gpa, data, r->len);
	}
	fz_record_args(r, (uint64_t)prev, arg);
	if (k >= 0 && gpa)
		arg[k] = gpa;
	switch (r->kind % FZ_KINDS) {
	case FZ_K_FAULT: /* through a failed call's status (not an address): nothing */
		if (r->wide >> 5 != FZ_W_PREV || prev >= 0)
			touch(arg[0], (uint8_t)arg[1]);
		return 0;
	case FZ_K_FORBIDDEN:
		forbidden(r->arg[0], r->arg[1]);
		return 0;
	case FZ_K_HALT: /* an interrupt window: pending upcalls arrive (any vector has a handler) */
		__asm__ volatile("sti; nop; nop; cli" ::: "memory");
		return 0;
	case FZ_K_IRQ:
	case FZ_K_TICK:
		return tessera_yield();
	default:
		fold_args(r->nr, arg);
		/* Device 0 is our channel: a virtio device that loses bus mastering drops
		 * DRIVER_OK, so its command register keeps memory and bus master on. */
		if (r->nr == TESSERA_HC_dev_config_write && arg[0] == 0 && arg[1] == 4)
			arg[3] |= 0x6;
		return tessera_hcall(r->nr, arg[0], arg[1], arg[2], arg[3], arg[4]);
	}
}

uint32_t exec_records(const uint8_t *buf, uint32_t len, int64_t *status, uint32_t max)
{
	uint32_t n = 0, at = 0;
	int64_t prev = 0;
	while (n < max && len - at >= FZ_RECORD_SIZE) {
		struct fz_record r;
		fz_record_decode(buf + at, &r);
		at += FZ_RECORD_SIZE;
		if (r.len > len - at)
			r.len = (uint8_t)(len - at);
		prev = status[n++] = run(&r, buf + at, prev);
		at += r.len;
	}
	return n;
}
