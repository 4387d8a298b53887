/*
 * The shared ring of driver-domains/lib/ring.c (rt/ring.h), as the block and
 * network clients use it (rt/blkif.h): a front end puts requests and waits for
 * responses, a back end takes requests and answers each; each side notifies the
 * other through an event channel only when the other's event index says it may
 * be waiting, and waits with rt_event_wait (a pending bit that stays set).
 *
 * Checked: no request or response slot is overwritten before it was consumed
 * (assertions), and no lost wake-up: both sides always finish (an invalid end
 * state means both sleep with work pending).
 *
 * Broken twins (spin -D...), each removes one rule and must fail:
 *   NO_RECHECK     a consumer that finds the ring empty arms its event index and
 *                  sleeps without looking once more (lost wake-up)
 *   NO_MFENCE      the producer reads the event index before its new producer
 *                  index is visible (the store-load reordering x86 allows without
 *                  rt_mb) (lost wake-up)
 *   NO_SPACE_CHECK the front end queues a request without rt_ring_req_space
 *                  (a request slot overwritten)
 */
#define SLOTS 2          /* RT_RING_SLOTS, scaled down: what matters is NREQ > SLOTS */
#define NREQ  4          /* requests the front end makes */
#define M(x)  ((x) & 255) /* the indexes are free-running unsigned counters */

/* The shared page. */
byte req_prod, rsp_prod;
byte req_event = 1, rsp_event = 1; /* rt_ring_init_front */
/* Each side's private cursors (rt_ring): prod_pvt and cons. */
byte f_prod, f_cons, b_prod, b_cons;
/* Event-channel pending bits: to the back end, to the front end. */
bit ev_back, ev_front;

/* push(): publish new_prod; notify if the other side's event index is in (old, new]. */
inline push(prod, event, new_prod, ev)
{
	old = prod;
#ifdef NO_MFENCE
	if
	:: notify = (M(new_prod - event) < M(new_prod - old)); prod = new_prod
	:: prod = new_prod; notify = (M(new_prod - event) < M(new_prod - old))
	fi;
#else
	prod = new_prod; /* rt_mb(): the index is visible before the event index is read */
	notify = (M(new_prod - event) < M(new_prod - old));
#endif
	if
	:: notify -> ev = 1 /* evtchn_send */
	:: else
	fi
}

/* get(): take one message at cons, or arm the event index and look once more. */
inline get(prod, event, cons, got)
{
	got = 0;
	if
	:: cons != prod -> cons++; got = 1
	:: else ->
		event = M(cons + 1);
#ifndef NO_RECHECK
		if
		:: cons != prod -> cons++; got = 1
		:: else
		fi
#endif
	fi
}

/* rt_event_wait(): sleep until the bit is set, and consume it. */
inline wait(ev)
{
	atomic { ev == 1 -> ev = 0 }
}

active proctype front()
{
	byte old, sent, done;
	bit notify, got;
	do
	:: sent < NREQ &&
#ifndef NO_SPACE_CHECK
	   M(f_prod - f_cons) < SLOTS && /* rt_ring_req_space */
#endif
	   true ->
		assert(M(f_prod - b_cons) < SLOTS); /* the slot's last request was taken */
		f_prod++;
		sent++;
		push(req_prod, req_event, f_prod, ev_back)
	:: done < sent -> /* wait for a response: rt_ring_rsp_get, then rt_event_wait */
		get(rsp_prod, rsp_event, f_cons, got);
		if
		:: got -> done++
		:: else -> wait(ev_front)
		fi
	:: done == NREQ -> break
	od
}

active proctype back()
{
	byte old, answered;
	bit notify, got;
	do
	:: answered < NREQ ->
		get(req_prod, req_event, b_cons, got);
		if
		:: got ->
			assert(M(b_prod - f_cons) < SLOTS); /* the response slot was taken */
			b_prod++;
			answered++;
			push(rsp_prod, rsp_event, b_prod, ev_front)
		:: else -> wait(ev_back)
		fi
	:: answered == NREQ -> break
	od
}
