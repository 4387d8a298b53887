/* The net domain's virtio-net device: a receive queue kept full of buffers, one frame sent at a time. */
#ifndef NET_VNET_H
#define NET_VNET_H
#include <stdint.h>

/* Open device `index`; 0 or a negative error. Prints what it found. */
long vnet_init(uint32_t index);
/* The port the device's interrupts arrive on (a received frame, a sent one), or -1: poll it. */
long vnet_irq_port(void);
/* Where the next frame to send goes (NETIF_MAX_FRAME bytes): our memory, which the device reaches. */
uint8_t *vnet_tx_frame(void);
/* Send the len bytes at vnet_tx_frame(); 0 once the device has taken them, or -errno. */
long vnet_send(uint32_t len);
/* The next received frame (in our memory) and its length, or NULL if there is none. */
const uint8_t *vnet_recv(uint32_t *len);
/* Done with the frame vnet_recv returned: its buffer goes back to the device. */
void vnet_recv_done(void);
#endif
