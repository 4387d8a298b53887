/*
 * A console client that breaks the ring (tests/qemu/run.sh, console tests): it
 * sets up its ring as rt/consif.h says, has one line printed, then claims far
 * more bytes than the ring holds. The console domain must drop it, and serve
 * its other clients on.
 */
#include <rt/consif.h>
#include <rt/console.h>
#include <rt/hcall.h>
#include <rt/service.h>

static struct consif_ring ring __attribute__((aligned(4096)));

static void put(const char *s)
{
	while (*s)
		ring.buf[ring.prod++ % CONSIF_BUF_SIZE] = *s++;
}

int main(void)
{
	long id = rt_svc_find(CONSIF_SERVER, 100), ref, port;
	unsigned t;
	if (id < 0)
		return 1;
	ref = rt_svc_offer(id, &ring, 0);
	port = tessera_evtchn_alloc((uint64_t)id);
	if (ref < 0 || port < 0 || tessera_console_publish((uint64_t)ref, (uint64_t)port) < 0)
		return 2;
	put("hostile: first line\n");
	for (t = 0; t < 1000 && __atomic_load_n(&ring.cons, __ATOMIC_ACQUIRE) != ring.prod; t++) {
		tessera_evtchn_send((uint64_t)port);
		tessera_yield();
	}
	if (t == 1000)
		return 3;
	ring.prod += 100000; /* far beyond the ring */
	tessera_evtchn_send((uint64_t)port);
	/* Dropped: our port is closed from the other end. */
	for (t = 0; t < 1000 && tessera_evtchn_send((uint64_t)port) != -TESSERA_EPIPE; t++)
		tessera_yield();
	rt_printf("hostile: %s\n", t < 1000 ? "dropped by the console domain" : "still connected");
	return 0;
}
