/*
 * The frame service protocol: clients send and receive Ethernet frames
 * (destination, source, type, payload; no FCS) through the network driver
 * domain "net", over two rt rings (rt/ring.h) and one event channel.
 *
 * Bootstrap, the same for a first connection and every reconnection: a client
 * named netc-0 .. netc-1 looks net up by name, ends the grants and closes the
 * port of any earlier connection, initialises both ring pages, offers net its
 * transmit ring page (the first grant it offers, so grant index 0,
 * NETIF_TX_RING_INDEX), then its receive ring page (index 1,
 * NETIF_RX_RING_INDEX), and allocates its first port (NETIF_PORT) for net,
 * which binds it and maps both rings. The port signals either ring, both ways.
 * The core picks each grant's generation (one more for every offer of an
 * index: the client's connection count, the same for both rings), so net tries
 * generations 1 .. NETIF_RING_GENS on index 0: only the live one answers
 * anything but -ESTALE (-EPERM: the grant is for an earlier net, the client
 * has not reconnected yet), and maps index 1 with that generation. A client
 * gives up after NETIF_RING_GENS connections.
 *
 * Containment: net may crash and be restarted (restart=N) with a new id. Its
 * clients see their channel closed (evtchn_send: -EPIPE; the close raises an
 * event), reconnect as above, post their receive pages again and send again
 * every frame whose transmit was not acknowledged. Such a frame may already
 * have reached the wire: a frame can appear twice, which Ethernet allows
 * (it never promised exactly once; protocols above it cope with duplicates,
 * as with losses). Frames received while net was away are lost. net keeps
 * nothing across a restart.
 *
 * Transmit ring: a request {id, gref, len} names a page the client granted
 * (read-only is enough) holding one frame of len bytes at its start,
 * NETIF_MIN_FRAME..NETIF_MAX_FRAME, whose source address must be the client's
 * own, NETIF_CLIENT_MAC(slot). The response's status is 0 once the device has
 * taken the frame, or a negative errno (TESSERA_E* or NETIF_E* below).
 *
 * Receive ring: a request {id, gref} posts a page the client granted
 * read-write. When a frame for the client arrives (its address, or a group
 * address: those go to every client), net copies it to the start of the
 * oldest posted page and answers that request with status = the frame's
 * length; a posted page it cannot map writable is answered with the error
 * instead, and the frame goes to the next one. A frame that finds no posted
 * page is dropped (and counted).
 */
#ifndef RT_NETIF_H
#define RT_NETIF_H
#include <stdint.h>
#include <rt/ring.h>

#define NETIF_SERVER       "net"
#define NETIF_CLIENT_NAME  "netc-" /* followed by the client's slot, 0 .. NETIF_CLIENTS-1 */
#define NETIF_CLIENTS      2
#define NETIF_TX_RING_INDEX 0      /* grant index of the transmit ring page */
#define NETIF_RX_RING_INDEX 1      /* ... and of the receive ring page */
#define NETIF_RING_GENS    128     /* generations net tries, connections a client may make */
#define NETIF_REF(index, gen) ((uint64_t)(index) | (uint64_t)(gen) << 16)
#define NETIF_REF_INDEX(ref)  ((uint64_t)(ref) & 0xffff)
#define NETIF_REF_GEN(ref)    ((uint64_t)(ref) >> 16 & 0xffff)
#define NETIF_PORT         0

#define NETIF_ETH_ALEN     6
#define NETIF_MIN_FRAME    14   /* the Ethernet header */
#define NETIF_MAX_FRAME    1514 /* header + a 1500-byte payload */

/* Statuses besides the core's errno values (these have the POSIX numbers). */
#define NETIF_EIO          5  /* the device failed */
#define NETIF_EMSGSIZE     90 /* longer than NETIF_MAX_FRAME */

/* Client slot s's address: locally administered, unicast. */
#define NETIF_CLIENT_MAC(s) { 0x02, 0x54, 0x53, 0x00, 0x00, (uint8_t)(0x10 + (s)) }

struct netif_tx_request {
	uint64_t id, gref, len;
};

struct netif_rx_request {
	uint64_t id, gref;
};

struct netif_response {
	uint64_t id;
	int64_t status;
};

static inline struct rt_msg netif_tx_msg(const struct netif_tx_request *r)
{
	return (struct rt_msg){ .id = r->id, .data = { r->gref, r->len } };
}

static inline struct netif_tx_request netif_msg_tx(const struct rt_msg *m)
{
	return (struct netif_tx_request){ m->id, m->data[0], m->data[1] };
}

static inline struct rt_msg netif_rx_msg(const struct netif_rx_request *r)
{
	return (struct rt_msg){ .id = r->id, .data = { r->gref } };
}

static inline struct netif_rx_request netif_msg_rx(const struct rt_msg *m)
{
	return (struct netif_rx_request){ m->id, m->data[0] };
}

static inline struct rt_msg netif_rsp_msg(const struct netif_response *r)
{
	return (struct rt_msg){ .id = r->id, .data = { (uint64_t)r->status } };
}

static inline struct netif_response netif_msg_rsp(const struct rt_msg *m)
{
	return (struct netif_response){ m->id, (int64_t)m->data[0] };
}
#endif
