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

/* Tell the server; if its end is gone, connect to the one made again, if any. */
static void kick(void)
{
	if (tessera_evtchn_send((uint64_t)port) != -TESSERA_EPIPE)
		return;
	disconnect();
	rt_console_connect(); /* the new server goes on from cons: nothing is lost */
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
