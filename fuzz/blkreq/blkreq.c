/*
 * The block domain's request path, without the device: a hostile client's ring
 * page (the input after an 8-byte disk size and a read-only flag) is taken
 * request by request as blk's back end takes it (driver-domains/lib/ring.c), each
 * decoded and checked (driver-domains/blk/check.c). What the check lets through
 * must be exactly what the protocol (rt/blkif.h) allows.
 */
#include "../../driver-domains/blk/check.h"
#include <rt/ring.h>
#include <tessera/errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_ring_page *page;
	struct rt_ring ring;
	struct rt_msg m;
	uint64_t capacity;
	int readonly;
	if (size < 9)
		return 0;
	memcpy(&capacity, data, 8);
	readonly = data[8] & 1;
	page = calloc(1, sizeof(*page));
	if (!page)
		abort();
	memcpy(page, data + 9, size - 9 < sizeof(*page) ? size - 9 : sizeof(*page));
	rt_ring_init_back(&ring, page);
	for (unsigned n = 0; n < RT_RING_SLOTS && rt_ring_req_get(&ring, &m); n++) {
		struct blkif_request rq = blkif_msg_req(&m);
		long rc = blk_request_check(&rq, capacity, readonly);
		if (rq.id != m.id || rq.op != m.data[0] || rq.gref != m.data[3])
			abort();
		if (rc > 0 || (rc && rc != -TESSERA_EINVAL && rc != -TESSERA_ENOSYS &&
			       rc != -TESSERA_EOVERFLOW && rc != -TESSERA_ERANGE && rc != -TESSERA_EROFS))
			abort();
		if (rc)
			continue;
		if (rq.op == BLKIF_OP_FLUSH) {
			if (rq.sector || rq.count || rq.gref)
				abort();
			continue;
		}
		if ((rq.op != BLKIF_OP_READ && rq.op != BLKIF_OP_WRITE) || !rq.count ||
		    rq.count > BLKIF_MAX_SECTORS || rq.sector >= capacity || rq.count > capacity - rq.sector ||
		    (rq.op == BLKIF_OP_WRITE && readonly))
			abort();
		m = blkif_rsp_msg(&(struct blkif_response){ rq.id, 0 });
		if (rt_ring_rsp_space(&ring))
			rt_ring_rsp_put(&ring, &m);
	}
	(void)rt_ring_rsp_push(&ring);
	free(page);
	return 0;
}
