/*
 * A domain's console output: through the console domain's ring once
 * rt_console_connect has set it up (rt/consif.h), else, and whenever the ring
 * cannot take it, through the core's console_write.
 */
#include <rt/consif.h>
#include <rt/console.h>
#include <rt/hcall.h>
#include <rt/service.h>

/* Yields to wait for room before a write goes to the core instead. */
#define CONS_WAIT_TRIES 2000u

static struct consif_ring ring __attribute__((aligned(4096)));
static long srv = -1, ref = -1, port = -1;

static void core_write(const char *s, size_t n)
{
	while (n) {
		size_t chunk = n > TESSERA_CONSOLE_MAX ? TESSERA_CONSOLE_MAX : n;
		tessera_console_write(RT_GPA(s), chunk);
		s += chunk;
		n -= chunk;
	}
}

static void disconnect(void)
{
	rt_svc_close(&port);
	rt_svc_end(&ref);
	srv = -1;
}

long rt_console_connect(void)
{
	long rc, id = rt_svc_lookup(CONSIF_SERVER);
	if (id < 0)
		return id;
	ref = rt_svc_offer(id, &ring, 0);
	port = tessera_evtchn_alloc((uint64_t)id);
	if (ref < 0 || port < 0) {
		rc = ref < 0 ? ref : port;
		goto fail;
	}
	rc = tessera_console_publish((uint64_t)ref, (uint64_t)port);
	if (rc < 0)
		goto fail;
	srv = id;
	return 0;
fail:
	disconnect();
	return rc;
}

/* Bytes the server has not taken: to the core, in order, so none is lost. */
static void drain_to_core(void)
{
	uint32_t cons = __atomic_load_n(&ring.cons, __ATOMIC_ACQUIRE), prod = ring.prod;
	char c;
	if (prod - cons > CONSIF_BUF_SIZE) /* the page is ours: only a broken server does this */
		cons = prod - CONSIF_BUF_SIZE;
	for (; cons != prod; cons++) {
		c = ring.buf[cons % CONSIF_BUF_SIZE];
		core_write(&c, 1);
	}
	__atomic_store_n(&ring.cons, cons, __ATOMIC_RELEASE);
}

/*
 * Tell the server. If it is gone (its end closed, or it never bound and the name
 * no longer names it), connect to the one made again, which goes on from cons;
 * with none, what it had not taken goes to the core.
 */
static void kick(void)
{
	long rc = tessera_evtchn_send((uint64_t)port);
	if (rc != -TESSERA_EPIPE && (rc != -TESSERA_ENOTCONN || rt_svc_lookup(CONSIF_SERVER) == srv))
		return;
	disconnect();
	if (rt_console_connect() < 0)
		drain_to_core();
}

static uint32_t used(void)
{
	return __atomic_load_n(&ring.prod, __ATOMIC_RELAXED) - __atomic_load_n(&ring.cons, __ATOMIC_ACQUIRE);
}

void rt_console_out(const char *s, size_t n)
{
	uint32_t prod;
	for (size_t i = 0; i < n; i++) {
		for (unsigned t = 0; srv >= 0 && used() >= CONSIF_BUF_SIZE; t++) {
			if (t == CONS_WAIT_TRIES) { /* the server does not take it: the core will */
				core_write(s + i, n - i);
				return;
			}
			kick();
			tessera_yield();
		}
		if (srv < 0) {
			core_write(s + i, n - i);
			return;
		}
		prod = ring.prod;
		ring.buf[prod % CONSIF_BUF_SIZE] = s[i];
		__atomic_store_n(&ring.prod, prod + 1, __ATOMIC_RELEASE);
	}
	if (srv >= 0)
		kick();
}

void rt_console_flush(void)
{
	for (unsigned t = 0; srv >= 0 && used() && t < CONS_WAIT_TRIES; t++) {
		kick();
		tessera_yield();
	}
}
