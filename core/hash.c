/*
 * SHA-1, SHA-256, SHA-384 and SHA-512 (FIPS 180-4), written for reading, not speed.
 * SHA-256's constants are the high halves of SHA-512's (both are the fractional
 * parts of the same roots of primes), so only the 64-bit tables are spelled out.
 */
#include <core/hash.h>
#include <core/lib.h>
#include <tessera/tcg.h>

static const uint64_t k512[80] = {
	0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
	0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
	0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
	0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
	0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
	0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
	0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
	0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
	0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
	0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
	0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
	0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
	0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
	0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
	0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
	0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
	0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
	0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
	0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
	0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

/* Initial values: SHA-512's (SHA-256 takes their high halves), SHA-384's, SHA-1's. */
static const uint64_t iv512[8] = {
	0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
	0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};
static const uint64_t iv384[8] = {
	0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull, 0x152fecd8f70e5939ull,
	0x67332667ffc00b31ull, 0x8eb44a8768581511ull, 0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
};
static const uint32_t iv1[5] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u };

static const uint8_t digest_size[HASH_ALGS] = { TCG_SHA1_SIZE, TCG_SHA256_SIZE, TCG_SHA384_SIZE,
						  TCG_SHA512_SIZE };
static const uint16_t tpm_alg[HASH_ALGS] = { TCG_ALG_SHA1, TCG_ALG_SHA256, TCG_ALG_SHA384,
					     TCG_ALG_SHA512 };

static bool alg_ok(enum hash_alg a)
{
	return (unsigned)a < HASH_ALGS;
}

static size_t block_size(enum hash_alg a)
{
	return a == HASH_SHA384 || a == HASH_SHA512 ? 128 : 64;
}

static uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint64_t ror64(uint64_t x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

static uint64_t be_load(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static void sha1_block(uint32_t h[5], const uint8_t *b)
{
	uint32_t w[80], v[5];
	for (unsigned t = 0; t < 80; t++)
		w[t] = t < 16 ? (uint32_t)be_load(b + 4 * t, 4)
			      : ror32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 31);
	memcpy(v, h, sizeof(v));
	for (unsigned t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (v[1] & v[2]) | (~v[1] & v[3]);
			k = 0x5a827999u;
		} else if (t < 40) {
			f = v[1] ^ v[2] ^ v[3];
			k = 0x6ed9eba1u;
		} else if (t < 60) {
			f = (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]);
			k = 0x8f1bbcdcu;
		} else {
			f = v[1] ^ v[2] ^ v[3];
			k = 0xca62c1d6u;
		}
		uint32_t tmp = ror32(v[0], 27) + f + v[4] + k + w[t];
		v[4] = v[3];
		v[3] = v[2];
		v[2] = ror32(v[1], 2);
		v[1] = v[0];
		v[0] = tmp;
	}
	for (unsigned i = 0; i < 5; i++)
		h[i] += v[i];
}

static void sha256_block(uint32_t h[8], const uint8_t *b)
{
	uint32_t w[64], v[8];
	for (unsigned t = 0; t < 64; t++) {
		if (t < 16) {
			w[t] = (uint32_t)be_load(b + 4 * t, 4);
			continue;
		}
		uint32_t s0 = ror32(w[t - 15], 7) ^ ror32(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror32(w[t - 2], 17) ^ ror32(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (unsigned t = 0; t < 64; t++) {
		uint32_t t1 = v[7] + (ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + (uint32_t)(k512[t] >> 32) + w[t];
		uint32_t t2 = (ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		for (unsigned i = 7; i > 0; i--)
			v[i] = v[i - 1];
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (unsigned i = 0; i < 8; i++)
		h[i] += v[i];
}

/* SHA-384 and SHA-512 share it: they differ only in initial value and output length. */
static void sha512_block(uint64_t h[8], const uint8_t *b)
{
	uint64_t w[80], v[8];
	for (unsigned t = 0; t < 80; t++) {
		if (t < 16) {
			w[t] = be_load(b + 8 * t, 8);
			continue;
		}
		uint64_t s0 = ror64(w[t - 15], 1) ^ ror64(w[t - 15], 8) ^ (w[t - 15] >> 7);
		uint64_t s1 = ror64(w[t - 2], 19) ^ ror64(w[t - 2], 61) ^ (w[t - 2] >> 6);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (unsigned t = 0; t < 80; t++) {
		uint64_t t1 = v[7] + (ror64(v[4], 14) ^ ror64(v[4], 18) ^ ror64(v[4], 41)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + k512[t] + w[t];
		uint64_t t2 = (ror64(v[0], 28) ^ ror64(v[0], 34) ^ ror64(v[0], 39)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		for (unsigned i = 7; i > 0; i--)
			v[i] = v[i - 1];
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (unsigned i = 0; i < 8; i++)
		h[i] += v[i];
}

static void compress(struct hash_ctx *c, const uint8_t *b)
{
	if (c->alg == HASH_SHA1)
		sha1_block(c->h.w32, b);
	else if (c->alg == HASH_SHA256)
		sha256_block(c->h.w32, b);
	else
		sha512_block(c->h.w64, b);
}

/* An unknown algorithm hashes nothing and yields hash_size() == 0 bytes. */
void hash_init(struct hash_ctx *c, enum hash_alg a)
{
	memset(c, 0, sizeof(*c));
	c->alg = a;
	for (unsigned i = 0; i < 8; i++) {
		if (a == HASH_SHA1 && i < 5)
			c->h.w32[i] = iv1[i];
		else if (a == HASH_SHA256)
			c->h.w32[i] = (uint32_t)(iv512[i] >> 32);
		else if (a == HASH_SHA384)
			c->h.w64[i] = iv384[i];
		else if (a == HASH_SHA512)
			c->h.w64[i] = iv512[i];
	}
}

void hash_update(struct hash_ctx *c, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t bs = block_size(c->alg), fill = (size_t)(c->len % bs);

	if (!alg_ok(c->alg) || !n)
		return;
	c->len += n;
	if (fill) {
		size_t k = n < bs - fill ? n : bs - fill;
		memcpy(c->block + fill, s, k);
		s += k;
		n -= k;
		if (fill + k < bs)
			return;
		compress(c, c->block);
	}
	for (; n >= bs; s += bs, n -= bs)
		compress(c, s);
	memcpy(c->block, s, n);
}

void hash_final(struct hash_ctx *c, uint8_t out[HASH_MAX_SIZE])
{
	size_t bs = block_size(c->alg), fill = (size_t)(c->len % bs);
	size_t n = hash_size(c->alg);

	memset(out, 0, HASH_MAX_SIZE);
	if (!alg_ok(c->alg))
		return;
	/* 0x80, zeros, then the length in bits, big-endian (128 bits for the 128-byte
	 * block algorithms; the high half is what the byte count's top bits shift into). */
	c->block[fill++] = 0x80;
	if (fill > bs - bs / 8) {
		memset(c->block + fill, 0, bs - fill);
		compress(c, c->block);
		fill = 0;
	}
	memset(c->block + fill, 0, bs - fill);
	for (unsigned i = 0; i < 8; i++) {
		c->block[bs - 1 - i] = (uint8_t)((c->len << 3) >> (8 * i));
		if (bs == 128)
			c->block[bs - 9 - i] = (uint8_t)((c->len >> 61) >> (8 * i));
	}
	compress(c, c->block);
	for (size_t i = 0; i < n; i++) {
		if (bs == 64)
			out[i] = (uint8_t)(c->h.w32[i / 4] >> (24 - 8 * (i % 4)));
		else
			out[i] = (uint8_t)(c->h.w64[i / 8] >> (56 - 8 * (i % 8)));
	}
}

void hash_buf(enum hash_alg a, const void *p, size_t n, uint8_t out[HASH_MAX_SIZE])
{
	struct hash_ctx c;
	hash_init(&c, a);
	hash_update(&c, p, n);
	hash_final(&c, out);
}

size_t hash_size(enum hash_alg a)
{
	return alg_ok(a) ? digest_size[a] : 0;
}

uint16_t hash_tpm_alg(enum hash_alg a)
{
	return alg_ok(a) ? tpm_alg[a] : 0;
}

int hash_from_tpm_alg(uint16_t id)
{
	for (int a = 0; a < HASH_ALGS; a++)
		if (tpm_alg[a] == id)
			return a;
	return -1;
}

void hash_all(uint32_t banks, const void *p, size_t n, struct hash_digests *out)
{
	memset(out, 0, sizeof(*out));
	out->banks = banks & HASH_ALL_BANKS;
	for (unsigned a = 0; a < HASH_ALGS; a++)
		if (out->banks & (1u << a))
			hash_buf((enum hash_alg)a, p, n, out->d[a]);
}
