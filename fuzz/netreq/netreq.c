/*
 * The network domain's transmit checks, without the device: a hostile client's
 * ring page (the input after one byte: the client's slot) taken request by
 * request (driver-domains/lib/ring.c); each request's length is checked
 * (driver-domains/net/frame.c), and a frame from the rest of the page (the
 * request's gref picks where) is checked for its source; received frames are
 * routed by their destination. Each verdict must be what rt/netif.h says.
 */
#include "../../driver-domains/net/frame.h"
#include <rt/ring.h>
#include <tessera/errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t macs[NETIF_CLIENTS][NETIF_ETH_ALEN] = { NETIF_CLIENT_MAC(0),
								     NETIF_CLIENT_MAC(1) };
	const uint8_t *mac;
	uint8_t *page;
	struct rt_ring ring;
	struct rt_msg m;
	if (size < 1)
		return 0;
	mac = macs[data[0] % NETIF_CLIENTS];
	page = calloc(1, 4096);
	if (!page)
		abort();
	memcpy(page, data + 1, size - 1 < 4096 ? size - 1 : 4096);
	rt_ring_init_back(&ring, (struct rt_ring_page *)page);
	for (unsigned n = 0; n < RT_RING_SLOTS && rt_ring_req_get(&ring, &m); n++) {
		struct netif_tx_request rq = netif_msg_tx(&m);
		long rc = net_tx_len_check(rq.len);
		const uint8_t *f = page + (rq.gref % (4096 - NETIF_MIN_FRAME + 1));
		int own = !memcmp(f + NETIF_ETH_ALEN, mac, NETIF_ETH_ALEN);
		if ((rc == 0) != (rq.len >= NETIF_MIN_FRAME && rq.len <= NETIF_MAX_FRAME) ||
		    (rc && rc != -NETIF_EMSGSIZE && rc != -TESSERA_EINVAL))
			abort();
		if (net_frame_from(f, mac) != own)
			abort();
		if (net_frame_for(f, mac) != ((f[0] & 1) || !memcmp(f, mac, NETIF_ETH_ALEN)))
			abort();
	}
	free(page);
	return 0;
}
