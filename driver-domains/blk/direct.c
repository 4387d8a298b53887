/*
 * blkdirect.elf, for bench/blk.sh: the block domain's device driven by the
 * domain that owns it, with no client, ring or grant in between. It moves the
 * same data as blkbench.elf (blkclient.c) does through blk: BLK_BENCH_MB MiB
 * written in 4 KiB requests over the disk's first 8 MiB, then read, with the
 * same copies blk makes (a private page to the bounce page and back), between
 * console lines "bench: direct-write start M" / "end M" and "bench: direct-read
 * start M" / "end M". Run it as domain "blk" (it needs blk's device).
 */
#include <rt/blkif.h>
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include "vblk.h"

#ifndef BLK_BENCH_MB
#define BLK_BENCH_MB 4
#endif
#define WRAP (8u * 2048u) /* sectors */

static uint8_t page[4096] __attribute__((aligned(4096)));

int main(void);
int main(void)
{
	static const char *const what[] = { "direct-write", "direct-read" };
	static const uint64_t ops[] = { BLKIF_OP_WRITE, BLKIF_OP_READ };
	uint64_t pages = BLK_BENCH_MB * 256ull;
	if (rt_events_init() < 0)
		return 100;
	if (vblk_init(0) < 0)
		return 1;
	memset(page, 0x5a, sizeof(page));
	for (unsigned k = 0; k < 2; k++) {
		rt_printf("bench: %s start %u\n", what[k], BLK_BENCH_MB);
		for (uint64_t p = 0; p < pages; p++) {
			long rc;
			if (ops[k] == BLKIF_OP_WRITE)
				memcpy(vblk_bounce(), page, sizeof(page));
			rc = vblk_io(ops[k], p * 8 % WRAP, 8);
			if (rc) {
				rt_printf("blk: %s of page %lu: %ld\n", what[k], (unsigned long)p, rc);
				return 1;
			}
			if (ops[k] == BLKIF_OP_READ)
				memcpy(page, vblk_bounce(), sizeof(page));
		}
		rt_printf("bench: %s end %u\n", what[k], BLK_BENCH_MB);
	}
	return 0;
}
