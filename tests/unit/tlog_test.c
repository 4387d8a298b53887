/* The core's TCG event log builder (core/tlog.c): byte-exact records, overflow behaviour. */
#include "test.h"
#include <core/tlog.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdint.h>
#include <tessera/errno.h>
#include <tessera/tcg.h>

#define CANARY 0x5a
#define SHA1_BIT (1u << HASH_SHA1)
#define SHA256_BIT (1u << HASH_SHA256)

static uint8_t buf[4096];
static struct tlog lg;

/* The header of a log with only the SHA-256 bank, written out by hand. */
static const uint8_t header_sha256[] = {
	0, 0, 0, 0,                   /* PCR 0 */
	3, 0, 0, 0,                   /* EV_NO_ACTION */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* SHA-1 digest: zeros */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	33, 0, 0, 0,                  /* event data size */
	'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ', 'E', 'v', 'e', 'n', 't', '0', '3', 0,
	0, 0, 0, 0,                   /* platform class: client */
	0, 2, 0, 2,                   /* spec 2.0, errata 0, 64-bit UINTN */
	1, 0, 0, 0,                   /* one algorithm */
	0x0b, 0, 32, 0,               /* SHA-256, 32 bytes */
	0,                            /* no vendor information */
};

static void put32(uint8_t **p, uint32_t v)
{
	memcpy(*p, &v, 4);
	*p += 4;
}

static void put_digest(uint8_t **p, uint16_t alg, const uint8_t *d, size_t n)
{
	memcpy(*p, &alg, 2);
	memcpy(*p + 2, d, n);
	*p += 2 + n;
}

static void fresh(uint32_t banks, size_t cap)
{
	memset(buf, CANARY, sizeof(buf));
	CHECK(cap <= sizeof(buf));
	CHECK_EQ(tlog_init(&lg, buf, cap, banks), 0);
}

/* Bytes from..sizeof(buf) were never written. */
static void untouched_from(size_t from)
{
	for (size_t i = from; i < sizeof(buf); i++)
		if (buf[i] != CANARY)
			test_fail(__FILE__, __LINE__, "byte %zu written (0x%02x)", i, buf[i]);
}

TEST(tlog_header_single_bank_is_byte_exact)
{
	fresh(SHA256_BIT, sizeof(buf));
	CHECK_EQ(lg.len, sizeof(header_sha256));
	CHECK(!memcmp(buf, header_sha256, sizeof(header_sha256)));
	CHECK_EQ(lg.events, 0);
	untouched_from(sizeof(header_sha256));
}

TEST(tlog_header_lists_every_bank_in_order)
{
	static const uint8_t algs[] = { 4, 0, 20, 0, 0x0b, 0, 32, 0, 0x0c, 0, 48, 0, 0x0d, 0, 64, 0 };
	fresh(HASH_ALL_BANKS, sizeof(buf));
	CHECK_EQ(lg.len, 32 + 28 + sizeof(algs) + 1);
	CHECK_EQ(buf[28], 28 + sizeof(algs) + 1); /* event data size */
	CHECK(!memcmp(buf + 32, header_sha256 + 32, 24));
	CHECK_EQ(buf[32 + 24], 4); /* numberOfAlgorithms */
	CHECK(!memcmp(buf + 32 + 28, algs, sizeof(algs)));
	CHECK_EQ(buf[32 + 28 + sizeof(algs)], 0);
	untouched_from(lg.len);

	/* A subset keeps enum order: SHA-1 then SHA-384. */
	fresh((1u << HASH_SHA384) | SHA1_BIT, sizeof(buf));
	CHECK_EQ(buf[32 + 24], 2);
	CHECK(!memcmp(buf + 32 + 28, "\x04\x00\x14\x00\x0c\x00\x30\x00", 8));
}

TEST(tlog_event_is_byte_exact_with_payload_digests)
{
	static const char payload[] = "the policy bytes";
	uint8_t want[sizeof(header_sha256) + 200], *p = want, sha1[20], sha256[32];
	struct hash_digests out;

	fresh(SHA1_BIT | SHA256_BIT, sizeof(buf));
	size_t start = lg.len;
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, payload, sizeof(payload) - 1, "hello", 5, &out), 0);
	CHECK_EQ(mbedtls_sha1_ret((const uint8_t *)payload, sizeof(payload) - 1, sha1), 0);
	CHECK_EQ(mbedtls_sha256_ret((const uint8_t *)payload, sizeof(payload) - 1, sha256, 0), 0);
	put32(&p, 8);
	put32(&p, 0x0d);
	put32(&p, 2);
	put_digest(&p, 0x0004, sha1, 20);
	put_digest(&p, 0x000b, sha256, 32);
	put32(&p, 5);
	memcpy(p, "hello", 5);
	p += 5;
	CHECK_EQ(lg.len - start, (size_t)(p - want));
	CHECK(!memcmp(buf + start, want, (size_t)(p - want)));
	CHECK_EQ(lg.events, 1);
	untouched_from(lg.len);

	/* The digests handed back are the ones logged, of the payload, not of the data. */
	CHECK_EQ(out.banks, SHA1_BIT | SHA256_BIT);
	CHECK(!memcmp(out.d[HASH_SHA1], sha1, 20));
	CHECK(!memcmp(out.d[HASH_SHA256], sha256, 32));
}

TEST(tlog_every_bank_digest_matches_mbedtls)
{
	static const uint8_t payload[3000] = { 1, 2, 3 };
	uint8_t want[64];
	struct hash_digests out;
	fresh(HASH_ALL_BANKS, sizeof(buf));
	size_t at = lg.len + 12;
	CHECK_EQ(tlog_measure(&lg, 23, TCG_EV_ACTION, payload, sizeof(payload), NULL, 0, &out), 0);
	CHECK_EQ(mbedtls_sha1_ret(payload, sizeof(payload), want), 0);
	CHECK(!memcmp(buf + at + 2, want, 20) && !memcmp(out.d[HASH_SHA1], want, 20));
	at += 22;
	CHECK_EQ(mbedtls_sha256_ret(payload, sizeof(payload), want, 0), 0);
	CHECK(!memcmp(buf + at + 2, want, 32) && !memcmp(out.d[HASH_SHA256], want, 32));
	at += 34;
	CHECK_EQ(mbedtls_sha512_ret(payload, sizeof(payload), want, 1), 0);
	CHECK(!memcmp(buf + at + 2, want, 48) && !memcmp(out.d[HASH_SHA384], want, 48));
	at += 50;
	CHECK_EQ(mbedtls_sha512_ret(payload, sizeof(payload), want, 0), 0);
	CHECK(!memcmp(buf + at + 2, want, 64) && !memcmp(out.d[HASH_SHA512], want, 64));
	at += 66;
	CHECK(!memcmp(buf + at, "\0\0\0\0", 4)); /* no event data */
	CHECK_EQ(lg.len, at + 4);
}

TEST(tlog_separator_is_four_zero_bytes_and_their_digest)
{
	static const char sep_sha256[] =
		"\xdf\x3f\x61\x98\x04\xa9\x2f\xdb\x40\x57\x19\x2d\xc4\x3d\xd7\x48"
		"\xea\x77\x8a\xdc\x52\xbc\x49\x8c\xe8\x05\x24\xc0\x14\xb8\x11\x19";
	struct hash_digests out;
	fresh(SHA256_BIT, sizeof(buf));
	size_t start = lg.len;
	CHECK_EQ(tlog_separator(&lg, 12, &out), 0);
	CHECK(!memcmp(buf + start, "\x0c\0\0\0\x04\0\0\0\x01\0\0\0\x0b\0", 14));
	CHECK(!memcmp(buf + start + 14, sep_sha256, 32));
	CHECK(!memcmp(buf + start + 46, "\x04\0\0\0\0\0\0\0", 8));
	CHECK_EQ(lg.len, start + 54);
	CHECK(!memcmp(out.d[HASH_SHA256], sep_sha256, 32));
}

TEST(tlog_events_follow_each_other)
{
	struct hash_digests out;
	fresh(SHA256_BIT, sizeof(buf));
	size_t at = lg.len;
	CHECK_EQ(tlog_measure(&lg, 17, TCG_EV_IPL, "a", 1, "one", 3, &out), 0);
	CHECK_EQ(tlog_measure(&lg, 18, TCG_EV_IPL, "b", 1, "three", 5, &out), 0);
	CHECK_EQ(tlog_separator(&lg, 17, &out), 0);
	CHECK_EQ(lg.events, 3);
	CHECK_EQ(buf[at], 17);
	CHECK(!memcmp(buf + at + 50, "one", 3));
	at += 53;
	CHECK_EQ(buf[at], 18);
	CHECK_EQ(buf[at + 46], 5);
	CHECK(!memcmp(buf + at + 50, "three", 5));
	at += 55;
	CHECK_EQ(buf[at + 4], TCG_EV_SEPARATOR);
	CHECK_EQ(lg.len, at + 54);
	untouched_from(lg.len);
}

TEST(tlog_init_rejects_bad_arguments)
{
	memset(buf, CANARY, sizeof(buf));
	CHECK_EQ(tlog_init(&lg, NULL, sizeof(buf), SHA256_BIT), -TESSERA_EINVAL);
	CHECK_EQ(tlog_init(&lg, buf, sizeof(buf), 0), -TESSERA_EINVAL);
	CHECK_EQ(tlog_init(&lg, buf, sizeof(buf), SHA256_BIT | (1u << HASH_ALGS)), -TESSERA_EINVAL);
	CHECK_EQ(tlog_init(NULL, buf, sizeof(buf), SHA256_BIT), -TESSERA_EINVAL);
	untouched_from(0);
}

TEST(tlog_init_needs_room_for_the_whole_header)
{
	for (size_t cap = 0; cap < sizeof(header_sha256); cap++) {
		memset(buf, CANARY, sizeof(buf));
		CHECK_EQ(tlog_init(&lg, buf, cap, SHA256_BIT), -TESSERA_ENOSPC);
		untouched_from(0);
	}
	fresh(SHA256_BIT, sizeof(header_sha256));
	CHECK_EQ(lg.len, lg.cap);
	untouched_from(sizeof(header_sha256));
}

/* An event that does not fit, by any number of bytes, changes nothing. */
TEST(tlog_event_that_does_not_fit_leaves_the_log_unchanged)
{
	const size_t event = 12 + 2 + 32 + 4 + 7; /* SHA-256 bank, 7 bytes of data */
	struct hash_digests out;
	for (size_t cap = sizeof(header_sha256); cap <= sizeof(header_sha256) + event; cap++) {
		fresh(SHA256_BIT, cap);
		memset(&out, 0xee, sizeof(out));
		int rc = tlog_measure(&lg, 9, TCG_EV_IPL, "x", 1, "payload", 7, &out);
		if (cap < sizeof(header_sha256) + event) {
			CHECK_EQ(rc, -TESSERA_ENOSPC);
			CHECK_EQ(lg.len, sizeof(header_sha256));
			CHECK_EQ(lg.events, 0);
			CHECK_EQ(out.banks, 0xeeeeeeee); /* nothing handed back to extend */
			untouched_from(sizeof(header_sha256));
		} else {
			CHECK_EQ(rc, 0);
			CHECK_EQ(lg.len, cap);
			untouched_from(cap);
		}
	}
	/* Full: a separator does not fit either, and a later smaller event still cannot. */
	CHECK_EQ(tlog_separator(&lg, 9, &out), -TESSERA_ENOSPC);
	CHECK_EQ(lg.events, 1);
}

TEST(tlog_measure_rejects_bad_arguments_and_changes_nothing)
{
	struct hash_digests out;
	fresh(SHA256_BIT, sizeof(buf));
	CHECK_EQ(tlog_measure(&lg, 24, TCG_EV_IPL, "x", 1, "d", 1, &out), -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(&lg, UINT32_MAX, TCG_EV_IPL, "x", 1, "d", 1, &out), -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_NO_ACTION, "x", 1, "d", 1, &out), -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, NULL, 1, "d", 1, &out), -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, "x", 1, NULL, 1, &out), -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, "x", 1, "d", 1, NULL), -TESSERA_EINVAL);
	CHECK_EQ(tlog_separator(&lg, 24, &out), -TESSERA_EINVAL);
	/* Event data longer than its 32-bit size field: refused before anything is read. */
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, "x", 1, "d", (size_t)UINT32_MAX + 1, &out),
		 -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, "x", 1, "d", SIZE_MAX, &out), -TESSERA_EINVAL);
	/* Representable but far too big for the buffer. */
	CHECK_EQ(tlog_measure(&lg, 8, TCG_EV_IPL, "x", 1, "d", UINT32_MAX, &out), -TESSERA_ENOSPC);
	CHECK_EQ(lg.len, sizeof(header_sha256));
	CHECK_EQ(lg.events, 0);
	untouched_from(sizeof(header_sha256));

	struct tlog never = { 0 };
	CHECK_EQ(tlog_measure(&never, 8, TCG_EV_IPL, "x", 1, "d", 1, &out), -TESSERA_EINVAL);
	CHECK_EQ(tlog_measure(NULL, 8, TCG_EV_IPL, "x", 1, "d", 1, &out), -TESSERA_EINVAL);
}

TEST(tlog_empty_payload_and_data_are_allowed)
{
	static const uint8_t empty_sha256[] =
		"\xe3\xb0\xc4\x42\x98\xfc\x1c\x14\x9a\xfb\xf4\xc8\x99\x6f\xb9\x24"
		"\x27\xae\x41\xe4\x64\x9b\x93\x4c\xa4\x95\x99\x1b\x78\x52\xb8\x55";
	struct hash_digests out;
	fresh(SHA256_BIT, sizeof(buf));
	size_t at = lg.len;
	CHECK_EQ(tlog_measure(&lg, 0, TCG_EV_ACTION, NULL, 0, NULL, 0, &out), 0);
	CHECK(!memcmp(buf + at + 14, empty_sha256, 32));
	CHECK(!memcmp(buf + at + 46, "\0\0\0\0", 4));
	CHECK_EQ(lg.len, at + 50);
}
