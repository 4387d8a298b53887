/*
 * Ring demo: "ping" sends RINGDEMO_MESSAGES requests to "pong" over a shared
 * ring in a page it grants to pong, with an event channel for notifications,
 * and checks every response. Bootstrapping follows a fixed convention (a
 * real system would use a store): ping's first port (0) and first grant
 * reference (index 0, generation 1) are the ones pong binds and maps.
 * A pong named "pong-crash" dies half-way, to show what ping sees then; a
 * ping named "ping-bench" times hypercalls, round trips and streaming instead.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/ring.h>
#include <tessera/grant.h>

#define RINGDEMO_MESSAGES 100000UL
#define RINGDEMO_PORT 0
#define RINGDEMO_REF  0x10000 /* index 0, generation 1 */
#define CRASH_AFTER   1000UL
#define BENCH_HCALLS     100000UL
#define BENCH_ROUNDTRIPS 20000UL
#define BENCH_STREAM     200000UL

static struct rt_ring_page shared __attribute__((aligned(4096)));
static struct tessera_self_info si;

static uint64_t answer(uint64_t id, uint64_t x)
{
	return (x ^ 0x5a5a5a5a5a5a5a5aULL) * 31 + id;
}

static long lookup(const char *name)
{
	static char buf[TESSERA_NAME_MAX];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, rt_strlen(name));
	return tessera_domain_lookup(RT_GPA(buf));
}

/* The first running domain with one of these names (waits for it to appear). */
static long find(const char *a, const char *b)
{
	for (;;) {
		long id = lookup(a);
		if (id == -TESSERA_ESRCH && b)
			id = lookup(b);
		if (id != -TESSERA_ESRCH)
			return id;
		tessera_yield();
	}
}

/*
 * Send count requests keeping at most window in flight, check every response.
 * Returns the number of checked responses (fewer if pong went away).
 */
static unsigned long exchange(struct rt_ring *r, long port, unsigned long base,
			      unsigned long count, unsigned long window)
{
	struct rt_msg m;
	unsigned long sent = 0, got = 0;
	while (got < count) {
		int progress = 0;
		while (sent < count && sent - got < window && rt_ring_req_space(r)) {
			uint64_t id = base + sent;
			m = (struct rt_msg){ .id = id, .data = { id * 0x9e3779b97f4a7c15ULL } };
			rt_ring_req_put(r, &m);
			sent++;
			progress = 1;
		}
		if (progress && rt_ring_req_push(r) && tessera_evtchn_send((uint64_t)port) == -TESSERA_EPIPE)
			break;
		while (rt_ring_rsp_get(r, &m)) {
			uint64_t id = base + got;
			if (m.id != id || m.data[0] != answer(id, id * 0x9e3779b97f4a7c15ULL)) {
				rt_printf("ping: response %lu is wrong\n", (unsigned long)id);
				return 0;
			}
			got++;
			progress = 1;
		}
		if (!progress) {
			if (tessera_evtchn_send((uint64_t)port) == -TESSERA_EPIPE)
				break; /* pong is gone: its end of the channel closed */
			rt_event_wait(RINGDEMO_PORT);
		}
	}
	return got;
}

/* ping-bench: null hypercalls, event-channel round trips and a streaming ring, timed by the host. */
static int bench(struct rt_ring *r, long port)
{
	rt_printf("bench: hypercall start %lu\n", BENCH_HCALLS);
	for (unsigned long i = 0; i < BENCH_HCALLS; i++)
		tessera_version();
	rt_printf("bench: hypercall end %lu\n", BENCH_HCALLS);
	rt_printf("bench: roundtrip start %lu\n", BENCH_ROUNDTRIPS);
	if (exchange(r, port, 0, BENCH_ROUNDTRIPS, 1) != BENCH_ROUNDTRIPS)
		return 2;
	rt_printf("bench: roundtrip end %lu\n", BENCH_ROUNDTRIPS);
	rt_printf("bench: stream start %lu messages of %u bytes\n", BENCH_STREAM,
		  (unsigned)sizeof(struct rt_msg));
	if (exchange(r, port, BENCH_ROUNDTRIPS, BENCH_STREAM, RT_RING_SLOTS) != BENCH_STREAM)
		return 3;
	rt_printf("bench: stream end %lu\n", BENCH_STREAM);
	return 0;
}

static int ping(int benchmark)
{
	struct rt_ring r;
	long peer = find("pong", "pong-crash"), ref, port;
	unsigned long got;

	rt_ring_init_front(&r, &shared);
	ref = tessera_grant_offer((uint64_t)peer, RT_GPA(&shared) / 4096, 0);
	port = tessera_evtchn_alloc((uint64_t)peer);
	if (ref != RINGDEMO_REF || port != RINGDEMO_PORT) {
		rt_printf("ping: setup failed (ref %ld, port %ld)\n", ref, port);
		return 1;
	}
	if (benchmark)
		return bench(&r, port);
	got = exchange(&r, port, 0, RINGDEMO_MESSAGES, RT_RING_SLOTS);
	if (got < RINGDEMO_MESSAGES) {
		rt_printf("ping: peer closed the channel after %lu checked responses\n", got);
		return 0;
	}
	rt_printf("ping: %lu messages exchanged, every response checked\n", got);
	return 0;
}

static int pong(int crash)
{
	struct rt_ring r;
	struct rt_msg m;
	long peer = find("ping", "ping-bench"), port, addr;
	unsigned long served = 0, total = RINGDEMO_MESSAGES;

	if (peer == lookup("ping-bench"))
		total = BENCH_ROUNDTRIPS + BENCH_STREAM;
	while ((port = tessera_evtchn_bind((uint64_t)peer, RINGDEMO_PORT)) < 0)
		tessera_yield();
	while ((addr = tessera_grant_map((uint64_t)peer, RINGDEMO_REF, 0, TESSERA_GRANT_MAP_WRITE)) < 0)
		tessera_yield();
	rt_ring_init_back(&r, (struct rt_ring_page *)(uintptr_t)addr);
	while (served < total) {
		int progress = 0;
		while (rt_ring_req_get(&r, &m)) {
			m.data[0] = answer(m.id, m.data[0]);
			rt_ring_rsp_put(&r, &m);
			served++;
			progress = 1;
			if (crash && served == CRASH_AFTER) {
				rt_printf("%s: crashing after %lu requests\n", si.name, served);
				*(volatile uint64_t *)(uintptr_t)(si.mem_bytes + 0x1000) = 0;
			}
		}
		if (progress && rt_ring_rsp_push(&r))
			tessera_evtchn_send((uint64_t)port);
		if (!progress)
			rt_event_wait((uint32_t)port);
	}
	tessera_grant_unmap(0);
	rt_printf("%s: served %lu requests\n", si.name, served);
	return 0;
}

int main(void)
{
	long rc;
	if (tessera_self_info(RT_GPA(&si)))
		return 100;
	rt_printf("%s: starting\n", si.name);
	rc = rt_events_init();
	if (rc) {
		rt_printf("%s: event setup failed (%ld)\n", si.name, rc);
		return 101;
	}
	rt_printf("%s: events ready\n", si.name);
	if (!rt_strncmp(si.name, "ping", 4))
		return ping(!rt_strncmp(si.name, "ping-bench", 10));
	return pong(!rt_strncmp(si.name, "pong-crash", 10));
}
