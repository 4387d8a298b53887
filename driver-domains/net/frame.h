/* The network domain's frame checks (pure: fuzz/netreq calls them on the host too). */
#ifndef NET_FRAME_H
#define NET_FRAME_H
#include <rt/netif.h>

/* 0 if a client may send a frame of len bytes, else the status its response gets. */
long net_tx_len_check(uint64_t len);
/* Is a frame's source address mac (a client sends only as itself)? */
int net_frame_from(const uint8_t *frame, const uint8_t mac[NETIF_ETH_ALEN]);
/* Is a received frame for the client with address mac (its own, or a group address)? */
int net_frame_for(const uint8_t *frame, const uint8_t mac[NETIF_ETH_ALEN]);
#endif
