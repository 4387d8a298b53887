/* Shared rings: see rt/ring.h for the protocol. */
#include <rt/ring.h>

void rt_ring_init_front(struct rt_ring *r, struct rt_ring_page *p)
{
	r->p = p;
	r->prod_pvt = r->cons = 0;
	p->req_prod = p->rsp_prod = 0;
	p->req_event = p->rsp_event = 1;
}

void rt_ring_init_back(struct rt_ring *r, struct rt_ring_page *p)
{
	r->p = p; /* the front end initialised the page */
	r->prod_pvt = r->cons = 0;
}

/* Publish [old, new): notify only if the other side's event index lies in it. */
static int push(volatile uint32_t *prod, volatile uint32_t *event, uint32_t new_prod)
{
	uint32_t old = *prod;
	rt_barrier(); /* messages before the index (x86 keeps stores in order) */
	*prod = new_prod;
	rt_mb();      /* the index before reading the event (store-load) */
	return (uint32_t)(new_prod - *event) < (uint32_t)(new_prod - old);
}

/* Take one message at cons, or arm the event index and look once more. */
static int get(volatile uint32_t *prod, volatile uint32_t *event, uint32_t *cons,
	       const struct rt_msg *slots, struct rt_msg *m)
{
	for (int pass = 0; pass < 2; pass++) {
		if (*cons != *prod) {
			rt_barrier(); /* the index before the message */
			*m = slots[*cons % RT_RING_SLOTS];
			(*cons)++;
			return 1;
		}
		if (pass == 0) {
			*event = *cons + 1;
			rt_mb();
		}
	}
	return 0;
}

int rt_ring_req_space(const struct rt_ring *r)
{
	return r->prod_pvt - r->cons < RT_RING_SLOTS;
}

void rt_ring_req_put(struct rt_ring *r, const struct rt_msg *m)
{
	r->p->req[r->prod_pvt % RT_RING_SLOTS] = *m;
	r->prod_pvt++;
}

int rt_ring_req_push(struct rt_ring *r)
{
	return push(&r->p->req_prod, &r->p->req_event, r->prod_pvt);
}

int rt_ring_rsp_get(struct rt_ring *r, struct rt_msg *m)
{
	return get(&r->p->rsp_prod, &r->p->rsp_event, &r->cons, r->p->rsp, m);
}

int rt_ring_req_get(struct rt_ring *r, struct rt_msg *m)
{
	return get(&r->p->req_prod, &r->p->req_event, &r->cons, r->p->req, m);
}

/* The back end may queue a response for every request it has consumed. */
int rt_ring_rsp_space(const struct rt_ring *r)
{
	return r->prod_pvt != r->cons;
}

void rt_ring_rsp_put(struct rt_ring *r, const struct rt_msg *m)
{
	r->p->rsp[r->prod_pvt % RT_RING_SLOTS] = *m;
	r->prod_pvt++;
}

int rt_ring_rsp_push(struct rt_ring *r)
{
	return push(&r->p->rsp_prod, &r->p->rsp_event, r->prod_pvt);
}
