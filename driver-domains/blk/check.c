/* The block domain's request check: see check.h. */
#include "check.h"
#include <tessera/errno.h>

long blk_request_check(const struct blkif_request *rq, uint64_t capacity, int readonly)
{
	if (rq->op == BLKIF_OP_FLUSH)
		return rq->sector || rq->count || rq->gref ? -TESSERA_EINVAL : 0;
	if (rq->op != BLKIF_OP_READ && rq->op != BLKIF_OP_WRITE)
		return -TESSERA_ENOSYS;
	if (rq->count == 0 || rq->count > BLKIF_MAX_SECTORS)
		return -TESSERA_EINVAL;
	if (rq->sector > UINT64_MAX - rq->count)
		return -TESSERA_EOVERFLOW;
#ifdef FUZZ_PLANTED_BUG /* a request may run past the disk's end (fuzz/planted.sh) */
	if (rq->sector > capacity)
#else
	if (rq->sector + rq->count > capacity)
#endif
		return -TESSERA_ERANGE;
	if (rq->op == BLKIF_OP_WRITE && readonly)
		return -TESSERA_EROFS;
	return 0;
}
