/* The core's SHA-1/256/384/512 (core/hash.c) against mbedTLS and the FIPS 180 examples. */
#include "test.h"
#include <core/hash.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdio.h>
#include <stdlib.h>
#include <tessera/tcg.h>

static const char *const alg_name[HASH_ALGS] = { "sha1", "sha256", "sha384", "sha512" };

/* The reference digest, zero-padded to HASH_MAX_SIZE like hash_final's. */
static void ref(enum hash_alg a, const uint8_t *p, size_t n, uint8_t out[HASH_MAX_SIZE])
{
	int rc = -1;
	memset(out, 0, HASH_MAX_SIZE);
	if (a == HASH_SHA1)
		rc = mbedtls_sha1_ret(p, n, out);
	else if (a == HASH_SHA256)
		rc = mbedtls_sha256_ret(p, n, out, 0);
	else if (a == HASH_SHA384)
		rc = mbedtls_sha512_ret(p, n, out, 1);
	else if (a == HASH_SHA512)
		rc = mbedtls_sha512_ret(p, n, out, 0);
	CHECK_EQ(rc, 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint8_t *random_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	CHECK(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next_rand();
	return p;
}

static void same_digest(enum hash_alg a, const uint8_t got[HASH_MAX_SIZE],
			const uint8_t want[HASH_MAX_SIZE], size_t len, const char *how)
{
	if (memcmp(got, want, HASH_MAX_SIZE))
		test_fail(__FILE__, __LINE__, "%s of %zu bytes (%s) differs from mbedTLS",
			  alg_name[a], len, how);
}

static void hex_digest(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

#define ABC448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define ABC896                                                                            \
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq" \
	"klmnopqrlmnopqrsmnopqrstnopqrstu"

/* FIPS 180 examples: "", "abc", the 448- and 896-bit messages, a million 'a'. */
static const char *const fips[HASH_ALGS][5] = {
	{ "da39a3ee5e6b4b0d3255bfef95601890afd80709", "a9993e364706816aba3e25717850c26c9cd0d89d",
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "a49b2446a02c645bf419f995b67091253a04a259",
	  "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
	{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
	  "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b",
	  "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
	  "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985" },
	{ "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	  "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
	  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
	  "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
};

TEST(hash_fips_180_examples)
{
	static const char *const msg[4] = { "", "abc", ABC448, ABC896 };
	char a_block[1000];
	memset(a_block, 'a', sizeof(a_block));
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		uint8_t d[HASH_MAX_SIZE];
		char hex[2 * HASH_MAX_SIZE + 1];
		for (unsigned m = 0; m < 4; m++) {
			hash_buf((enum hash_alg)a, msg[m], strlen(msg[m]), d);
			hex_digest(d, hash_size((enum hash_alg)a), hex);
			CHECK_STREQ(hex, fips[a][m]);
		}
		struct hash_ctx c;
		hash_init(&c, (enum hash_alg)a);
		for (unsigned i = 0; i < 1000; i++)
			hash_update(&c, a_block, sizeof(a_block));
		hash_final(&c, d);
		hex_digest(d, hash_size((enum hash_alg)a), hex);
		CHECK_STREQ(hex, fips[a][4]);
	}
}

/* Every length up to a few blocks of either size, cut at every point. */
TEST(hash_matches_mbedtls_short_lengths_every_split)
{
	uint8_t *buf = random_bytes(300);
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		for (size_t n = 0; n <= 300; n++) {
			uint8_t want[HASH_MAX_SIZE], got[HASH_MAX_SIZE];
			ref((enum hash_alg)a, buf, n, want);
			hash_buf((enum hash_alg)a, buf, n, got);
			same_digest((enum hash_alg)a, got, want, n, "hash_buf");
			for (size_t cut = 0; cut <= n; cut++) {
				struct hash_ctx c;
				hash_init(&c, (enum hash_alg)a);
				hash_update(&c, buf, cut);
				hash_update(&c, buf + cut, n - cut);
				hash_final(&c, got);
				same_digest((enum hash_alg)a, got, want, n, "two updates");
			}
		}
	}
	free(buf);
}

/* A few thousand bytes, cut at every point. */
TEST(hash_matches_mbedtls_long_message_every_split)
{
	const size_t n = 2500;
	uint8_t *buf = random_bytes(n);
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		uint8_t want[HASH_MAX_SIZE], got[HASH_MAX_SIZE];
		ref((enum hash_alg)a, buf, n, want);
		for (size_t cut = 0; cut <= n; cut++) {
			struct hash_ctx c;
			hash_init(&c, (enum hash_alg)a);
			hash_update(&c, buf, cut);
			hash_update(&c, buf + cut, n - cut);
			hash_final(&c, got);
			same_digest((enum hash_alg)a, got, want, n, "two updates");
		}
	}
	free(buf);
}

/* Random lengths 0..4096 fed in random chunk sizes (0 included). */
TEST(hash_matches_mbedtls_random_lengths_and_chunks)
{
	for (unsigned i = 0; i < 400; i++) {
		size_t n = next_rand() % 4097;
		uint8_t *buf = random_bytes(n);
		enum hash_alg a = (enum hash_alg)(i % HASH_ALGS);
		uint8_t want[HASH_MAX_SIZE], got[HASH_MAX_SIZE];
		ref(a, buf, n, want);
		hash_buf(a, buf, n, got);
		same_digest(a, got, want, n, "hash_buf");
		struct hash_ctx c;
		hash_init(&c, a);
		for (size_t off = 0; off < n;) {
			size_t k = next_rand() % 300;
			if (k > n - off)
				k = n - off;
			hash_update(&c, buf + off, k);
			off += k;
		}
		hash_final(&c, got);
		same_digest(a, got, want, n, "random chunks");
		free(buf);
	}
}

TEST(hash_empty_update_with_null_pointer_changes_nothing)
{
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		uint8_t want[HASH_MAX_SIZE], got[HASH_MAX_SIZE];
		struct hash_ctx c;
		hash_buf((enum hash_alg)a, "abc", 3, want);
		hash_init(&c, (enum hash_alg)a);
		hash_update(&c, NULL, 0);
		hash_update(&c, "ab", 2);
		hash_update(&c, NULL, 0);
		hash_update(&c, "c", 1);
		hash_final(&c, got);
		CHECK(!memcmp(got, want, sizeof(got)));
	}
}

TEST(hash_output_beyond_digest_size_is_zero)
{
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		uint8_t d[HASH_MAX_SIZE];
		memset(d, 0xaa, sizeof(d));
		hash_buf((enum hash_alg)a, "x", 1, d);
		for (size_t i = hash_size((enum hash_alg)a); i < HASH_MAX_SIZE; i++)
			CHECK_EQ(d[i], 0);
		CHECK(d[0] != 0xaa || d[1] != 0xaa);
	}
}

TEST(hash_sizes_and_tpm_algorithm_ids)
{
	CHECK_EQ(hash_size(HASH_SHA1), 20);
	CHECK_EQ(hash_size(HASH_SHA256), 32);
	CHECK_EQ(hash_size(HASH_SHA384), 48);
	CHECK_EQ(hash_size(HASH_SHA512), 64);
	CHECK_EQ(hash_size(HASH_ALGS), 0);
	CHECK_EQ(hash_tpm_alg(HASH_SHA1), 0x0004);
	CHECK_EQ(hash_tpm_alg(HASH_SHA256), 0x000b);
	CHECK_EQ(hash_tpm_alg(HASH_SHA384), 0x000c);
	CHECK_EQ(hash_tpm_alg(HASH_SHA512), 0x000d);
	CHECK_EQ(hash_tpm_alg(HASH_ALGS), 0);
	for (int a = 0; a < HASH_ALGS; a++)
		CHECK_EQ(hash_from_tpm_alg(hash_tpm_alg((enum hash_alg)a)), a);
	CHECK_EQ(hash_from_tpm_alg(0), -1);
	CHECK_EQ(hash_from_tpm_alg(0x0012), -1); /* SM3_256: not supported */
	CHECK_EQ(hash_from_tpm_alg(0xffff), -1);
}

TEST(hash_unknown_algorithm_yields_nothing)
{
	uint8_t d[HASH_MAX_SIZE];
	memset(d, 0xaa, sizeof(d));
	hash_buf(HASH_ALGS, "abc", 3, d);
	for (size_t i = 0; i < HASH_MAX_SIZE; i++)
		CHECK_EQ(d[i], 0);
}

TEST(hash_all_fills_exactly_the_requested_banks)
{
	struct hash_digests out;
	uint8_t want[HASH_MAX_SIZE];
	static const uint8_t zero[HASH_MAX_SIZE];
	memset(&out, 0xaa, sizeof(out));
	/* Bits above the known banks are dropped. */
	hash_all((1u << HASH_SHA256) | (1u << HASH_SHA512) | 0x100u, "abc", 3, &out);
	CHECK_EQ(out.banks, (1u << HASH_SHA256) | (1u << HASH_SHA512));
	CHECK(!memcmp(out.d[HASH_SHA1], zero, HASH_MAX_SIZE));
	CHECK(!memcmp(out.d[HASH_SHA384], zero, HASH_MAX_SIZE));
	ref(HASH_SHA256, (const uint8_t *)"abc", 3, want);
	CHECK(!memcmp(out.d[HASH_SHA256], want, HASH_MAX_SIZE));
	ref(HASH_SHA512, (const uint8_t *)"abc", 3, want);
	CHECK(!memcmp(out.d[HASH_SHA512], want, HASH_MAX_SIZE));

	hash_all(HASH_ALL_BANKS, "", 0, &out);
	CHECK_EQ(out.banks, 0xf);
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		ref((enum hash_alg)a, (const uint8_t *)"", 0, want);
		CHECK(!memcmp(out.d[a], want, HASH_MAX_SIZE));
	}
}
