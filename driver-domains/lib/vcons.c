/*
 * virtio-console (device 3) without the multiport feature: port 0's receive
 * queue 0 keeps every descriptor posted with a buffer in our memory, transmit
 * queue 1 sends one buffer at a time. Lengths the device reports are checked by
 * virtq_reap; bytes are handed out in order, a buffer at a time.
 */
#include <rt/console.h>
#include <rt/hcall.h>
#include <rt/virtio.h>
#include <rt/vcons.h>

#define VIRTIO_ID_CONSOLE 3
#define RXQ 0
#define TXQ 1
#define BUF 1024
#define POLLS 1000000u

static struct virtio_dev dev;
static struct virtq rxq, txq;
static struct virtq_mem rxmem, txmem;
static uint8_t rxbuf[VIRTQ_SIZE][BUF] __attribute__((aligned(4096)));
static uint8_t txbuf[BUF] __attribute__((aligned(4096)));
static int held = -1;       /* the receive buffer being handed out ... */
static uint32_t held_len, held_off; /* ... its length and what is handed out already */

static long post(uint16_t id)
{
	struct virtq_buf b = { RT_GPA(rxbuf[id]), BUF, 1 };
	return virtq_post(&rxq, id, &b);
}

long vcons_init(uint32_t index, int irq)
{
	long rc = virtio_open(&dev, index, VIRTIO_ID_CONSOLE, 0);
	if (rc < 0) {
		rt_printf("vcons: device %u is not a usable virtio-console (%ld)\n", index, rc);
		return rc;
	}
	if (irq)
		virtio_irq_bind(&dev, 0); /* both queues on entry 0, or we poll */
	if ((rc = virtq_setup(&dev, &rxq, RXQ, &rxmem)) < 0 ||
	    (rc = virtq_setup(&dev, &txq, TXQ, &txmem)) < 0 || (rc = virtio_ready(&dev)) < 0) {
		rt_printf("vcons: virtio-console setup failed (%ld)\n", rc);
		virtio_fail(&dev);
		return rc;
	}
	for (uint16_t id = 0; id < rxq.size; id++)
		if ((rc = post(id)) < 0)
			return rc;
	return 0;
}

long vcons_irq_port(void)
{
	return rxq.irq && txq.irq ? dev.irq_port : -1;
}

long vcons_read(uint8_t *buf, uint32_t max)
{
	uint32_t n = 0;
	while (n < max) {
		uint16_t id;
		uint32_t len, take;
		if (held < 0) {
			long rc = virtq_reap(&rxq, &id, &len);
			if (rc < 0)
				return rc;
			if (!rc)
				break;
			if (!len) {
				post(id);
				continue;
			}
			held = id;
			held_len = len;
			held_off = 0;
		}
		take = held_len - held_off < max - n ? held_len - held_off : max - n;
		memcpy(buf + n, rxbuf[held] + held_off, take);
		n += take;
		held_off += take;
		if (held_off == held_len) {
			post((uint16_t)held);
			held = -1;
		}
	}
	return n;
}

long vcons_write(const uint8_t *buf, uint32_t len)
{
	while (len) {
		uint32_t n = len < BUF ? len : BUF;
		struct virtq_buf b = { RT_GPA(txbuf), n, 0 };
		memcpy(txbuf, buf, n);
		if (virtq_run(&txq, &b, 1, POLLS) < 0)
			return -VIRTIO_EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

int vcons_pump(struct vcons_stream *s, long (*take)(const uint8_t *p, uint32_t len))
{
	long n = vcons_read(s->buf + s->len, s->size - s->len);
	if (n <= 0)
		return 0;
	s->len += (uint32_t)n;
	while (s->len) {
		long used = take(s->buf, s->len);
		if (used < 0 || (uint64_t)used > s->len) {
			s->len = 0;
			break;
		}
		if (!used)
			break;
		s->len -= (uint32_t)used;
		for (uint32_t i = 0; i < s->len; i++) /* forward, as they overlap */
			s->buf[i] = s->buf[i + (uint32_t)used];
	}
	return 1;
}
