/* The block domain's virtio-blk device: one request at a time through one bounce page. */
#ifndef BLK_VBLK_H
#define BLK_VBLK_H
#include <stdint.h>

#define VBLK_BOUNCE_SIZE 4096

/* Open device `index`; 0 or a negative error. Prints what it found. */
long vblk_init(uint32_t index);
uint64_t vblk_capacity(void);
int vblk_readonly(void);
/* The DMA buffer requests read into and write from (the device reaches only our RAM). */
uint8_t *vblk_bounce(void);
/* op: BLKIF_OP_*; count sectors at sector, through the bounce page. 0 or -errno. */
long vblk_io(uint64_t op, uint64_t sector, uint32_t count);
#endif
