/*
 * The block service protocol: clients talk to the block driver domain "blk"
 * over an rt ring (rt/ring.h). Bootstrap (as in the ring demo): a client
 * named blkc-0 .. blkc-3 offers its ring page to blk first (grant ref index 0,
 * BLKIF_RING_REF) and allocates its first event port (BLKIF_PORT) for blk,
 * which binds it and maps the ring. Data moves through a second page the
 * client grants to blk read-write; each request names that grant.
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
#define BLKIF_RING_REF     0x10000 /* grant index 0, generation 1 */
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
