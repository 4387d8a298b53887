/*
 * The block driver domain "blk": drives the virtio-blk device assigned to it
 * (device 0) and serves up to BLKIF_CLIENTS clients, blkc-0 .. blkc-3, over
 * rings (protocol and bootstrap: rt/blkif.h). Clients are untrusted: every
 * request is checked before anything is done for it, a bad one gets an error
 * response, and no client can keep the others from being served (each gets
 * at most a ring's worth of requests per pass). Data moves between a client's
 * granted page (mapped for the one request, then unmapped) and the device's
 * bounce page, since the device can reach only this domain's own memory.
 * Ends when every client it found at start has gone. After a crash the core
 * makes it again (restart=N): it finds the clients still running and each
 * reconnects with a fresh ring grant (bootstrap: rt/blkif.h).
 *
 * Built with -DBLK_CRASH_AFTER=N (blkcrash.elf, for tests/devices/blk-crash.sh)
 * it faults on purpose in its first life (domain id 0: the first module) right
 * after the device has carried out its Nth request and before the client is
 * told: the client's acknowledgement is lost and it must send the request again.
 */
#include <rt/blkif.h>
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/service.h>
#include <tessera/grant.h>
#include "check.h"
#include "vblk.h"

#ifndef BLK_CRASH_AFTER
#define BLK_CRASH_AFTER 0
#endif

#define RING_SLOT(i) (i)                 /* grant-window slot of client i's ring */
#define DATA_SLOT(i) (BLKIF_CLIENTS + (i)) /* ... and of the page a request names */
_Static_assert(BLKIF_REF(1, 2) == RT_SVC_REF(1, 2), "rt/service.h maps the ring by BLKIF_REF");

struct client {
	struct rt_svc_peer p; /* name, domid, port, connected */
	struct rt_ring ring;
	unsigned long served, refused;
};

static struct client clients[BLKIF_CLIENTS];
static struct tessera_self_info si;
static unsigned long handled; /* requests handled in this life */

/* Every domain exists before any runs: the clients there now are all there will be. */
static unsigned discover(void)
{
	unsigned found = 0;
	for (unsigned i = 0; i < BLKIF_CLIENTS; i++)
		found += (unsigned)rt_svc_discover(&clients[i].p, BLKIF_CLIENT_NAME, i);
	return found;
}

/*
 * The client offers its ring and then opens our port: bind, then map. Only the
 * ring grant's live generation answers anything but -ESTALE (rt/blkif.h).
 */
static void try_connect(struct client *c, unsigned i)
{
	uint64_t gen;
	long addr = rt_svc_map_ring(&c->p, BLKIF_PORT, BLKIF_RING_INDEX, BLKIF_RING_GENS,
				    RING_SLOT(i), &gen);
	if (addr < 0)
		return;
	rt_ring_init_back(&c->ring, (struct rt_ring_page *)(uintptr_t)addr);
	c->p.connected = 1;
	rt_printf("blk: %s connected\n", c->p.name);
}

/* blkcrash.elf: die like a buggy driver, touching an empty grant slot (the core destroys us). */
static void maybe_crash(void)
{
	if (!BLK_CRASH_AFTER || si.domid != 0 || ++handled != BLK_CRASH_AFTER)
		return;
	rt_printf("blk: crashing on purpose after %lu requests\n", handled);
	(void)*(volatile uint64_t *)(uintptr_t)(TESSERA_GRANT_WINDOW +
						  (TESSERA_GRANT_SLOTS - 1) * 4096ULL);
}

static void disconnect(struct client *c, unsigned i)
{
	if (c->p.connected)
		tessera_grant_unmap(RING_SLOT(i));
	rt_svc_drop(&c->p);
	rt_printf("blk: %s gone: %lu requests served, %lu refused\n", c->p.name, c->served,
		  c->refused);
}

/* Check everything before touching the device or the client's memory. */
static long handle(struct client *c, unsigned i, const struct blkif_request *rq)
{
	uint32_t bytes;
	long addr, rc = blk_request_check(rq, vblk_capacity(), vblk_readonly());
	if (rc)
		return rc;
	if (rq->op == BLKIF_OP_FLUSH)
		return vblk_io(BLKIF_OP_FLUSH, 0, 0);
	/* The granter is always the requesting client: it can name only its own pages. */
	/* A read fills the client's page: it must be granted writable (-EROFS otherwise). */
	addr = tessera_grant_map((uint64_t)c->p.domid, rq->gref, DATA_SLOT(i),
				 rq->op == BLKIF_OP_READ ? TESSERA_GRANT_MAP_WRITE : 0);
	if (addr < 0)
		return addr;
	bytes = (uint32_t)rq->count * BLKIF_SECTOR_SIZE;
	if (rq->op == BLKIF_OP_WRITE)
		memcpy(vblk_bounce(), (const void *)(uintptr_t)addr, bytes);
	rc = vblk_io(rq->op, rq->sector, (uint32_t)rq->count);
	if (rq->op == BLKIF_OP_READ && rc == 0)
		memcpy((void *)(uintptr_t)addr, vblk_bounce(), bytes);
	tessera_grant_unmap(DATA_SLOT(i));
	return rc;
}

/* At most one ring's worth of requests; 1 if there was any. */
static int serve(struct client *c, unsigned i)
{
	struct rt_msg m;
	unsigned n = 0;
	while (n < RT_RING_SLOTS && rt_ring_req_get(&c->ring, &m)) {
		struct blkif_request rq = blkif_msg_req(&m); /* one copy: the client may change the slot */
		struct blkif_response rs = { rq.id, handle(c, i, &rq) };
		maybe_crash();
		if (rs.status)
			c->refused++;
		else
			c->served++;
		m = blkif_rsp_msg(&rs);
		rt_ring_rsp_put(&c->ring, &m);
		n++;
	}
	if (n && rt_ring_rsp_push(&c->ring))
		tessera_evtchn_send((uint64_t)c->p.port);
	return n != 0;
}

/*
 * One pass over the clients: 1 if anything happened, and whether one is still
 * unbound. Every signal is consumed first, then every ring is looked at: a
 * request that comes after its ring was looked at leaves its signal pending
 * in the event page, so the HLT after an idle pass does not sleep. Only a pass
 * that served something waits for the device (which takes signals in from the
 * event page), and such a pass is always followed by another.
 */
static int pass(int *unbound)
{
	int progress = 0;
	*unbound = 0;
	for (unsigned i = 0; i < BLKIF_CLIENTS; i++)
		rt_svc_poll(&clients[i].p); /* consumed: the rings are looked at now */
	for (unsigned i = 0; i < BLKIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->p.domid < 0)
			continue;
		if (!c->p.connected)
			try_connect(c, i);
		if (c->p.connected)
			progress |= serve(c, i);
		else
			*unbound = 1;
	}
	return progress;
}

/* Idle: drop the clients that ended; how many remain. */
static unsigned reap(void)
{
	unsigned left = 0;
	for (unsigned i = 0; i < BLKIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->p.domid < 0)
			continue;
		if (rt_svc_gone(&c->p))
			disconnect(c, i);
		else
			left++;
	}
	return left;
}

int main(void);
int main(void)
{
	long rc;
	int unbound;
	if (tessera_self_info(RT_GPA(&si)) < 0 || (rc = rt_events_init()) < 0)
		return 100;
	if ((rc = vblk_init(0)) < 0)
		return 1;
	rt_printf("blk: serving %u clients\n", discover());
	for (;;) {
		if (pass(&unbound))
			continue;
		if (!reap())
			break;
		if (unbound) /* nothing signals a client's offer: look again soon */
			tessera_yield();
		else      /* a request, or a client's end closing its channel, wakes us (a
			   * device interrupt later than vblk_io's wait: one more pass) */
			__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	rt_printf("blk: every client has gone\n");
	return 0;
}
