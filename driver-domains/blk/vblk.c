/*
 * virtio-blk for the block domain: requests are a header, the data (in the
 * bounce page) and a status byte, all in the domain's own memory, which is
 * all the device can reach through the IOMMU. Nothing the device writes is
 * trusted: a read must report exactly the bytes it was asked for, and the
 * bounce page is cleared before each read so a short one cannot hand one
 * client another's data. The device's MSI-X entry 0 is bound to one of our
 * ports: we sleep until a request completes (polling if the binding fails).
 */
#include <rt/blkif.h>
#include <rt/console.h>
#include <rt/hcall.h>
#include <rt/virtio.h>
#include "vblk.h"

#define VIRTIO_ID_BLOCK     2
#define VIRTIO_BLK_F_RO     (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH  (1ULL << 9)
#define VIRTIO_BLK_T_IN     0u
#define VIRTIO_BLK_T_OUT    1u
#define VIRTIO_BLK_T_FLUSH  4u
#define VIRTIO_BLK_S_OK     0u
#define VIRTIO_BLK_S_UNSUPP 2u
#define VBLK_CAPACITY_OFF   0
#define VBLK_POLLS          1000000u /* wake-ups or yields before a request counts as lost */

struct vblk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct virtio_dev dev;
static struct virtq vq;
static struct virtq_mem vqmem;
static uint8_t bounce[VBLK_BOUNCE_SIZE] __attribute__((aligned(4096)));
static struct vblk_hdr hdr __attribute__((aligned(16)));
static uint8_t status;
static uint64_t capacity;

uint64_t vblk_capacity(void)
{
	return capacity;
}

int vblk_readonly(void)
{
	return (dev.features & VIRTIO_BLK_F_RO) != 0;
}

uint8_t *vblk_bounce(void)
{
	return bounce;
}

long vblk_init(uint32_t index)
{
	long irq, rc = virtio_open(&dev, index, VIRTIO_ID_BLOCK, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH);
	if (rc < 0) {
		rt_printf("blk: device %u is not a usable virtio-blk (%ld)\n", index, rc);
		return rc;
	}
	irq = virtio_irq_bind(&dev, 0); /* or we poll */
	if ((rc = virtio_config_read64(&dev, VBLK_CAPACITY_OFF, &capacity)) < 0 ||
	    (rc = virtq_setup(&dev, &vq, 0, &vqmem)) < 0 || (rc = virtio_ready(&dev)) < 0) {
		rt_printf("blk: virtio-blk setup failed (%ld)\n", rc);
		virtio_fail(&dev);
		return rc;
	}
	rt_printf("blk: virtio-blk ready: %lu sectors, queue size %u, features 0x%lx%s\n",
		  (unsigned long)capacity, vq.size, (unsigned long)dev.features,
		  vblk_readonly() ? ", read-only" : "");
	if (vq.irq)
		rt_printf("blk: device interrupts on port %ld (MSI-X entry %u)\n", dev.irq_port,
			  dev.irq_entry);
	else if (irq < 0)
		rt_printf("blk: no device interrupts (%ld): polling the device\n", irq);
	else
		rt_printf("blk: the device refused MSI-X entry %u: polling the device\n",
			  dev.irq_entry);
	return 0;
}

long vblk_io(uint64_t op, uint64_t sector, uint32_t count)
{
	struct virtq_buf b[3];
	uint32_t n = 0, bytes = count * BLKIF_SECTOR_SIZE, want = 1;
	long len;
	if (op == BLKIF_OP_FLUSH && !(dev.features & VIRTIO_BLK_F_FLUSH))
		return 0; /* without FLUSH QEMU runs the disk write-through */
	if (op != BLKIF_OP_FLUSH && (count == 0 || bytes > VBLK_BOUNCE_SIZE))
		return -TESSERA_EINVAL;
	hdr = (struct vblk_hdr){ op == BLKIF_OP_READ ? VIRTIO_BLK_T_IN
				 : op == BLKIF_OP_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH,
				 0, op == BLKIF_OP_FLUSH ? 0 : sector };
	status = 0xff;
	b[n++] = (struct virtq_buf){ RT_GPA(&hdr), sizeof(hdr), 0 };
	if (op == BLKIF_OP_READ) {
		memset(bounce, 0, bytes);
		want += bytes;
	}
	if (op != BLKIF_OP_FLUSH)
		b[n++] = (struct virtq_buf){ RT_GPA(bounce), bytes, op == BLKIF_OP_READ };
	b[n++] = (struct virtq_buf){ RT_GPA(&status), 1, 1 };
	len = virtq_run(&vq, b, n, VBLK_POLLS);
	if (len < 0)
		return -BLKIF_EIO;
	/* A write reports only the status byte; a read its data as well. */
	if (op == BLKIF_OP_READ ? (uint64_t)len != want : len < 1)
		return -BLKIF_EIO;
	switch (*(volatile uint8_t *)&status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return -TESSERA_ENOSYS;
	default:
		return -BLKIF_EIO;
	}
}
