/*
 * A small modern (virtio 1.x) PCI transport for driver domains: capabilities
 * found through the core's config-space hypercalls, one split virtqueue in the
 * domain's own memory (device address = guest-physical address, through the
 * IOMMU: VIRTIO_F_ACCESS_PLATFORM), polled completion with a bounded wait.
 * One request in flight per queue (virtq_run), or many posted buffers
 * (virtq_post/virtq_reap). The device is not trusted: every index and
 * length it writes back is checked, and a queue it misuses is marked broken.
 */
#ifndef RT_VIRTIO_H
#define RT_VIRTIO_H
#include <stdint.h>

#define VIRTIO_F_VERSION_1       (1ULL << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ULL << 33)

#define VIRTQ_SIZE     16 /* descriptors per queue (a power of two) */
#define VIRTQ_DESC_NEXT  1u
#define VIRTQ_DESC_WRITE 2u

/* Errors (negative), besides the core's TESSERA_E* ones passed through. */
#define VIRTIO_ENODEV    19 /* not a usable modern virtio device */
#define VIRTIO_EIO        5 /* the device failed, timed out or broke the protocol */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* Descriptor table, driver area and device area: one page of the domain's RAM. */
struct virtq_mem {
	struct virtq_desc desc[VIRTQ_SIZE];
	struct {
		uint16_t flags, idx, ring[VIRTQ_SIZE];
	} avail;
	struct {
		uint16_t flags, idx;
		struct { uint32_t id, len; } ring[VIRTQ_SIZE];
	} used;
} __attribute__((aligned(4096)));

struct virtio_dev;

struct virtq {
	struct virtio_dev *dev;
	struct virtq_mem *mem;
	volatile uint16_t *notify;
	uint16_t index, size, avail_idx, used_seen;
	int broken; /* the device misbehaved or timed out: no more requests */
	uint32_t posted;       /* virtq_post: descriptors the device holds (bit = index) */
	uint16_t outstanding;  /* ... and how many */
};

_Static_assert(VIRTQ_SIZE <= 32, "virtq.posted has a bit per descriptor");

struct virtio_dev {
	uint32_t index;                /* the core's device index (dev_info) */
	volatile uint8_t *common, *notify, *device;
	uint32_t notify_len, notify_mult, device_len;
	uint64_t features;             /* negotiated */
};

/* One buffer of a request: device-readable unless writable. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	int writable;
};

/*
 * Find device `index`'s virtio capabilities, turn on memory decoding and bus
 * mastering, reset it and negotiate VERSION_1 + ACCESS_PLATFORM (both
 * required) plus whatever of `wanted` it offers. Leaves it at FEATURES_OK.
 */
long virtio_open(struct virtio_dev *d, uint32_t index, uint16_t device_id, uint64_t wanted);
/* Device-specific configuration, read under the generation counter. */
long virtio_config_read64(struct virtio_dev *d, uint32_t off, uint64_t *v);
long virtio_config_read32(struct virtio_dev *d, uint32_t off, uint32_t *v);
/* Give queue `qindex` the memory `mem` (before virtio_ready). */
long virtq_setup(struct virtio_dev *d, struct virtq *q, uint16_t qindex, struct virtq_mem *mem);
/* DRIVER_OK: the device may now use its queues. */
long virtio_ready(struct virtio_dev *d);
/* Mark the device failed (after a protocol error or a timeout). */
void virtio_fail(struct virtio_dev *d);
/*
 * Submit one chain (readable buffers first), notify, and poll the used ring up
 * to max_polls times (yielding in between). Returns the length the device says
 * it wrote (checked against the writable buffers) or -VIRTIO_EIO.
 */
long virtq_run(struct virtq *q, const struct virtq_buf *bufs, uint32_t n, uint32_t max_polls);
/*
 * Many buffers in flight, for a queue the device fills when it likes (a NIC's
 * receive queue). A queue is used either with virtq_run or with these two.
 * virtq_post hands the device one buffer as descriptor `id` (< q->size, not
 * already posted) and notifies it. virtq_reap never waits: 1 and the id and
 * length the device wrote (checked: a posted id, within its buffer), 0 if
 * nothing completed, or -VIRTIO_EIO (the queue is then broken).
 */
long virtq_post(struct virtq *q, uint16_t id, const struct virtq_buf *b);
long virtq_reap(struct virtq *q, uint16_t *id, uint32_t *len);
#endif
