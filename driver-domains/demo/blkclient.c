/*
 * A client of the block domain (rt/blkif.h). It must be named blkc-N (N = 0..3:
 * the slot blk serves it in); N also picks its sectors, BLKC_BASE + N * 128 on.
 * If blk goes away (its channel closes: it crashed and is being restarted) the
 * client reconnects to blk's next life and sends the request again (requests
 * are idempotent; rt/blkif.h), up to BLKC_RETRIES times per request.
 * Built from this file:
 *   blkclient.elf   writes BLKC_SECTORS sectors in requests of 8, 5 and 3
 *                   sectors, each filled with 16-byte records "blkc-N:SSSSSSSS\n"
 *                   (N its slot, S the sector in hex), reads them back in
 *                   requests of 4 and checks every byte, flushes, and prints
 *                   "blkc-N: wrote and verified 16 sectors"
 *   blkstress.elf   (BLKC_SECTORS=128, BLKC_LOG_ACKS) the same over 128 sectors,
 *                   printing "blkc-N: acked S+C" for every write acknowledged
 *                   (C sectors from S), for tests/devices/blk-crash.sh
 *   blkhostile.elf  (BLKC_HOSTILE) sends malformed requests, each of which must
 *                   get its own error status, then one good write and read of
 *                   its first sector, which must succeed
 *   blkbench.elf    (BLKC_BENCH_MB=M) writes M MiB in 4 KiB requests over the
 *                   sectors from 0 (wrapping at the disk's first 8 MiB), then
 *                   reads them, between console lines "bench: blk-write start M"
 *                   / "end M" and "bench: blk-read start M" / "end M" (bench/blk.sh)
 */
#include <rt/blkif.h>
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/service.h>
#include <tessera/grant.h>

#ifndef BLKC_HOSTILE
#define BLKC_HOSTILE 0
#endif
#ifndef BLKC_SECTORS
#define BLKC_SECTORS 16u
#endif
#ifndef BLKC_LOG_ACKS
#define BLKC_LOG_ACKS 0
#endif
#ifndef BLKC_BENCH_MB
#define BLKC_BENCH_MB 0
#endif
#define BLKC_BASE    1024u
#define BLKC_BENCH_WRAP (8u * 2048u) /* sectors: the bench stays in the first 8 MiB */
#define BLKC_RETRIES 4u
#define RECORD       16u
#define BLKC_FIND_TRIES 1000u

static struct rt_ring_page ring_page __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));
static struct tessera_self_info si;
static struct rt_ring ring;
static long blk_id = -1, ring_ref = -1, port = -1, data_ref = -1;
static unsigned connects;
static uint64_t next_id = 1;

/* Drop what the last connection left: blk is gone, so nothing maps our grants now. */
static void disconnect(void)
{
	rt_svc_end(&data_ref);
	rt_svc_end(&ring_ref);
	rt_svc_close(&port);
}

/* The bootstrap of rt/blkif.h: ring grant (index 0), port 0, data grant. 0 or an error. */
static long connect(void)
{
	long blk;
	if (connects == BLKIF_RING_GENS)
		return -TESSERA_ENOSPC;
	/* Every domain exists before any runs: blk is there now, or it has already ended
	 * (or is being made again after a crash: hence a few tries). */
	if ((blk = rt_svc_find(BLKIF_SERVER, BLKC_FIND_TRIES)) < 0)
		return blk;
	disconnect();
	rt_ring_init_front(&ring, &ring_page);
	ring_ref = rt_svc_offer(blk, &ring_page, 0);
	port = tessera_evtchn_alloc((uint64_t)blk);
	data_ref = rt_svc_offer(blk, data, 0);
	if (ring_ref < 0 || BLKIF_REF_INDEX(ring_ref) != BLKIF_RING_INDEX || port != BLKIF_PORT ||
	    data_ref < 0) {
		rt_printf("%s: setup failed (ring %ld, port %ld, data %ld)\n", si.name, ring_ref, port,
			  data_ref);
		return -TESSERA_EINVAL;
	}
	blk_id = blk;
	connects++;
	return 0;
}

/* One request, and its response's status (or -EPIPE if blk went away). */
static long call(uint64_t op, uint64_t sector, uint64_t count, uint64_t gref)
{
	struct blkif_request rq = { next_id++, op, sector, count, gref };
	struct rt_msg m = blkif_req_msg(&rq);
	rt_ring_req_put(&ring, &m);
	rt_ring_req_push(&ring);
	/* Always notify: the send also says whether blk is gone (-EPIPE; a wait would
	 * never end). -ENOTCONN until blk binds: it looks at the ring then anyway.
	 * blk's end closes the channel, and the close is an event: a wait ends. */
	if (tessera_evtchn_send((uint64_t)port) == -TESSERA_EPIPE)
		return -TESSERA_EPIPE;
	while (!rt_ring_rsp_get(&ring, &m)) {
		rt_event_wait((uint32_t)port);
		if (tessera_evtchn_send((uint64_t)port) == -TESSERA_EPIPE)
			return -TESSERA_EPIPE;
	}
	struct blkif_response rs = blkif_msg_rsp(&m);
	if (rs.id != rq.id) {
		rt_printf("%s: response id %lu for request %lu\n", si.name, (unsigned long)rs.id,
			  (unsigned long)rq.id);
		return -TESSERA_EINVAL;
	}
	return rs.status;
}

/* A request on the data page, sent again on blk's next life if blk went away. */
static long call_retry(uint64_t op, uint64_t sector, uint64_t count)
{
	long rc = call(op, sector, count, op == BLKIF_OP_FLUSH ? 0 : (uint64_t)data_ref);
	for (unsigned n = 0; rc == -TESSERA_EPIPE && n < BLKC_RETRIES; n++) {
		long old = blk_id, c = connect();
		if (c < 0) {
			rt_printf("%s: blk went away and cannot be reached again (%ld)\n", si.name, c);
			return rc;
		}
		rt_printf("%s: blk went away (id %ld); reconnected to id %ld, sending again: op %lu, "
			  "%lu sectors at %lu\n", si.name, old, blk_id, (unsigned long)op,
			  (unsigned long)count, (unsigned long)sector);
		rc = call(op, sector, count, op == BLKIF_OP_FLUSH ? 0 : (uint64_t)data_ref);
	}
	return rc;
}

/* Sector s's contents: "blkc-N:" and s in 8 hex digits, then a newline, 32 times. */
static void fill(uint8_t *p, uint64_t s)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned r = 0; r < BLKIF_SECTOR_SIZE / RECORD; r++, p += RECORD) {
		memcpy(p, si.name, 6);
		p[6] = ':';
		for (unsigned k = 0; k < 8; k++)
			p[7 + k] = (uint8_t)hex[s >> (28 - 4 * k) & 0xf];
		p[15] = '\n';
	}
}

static int check(const uint8_t *p, uint64_t s)
{
	static uint8_t want[BLKIF_SECTOR_SIZE];
	fill(want, s);
	for (unsigned k = 0; k < BLKIF_SECTOR_SIZE; k++)
		if (p[k] != want[k])
			return -1;
	return 0;
}

static long rw(uint64_t op, uint64_t sector, uint64_t count)
{
	if (op == BLKIF_OP_WRITE)
		for (uint64_t k = 0; k < count; k++)
			fill(data + k * BLKIF_SECTOR_SIZE, sector + k);
	else
		memset(data, 0xee, sizeof(data));
	long rc = call_retry(op, sector, count);
	if (BLKC_LOG_ACKS && !rc && op == BLKIF_OP_WRITE)
		rt_printf("%s: acked %lu+%lu\n", si.name, (unsigned long)sector, (unsigned long)count);
	if (rc)
		rt_printf("%s: %s of %lu sectors at %lu: %ld\n", si.name,
			  op == BLKIF_OP_WRITE ? "write" : "read", (unsigned long)count,
			  (unsigned long)sector, rc);
	for (uint64_t k = 0; !rc && op == BLKIF_OP_READ && k < count; k++)
		if (check(data + k * BLKIF_SECTOR_SIZE, sector + k)) {
			rt_printf("%s: sector %lu reads back WRONG\n", si.name, (unsigned long)(sector + k));
			rc = -TESSERA_EINVAL;
		}
	return rc;
}

static int good(uint64_t base)
{
	static const uint64_t wr[] = { 8, 5, 3 };
	uint64_t s = base, n;
	for (unsigned k = 0; s < base + BLKC_SECTORS; s += n, k = (k + 1) % 3) {
		n = wr[k] < base + BLKC_SECTORS - s ? wr[k] : base + BLKC_SECTORS - s;
		if (rw(BLKIF_OP_WRITE, s, n))
			return 1;
	}
	for (s = base; s < base + BLKC_SECTORS; s += 4)
		if (rw(BLKIF_OP_READ, s, 4))
			return 1;
	long rc = call_retry(BLKIF_OP_FLUSH, 0, 0);
	if (rc) {
		rt_printf("%s: flush: %ld\n", si.name, rc);
		return 1;
	}
	rt_printf("%s: wrote and verified %u sectors\n", si.name, BLKC_SECTORS);
	return 0;
}

/* bench/blk.sh: whole pages, no checking of data (blkclient.elf does that). */
static int bench(void)
{
	static const char *const what[] = { "blk-write", "blk-read" };
	static const uint64_t ops[] = { BLKIF_OP_WRITE, BLKIF_OP_READ };
	uint64_t pages = BLKC_BENCH_MB * 256ull;
	fill(data, 0);
	for (unsigned k = 0; k < 2; k++) {
		rt_printf("bench: %s start %u\n", what[k], BLKC_BENCH_MB);
		for (uint64_t p = 0; p < pages; p++) {
			long rc = call_retry(ops[k], p * 8 % BLKC_BENCH_WRAP, 8);
			if (rc) {
				rt_printf("%s: %s of page %lu: %ld\n", si.name, what[k], (unsigned long)p, rc);
				return 1;
			}
		}
		rt_printf("bench: %s end %u\n", what[k], BLKC_BENCH_MB);
	}
	return 0;
}

/* One malformed request: it must come back with exactly the status expected. */
static int expect(const char *what, long want, uint64_t op, uint64_t sector, uint64_t count,
		  uint64_t gref)
{
	long rc = call(op, sector, count, gref);
	rt_printf("%s: %s: %ld (%s)\n", si.name, what, rc, rc == want ? "expected" : "WRONG");
	return rc != want;
}

static uint8_t ro_page[4096] __attribute__((aligned(4096)));

static int hostile(uint64_t base)
{
	uint64_t g = (uint64_t)data_ref;
	int bad = 0;
	bad += expect("sector out of range", -TESSERA_ERANGE, BLKIF_OP_READ, 1ULL << 40, 1, g);
	bad += expect("count 0", -TESSERA_EINVAL, BLKIF_OP_READ, base, 0, g);
	bad += expect("count 9", -TESSERA_EINVAL, BLKIF_OP_WRITE, base, 9, g);
	bad += expect("sector + count overflows", -TESSERA_EOVERFLOW, BLKIF_OP_WRITE,
		      UINT64_MAX - 3, 8, g);
	bad += expect("grant never offered", -TESSERA_ESTALE, BLKIF_OP_READ, base, 1, g + 5);
	bad += expect("grant index out of range", -TESSERA_EINVAL, BLKIF_OP_READ, base, 1, 0xffffffffULL);
	bad += expect("unknown op", -TESSERA_ENOSYS, 7, base, 1, g);
	bad += expect("flush with a sector", -TESSERA_EINVAL, BLKIF_OP_FLUSH, base, 0, 0);
	/* A read must write into the client's page: a read-only grant is refused, not a crash. */
	long ro = rt_svc_offer(blk_id, ro_page, TESSERA_GRANT_READONLY);
	bad += expect("read into a read-only grant", -TESSERA_EROFS, BLKIF_OP_READ, base, 1, (uint64_t)ro);
	if (bad || rw(BLKIF_OP_WRITE, base, 1) || rw(BLKIF_OP_READ, base, 1)) {
		rt_printf("%s: hostile run FAILED\n", si.name);
		return 1;
	}
	rt_printf("%s: every malformed request refused, then a good one served\n", si.name);
	return 0;
}

int main(void);
int main(void)
{
	long rc;
	if (tessera_self_info(RT_GPA(&si)) < 0 || rt_events_init() < 0)
		return 100;
	if (rt_svc_slot(si.name, BLKIF_CLIENT_NAME, BLKIF_CLIENTS) < 0) {
		rt_printf("%s: a block client must be named blkc-0 .. blkc-%u\n", si.name,
			  BLKIF_CLIENTS - 1);
		return 2;
	}
	if ((rc = connect()) == -TESSERA_EINVAL)
		return 3;
	if (rc < 0) {
		rt_printf("%s: no block domain (%ld)\n", si.name, rc);
		return 4;
	}
	uint64_t base = BLKC_BASE + (uint64_t)(si.name[5] - '0') * 128;
	if (BLKC_BENCH_MB)
		return bench();
	return BLKC_HOSTILE ? hostile(base) : good(base);
}
