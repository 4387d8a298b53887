/* Modern virtio-PCI transport and split virtqueues: see rt/virtio.h. */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/virtio.h>
#include <tessera/device.h>

#define PCI_COMMAND        0x04
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_STATUS         0x06
#define PCI_STATUS_CAPS    0x10u
#define PCI_SUBSYSTEM_ID   0x2e
#define PCI_CAP_PTR        0x34
#define PCI_CAP_VENDOR     0x09
#define PCI_CAPS_MAX       48 /* (256 - 64) / 4: a longer list is a loop */

#define VIRTIO_VENDOR      0x1af4
#define VIRTIO_CAP_COMMON  1
#define VIRTIO_CAP_NOTIFY  2
#define VIRTIO_CAP_DEVICE  4

/* Common configuration registers. */
#define CC_DFSELECT   0x00
#define CC_DF         0x04
#define CC_GFSELECT   0x08
#define CC_GF         0x0c
#define CC_STATUS     0x14
#define CC_GENERATION 0x15
#define CC_QSELECT    0x16
#define CC_QSIZE      0x18
#define CC_QMSIX      0x1a
#define CC_QENABLE    0x1c
#define CC_QNOTIFYOFF 0x1e
#define CC_QDESC      0x20
#define CC_QDRIVER    0x28
#define CC_QDEVICE    0x30
#define CC_LEN        0x38

#define ST_ACKNOWLEDGE 1u
#define ST_DRIVER      2u
#define ST_DRIVER_OK   4u
#define ST_FEATURES_OK 8u
#define ST_NEEDS_RESET 0x40u
#define ST_FAILED      0x80u
#define NO_VECTOR      0xffffu
#define VIRTQ_AVAIL_NO_INTERRUPT 1u
#define RESET_POLLS    100000u
#ifndef VIRTQ_SPIN
#define VIRTQ_SPIN     64u /* yields before virtq_run asks for the interrupt and sleeps */
#endif

static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" ::: "memory"); }

static uint8_t rd8(volatile uint8_t *b, uint32_t o) { return *(volatile uint8_t *)(b + o); }
static uint16_t rd16(volatile uint8_t *b, uint32_t o) { return *(volatile uint16_t *)(b + o); }
static uint32_t rd32(volatile uint8_t *b, uint32_t o) { return *(volatile uint32_t *)(b + o); }
static void wr8(volatile uint8_t *b, uint32_t o, uint8_t v) { *(volatile uint8_t *)(b + o) = v; }
static void wr16(volatile uint8_t *b, uint32_t o, uint16_t v) { *(volatile uint16_t *)(b + o) = v; }
static void wr32(volatile uint8_t *b, uint32_t o, uint32_t v) { *(volatile uint32_t *)(b + o) = v; }

/* QEMU takes accesses of at most 4 bytes: a 64-bit register is two halves, low first. */
static void wr64(volatile uint8_t *b, uint32_t o, uint64_t v)
{
	wr32(b, o, (uint32_t)v);
	wr32(b, o + 4, (uint32_t)(v >> 32));
}

/* A region a capability names: inside a memory BAR the core mapped for us, or NULL. */
static volatile uint8_t *region(const struct tessera_dev_info *info, uint32_t bar, uint32_t off,
				uint32_t len, uint32_t min_len)
{
	const struct tessera_bar *b;
	uint32_t need = TESSERA_BAR_MEM | TESSERA_BAR_MAPPED;
	if (bar >= TESSERA_BARS || len < min_len)
		return NULL;
	b = &info->bars[bar];
	if ((b->flags & need) != need || off > b->size || len > b->size - off)
		return NULL;
	return (volatile uint8_t *)(uintptr_t)(b->base + off);
}

/* One vendor capability at ptr: keep the first usable one of each type we need. */
static long vendor_cap(struct virtio_dev *d, const struct tessera_dev_info *info, uint32_t ptr)
{
	long len = tessera_dev_config_read(d->index, ptr + 2, 1);
	long type = tessera_dev_config_read(d->index, ptr + 3, 1);
	long bar = tessera_dev_config_read(d->index, ptr + 4, 1);
	long off = tessera_dev_config_read(d->index, ptr + 8, 4);
	long rlen = tessera_dev_config_read(d->index, ptr + 12, 4);
	volatile uint8_t *r;
	if (len < 0 || type < 0 || bar < 0 || off < 0 || rlen < 0)
		return -VIRTIO_ENODEV;
	if (len < 16)
		return 0;
	r = region(info, (uint32_t)bar, (uint32_t)off, (uint32_t)rlen,
		   type == VIRTIO_CAP_COMMON ? CC_LEN : type == VIRTIO_CAP_NOTIFY ? 2 : 1);
	if (!r)
		return 0;
	if (type == VIRTIO_CAP_COMMON && !d->common) {
		d->common = r;
	} else if (type == VIRTIO_CAP_NOTIFY && !d->notify && len >= 20) {
		long mult = tessera_dev_config_read(d->index, ptr + 16, 4);
		if (mult < 0)
			return -VIRTIO_ENODEV;
		d->notify = r;
		d->notify_len = (uint32_t)rlen;
		d->notify_mult = (uint32_t)mult;
	} else if (type == VIRTIO_CAP_DEVICE && !d->device) {
		d->device = r;
		d->device_len = (uint32_t)rlen;
	}
	return 0;
}

static long find_caps(struct virtio_dev *d, const struct tessera_dev_info *info)
{
	long st = tessera_dev_config_read(d->index, PCI_STATUS, 2);
	long ptr = tessera_dev_config_read(d->index, PCI_CAP_PTR, 1);
	if (st < 0 || ptr < 0 || !(st & PCI_STATUS_CAPS))
		return -VIRTIO_ENODEV;
	for (int n = 0; n < PCI_CAPS_MAX; n++) {
		uint32_t at = (uint32_t)ptr & 0xfc;
		long id, rc;
		if (at < 0x40)
			break;
		id = tessera_dev_config_read(d->index, at, 1);
		ptr = tessera_dev_config_read(d->index, at + 1, 1);
		if (id < 0 || ptr < 0)
			return -VIRTIO_ENODEV;
		if (id == PCI_CAP_VENDOR && (rc = vendor_cap(d, info, at)) < 0)
			return rc;
	}
	return d->common && d->notify && d->device ? 0 : -VIRTIO_ENODEV;
}

static int is_virtio(const struct tessera_dev_info *info, uint32_t index, uint16_t device_id)
{
	if (info->vendor != VIRTIO_VENDOR)
		return 0;
	if (info->device == 0x1040 + device_id)
		return 1;
	/* Transitional IDs name the device type in the subsystem ID. */
	return info->device >= 0x1000 && info->device < 0x1040 &&
	       tessera_dev_config_read(index, PCI_SUBSYSTEM_ID, 2) == device_id;
}

void virtio_fail(struct virtio_dev *d)
{
	wr8(d->common, CC_STATUS, 0); /* a reset stops the device using our memory */
	wr8(d->common, CC_STATUS, ST_FAILED);
}

long virtio_open(struct virtio_dev *d, uint32_t index, uint16_t device_id, uint64_t wanted)
{
	static struct tessera_dev_info info;
	const uint64_t need = VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM;
	uint64_t offered;
	long rc, cmd;
	uint32_t n;
	memset(d, 0, sizeof(*d));
	d->index = index;
	d->irq_port = -1;
	if ((rc = tessera_dev_info(index, RT_GPA(&info))) < 0)
		return rc;
	if (!is_virtio(&info, index, device_id) || (rc = find_caps(d, &info)) < 0)
		return -VIRTIO_ENODEV;
	/* Bus mastering must stay on: QEMU stops a virtio device whose BME is cleared. */
	if ((cmd = tessera_dev_config_read(index, PCI_COMMAND, 2)) < 0)
		return cmd;
	rc = tessera_dev_config_write(index, PCI_COMMAND, 2,
				      (uint64_t)cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (rc < 0)
		return rc;
	wr8(d->common, CC_STATUS, 0);
	for (n = 0; rd8(d->common, CC_STATUS) != 0; n++) {
		if (n == RESET_POLLS)
			return -VIRTIO_EIO;
		tessera_yield();
	}
	wr8(d->common, CC_STATUS, ST_ACKNOWLEDGE);
	wr8(d->common, CC_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
	wr32(d->common, CC_DFSELECT, 0);
	offered = rd32(d->common, CC_DF);
	wr32(d->common, CC_DFSELECT, 1);
	offered |= (uint64_t)rd32(d->common, CC_DF) << 32;
	/* Without ACCESS_PLATFORM the device's DMA would bypass the IOMMU: our addresses
	 * would name host memory that is not ours. */
	if ((offered & need) != need) {
		virtio_fail(d);
		return -VIRTIO_ENODEV;
	}
	d->features = offered & (wanted | need);
	wr32(d->common, CC_GFSELECT, 0);
	wr32(d->common, CC_GF, (uint32_t)d->features);
	wr32(d->common, CC_GFSELECT, 1);
	wr32(d->common, CC_GF, (uint32_t)(d->features >> 32));
	wr8(d->common, CC_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
	if (!(rd8(d->common, CC_STATUS) & ST_FEATURES_OK)) {
		virtio_fail(d);
		return -VIRTIO_ENODEV;
	}
	return 0;
}

/* Device configuration: both halves inside one generation, retried if it changed. */
static long config_read(struct virtio_dev *d, uint32_t off, uint32_t words, uint64_t *v)
{
	if (off > d->device_len || words * 4 > d->device_len - off || (off & 3))
		return -TESSERA_EINVAL;
	for (int tries = 0; tries < 100; tries++) {
		uint8_t gen = rd8(d->common, CC_GENERATION);
		uint64_t lo = rd32(d->device, off), hi = words > 1 ? rd32(d->device, off + 4) : 0;
		if (rd8(d->common, CC_GENERATION) == gen) {
			*v = lo | hi << 32;
			return 0;
		}
	}
	return -VIRTIO_EIO;
}

long virtio_config_read64(struct virtio_dev *d, uint32_t off, uint64_t *v)
{
	return config_read(d, off, 2, v);
}

long virtio_config_read32(struct virtio_dev *d, uint32_t off, uint32_t *v)
{
	uint64_t x = 0;
	long rc = config_read(d, off, 1, &x);
	*v = (uint32_t)x;
	return rc;
}

long virtio_irq_bind(struct virtio_dev *d, uint16_t entry)
{
	static struct tessera_self_info si;
	long port, rc;
	if ((rc = tessera_self_info(RT_GPA(&si))) < 0)
		return rc;
	/* A loopback port: unbound, for ourselves; only the core's interrupt path signals it. */
	if ((port = tessera_evtchn_alloc(si.domid)) < 0)
		return port;
	if ((rc = tessera_dev_irq_bind(d->index, entry, (uint64_t)port)) < 0) {
		tessera_evtchn_close((uint64_t)port);
		return rc;
	}
	d->irq_port = port;
	d->irq_entry = entry;
	return 0;
}

long virtq_setup(struct virtio_dev *d, struct virtq *q, uint16_t qindex, struct virtq_mem *mem)
{
	uint16_t max, size = VIRTQ_SIZE, vector = NO_VECTOR;
	uint64_t at;
	wr16(d->common, CC_QSELECT, qindex);
	max = rd16(d->common, CC_QSIZE);
	while (size > max)
		size >>= 1;
	if (size < 4) /* absent (0) or too small for a request */
		return -VIRTIO_ENODEV;
	at = (uint64_t)rd16(d->common, CC_QNOTIFYOFF) * d->notify_mult;
	if (at > d->notify_len || d->notify_len - at < 2)
		return -VIRTIO_ENODEV;
	memset(mem, 0, sizeof(*mem));
	wr16(d->common, CC_QSIZE, size);
	wr64(d->common, CC_QDESC, RT_GPA(mem->desc));
	wr64(d->common, CC_QDRIVER, RT_GPA(&mem->avail));
	wr64(d->common, CC_QDEVICE, RT_GPA(&mem->used));
	/* Our entry for this queue, if we have one; the device says NO_VECTOR if it refuses. */
	if (d->irq_port >= 0) {
		wr16(d->common, CC_QMSIX, d->irq_entry);
		vector = rd16(d->common, CC_QMSIX);
	}
	if (vector != d->irq_entry || d->irq_port < 0)
		wr16(d->common, CC_QMSIX, NO_VECTOR); /* we poll this queue */
	wr16(d->common, CC_QENABLE, 1);
	*q = (struct virtq){ .dev = d, .mem = mem, .index = qindex, .size = size,
			     .notify = (volatile uint16_t *)(d->notify + at),
			     .irq = d->irq_port >= 0 && vector == d->irq_entry };
	return 0;
}

long virtio_ready(struct virtio_dev *d)
{
	uint8_t st;
	wr8(d->common, CC_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	st = rd8(d->common, CC_STATUS);
	if (!(st & ST_DRIVER_OK) || (st & (ST_NEEDS_RESET | ST_FAILED))) {
		virtio_fail(d);
		return -VIRTIO_EIO;
	}
	return 0;
}

static long broken(struct virtq *q, const char *why)
{
	rt_printf("virtio: queue %u: %s; device stopped\n", q->index, why);
	q->broken = 1;
	virtio_fail(q->dev);
	return -VIRTIO_EIO;
}

long virtq_run(struct virtq *q, const struct virtq_buf *bufs, uint32_t n, uint32_t max_polls)
{
	struct virtq_mem *m = q->mem;
	uint64_t writable = 0;
	uint32_t id, len;
	uint16_t used;
	if (q->broken)
		return -VIRTIO_EIO;
	if (n == 0 || n > q->size)
		return -TESSERA_EINVAL;
	/* One chain in flight: it always starts at descriptor 0. */
	for (uint32_t i = 0; i < n; i++) {
		if (!bufs[i].writable && writable)
			return -TESSERA_EINVAL; /* device-readable buffers come first */
		writable += bufs[i].writable ? bufs[i].len : 0;
		m->desc[i] = (struct virtq_desc){
			.addr = bufs[i].addr, .len = bufs[i].len,
			.flags = (uint16_t)((i + 1 < n ? VIRTQ_DESC_NEXT : 0) |
					    (bufs[i].writable ? VIRTQ_DESC_WRITE : 0)),
			.next = (uint16_t)(i + 1 < n ? i + 1 : 0) };
	}
	m->avail.ring[q->avail_idx % q->size] = 0;
	/* No interrupt while we look at the used ring ourselves (a hint the device may ignore). */
	if (q->irq)
		*(volatile uint16_t *)&m->avail.flags = VIRTQ_AVAIL_NO_INTERRUPT;
	barrier(); /* the chain and the ring slot before the index */
	*(volatile uint16_t *)&m->avail.idx = ++q->avail_idx;
	mfence();  /* the index before the notification */
	*q->notify = q->index;
	for (uint32_t polls = 0;;) {
		used = *(volatile uint16_t *)&m->used.idx;
		if (used != q->used_seen)
			break;
		if (polls == max_polls)
			return broken(q, "no completion in time");
		polls++; /* a wake-up or a yield: a device that interrupts for nothing runs out too */
		if (!q->irq || polls <= VIRTQ_SPIN) {
			tessera_yield();
		} else if (m->avail.flags & VIRTQ_AVAIL_NO_INTERRUPT) {
			/* Slow this time: ask for the interrupt, then look at the used ring
			 * once more before sleeping (the device may have finished before). */
			*(volatile uint16_t *)&m->avail.flags = 0;
			mfence();
		} else if (!rt_event_poll((uint32_t)q->dev->irq_port))
			/* Nothing since the used ring was read: an interrupt from now on stays
			 * pending in the event page, and HLT does not sleep while it is. Any
			 * event wakes us (other ports stay signalled for their owner). */
			__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	if ((uint16_t)(used - q->used_seen) != 1)
		return broken(q, "more completions than requests");
	barrier(); /* the index before the entry */
	id = *(volatile uint32_t *)&m->used.ring[q->used_seen % q->size].id;
	len = *(volatile uint32_t *)&m->used.ring[q->used_seen % q->size].len;
	q->used_seen++;
	if (id != 0 || len > writable)
		return broken(q, "bad used entry");
	return len;
}

long virtq_post(struct virtq *q, uint16_t id, const struct virtq_buf *b)
{
	struct virtq_mem *m = q->mem;
	if (q->broken)
		return -VIRTIO_EIO;
	if (id >= q->size || (q->posted >> id & 1))
		return -TESSERA_EINVAL;
	m->desc[id] = (struct virtq_desc){ .addr = b->addr, .len = b->len,
					   .flags = b->writable ? VIRTQ_DESC_WRITE : 0 };
	m->avail.ring[q->avail_idx % q->size] = id;
	q->posted |= 1u << id;
	q->outstanding++;
	barrier(); /* the descriptor and the ring slot before the index */
	*(volatile uint16_t *)&m->avail.idx = ++q->avail_idx;
	mfence();  /* the index before the notification */
	*q->notify = q->index;
	return 0;
}

long virtq_reap(struct virtq *q, uint16_t *id, uint32_t *len)
{
	struct virtq_mem *m = q->mem;
	uint16_t used;
	uint32_t i, n;
	if (q->broken)
		return -VIRTIO_EIO;
	used = *(volatile uint16_t *)&m->used.idx;
	if (used == q->used_seen)
		return 0;
	if ((uint16_t)(used - q->used_seen) > q->outstanding)
		return broken(q, "more completions than buffers");
	barrier(); /* the index before the entry */
	i = *(volatile uint32_t *)&m->used.ring[q->used_seen % q->size].id;
	n = *(volatile uint32_t *)&m->used.ring[q->used_seen % q->size].len;
	q->used_seen++;
	/* Only a buffer we posted, and never more than it holds. */
	if (i >= q->size || !(q->posted >> i & 1) || n > m->desc[i].len)
		return broken(q, "bad used entry");
	q->posted &= ~(1u << i);
	q->outstanding--;
	*id = (uint16_t)i;
	*len = n;
	return 1;
}
