/* virtio-console port 0: a domain's byte channel to a host program (attest, fuzz). */
#ifndef RT_VCONS_H
#define RT_VCONS_H
#include <stdint.h>

long vcons_init(uint32_t index);
/* Our port the device's interrupts arrive on, or -1 (polled). */
long vcons_irq_port(void);
/* Up to max received bytes into buf (never waits): how many, or -VIRTIO_EIO. */
long vcons_read(uint8_t *buf, uint32_t max);
/* Send len bytes (waits for the device to take each piece). 0 or -VIRTIO_EIO. */
long vcons_write(const uint8_t *buf, uint32_t len);
#endif
