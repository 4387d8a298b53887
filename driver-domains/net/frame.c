/* The network domain's frame checks: see frame.h. */
#include "frame.h"
#include <tessera/errno.h>

static int same_mac(const uint8_t *a, const uint8_t *b)
{
	unsigned d = 0;
	for (unsigned k = 0; k < NETIF_ETH_ALEN; k++)
		d |= (unsigned)(a[k] ^ b[k]);
	return d == 0;
}

long net_tx_len_check(uint64_t len)
{
#ifdef FUZZ_PLANTED_BUG /* a frame one byte too long (fuzz/planted.sh) */
	if (len > NETIF_MAX_FRAME + 1)
#else
	if (len > NETIF_MAX_FRAME)
#endif
		return -NETIF_EMSGSIZE;
	if (len < NETIF_MIN_FRAME)
		return -TESSERA_EINVAL;
	return 0;
}

int net_frame_from(const uint8_t *frame, const uint8_t mac[NETIF_ETH_ALEN])
{
	return same_mac(frame + NETIF_ETH_ALEN, mac);
}

int net_frame_for(const uint8_t *frame, const uint8_t mac[NETIF_ETH_ALEN])
{
	return (frame[0] & 1) || same_mac(frame, mac);
}
