/*
 * A small modern (virtio 1.x) PCI transport for driver domains: capabilities
 * found through the core's config-space hypercalls, one split virtqueue in the
 * domain's own memory (device address = guest-physical address, through the
 * IOMMU: VIRTIO_F_ACCESS_PLATFORM), completion signalled by the device's
 * interrupt (MSI-X entry, bound by the core to one of our event ports) or,
 * without one, polled; either way with a bounded wait. One request in flight
 * per queue (virtq_run), or many posted buffers (virtq_post/virtq_reap). The
 * device is not trusted: every index and length it writes back is checked,
 * and a queue it misuses is marked broken.
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
	int irq;               /* the device interrupts us (d->irq_port) for this queue */
};

_Static_assert(VIRTQ_SIZE <= 32, "virtq.posted has a bit per descriptor");

struct virtio_dev {
	uint32_t index;                /* the core's device index (dev_info) */
	volatile uint8_t *common, *notify, *device;
	uint32_t notify_len, notify_mult, device_len;
	uint64_t features;             /* negotiated */
	long irq_port;                 /* our port its interrupts arrive on, -1: we poll */
	uint16_t irq_entry;            /* ... from this MSI-X table entry */
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
/*
 * Interrupts instead of polling (after virtio_open, before virtq_setup): a new
 * port of our own (evtchn_alloc, permission self:event create) and the core
 * binds MSI-X entry `entry` to it (dev_irq_bind, device:irq; the core programs
 * the entry, memory decoding is on since virtio_open). 0 and d->irq_port set,
 * or an error and nothing bound: the queues are then polled. The port is the
 * caller's to wait on: every interrupt of the device is an event there.
 */
long virtio_irq_bind(struct virtio_dev *d, uint16_t entry);
/*
 * Give queue `qindex` the memory `mem` (before virtio_ready). With d->irq_port
 * bound it asks the device to use the entry for this queue (queue_msix_vector,
 * read back): q->irq says whether it accepted; otherwise the queue is polled.
 */
long virtq_setup(struct virtio_dev *d, struct virtq *q, uint16_t qindex, struct virtq_mem *mem);
/* DRIVER_OK: the device may now use its queues. */
long virtio_ready(struct virtio_dev *d);
/* Mark the device failed (after a protocol error or a timeout). */
void virtio_fail(struct virtio_dev *d);
/*
 * Submit one chain (readable buffers first), notify, and wait for the used
 * ring, yielding in between. With q->irq, after VIRTQ_SPIN yields (the device's
 * interrupt suppressed meanwhile with avail NO_INTERRUPT: under QEMU an
 * interrupt per request costs more than the yields) it asks for the interrupt
 * and sleeps until an event arrives (the used ring is looked at after every
 * wake-up and before every sleep, so no completion is missed); up to max_polls
 * wake-ups or yields in all. Events for other ports that arrive meanwhile stay
 * signalled for the caller's rt_event_poll. Returns the length the device says
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
