/* The block domain's request check (pure: fuzz/blkreq calls it on the host too). */
#ifndef BLK_CHECK_H
#define BLK_CHECK_H
#include <rt/blkif.h>

/*
 * 0 if rq may go to the device: a flush (sector, count and grant all 0), or a
 * read or write of 1..BLKIF_MAX_SECTORS sectors inside a disk of capacity
 * sectors (a write only if it is writable); else the status its response gets.
 */
long blk_request_check(const struct blkif_request *rq, uint64_t capacity, int readonly);
#endif
