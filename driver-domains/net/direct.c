/*
 * netdirect.elf, for bench/net.sh: the network domain's device driven by the
 * domain that owns it, with no client, ring or grant in between. It moves the
 * same frames as netbench.elf (netclient.c) does through net (rt/netbench.h):
 * NET_BENCH_MB MiB of full-size frames sent to the echo peer, at most
 * NETBENCH_WINDOW in flight, every echo checked byte for byte and in order,
 * with the same copies net makes (a private page to the transmit buffer, the
 * receive buffer to a private page), between console lines "bench:
 * direct-echo start M" and "end M", then "bench: direct-echo verified N
 * frames of L bytes, W in flight". Run it as domain "net" (it needs net's device). While
 * nothing comes it yields, up to NET_BENCH_POLLS times in a row.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/netbench.h>
#include "vnet.h"

#ifndef NET_BENCH_MB
#define NET_BENCH_MB 4
#endif
#define NET_BENCH_POLLS 400000u

static uint8_t page[4096] __attribute__((aligned(4096)));
static uint8_t rxpage[4096] __attribute__((aligned(4096)));

/* The next echo, copied to rxpage: its length, or 0 after NET_BENCH_POLLS idle yields. */
static uint32_t next_echo(void)
{
	long irq = vnet_irq_port();
	for (uint32_t n = 0; n < NET_BENCH_POLLS; n++) {
		uint32_t len;
		const uint8_t *f;
		if (irq >= 0)
			rt_event_poll((uint32_t)irq); /* the rx queue is looked at below anyway */
		if ((f = vnet_recv(&len))) {
			memcpy(rxpage, f, len);
			vnet_recv_done();
			return len;
		}
		tessera_yield();
	}
	return 0;
}

int main(void);
int main(void)
{
	const uint8_t mac[] = NETIF_CLIENT_MAC(0); /* netbench.elf runs as netc-0 */
	uint32_t frames = NETBENCH_FRAMES(NET_BENCH_MB), sent = 0, got = 0;
	if (rt_events_init() < 0)
		return 100;
	if (vnet_init(0) < 0)
		return 1;
	rt_printf("bench: direct-echo start %u\n", NET_BENCH_MB);
	while (got < frames) {
		long rc;
		uint32_t len;
		if (sent < frames && sent - got < NETBENCH_WINDOW) {
			netbench_build(page, sent, mac);
			memcpy(vnet_tx_frame(), page, NETBENCH_LEN);
			if ((rc = vnet_send(NETBENCH_LEN)) < 0) {
				rt_printf("net: frame %u: send %ld\n", sent, rc);
				return 1;
			}
			sent++;
			continue;
		}
		if (!(len = next_echo())) {
			rt_printf("net: frame %u: no echo\n", got);
			return 1;
		}
		if (!netbench_echoed(rxpage, len, got, mac)) {
			rt_printf("net: frame %u: echo WRONG (%u bytes)\n", got, len);
			return 1;
		}
		got++;
	}
	rt_printf("bench: direct-echo end %u\n", NET_BENCH_MB);
	rt_printf("bench: direct-echo verified %u frames of %u bytes, %u in flight\n", frames,
		  NETBENCH_LEN, NETBENCH_WINDOW);
	return 0;
}
