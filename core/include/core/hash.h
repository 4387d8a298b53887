/*
 * SHA-1, SHA-256, SHA-384 and SHA-512 (FIPS 180-4) for the measurements: one
 * incremental interface over the four, and a helper that digests a buffer in every
 * PCR bank at once. Not constant-time: it hashes public data (images, policy).
 */
#ifndef CORE_HASH_H
#define CORE_HASH_H
#include <core/types.h>

enum hash_alg { HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512, HASH_ALGS };
#define HASH_MAX_SIZE 64
#define HASH_ALL_BANKS ((1u << HASH_ALGS) - 1)

struct hash_ctx {
	enum hash_alg alg;
	union {
		uint32_t w32[8]; /* SHA-1 (5 words), SHA-256 */
		uint64_t w64[8]; /* SHA-384, SHA-512 */
	} h;
	uint64_t len; /* bytes so far (FIPS allows 2^64 bits; a boot image is far below) */
	uint8_t block[128];
};

void hash_init(struct hash_ctx *c, enum hash_alg a);
void hash_update(struct hash_ctx *c, const void *p, size_t n);
/* Writes hash_size(alg) bytes of out and zeroes the rest. */
void hash_final(struct hash_ctx *c, uint8_t out[HASH_MAX_SIZE]);
void hash_buf(enum hash_alg a, const void *p, size_t n, uint8_t out[HASH_MAX_SIZE]);
size_t hash_size(enum hash_alg a);     /* 0 for an unknown algorithm */
uint16_t hash_tpm_alg(enum hash_alg a); /* TPM_ALG_ID (tessera/tcg.h), 0 if unknown */
int hash_from_tpm_alg(uint16_t id);     /* enum hash_alg, or -1 */

/* Digests of one buffer in several banks; d[a] is valid if banks has bit a. */
struct hash_digests {
	uint32_t banks; /* bit per enum hash_alg */
	uint8_t d[HASH_ALGS][HASH_MAX_SIZE];
};
void hash_all(uint32_t banks, const void *p, size_t n, struct hash_digests *out);
#endif
