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
#include <tessera/grant.h>
#include "vblk.h"

#ifndef BLK_CRASH_AFTER
#define BLK_CRASH_AFTER 0
#endif

#define RING_SLOT(i) (i)                 /* grant-window slot of client i's ring */
#define DATA_SLOT(i) (BLKIF_CLIENTS + (i)) /* ... and of the page a request names */

struct client {
	char name[TESSERA_NAME_MAX];
	long domid;   /* -1: no such client, or gone */
	long port;    /* our end of its channel, -1 until bound */
	int connected;
	struct rt_ring ring;
	unsigned long served, refused;
};

static struct client clients[BLKIF_CLIENTS];
static struct tessera_self_info si;
static unsigned long handled; /* requests handled in this life */

static long lookup(const char *name)
{
	static char buf[TESSERA_NAME_MAX];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, rt_strlen(name));
	return tessera_domain_lookup(RT_GPA(buf));
}

/* Every domain exists before any runs: the clients there now are all there will be. */
static unsigned discover(void)
{
	unsigned found = 0;
	for (unsigned i = 0; i < BLKIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		memcpy(c->name, BLKIF_CLIENT_NAME, sizeof(BLKIF_CLIENT_NAME) - 1);
		c->name[sizeof(BLKIF_CLIENT_NAME) - 1] = (char)('0' + i);
		c->domid = lookup(c->name);
		c->port = -1;
		if (c->domid < 0)
			c->domid = -1;
		else
			found++;
	}
	return found;
}

/*
 * The client offers its ring and then opens our port: bind, then map. Only the
 * ring grant's live generation answers anything but -ESTALE (rt/blkif.h).
 */
static void try_connect(struct client *c, unsigned i)
{
	long addr = -TESSERA_ESTALE;
	if (c->port < 0)
		c->port = tessera_evtchn_bind((uint64_t)c->domid, BLKIF_PORT);
	if (c->port < 0) {
		c->port = -1;
		return;
	}
	for (uint64_t gen = 1; gen <= BLKIF_RING_GENS && addr == -TESSERA_ESTALE; gen++)
		addr = tessera_grant_map((uint64_t)c->domid, BLKIF_REF(BLKIF_RING_INDEX, gen),
					 RING_SLOT(i), TESSERA_GRANT_MAP_WRITE);
	if (addr < 0)
		return;
	rt_ring_init_back(&c->ring, (struct rt_ring_page *)(uintptr_t)addr);
	c->connected = 1;
	rt_printf("blk: %s connected\n", c->name);
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
	if (c->connected)
		tessera_grant_unmap(RING_SLOT(i));
	if (c->port >= 0)
		tessera_evtchn_close((uint64_t)c->port);
	rt_printf("blk: %s gone: %lu requests served, %lu refused\n", c->name, c->served,
		  c->refused);
	c->domid = c->port = -1;
	c->connected = 0;
}

/* Check everything before touching the device or the client's memory. */
static long handle(struct client *c, unsigned i, const struct blkif_request *rq)
{
	uint32_t bytes;
	long addr, rc;
	if (rq->op == BLKIF_OP_FLUSH)
		return rq->sector || rq->count || rq->gref ? -TESSERA_EINVAL
							   : vblk_io(BLKIF_OP_FLUSH, 0, 0);
	if (rq->op != BLKIF_OP_READ && rq->op != BLKIF_OP_WRITE)
		return -TESSERA_ENOSYS;
	if (rq->count == 0 || rq->count > BLKIF_MAX_SECTORS)
		return -TESSERA_EINVAL;
	if (rq->sector > UINT64_MAX - rq->count)
		return -TESSERA_EOVERFLOW;
	if (rq->sector + rq->count > vblk_capacity())
		return -TESSERA_ERANGE;
	if (rq->op == BLKIF_OP_WRITE && vblk_readonly())
		return -TESSERA_EROFS;
	/* The granter is always the requesting client: it can name only its own pages. */
	/* A read fills the client's page: it must be granted writable (-EROFS otherwise). */
	addr = tessera_grant_map((uint64_t)c->domid, rq->gref, DATA_SLOT(i),
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
		tessera_evtchn_send((uint64_t)c->port);
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
		if (clients[i].domid >= 0 && clients[i].port >= 0)
			rt_event_poll((uint32_t)clients[i].port); /* consumed: the rings are looked at now */
	for (unsigned i = 0; i < BLKIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->domid < 0)
			continue;
		if (!c->connected)
			try_connect(c, i);
		if (c->connected)
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
		if (c->domid < 0)
			continue;
		if (lookup(c->name) != c->domid)
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
