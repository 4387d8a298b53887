/*
 * The frames bench/net.sh moves, the same through the network domain
 * (netbench.elf, netclient.c) and on the device directly (netdirect.elf,
 * net/direct.c): NETBENCH_FRAMES(M) frames of NETBENCH_LEN bytes (at least M
 * MiB), to the bench's echo peer from client slot 0's address, type
 * NETBENCH_TYPE, with a payload only frame `seq` has: seq's low 16 bits, then
 * 64-bit words (seq << 32 | word index), then seq's low 16 bits again. The peer
 * sends each back with the two addresses swapped; the sender checks every byte
 * of every echo, in order. At most NETBENCH_WINDOW frames are in flight (sent,
 * echo not yet seen): one in flight would measure the peer's wake-up latency.
 */
#ifndef RT_NETBENCH_H
#define RT_NETBENCH_H
#include <stdint.h>
#include <rt/netif.h>

#define NETBENCH_LEN    NETIF_MAX_FRAME
#define NETBENCH_TYPE   0x88b5 /* what tests/devices/netpeer.py echoes too */
#define NETBENCH_PEER   { 0x02, 0x54, 0x53, 0x00, 0x00, 0xfe }
#define NETBENCH_WINDOW 8u
#define NETBENCH_FRAMES(mb) \
	((uint32_t)(((uint64_t)(mb) * 1048576u + NETBENCH_LEN - 1) / NETBENCH_LEN))
#define NETBENCH_WORDS  ((NETBENCH_LEN - 16) / 8)

/* Frames sit anywhere in a buffer; the words are read and written through this type. */
typedef uint64_t netbench_word __attribute__((may_alias, aligned(1)));

static inline void netbench_build(uint8_t *f, uint32_t seq, const uint8_t src[NETIF_ETH_ALEN])
{
	const uint8_t peer[] = NETBENCH_PEER;
	netbench_word *w = (netbench_word *)(f + 16);
	for (unsigned k = 0; k < NETIF_ETH_ALEN; k++) {
		f[k] = peer[k];
		f[NETIF_ETH_ALEN + k] = src[k];
	}
	f[12] = NETBENCH_TYPE >> 8;
	f[13] = NETBENCH_TYPE & 0xff;
	f[14] = f[NETBENCH_LEN - 2] = (uint8_t)(seq >> 8);
	f[15] = f[NETBENCH_LEN - 1] = (uint8_t)seq;
	for (uint32_t k = 0; k < NETBENCH_WORDS; k++)
		w[k] = (uint64_t)seq << 32 | k;
}

/* 1 if the len bytes at f are the echo of frame seq that `src` sent. */
static inline int netbench_echoed(const uint8_t *f, uint64_t len, uint32_t seq,
				  const uint8_t src[NETIF_ETH_ALEN])
{
	const uint8_t peer[] = NETBENCH_PEER;
	const netbench_word *w = (const netbench_word *)(f + 16);
	unsigned d = 0;
	uint64_t dw = 0;
	if (len != NETBENCH_LEN)
		return 0;
	for (unsigned k = 0; k < NETIF_ETH_ALEN; k++)
		d |= (unsigned)(f[k] ^ src[k]) | (unsigned)(f[NETIF_ETH_ALEN + k] ^ peer[k]);
	d |= (unsigned)(f[12] ^ (NETBENCH_TYPE >> 8)) | (unsigned)(f[13] ^ (NETBENCH_TYPE & 0xff));
	d |= (unsigned)(f[14] ^ (uint8_t)(seq >> 8)) | (unsigned)(f[15] ^ (uint8_t)seq);
	d |= (unsigned)(f[NETBENCH_LEN - 2] ^ (uint8_t)(seq >> 8)) |
	     (unsigned)(f[NETBENCH_LEN - 1] ^ (uint8_t)seq);
	for (uint32_t k = 0; k < NETBENCH_WORDS; k++)
		dw |= w[k] ^ ((uint64_t)seq << 32 | k);
	return d == 0 && dw == 0;
}
#endif
