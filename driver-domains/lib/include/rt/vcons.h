/* virtio-console port 0: a domain's byte channel to a host program (attest, fuzz). */
#ifndef RT_VCONS_H
#define RT_VCONS_H
#include <stdint.h>

/* Device index's port 0; with irq, its interrupts arrive on vcons_irq_port(). */
long vcons_init(uint32_t index, int irq);
/* Our port the device's interrupts arrive on, or -1 (polled). */
long vcons_irq_port(void);
/* Up to max received bytes into buf (never waits): how many, or -VIRTIO_EIO. */
long vcons_read(uint8_t *buf, uint32_t max);
/*
 * Frames over the channel: vcons_pump reads what arrived after the bytes `s` holds, then
 * hands them to take() for as long as it consumes a whole frame (it returns the frame's
 * size); 0 asks for more bytes; < 0 says the stream is bad and what is held is dropped.
 * A frame must fit in s->size. Returns 0 when nothing arrived (the caller may sleep).
 */
struct vcons_stream {
	uint8_t *buf;
	uint32_t size, len;
};
int vcons_pump(struct vcons_stream *s, long (*take)(const uint8_t *p, uint32_t len));
/* Send len bytes (waits for the device to take each piece). 0 or -VIRTIO_EIO. */
long vcons_write(const uint8_t *buf, uint32_t len);
#endif
