/*
 * Event channels across CPUs (core/evtchn.c, core/vcpu.c, core/lock.h). Domain A
 * (CPU 0) sends on its port 0, bound to port 0 of domain B (CPU 1). At the same
 * time B either waits for the event (HLT) or closes its port, lets domain C
 * bind the reused port, or is destroyed. Every hypercall and exit runs under
 * the core lock, taken at the VM exit and dropped before the next entry.
 *
 * Checked: a send raises only on the port it was resolved to, still bound back
 * to the sender, of a running domain (never a freed or reused port); and no
 * lost wake-up (a halted B always wakes for a send made while it waited).
 *
 * Broken twins (spin -D...), each removes one rule and must fail:
 *   UNLOCKED_SEND  the send drops the lock between resolving the peer
 *                  (evtchn_peer) and raising (evtchn_raise)
 *   UNLOCKED_HALT  the HLT exit drops the lock between looking for a pending
 *                  event and marking the vCPU blocked
 *   NO_PEER_CLOSE  port_close frees the port without closing the other end
 */
mtype = { FREE, UNBOUND, BOUND, CLOSED };
#define A 0
#define B 1
#define C 2

typedef port_t { mtype st; byte rdom; byte rport };
port_t port[3];       /* port 0 of each domain: enough for one channel and its reuse */
bool running[3];
bit pending[3];       /* port 0's bit in each event page */
bool blocked[3];
bit lock;

inline acquire() { atomic { lock == 0 -> lock = 1 } }
inline release() { lock = 0 }

/* evtchn_raise(r, rport): the port it lands on must be the channel that was resolved. */
inline raise(r, rp, from)
{
	assert(running[r] && port[r].st == BOUND && port[r].rdom == from && port[r].rport == rp);
	pending[r] = 1;
	blocked[r] = false /* and a kick */
}

/* port_close(d): the other end, if bound back to d, becomes CLOSED and is signalled. */
inline port_close(d)
{
	if
	:: port[d].st == BOUND && running[port[d].rdom] ->
		r = port[d].rdom;
		if
#ifndef NO_PEER_CLOSE
		:: port[r].st == BOUND && port[r].rdom == d ->
			port[r].st = CLOSED;
			pending[r] = 1
#endif
		:: else
		fi
	:: else
	fi;
	port[d].st = FREE; port[d].rdom = 0; port[d].rport = 0
}

init
{
	atomic {
		running[A] = true; running[B] = true; running[C] = true;
		port[A].st = BOUND; port[A].rdom = B;
		port[B].st = BOUND; port[B].rdom = A;
		run cpu0(); run cpu1(); run domc()
	}
}

/* A sends once (hc_evtchn_send after evtchn_peer and the access check). */
proctype cpu0()
{
	byte peer, rp;
	acquire();
	if
	:: port[A].st == BOUND && running[port[A].rdom] -> /* evtchn_peer */
		peer = port[A].rdom;
		rp = port[A].rport;
#ifdef UNLOCKED_SEND
		release();
		acquire();
#endif
		raise(peer, rp, A)
	:: else /* -EPIPE, -ENOTCONN */
	fi;
	release()
}

/* B waits for A's event, or closes its port and offers it to C, or is destroyed. */
proctype cpu1()
{
	byte r;
	if
	:: /* HLT with interrupts on: VEXIT_HALT */
		acquire();
		if
		:: pending[B] == 0 ->
#ifdef UNLOCKED_HALT
			release();
			acquire();
#endif
			blocked[B] = true
		:: else
		fi;
		release();
		!blocked[B]; /* not scheduled again until an event unblocks it */
		assert(pending[B] == 1)
	:: /* evtchn_close, then evtchn_alloc of the same port for C */
		acquire();
		port_close(B);
		release();
		acquire();
		port[B].st = UNBOUND; port[B].rdom = C; port[B].rport = 0;
		release()
	:: /* domain_destroy: no longer running, every port closed */
		acquire();
		running[B] = false;
		port_close(B);
		release()
	fi
}

/* C binds B's reused port when B offers it (hc_evtchn_bind). */
proctype domc()
{
	acquire();
	if
	:: port[B].st == UNBOUND && port[B].rdom == C && running[B] ->
		port[C].st = BOUND; port[C].rdom = B; port[C].rport = 0;
		port[B].st = BOUND; port[B].rdom = C; port[B].rport = 0
	:: else
	fi;
	release()
}
