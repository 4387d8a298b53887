/*
 * A client of the network domain (rt/netif.h). It must be named netc-N (N =
 * 0 or 1: the slot net serves it in, which gives its address). Frames go to
 * NETC_PEER, the host-side test peer (tests/devices/netpeer.py), which sends
 * each back with the two addresses swapped. If net goes away (its channel
 * closes: it crashed and is being restarted) the client reconnects to net's
 * next life, posts its receive pages again and sends the frame again whose
 * transmit or echo it had not seen, up to NETC_RETRIES times per frame; an
 * echo of an earlier frame (the wire may carry a frame twice: rt/netif.h) is
 * ignored. Built twice from this file:
 *   netclient.elf   sends NETC_FRAMES frames of 60 to 1514 bytes, type
 *                   NETC_TYPE, payload "netc-N seq SSSSSSSS len LLLL\n" and
 *                   then a pattern of seq and offset, one at a time; checks
 *                   that each comes back whole, and prints
 *                   "netc-N: sent NETC_FRAMES frames, every echo verified"
 *   nethostile.elf  (NETC_HOSTILE) sends malformed requests, each of which
 *                   must get its own error status, posts a read-only receive
 *                   page first, then sends one good frame, whose echo must
 *                   skip that page (-EROFS) and arrive in the next
 *   netbench.elf    (NETC_BENCH_MB=M, as netc-0) the frames of rt/netbench.h for
 *                   bench/net.sh: M MiB of full-size frames, NETBENCH_WINDOW in
 *                   flight, every echo checked in order, between console lines
 *                   "bench: net-echo start M" and "end M", then "bench: net-echo
 *                   verified N frames of L bytes, W in flight"; no reconnection
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/netbench.h>
#include <rt/netif.h>
#include <rt/service.h>
#include <tessera/grant.h>

#ifndef NETC_HOSTILE
#define NETC_HOSTILE 0
#endif
#ifndef NETC_BENCH_MB
#define NETC_BENCH_MB 0
#endif
#define NETC_FRAMES     16u
#define NETC_TYPE       0x88b5 /* IEEE 802 local experimental */
#define NETC_PEER       { 0x02, 0x54, 0x53, 0x00, 0x00, 0xfe }
#define NETC_RX_PAGES   (NETC_BENCH_MB ? NETBENCH_WINDOW : 4u) /* one per frame in flight */
#define NETC_WAIT       400000u /* yields before a response counts as lost */
#define NETC_FIND_TRIES 1000u
#define NETC_PROBE      1024u /* polls between checks that net is still there */
#define NETC_RETRIES    4u

static struct rt_ring_page tx_page __attribute__((aligned(4096)));
static struct rt_ring_page rx_page __attribute__((aligned(4096)));
static uint8_t frame[4096] __attribute__((aligned(4096)));
static uint8_t rx_pages[NETC_RX_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static long rx_refs[NETC_RX_PAGES], frame_ref = -1, ro_ref = -1, tx_ref = -1, rx_ref = -1;
static long net_id = -1, port = -1;
static unsigned connects;
static struct tessera_self_info si;
static struct rt_ring tx, rx;
static uint8_t mac[NETIF_ETH_ALEN];
static uint64_t next_id = 1;
static int ro_refused; /* hostile: the read-only receive page came back with -EROFS */

/* Publish what was queued on r and tell net; -EPIPE if net has gone. */
static long push(struct rt_ring *r)
{
	rt_ring_req_push(r);
	return tessera_evtchn_send((uint64_t)port) == -TESSERA_EPIPE ? -TESSERA_EPIPE : 0;
}

/*
 * The next response on r; net polls, so we poll too, for a bounded time. A
 * signal with no response, and every NETC_PROBE polls, we check that net is
 * still there (the close of its end is a signal, but it may have been taken
 * while waiting on the other ring): -EPIPE if it is not.
 */
static long wait(struct rt_ring *r, struct netif_response *rs)
{
	struct rt_msg m;
	for (unsigned n = 0; !rt_ring_rsp_get(r, &m); n++) {
		if (n == NETC_WAIT)
			return -TESSERA_EBUSY;
		if (rt_event_poll((uint32_t)port) || n % NETC_PROBE == NETC_PROBE - 1) {
			if (rt_ring_rsp_get(r, &m))
				break;
			if (tessera_evtchn_send((uint64_t)port) == -TESSERA_EPIPE)
				return -TESSERA_EPIPE;
		}
		tessera_yield();
	}
	*rs = netif_msg_rsp(&m);
	return 0;
}

static long post_rx(uint64_t id, uint64_t gref)
{
	struct netif_rx_request rq = { id, gref };
	struct rt_msg m = netif_rx_msg(&rq);
	rt_ring_req_put(&rx, &m);
	return push(&rx);
}

/* One frame from our frame page: the transmit response's status. */
static long send(uint64_t gref, uint64_t len)
{
	struct netif_tx_request rq = { next_id++, gref, len };
	struct netif_response rs;
	struct rt_msg m = netif_tx_msg(&rq);
	long rc;
	rt_ring_req_put(&tx, &m);
	if ((rc = push(&tx)) < 0 || (rc = wait(&tx, &rs)) < 0)
		return rc;
	return rs.id == rq.id ? rs.status : -TESSERA_EINVAL;
}

/* Frame seq: to the peer, from src, with a payload only it has. */
static void build(uint32_t seq, uint32_t len, const uint8_t *src)
{
	static const char hex[] = "0123456789abcdef";
	static const uint32_t dec[] = { 1000, 100, 10, 1 };
	const uint8_t peer[] = NETC_PEER;
	uint8_t *p = frame + 14;
	memcpy(frame, peer, NETIF_ETH_ALEN);
	memcpy(frame + 6, src, NETIF_ETH_ALEN);
	frame[12] = NETC_TYPE >> 8;
	frame[13] = NETC_TYPE & 0xff;
	memcpy(p, si.name, 6);
	memcpy(p + 6, " seq ", 5);
	for (unsigned k = 0; k < 8; k++)
		p[11 + k] = (uint8_t)hex[seq >> (28 - 4 * k) & 0xf];
	memcpy(p + 19, " len ", 5);
	for (unsigned k = 0; k < 4; k++)
		p[24 + k] = (uint8_t)('0' + len / dec[k] % 10);
	p[28] = '\n';
	for (uint32_t k = 14 + 29; k < len; k++)
		frame[k] = (uint8_t)(seq * 31 + k);
}

/* The echo of the frame just sent: addresses swapped, everything else the same. */
static int echoed(long status, const uint8_t *got, uint32_t len)
{
	if (status != (long)len)
		return 0;
	for (uint32_t k = 0; k < len; k++) {
		uint8_t want = k < 6 ? frame[k + 6] : k < 12 ? frame[k - 6] : frame[k];
		if (got[k] != want)
			return 0;
	}
	return 1;
}

/* An echo of an earlier frame of ours (sent twice around a reconnection): its seq, or -1. */
static long earlier(long status, const uint8_t *got, uint32_t seq)
{
	uint32_t s = 0;
	if (status < 14 + 19 || rt_strncmp((const char *)got + 14, si.name, 6) ||
	    rt_strncmp((const char *)got + 20, " seq ", 5))
		return -1;
	for (unsigned k = 0; k < 8; k++) {
		uint8_t h = got[25 + k];
		if (h >= '0' && h <= '9')
			s = s << 4 | (uint32_t)(h - '0');
		else if (h >= 'a' && h <= 'f')
			s = s << 4 | (uint32_t)(h - 'a' + 10);
		else
			return -1;
	}
	return s < seq ? (long)s : -1;
}

static long reconnect(void);

/* Net went away while frame seq was on its way: back to its next life, or 1. */
static int again(uint32_t seq, unsigned *tries)
{
	long old = net_id, rc;
	if ((*tries)++ == NETC_RETRIES || (rc = reconnect()) < 0) {
		rt_printf("%s: net went away and cannot be reached again\n", si.name);
		return 1;
	}
	rt_printf("%s: net went away (id %ld); reconnected to id %ld, sending frame %u again\n",
		  si.name, old, net_id, seq);
	return 0;
}

/* Send frame seq and check its echo; the page it came in is posted again. */
static int round_trip(uint32_t seq, uint32_t len)
{
	struct netif_response rs;
	unsigned tries = 0;
	long rc, dup;
	build(seq, len, mac);
resend:
	if ((rc = send((uint64_t)frame_ref, len)) == -TESSERA_EPIPE && !again(seq, &tries))
		goto resend;
	if (rc != 0) {
		rt_printf("%s: frame %u (%u bytes): send %ld\n", si.name, seq, len, rc);
		return 1;
	}
	for (;;) {
		if ((rc = wait(&rx, &rs)) == -TESSERA_EPIPE && !again(seq, &tries))
			goto resend;
		if (rc < 0) {
			rt_printf("%s: frame %u (%u bytes): no echo (%ld)\n", si.name, seq, len, rc);
			return 1;
		}
		if (NETC_HOSTILE && rs.id == NETC_RX_PAGES) {
			ro_refused = rs.status == -TESSERA_EROFS; /* the read-only page, answered first */
			rt_printf("%s: read-only receive page: %ld (%s)\n", si.name, (long)rs.status,
				  ro_refused ? "expected" : "WRONG");
			continue;
		}
		if (rs.id >= NETC_RX_PAGES ||
		    (dup = earlier(rs.status, rx_pages[rs.id], seq)) < 0)
			break;
		rt_printf("%s: a second echo of frame %ld, ignored\n", si.name, dup);
		memset(rx_pages[rs.id], 0, sizeof(rx_pages[0]));
		if (post_rx(rs.id, (uint64_t)rx_refs[rs.id]) == -TESSERA_EPIPE) {
			if (again(seq, &tries))
				return 1;
			goto resend;
		}
	}
	if (rs.id >= NETC_RX_PAGES || !echoed(rs.status, rx_pages[rs.id], len)) {
		rt_printf("%s: frame %u (%u bytes): echo WRONG (page %lu, status %ld)\n", si.name, seq,
			  len, (unsigned long)rs.id, (long)rs.status);
		return 1;
	}
	memset(rx_pages[rs.id], 0, sizeof(rx_pages[0]));
	/* net gone now: the next send finds out, and reconnecting posts every page again */
	post_rx(rs.id, (uint64_t)rx_refs[rs.id]);
	return 0;
}

static int good(void)
{
	for (uint32_t seq = 0; seq < NETC_FRAMES; seq++) {
		uint32_t len = seq + 1 == NETC_FRAMES ? NETIF_MAX_FRAME : 60 + seq * 97;
		if (round_trip(seq, len))
			return 1;
	}
	rt_printf("%s: sent %u frames, every echo verified\n", si.name, NETC_FRAMES);
	return 0;
}

/*
 * bench/net.sh: the frames of rt/netbench.h, the same loop as net/direct.c. The
 * frame page holds one frame, so a send waits for its transmit response; each
 * echo's page is posted again before the next send, so every frame in flight
 * has a page waiting for it (net drops a frame that finds none).
 */
static int bench(void)
{
	uint32_t frames = NETBENCH_FRAMES(NETC_BENCH_MB), sent = 0, got = 0;
	struct netif_response rs;
	long rc;
	rt_printf("bench: net-echo start %u\n", NETC_BENCH_MB);
	while (got < frames) {
		if (sent < frames && sent - got < NETBENCH_WINDOW) {
			netbench_build(frame, sent, mac);
			if ((rc = send((uint64_t)frame_ref, NETBENCH_LEN)) != 0) {
				rt_printf("%s: frame %u: send %ld\n", si.name, sent, rc);
				return 1;
			}
			sent++;
			continue;
		}
		if ((rc = wait(&rx, &rs)) < 0) {
			rt_printf("%s: frame %u: no echo (%ld)\n", si.name, got, rc);
			return 1;
		}
		if (rs.id >= NETC_RX_PAGES ||
		    !netbench_echoed(rx_pages[rs.id], (uint64_t)rs.status, got, mac)) {
			rt_printf("%s: frame %u: echo WRONG (page %lu, status %ld)\n", si.name, got,
				  (unsigned long)rs.id, (long)rs.status);
			return 1;
		}
		got++;
		if ((rc = post_rx(rs.id, (uint64_t)rx_refs[rs.id])) < 0) {
			rt_printf("%s: frame %u: posting its page again: %ld\n", si.name, got, rc);
			return 1;
		}
	}
	rt_printf("bench: net-echo end %u\n", NETC_BENCH_MB);
	rt_printf("bench: net-echo verified %u frames of %u bytes, %u in flight\n", frames,
		  NETBENCH_LEN, NETBENCH_WINDOW);
	return 0;
}

/* One malformed request: it must come back with exactly the status expected. */
static int expect(const char *what, long want, uint64_t gref, uint64_t len)
{
	long rc = send(gref, len);
	rt_printf("%s: %s: %ld (%s)\n", si.name, what, rc, rc == want ? "expected" : "WRONG");
	return rc != want;
}

static int hostile(void)
{
	const uint8_t other[] = NETIF_CLIENT_MAC(0);
	uint64_t g = (uint64_t)frame_ref;
	int bad = 0;
	build(0, 1514, mac);
	bad += expect("oversize frame (1515)", -NETIF_EMSGSIZE, g, 1515);
	bad += expect("oversize frame (2^63)", -NETIF_EMSGSIZE, g, 1ULL << 63);
	bad += expect("zero-length frame", -TESSERA_EINVAL, g, 0);
	bad += expect("frame shorter than a header", -TESSERA_EINVAL, g, 13);
	bad += expect("grant never offered", -TESSERA_ESTALE, 0x10000 + 60, 60);
	bad += expect("grant index out of range", -TESSERA_EINVAL, 0xffffffffULL, 60);
	build(0, 60, other);
	memcpy(frame + 14, "SPOOF!", 6);
	bad += expect("another client's source address", -TESSERA_EPERM, g, 60);
	if (bad || round_trip(1, 1000) || !ro_refused) {
		rt_printf("%s: hostile run FAILED\n", si.name);
		return 1;
	}
	rt_printf("%s: every malformed request refused, then a good frame sent and echoed\n", si.name);
	return 0;
}

/* Drop what the last connection left: net is gone, so nothing maps our grants now. */
static void disconnect(void)
{
	long *refs[] = { &ro_ref, &frame_ref, &rx_ref, &tx_ref };
	for (unsigned k = 0; k < NETC_RX_PAGES; k++)
		rt_svc_end(&rx_refs[k]);
	for (unsigned k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
		rt_svc_end(refs[k]);
	rt_svc_close(&port);
}

/*
 * The bootstrap of rt/netif.h, for the first connection and every later one:
 * rings (grant indexes 0 and 1), channel, pages; receive pages posted before
 * sending. 0, or an error (-EINVAL: the grants or the port are not as expected).
 */
static long reconnect(void)
{
	long id;
	if (connects == NETIF_RING_GENS)
		return -TESSERA_ENOSPC;
	if ((id = rt_svc_find(NETIF_SERVER, NETC_FIND_TRIES)) < 0)
		return id;
	disconnect();
	net_id = id;
	connects++;
	rt_ring_init_front(&tx, &tx_page);
	rt_ring_init_front(&rx, &rx_page);
	tx_ref = rt_svc_offer(net_id, &tx_page, 0);
	rx_ref = rt_svc_offer(net_id, &rx_page, 0);
	port = tessera_evtchn_alloc((uint64_t)net_id);
	/* Net only reads what we send: the frame page is granted read-only. */
	frame_ref = rt_svc_offer(net_id, frame, TESSERA_GRANT_READONLY);
	if (tx_ref < 0 || NETIF_REF_INDEX(tx_ref) != NETIF_TX_RING_INDEX || rx_ref < 0 ||
	    NETIF_REF_INDEX(rx_ref) != NETIF_RX_RING_INDEX ||
	    NETIF_REF_GEN(rx_ref) != NETIF_REF_GEN(tx_ref) || port != NETIF_PORT || frame_ref < 0)
		return -TESSERA_EINVAL;
	if (NETC_HOSTILE) { /* posted first: the first frame for us must skip it */
		ro_ref = rt_svc_offer(net_id, ro_page, TESSERA_GRANT_READONLY);
		if (ro_ref < 0 || post_rx(NETC_RX_PAGES, (uint64_t)ro_ref) == -TESSERA_EPIPE)
			return ro_ref < 0 ? -TESSERA_EINVAL : -TESSERA_EPIPE;
	}
	for (unsigned k = 0; k < NETC_RX_PAGES; k++) {
		memset(rx_pages[k], 0, sizeof(rx_pages[k]));
		rx_refs[k] = rt_svc_offer(net_id, rx_pages[k], 0);
		if (rx_refs[k] < 0)
			return -TESSERA_EINVAL;
		if (post_rx(k, (uint64_t)rx_refs[k]) == -TESSERA_EPIPE)
			return -TESSERA_EPIPE;
	}
	return 0;
}

int main(void);
int main(void)
{
	if (tessera_self_info(RT_GPA(&si)) < 0 || rt_events_init() < 0)
		return 100;
	if (rt_svc_slot(si.name, NETIF_CLIENT_NAME, NETIF_CLIENTS) < 0) {
		rt_printf("%s: a network client must be named netc-0 .. netc-%u\n", si.name,
			  NETIF_CLIENTS - 1);
		return 2;
	}
	const uint8_t m[] = NETIF_CLIENT_MAC(si.name[5] - '0');
	memcpy(mac, m, sizeof(mac));
	long rc = reconnect();
	if (rc < 0 && rc != -TESSERA_EINVAL && rc != -TESSERA_EPIPE) {
		rt_printf("%s: no network domain (%ld)\n", si.name, rc);
		return 4;
	}
	if (rc < 0) {
		rt_printf("%s: setup failed\n", si.name);
		return 3;
	}
	if (NETC_BENCH_MB)
		return bench();
	return NETC_HOSTILE ? hostile() : good();
}
