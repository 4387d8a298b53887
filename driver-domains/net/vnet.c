/*
 * virtio-net for the net domain: every receive descriptor is kept posted with
 * a buffer in our own memory (the device reaches nothing else through the
 * IOMMU); transmit copies one frame behind a zeroed virtio_net_hdr and waits
 * for the device to take it. Nothing the device writes is trusted: lengths
 * are checked (virtq_reap) and a runt is dropped, never passed on. Both
 * queues interrupt on MSI-X entry 0, bound to one of our ports (vnet_irq_port),
 * unless the binding fails: then the caller polls.
 */
#include <rt/console.h>
#include <rt/hcall.h>
#include <rt/netif.h>
#include <rt/virtio.h>
#include "vnet.h"

#define VIRTIO_ID_NET    1
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VNET_HDR         12 /* virtio_net_hdr with VERSION_1, all zero on transmit */
#define VNET_BUF         2048 /* >= VNET_HDR + NETIF_MAX_FRAME */
#define VNET_RXQ         0
#define VNET_TXQ         1
#define VNET_POLLS       1000000u /* wake-ups or yields before a transmit counts as lost */

static struct virtio_dev dev;
static struct virtq rxq, txq;
static struct virtq_mem rxmem, txmem;
static uint8_t rxbuf[VIRTQ_SIZE][VNET_BUF] __attribute__((aligned(4096)));
static uint8_t txbuf[VNET_BUF] __attribute__((aligned(4096)));
static int held = -1; /* the receive buffer vnet_recv handed out */

_Static_assert(VNET_BUF >= VNET_HDR + NETIF_MAX_FRAME, "a buffer holds the largest frame");

uint8_t *vnet_tx_frame(void)
{
	return txbuf + VNET_HDR;
}

static long post(uint16_t id)
{
	struct virtq_buf b = { RT_GPA(rxbuf[id]), VNET_BUF, 1 };
	return virtq_post(&rxq, id, &b);
}

/* "aa:bb:cc:dd:ee:ff": the console's printf has no field widths. */
static void mac_str(char out[18], uint64_t mac)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned k = 0; k < NETIF_ETH_ALEN; k++) {
		out[3 * k] = hex[mac >> (8 * k + 4) & 0xf];
		out[3 * k + 1] = hex[mac >> (8 * k) & 0xf];
		out[3 * k + 2] = k + 1 < NETIF_ETH_ALEN ? ':' : 0;
	}
}

long vnet_init(uint32_t index)
{
	char m[18];
	uint64_t mac = 0;
	long irq, rc = virtio_open(&dev, index, VIRTIO_ID_NET, VIRTIO_NET_F_MAC);
	if (rc < 0) {
		rt_printf("net: device %u is not a usable virtio-net (%ld)\n", index, rc);
		return rc;
	}
	irq = virtio_irq_bind(&dev, 0); /* both queues on entry 0, or we poll */
	/* Queues 0 and 1 only: the control queue QEMU also offers stays disabled. */
	if ((rc = virtq_setup(&dev, &rxq, VNET_RXQ, &rxmem)) < 0 ||
	    (rc = virtq_setup(&dev, &txq, VNET_TXQ, &txmem)) < 0 || (rc = virtio_ready(&dev)) < 0 ||
	    ((dev.features & VIRTIO_NET_F_MAC) && (rc = virtio_config_read64(&dev, 0, &mac)) < 0)) {
		rt_printf("net: virtio-net setup failed (%ld)\n", rc);
		virtio_fail(&dev);
		return rc;
	}
	for (uint16_t id = 0; id < rxq.size; id++)
		if ((rc = post(id)) < 0)
			return rc;
	mac_str(m, mac);
	rt_printf("net: virtio-net ready: mac %s, queue sizes %u/%u, features 0x%lx\n", m, rxq.size,
		  txq.size, (unsigned long)dev.features);
	if (rxq.irq && txq.irq)
		rt_printf("net: device interrupts on port %ld (MSI-X entry %u)\n", dev.irq_port,
			  dev.irq_entry);
	else if (irq < 0)
		rt_printf("net: no device interrupts (%ld): polling the device\n", irq);
	else
		rt_printf("net: the device refused MSI-X entry %u: polling the device\n",
			  dev.irq_entry);
	return 0;
}

long vnet_irq_port(void)
{
	return rxq.irq && txq.irq ? dev.irq_port : -1;
}

long vnet_send(uint32_t len)
{
	struct virtq_buf b = { RT_GPA(txbuf), VNET_HDR + len, 0 };
	if (len < NETIF_MIN_FRAME || len > NETIF_MAX_FRAME)
		return -TESSERA_EINVAL;
	return virtq_run(&txq, &b, 1, VNET_POLLS) < 0 ? -NETIF_EIO : 0;
}

const uint8_t *vnet_recv(uint32_t *len)
{
	uint16_t id;
	uint32_t n;
	if (held >= 0)
		vnet_recv_done();
	while (virtq_reap(&rxq, &id, &n) == 1) {
		if (n >= VNET_HDR + NETIF_MIN_FRAME && n <= VNET_HDR + NETIF_MAX_FRAME) {
			held = id;
			*len = n - VNET_HDR;
			return rxbuf[id] + VNET_HDR;
		}
		rt_printf("net: dropped a received buffer of %u bytes\n", n);
		post(id);
	}
	return NULL; /* nothing yet, or the queue broke (said once by virtio) */
}

void vnet_recv_done(void)
{
	if (held >= 0)
		post((uint16_t)held);
	held = -1;
}
