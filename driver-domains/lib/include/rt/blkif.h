/*
 * The block service protocol: clients talk to the block driver domain "blk"
 * over an rt ring (rt/ring.h). Data moves through a second page the client
 * grants to blk read-write; each request names that grant.
 *
 * Bootstrap, the same for a first connection and every reconnection: a client
 * named blkc-0 .. blkc-3 looks blk up by name, ends the grants and closes the
 * port of any earlier connection, initialises its ring page, offers it to blk
 * (the first grant it offers, so grant index 0, BLKIF_RING_INDEX), allocates
 * its first event port (BLKIF_PORT) for blk, and offers its data page. blk
 * binds that port, then maps the ring at index 0. The core picks the grant's
 * generation (one more for every offer of index 0: the client's connection
 * count), so blk tries generations 1 .. BLKIF_RING_GENS: only the one live
 * generation answers anything but -ESTALE, and -EPERM means the grant is for
 * an earlier blk (the client has not reconnected yet). A client gives up
 * after BLKIF_RING_GENS connections.
 *
 * Containment: blk may crash and be restarted (restart=N) with a new id. Its
 * clients see their channel closed (evtchn_send: -EPIPE; the close raises an
 * event, so a client waiting for a response wakes), reconnect as above and
 * send the request again: a request whose response was lost may have been
 * carried out. Reads, writes and flushes are idempotent, so repeating one is
 * correct, and a write is acknowledged only once the device has completed it.
 * Requests are numbered per connection; blk keeps nothing across a restart.
 *
 * A request reads or writes count 512-byte sectors (1..8: within one page,
 * from the page's start) or flushes (sector, count and grant all 0). Every
 * request gets exactly one response with its id and a status: 0, or a
 * negative errno (TESSERA_E* from tessera/errno.h, or BLKIF_E* below).
 */
#ifndef RT_BLKIF_H
#define RT_BLKIF_H
#include <stdint.h>
#include <rt/ring.h>

#define BLKIF_SERVER       "blk"
#define BLKIF_CLIENT_NAME  "blkc-" /* followed by the client's slot, 0 .. BLKIF_CLIENTS-1 */
#define BLKIF_CLIENTS      4
#define BLKIF_RING_INDEX   0       /* grant index of the ring page */
#define BLKIF_RING_GENS    128     /* generations blk tries, connections a client may make */
#define BLKIF_REF(index, gen) ((uint64_t)(index) | (uint64_t)(gen) << 16)
#define BLKIF_REF_INDEX(ref)  ((uint64_t)(ref) & 0xffff)
#define BLKIF_PORT         0

#define BLKIF_OP_READ      0
#define BLKIF_OP_WRITE     1
#define BLKIF_OP_FLUSH     2

#define BLKIF_SECTOR_SIZE  512
#define BLKIF_MAX_SECTORS  8

/* Statuses besides the core's errno values (these have the POSIX numbers). */
#define BLKIF_EIO          5  /* the device failed the request */

struct blkif_request {
	uint64_t id;     /* echoed in the response */
	uint64_t op;     /* BLKIF_OP_* */
	uint64_t sector; /* first sector */
	uint64_t count;  /* sectors */
	uint64_t gref;   /* the client's grant of its data page */
};

struct blkif_response {
	uint64_t id;
	int64_t status;
};

static inline struct rt_msg blkif_req_msg(const struct blkif_request *r)
{
	return (struct rt_msg){ .id = r->id, .data = { r->op, r->sector, r->count, r->gref } };
}

static inline struct blkif_request blkif_msg_req(const struct rt_msg *m)
{
	return (struct blkif_request){ m->id, m->data[0], m->data[1], m->data[2], m->data[3] };
}

static inline struct rt_msg blkif_rsp_msg(const struct blkif_response *r)
{
	return (struct rt_msg){ .id = r->id, .data = { (uint64_t)r->status } };
}

static inline struct blkif_response blkif_msg_rsp(const struct rt_msg *m)
{
	return (struct blkif_response){ m->id, (int64_t)m->data[0] };
}
#endif
