/*
 * A single-producer/single-consumer request/response ring in one shared page,
 * with notification suppression (a side asks for a notification only when the
 * other might be asleep). Requests go front -> back, responses back -> front.
 *
 * No lost wake-ups: a consumer that finds the ring empty sets its event
 * index to "the next one" *then* checks again before sleeping; a producer
 * publishes *then* reads the event index; the full barrier between the two
 * on each side means one of them always sees the other.
 */
#ifndef RT_RING_H
#define RT_RING_H
#include <stdint.h>

#define RT_RING_SLOTS 32 /* power of two */

struct rt_msg {
	uint64_t id;
	uint64_t data[5];
};

struct rt_ring_page {
	volatile uint32_t req_prod, req_event, rsp_prod, rsp_event;
	uint8_t pad[64 - 16];
	struct rt_msg req[RT_RING_SLOTS];
	struct rt_msg rsp[RT_RING_SLOTS];
};

_Static_assert(sizeof(struct rt_ring_page) <= 4096, "a ring is one page");

/* Each side's private cursors. */
struct rt_ring {
	struct rt_ring_page *p;
	uint32_t prod_pvt, cons;
};

static inline void rt_mb(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void rt_barrier(void) { __asm__ volatile("" ::: "memory"); }

void rt_ring_init_front(struct rt_ring *r, struct rt_ring_page *p);
void rt_ring_init_back(struct rt_ring *r, struct rt_ring_page *p);

/* Front end: space for a request? queue one, publish (returns 1 if the back end must be notified). */
int rt_ring_req_space(const struct rt_ring *r);
void rt_ring_req_put(struct rt_ring *r, const struct rt_msg *m);
int rt_ring_req_push(struct rt_ring *r);
/* Front end: take a response if one is there (1) or arm the event and re-check (0). */
int rt_ring_rsp_get(struct rt_ring *r, struct rt_msg *m);

/* Back end: the mirror image. */
int rt_ring_req_get(struct rt_ring *r, struct rt_msg *m);
int rt_ring_rsp_space(const struct rt_ring *r);
void rt_ring_rsp_put(struct rt_ring *r, const struct rt_msg *m);
int rt_ring_rsp_push(struct rt_ring *r);
#endif
