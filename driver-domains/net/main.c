/*
 * The network driver domain "net": drives the virtio-net device assigned to it
 * (device 0) and serves up to NETIF_CLIENTS clients, netc-0 and netc-1, over
 * two rings each (protocol and bootstrap: rt/netif.h). It acts as a small
 * switch: each client sends only with its own address, and receives the
 * frames addressed to it (and group frames). Clients are untrusted: every
 * request is checked before anything is done for it, a bad one gets an error
 * response, and each client gets at most a ring's worth of requests per pass.
 * Frames move through our own memory (the only memory the device reaches):
 * a client's page is mapped for one copy, then unmapped. Idle, we sleep
 * until an event: a client's signal or the device's interrupt (a frame
 * received or sent), both on our ports; without the device's interrupt
 * (vnet_irq_port -1) we poll it, yielding when idle. Ends when every client
 * it found at start has gone. After a crash the core makes it again (restart=N):
 * it finds the clients still running and each reconnects with fresh ring
 * grants (bootstrap: rt/netif.h).
 *
 * Built with -DNET_CRASH_AFTER=N (netcrash.elf, for tests/devices/net-crash.sh)
 * it faults on purpose in its first life (domain id 0: the first module) right
 * after the device has taken the Nth frame and before the client is told: the
 * client's acknowledgement is lost and it must send the frame again.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/netif.h>
#include <rt/service.h>
#include <tessera/grant.h>
#include "frame.h"
#include "vnet.h"

#define TX_RING_SLOT(i) (2 * (i))     /* grant-window slots of client i's rings */
#define RX_RING_SLOT(i) (2 * (i) + 1)
#define DATA_SLOT       (2 * NETIF_CLIENTS) /* the one page being copied */
#define RX_PER_PASS     16 /* frames handed out before the clients are looked at again */
_Static_assert(NETIF_REF(1, 2) == RT_SVC_REF(1, 2), "rt/service.h maps the ring by NETIF_REF");

#ifndef NET_CRASH_AFTER
#define NET_CRASH_AFTER 0
#endif

struct client {
	struct rt_svc_peer p; /* name, domid, port, connected */
	uint8_t mac[NETIF_ETH_ALEN];
	int notify;
	struct rt_ring tx, rx;
	struct netif_rx_request posted[RT_RING_SLOTS]; /* receive pages, oldest first */
	unsigned head, count;
	unsigned long sent, refused, received, bad_pages, dropped;
};

static struct client clients[NETIF_CLIENTS];
static unsigned long unclaimed; /* received frames addressed to no client */
static unsigned long handled;   /* frames the device took in this life */
static struct tessera_self_info si;

/* Every domain exists before any runs: the clients there now are all there will be. */
static unsigned discover(void)
{
	unsigned found = 0;
	for (unsigned i = 0; i < NETIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		const uint8_t mac[] = NETIF_CLIENT_MAC(i);
		memcpy(c->mac, mac, sizeof(mac));
		found += (unsigned)rt_svc_discover(&c->p, NETIF_CLIENT_NAME, i);
	}
	return found;
}

/*
 * The client offers both rings and then opens our port: bind, then map both.
 * Only the live generation of the transmit ring's grant answers anything but
 * -ESTALE; the receive ring's grant has the same generation (rt/netif.h).
 */
static void try_connect(struct client *c, unsigned i)
{
	uint64_t gen;
	long rx, tx = rt_svc_map_ring(&c->p, NETIF_PORT, NETIF_TX_RING_INDEX, NETIF_RING_GENS,
				      TX_RING_SLOT(i), &gen);
	if (tx < 0)
		return;
	rx = tessera_grant_map((uint64_t)c->p.domid, NETIF_REF(NETIF_RX_RING_INDEX, gen),
			       RX_RING_SLOT(i), TESSERA_GRANT_MAP_WRITE);
	if (rx < 0) {
		tessera_grant_unmap(TX_RING_SLOT(i));
		return;
	}
	rt_ring_init_back(&c->tx, (struct rt_ring_page *)(uintptr_t)tx);
	rt_ring_init_back(&c->rx, (struct rt_ring_page *)(uintptr_t)rx);
	c->p.connected = 1;
	rt_printf("net: %s connected\n", c->p.name);
}

/* netcrash.elf: die like a buggy driver, touching an empty grant slot (the core destroys us). */
static void maybe_crash(void)
{
	if (!NET_CRASH_AFTER || si.domid != 0 || ++handled != NET_CRASH_AFTER)
		return;
	rt_printf("net: crashing on purpose after %lu frames\n", handled);
	(void)*(volatile uint64_t *)(uintptr_t)(TESSERA_GRANT_WINDOW +
						  (TESSERA_GRANT_SLOTS - 1) * 4096ULL);
}

static void disconnect(struct client *c, unsigned i)
{
	if (c->p.connected) {
		tessera_grant_unmap(TX_RING_SLOT(i));
		tessera_grant_unmap(RX_RING_SLOT(i));
	}
	rt_svc_drop(&c->p);
	rt_printf("net: %s gone: %lu frames sent, %lu refused; %lu received, %lu receive pages "
		  "refused, %lu dropped\n", c->p.name, c->sent, c->refused, c->received, c->bad_pages,
		  c->dropped);
}

/* Check everything before the frame reaches the device. */
static long transmit(struct client *c, const struct netif_tx_request *rq)
{
	uint8_t *f = vnet_tx_frame();
	long addr = net_tx_len_check(rq->len);
	if (addr)
		return addr;
	/* We only read the page: a read-only grant is enough. The granter is always the client. */
	addr = tessera_grant_map((uint64_t)c->p.domid, rq->gref, DATA_SLOT, 0);
	if (addr < 0)
		return addr;
	memcpy(f, (const void *)(uintptr_t)addr, rq->len);
	tessera_grant_unmap(DATA_SLOT);
	/* Checked on our copy, which the client can no longer change. */
	if (!net_frame_from(f, c->mac))
		return -TESSERA_EPERM;
	return vnet_send((uint32_t)rq->len);
}

/* Copy a frame into the client's oldest posted page that we can write. */
static void give(struct client *c, const uint8_t *f, uint32_t len)
{
	while (c->count) {
		struct netif_rx_request rq = c->posted[c->head];
		struct netif_response rs = { rq.id, 0 };
		struct rt_msg m;
		long addr = tessera_grant_map((uint64_t)c->p.domid, rq.gref, DATA_SLOT,
					      TESSERA_GRANT_MAP_WRITE);
		c->head = (c->head + 1) % RT_RING_SLOTS;
		c->count--;
		if (addr >= 0) {
			memcpy((void *)(uintptr_t)addr, f, len);
			tessera_grant_unmap(DATA_SLOT);
			rs.status = len;
			c->received++;
		} else {
			rs.status = addr;
			c->bad_pages++;
		}
		m = netif_rsp_msg(&rs);
		rt_ring_rsp_put(&c->rx, &m);
		c->notify |= rt_ring_rsp_push(&c->rx);
		if (addr >= 0)
			return;
	}
	c->dropped++;
}

/* Take new receive pages, then at most one ring's worth of frames to send; 1 if any. */
static int serve(struct client *c)
{
	struct rt_msg m;
	unsigned n = 0;
	while (c->count < RT_RING_SLOTS && rt_ring_req_get(&c->rx, &m)) {
		c->posted[(c->head + c->count++) % RT_RING_SLOTS] = netif_msg_rx(&m);
		n++;
	}
	for (unsigned k = 0; k < RT_RING_SLOTS && rt_ring_req_get(&c->tx, &m); k++, n++) {
		struct netif_tx_request rq = netif_msg_tx(&m); /* one copy: the client may change the slot */
		struct netif_response rs = { rq.id, transmit(c, &rq) };
		if (rs.status) {
			c->refused++;
		} else {
			maybe_crash();
			c->sent++;
		}
		m = netif_rsp_msg(&rs);
		rt_ring_rsp_put(&c->tx, &m);
		c->notify |= rt_ring_rsp_push(&c->tx);
	}
	return n != 0;
}

/* Frames from the wire to the clients they are addressed to; 1 if there were any. */
static int receive(void)
{
	const uint8_t *f;
	uint32_t len;
	unsigned n = 0;
	for (; n < RX_PER_PASS && (f = vnet_recv(&len)); n++) {
		int claimed = 0;
		for (unsigned i = 0; i < NETIF_CLIENTS; i++) {
			struct client *c = &clients[i];
			if (c->p.connected && net_frame_for(f, c->mac)) {
				give(c, f, len);
				claimed = 1;
			}
		}
		unclaimed += !claimed;
		vnet_recv_done();
	}
	return n != 0;
}

/*
 * One pass over the clients and the device: 1 if anything happened, and
 * whether a client is still unbound. Every signal is consumed first, then
 * every ring and the device's receive queue are looked at: a request or a
 * frame that comes after its ring was looked at leaves its signal pending in
 * the event page, so the HLT after an idle pass does not sleep. Only a pass
 * that sent something waits for the device (which takes signals in from the
 * event page), and such a pass is always followed by another.
 */
static int pass(int *unbound)
{
	int progress = 0;
	long irq = vnet_irq_port();
	*unbound = 0;
	if (irq >= 0)
		rt_event_poll((uint32_t)irq);
	for (unsigned i = 0; i < NETIF_CLIENTS; i++)
		rt_svc_poll(&clients[i].p); /* consumed: the rings are looked at now */
	for (unsigned i = 0; i < NETIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->p.domid < 0)
			continue;
		if (!c->p.connected)
			try_connect(c, i);
		if (c->p.connected)
			progress |= serve(c);
		else
			*unbound = 1;
	}
	progress |= receive();
	for (unsigned i = 0; i < NETIF_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->notify && c->p.port >= 0)
			tessera_evtchn_send((uint64_t)c->p.port);
		c->notify = 0;
	}
	return progress;
}

/* Idle: drop the clients that ended; how many remain. */
static unsigned reap(void)
{
	unsigned left = 0;
	for (unsigned i = 0; i < NETIF_CLIENTS; i++) {
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
	int unbound;
	if (tessera_self_info(RT_GPA(&si)) < 0 || rt_events_init() < 0)
		return 100;
	if (vnet_init(0) < 0)
		return 1;
	rt_printf("net: serving %u clients\n", discover());
	for (;;) {
		if (pass(&unbound))
			continue;
		if (!reap())
			break;
		/* Nothing signals a client's offer, and without its interrupt the device
		 * cannot wake us: look again soon. */
		if (unbound || vnet_irq_port() < 0)
			tessera_yield();
		else /* a request, a frame, or a client's end closing its channel wakes us */
			__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	rt_printf("net: every client has gone; %lu frames for no client\n", unclaimed);
	return 0;
}
