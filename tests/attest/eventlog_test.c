/*
 * The verifier's event log parser (attest/eventlog.c) on logs the core's builder
 * (core/tlog.c) writes, and on hostile ones: each rejection with its exact code and
 * message, then random corruption that must never crash (built with ASan+UBSan).
 * Prints PASS/FAIL lines and "N passed, N failed".
 */
#include "eventlog.h"
#include <core/tlog.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char why[512];
static unsigned passed, failed;

#define EXPECT(cond, ...)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			snprintf(why, sizeof(why), __VA_ARGS__);                           \
			return false;                                                      \
		}                                                                          \
	} while (0)

/* A check that set why itself. */
#define TRY(e)                                                                             \
	do {                                                                               \
		if (!(e))                                                                  \
			return false;                                                      \
	} while (0)

static void run(const char *name, bool (*fn)(void))
{
	why[0] = 0;
	if (fn()) {
		printf("PASS %s\n", name);
		passed++;
	} else {
		printf("FAIL %s: %s\n", name, why);
		failed++;
	}
	fflush(stdout);
}

/* --- the base log: SHA-1 and SHA-256 banks, two components and a separator ---------- */
#define BANKS ((1u << HASH_SHA1) | (1u << HASH_SHA256))
#define HDR 69 /* 32 + 28 + 2 * 4 + 1 */
static uint8_t base[4096];
static size_t base_len, off[4]; /* off[i]: event i (1-3), off[0] unused */

static void build_base(void)
{
	struct tlog l;
	struct hash_digests d;
	if (tlog_init(&l, base, sizeof(base), BANKS))
		abort();
	off[1] = l.len;
	if (tlog_measure(&l, 12, TCG_EV_IPL, "policy-bytes", 12, "tessera policy", 14, &d))
		abort();
	off[2] = l.len;
	if (tlog_measure(&l, 13, TCG_EV_IPL, "alpha image", 11, "domain alpha", 12, &d))
		abort();
	off[3] = l.len;
	if (tlog_separator(&l, 12, &d))
		abort();
	base_len = l.len;
}

static uint8_t work[8192];
static size_t work_len;
static struct eventlog lg;

static void reset(void)
{
	memcpy(work, base, base_len);
	work_len = base_len;
}

static void set32(size_t at, uint32_t v)
{
	memcpy(work + at, &v, 4);
}

static void set16(size_t at, uint16_t v)
{
	memcpy(work + at, &v, 2);
}

/* Parses work[0..work_len) from a heap copy of exactly that size (ASan sees overreads). */
static int parse_profile(enum eventlog_profile p)
{
	uint8_t *copy = malloc(work_len ? work_len : 1);
	if (!copy)
		abort();
	memcpy(copy, work, work_len);
	int rc = eventlog_parse(&lg, copy, work_len, p);
	free(copy);
	lg.buf = NULL; /* the copy is gone: only rc, error and the replay are looked at */
	return rc;
}

static enum eventlog_profile profile = EVENTLOG_CORE;
static int parse(void)
{
	return parse_profile(profile);
}

/* rc and message exactly as expected. */
static bool rejects(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool rejects(int want, const char *fmt, ...)
{
	char msg[EVENTLOG_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int rc = parse();
	EXPECT(rc == want, "rc %d (%s), expected %d (%s): %s", rc, eventlog_error_name(rc), want,
	       eventlog_error_name(want), lg.error);
	EXPECT(!strcmp(lg.error, msg), "message \"%s\", expected \"%s\"", lg.error, msg);
	return true;
}

/* --- references ---------------------------------------------------------------------- */
static void ref_hash(uint16_t alg, const void *p, size_t n, uint8_t *out)
{
	if (alg == TCG_ALG_SHA1)
		mbedtls_sha1_ret(p, n, out);
	else if (alg == TCG_ALG_SHA256)
		mbedtls_sha256_ret(p, n, out, 0);
	else
		mbedtls_sha512_ret(p, n, out, alg == TCG_ALG_SHA384);
}

static void ref_extend(uint16_t alg, uint8_t *pcr, const void *payload, size_t n)
{
	uint8_t in[128];
	unsigned size = eventlog_alg_size(alg);
	memcpy(in, pcr, size);
	ref_hash(alg, payload, n, in + size);
	ref_hash(alg, in, 2 * size, pcr);
}

/* --- accepted logs ------------------------------------------------------------------- */
static bool core_log_parses_and_replays(void)
{
	uint8_t p12[2][32] = { { 0 } }, p13[2][32] = { { 0 } };
	static const uint16_t alg[2] = { TCG_ALG_SHA1, TCG_ALG_SHA256 };
	reset();
	EXPECT(parse() == 0, "%s", lg.error);
	EXPECT(lg.events == 3, "%u events", lg.events);
	EXPECT(lg.nbanks == 2 && lg.bank[0].alg == TCG_ALG_SHA1 && lg.bank[1].alg == TCG_ALG_SHA256,
	       "banks");
	EXPECT(lg.extended == ((1u << 12) | (1u << 13)), "extended 0x%x", lg.extended);
	for (unsigned b = 0; b < 2; b++) {
		ref_extend(alg[b], p12[b], "policy-bytes", 12);
		ref_extend(alg[b], p13[b], "alpha image", 11);
		ref_extend(alg[b], p12[b], "\0\0\0\0", 4);
		EXPECT(!memcmp(lg.pcr[b][12], p12[b], eventlog_alg_size(alg[b])), "PCR 12 bank %u", b);
		EXPECT(!memcmp(lg.pcr[b][13], p13[b], eventlog_alg_size(alg[b])), "PCR 13 bank %u", b);
		for (unsigned i = 0; i < TCG_PCR_COUNT; i++)
			if (i != 12 && i != 13)
				EXPECT(!memcmp(lg.pcr[b][i], (uint8_t[64]){ 0 }, 64), "PCR %u", i);
	}
	return true;
}

static bool iteration_gives_every_event_in_order(void)
{
	struct eventlog_event ev = { 0 };
	uint8_t d[32];
	reset();
	EXPECT(eventlog_parse(&lg, work, work_len, EVENTLOG_CORE) == 0, "%s", lg.error);
	EXPECT(eventlog_next(&lg, &ev) == 1, "no event 1");
	EXPECT(ev.index == 1 && ev.offset == off[1] && ev.pcr == 12 && ev.type == TCG_EV_IPL,
	       "event 1: %u 0x%zx %u 0x%x", ev.index, ev.offset, ev.pcr, ev.type);
	EXPECT(ev.data_size == 14 && !memcmp(ev.data, "tessera policy", 14), "event 1 data");
	ref_hash(TCG_ALG_SHA256, "policy-bytes", 12, d);
	EXPECT(!memcmp(eventlog_digest(&lg, &ev, TCG_ALG_SHA256), d, 32), "event 1 sha256");
	ref_hash(TCG_ALG_SHA1, "policy-bytes", 12, d);
	EXPECT(!memcmp(eventlog_digest(&lg, &ev, TCG_ALG_SHA1), d, 20), "event 1 sha1");
	EXPECT(!eventlog_digest(&lg, &ev, TCG_ALG_SHA384), "no sha384 bank");
	EXPECT(eventlog_next(&lg, &ev) == 1 && ev.index == 2 && ev.pcr == 13 &&
		       ev.data_size == 12 && !memcmp(ev.data, "domain alpha", 12),
	       "event 2");
	EXPECT(eventlog_next(&lg, &ev) == 1 && ev.index == 3 && ev.type == TCG_EV_SEPARATOR &&
		       ev.offset == off[3] && ev.data_size == 4,
	       "event 3");
	EXPECT(eventlog_next(&lg, &ev) == 0, "an event after the last");
	EXPECT(eventlog_next(&lg, &ev) == 0, "an event after the end, asked twice");
	EXPECT(eventlog_pcr(&lg, TCG_ALG_SHA256, 12) == lg.pcr[1][12], "eventlog_pcr");
	EXPECT(!eventlog_pcr(&lg, TCG_ALG_SHA512, 12) && !eventlog_pcr(&lg, TCG_ALG_SHA256, 24),
	       "eventlog_pcr of no bank / PCR");
	/* A failed parse walks nothing. */
	set32(off[2], 30);
	EXPECT(eventlog_parse(&lg, work, work_len, EVENTLOG_CORE) == EVENTLOG_E_PCR, "%s", lg.error);
	ev = (struct eventlog_event){ 0 };
	EXPECT(eventlog_next(&lg, &ev) == 0, "events of a rejected log");
	return true;
}

static bool every_bank_combination_round_trips(void)
{
	static uint8_t buf[2048];
	for (uint32_t banks = 1; banks <= HASH_ALL_BANKS; banks++) {
		struct tlog l;
		struct hash_digests d;
		EXPECT(tlog_init(&l, buf, sizeof(buf), banks) == 0, "init 0x%x", banks);
		EXPECT(tlog_measure(&l, 23, TCG_EV_ACTION, "x", 1, "boot path: bios", 15, &d) == 0,
		       "measure");
		EXPECT(tlog_separator(&l, 23, &d) == 0, "separator");
		EXPECT(eventlog_parse(&lg, buf, l.len, EVENTLOG_CORE) == 0, "banks 0x%x: %s", banks,
		       lg.error);
		EXPECT(lg.nbanks == (unsigned)__builtin_popcount(banks) && lg.events == 2,
		       "banks 0x%x: %u banks %u events", banks, lg.nbanks, lg.events);
		for (unsigned a = 0, i = 0; a < HASH_ALGS; a++) {
			if (!(banks & (1u << a)))
				continue;
			uint8_t pcr[64] = { 0 };
			uint16_t id = hash_tpm_alg((enum hash_alg)a);
			EXPECT(lg.bank[i++].alg == id, "bank order");
			ref_extend(id, pcr, "x", 1);
			ref_extend(id, pcr, "\0\0\0\0", 4);
			EXPECT(!memcmp(eventlog_pcr(&lg, id, 23), pcr, eventlog_alg_size(id)),
			       "banks 0x%x: PCR 23 in %s", banks, eventlog_alg_name(id));
		}
	}
	return true;
}

static bool header_only_log_has_no_events(void)
{
	reset();
	work_len = HDR;
	EXPECT(parse() == 0, "%s", lg.error);
	EXPECT(lg.events == 0 && lg.extended == 0, "events %u", lg.events);
	return true;
}

/* EV_NO_ACTION (here a firmware's SP800-155-like marker) is logged, never extended. */
static bool no_action_event_never_extends(void)
{
	uint8_t ev[12 + 22 + 34 + 4 + 8] = { 0 };
	struct eventlog plain;
	reset();
	EXPECT(parse() == 0, "%s", lg.error);
	plain = lg;
	memcpy(ev, &(uint32_t){ 12 }, 4);
	memcpy(ev + 4, &(uint32_t){ TCG_EV_NO_ACTION }, 4);
	memcpy(ev + 8, &(uint32_t){ 2 }, 4);
	memcpy(ev + 12, &(uint16_t){ TCG_ALG_SHA1 }, 2);
	memcpy(ev + 34, &(uint16_t){ TCG_ALG_SHA256 }, 2);
	memcpy(ev + 68, &(uint32_t){ 8 }, 4);
	memcpy(ev + 72, "marker!!", 8);
	memmove(work + off[2] + sizeof(ev), work + off[2], base_len - off[2]);
	memcpy(work + off[2], ev, sizeof(ev));
	work_len += sizeof(ev);
	EXPECT(parse() == 0, "%s", lg.error);
	EXPECT(lg.events == 4, "%u events", lg.events);
	EXPECT(!memcmp(lg.pcr, plain.pcr, sizeof(lg.pcr)) && lg.extended == plain.extended,
	       "EV_NO_ACTION changed a PCR");
	/* ... and its digests must be zero. */
	work[off[2] + 14 + 7] = 1;
	return rejects(EVENTLOG_E_NO_ACTION_DIGEST,
		       "eventlog: event 2 at offset 0x%zx: EV_NO_ACTION with a non-zero sha1 digest",
		       off[2]);
}

/* StartupLocality 3: PCR 0 starts as 00..03 in every bank; only before PCR 0 moves. */
static bool startup_locality_sets_pcr0_start(void)
{
	uint8_t ev[12 + 22 + 34 + 4 + 17] = { 0 };
	uint8_t p0[2][32] = { { 0 } };
	memcpy(ev + 4, &(uint32_t){ TCG_EV_NO_ACTION }, 4);
	memcpy(ev + 8, &(uint32_t){ 2 }, 4);
	memcpy(ev + 12, &(uint16_t){ TCG_ALG_SHA1 }, 2);
	memcpy(ev + 34, &(uint16_t){ TCG_ALG_SHA256 }, 2);
	memcpy(ev + 68, &(uint32_t){ 17 }, 4);
	memcpy(ev + 72, "StartupLocality\0\3", 17);
	reset();
	memmove(work + HDR + sizeof(ev), work + HDR, base_len - HDR);
	memcpy(work + HDR, ev, sizeof(ev));
	work_len += sizeof(ev);
	set32(HDR + sizeof(ev), 0); /* the policy event now goes to PCR 0 */
	EXPECT(parse_profile(EVENTLOG_FIRMWARE) == 0, "%s", lg.error);
	EXPECT(lg.startup_locality == 3, "locality %d", lg.startup_locality);
	p0[0][19] = p0[1][31] = 3;
	ref_extend(TCG_ALG_SHA1, p0[0], "policy-bytes", 12);
	ref_extend(TCG_ALG_SHA256, p0[1], "policy-bytes", 12);
	EXPECT(!memcmp(lg.pcr[0][0], p0[0], 20) && !memcmp(lg.pcr[1][0], p0[1], 32), "PCR 0");

	/* After PCR 0 was extended it would rewrite history. */
	memcpy(work + HDR, base + HDR, base_len - HDR);
	set32(HDR, 0);
	memcpy(work + base_len, ev, sizeof(ev));
	work_len = base_len + sizeof(ev);
	TRY(rejects(EVENTLOG_E_LOCALITY,
		       "eventlog: event 4 at offset 0x%zx: StartupLocality after PCR 0 was extended",
		       base_len));
	/* A locality a TPM cannot start in. */
	reset();
	memcpy(work + base_len, ev, sizeof(ev));
	work[base_len + sizeof(ev) - 1] = 7;
	work_len = base_len + sizeof(ev);
	return rejects(EVENTLOG_E_LOCALITY,
		       "eventlog: event 4 at offset 0x%zx: startup locality 7, expected 0-4",
		       base_len);
}

/* --- hostile headers ----------------------------------------------------------------- */
static bool truncated_header(void)
{
	for (size_t n = 0; n < HDR; n++) {
		reset();
		work_len = n;
		EXPECT(parse() == EVENTLOG_E_HDR_TRUNCATED, "cut at %zu: %s", n, lg.error);
	}
	reset();
	work_len = 31;
	TRY(rejects(EVENTLOG_E_HDR_TRUNCATED,
		       "eventlog: event 0 at offset 0x0: header needs 32 bytes, the log has 31"));
	work_len = 68;
	return rejects(EVENTLOG_E_HDR_TRUNCATED,
		       "eventlog: event 0 at offset 0x0: header data of 37 bytes runs past the end "
		       "of the log (68 bytes)");
}

static bool header_not_spec_id_event03(void)
{
	reset();
	work[32 + 14] = '2'; /* "Spec ID Event02": the TPM 1.2 format */
	TRY(rejects(EVENTLOG_E_HDR_SIGNATURE,
		       "eventlog: event 0 at offset 0x0: header is not a Spec ID Event03 event"));
	/* A SHA-1 format log: the first event is a measurement. */
	reset();
	set32(4, TCG_EV_POST_CODE);
	TRY(rejects(EVENTLOG_E_HDR_TYPE,
		       "eventlog: event 0 at offset 0x0: header event type 0x1, expected EV_NO_ACTION"));
	reset();
	set32(0, 1);
	TRY(rejects(EVENTLOG_E_HDR_PCR,
		       "eventlog: event 0 at offset 0x0: header PCR index 1, expected 0"));
	reset();
	work[8 + 19] = 0x80;
	TRY(rejects(EVENTLOG_E_HDR_DIGEST,
		       "eventlog: event 0 at offset 0x0: header digest is not zero"));
	/* Data too short to hold the signature. */
	reset();
	set32(28, 15);
	TRY(rejects(EVENTLOG_E_HDR_SIGNATURE,
		       "eventlog: event 0 at offset 0x0: header is not a Spec ID Event03 event"));
	reset();
	set32(28, 20);
	return rejects(EVENTLOG_E_HDR_SIZE,
		       "eventlog: event 0 at offset 0x0: header data size 20, shorter than "
		       "TCG_EfiSpecIdEvent");
}

static bool header_version_and_uintn(void)
{
	reset();
	work[53] = 1; /* major */
	TRY(rejects(EVENTLOG_E_HDR_VERSION,
		       "eventlog: event 0 at offset 0x0: spec version 1.0, expected 2.0"));
	reset();
	work[55] = 3;
	return rejects(EVENTLOG_E_HDR_UINTN,
		       "eventlog: event 0 at offset 0x0: uintnSize 3, expected 1 or 2");
}

static bool zero_banks(void)
{
	reset();
	set32(56, 0);
	return rejects(EVENTLOG_E_NO_BANKS, "eventlog: event 0 at offset 0x0: header lists no algorithm");
}

static bool too_many_banks(void)
{
	reset();
	set32(56, 5);
	TRY(rejects(EVENTLOG_E_TOO_MANY_BANKS,
		       "eventlog: event 0 at offset 0x0: header lists 5 algorithms, at most 4"));
	set32(56, 0xffffffff); /* no size arithmetic may wrap */
	EXPECT(parse() == EVENTLOG_E_TOO_MANY_BANKS, "%s", lg.error);
	/* Four, but the data size does not hold them. */
	set32(56, 4);
	return rejects(EVENTLOG_E_HDR_SIZE,
		       "eventlog: event 0 at offset 0x0: header data size 37, 4 algorithms need 45");
}

static bool duplicate_banks(void)
{
	reset();
	set16(64, TCG_ALG_SHA1);
	set16(66, TCG_SHA1_SIZE);
	return rejects(EVENTLOG_E_HDR_DUP_ALG, "eventlog: event 0 at offset 0x0: header lists sha1 twice");
}

static bool unknown_or_missized_bank(void)
{
	reset();
	set16(64, 0x0012); /* SM3_256 */
	TRY(rejects(EVENTLOG_E_HDR_ALG,
		       "eventlog: event 0 at offset 0x0: header algorithm 1 is 0x0012, not sha1, "
		       "sha256, sha384 or sha512"));
	reset();
	set16(66, 20);
	return rejects(EVENTLOG_E_HDR_ALG_SIZE,
		       "eventlog: event 0 at offset 0x0: header gives sha256 a digest size of 20, not 32");
}

static bool header_size_must_match_contents(void)
{
	reset();
	work[68] = 3; /* vendor info the data size does not count */
	TRY(rejects(EVENTLOG_E_HDR_SIZE,
		       "eventlog: event 0 at offset 0x0: header data size 37, its contents take 40"));
	/* Bytes after the vendor info, inside the header. */
	reset();
	set32(28, 38);
	memmove(work + HDR + 1, work + HDR, base_len - HDR);
	work_len += 1;
	TRY(rejects(EVENTLOG_E_HDR_SIZE,
		    "eventlog: event 0 at offset 0x0: header data size 38, its contents take 37"));
	/* Vendor info that is counted is fine (a firmware's log may carry some). */
	reset();
	work[68] = 2;
	set32(28, 39);
	memmove(work + HDR + 2, work + HDR, base_len - HDR);
	work[HDR] = 'v';
	work[HDR + 1] = 'i';
	work_len += 2;
	EXPECT(parse() == 0 && lg.events == 3, "%s", lg.error);
	return true;
}

/* --- hostile events ------------------------------------------------------------------ */
static bool log_cut_mid_event(void)
{
	for (size_t n = HDR + 1; n < base_len; n++) {
		if (n == off[2] || n == off[3])
			continue;
		reset();
		work_len = n;
		int rc = parse();
		size_t start = n < off[2] ? off[1] : n < off[3] ? off[2] : off[3];
		int want = n - start < 12 ? EVENTLOG_E_TRAILING : EVENTLOG_E_TRUNCATED;
		EXPECT(rc == want, "cut at %zu: rc %d: %s", n, rc, lg.error);
	}
	reset();
	work_len = base_len - 1;
	TRY(rejects(EVENTLOG_E_TRUNCATED,
		       "eventlog: event 3 at offset 0x%zx: event data of 4 bytes runs past the end "
		       "of the log (3 bytes left)",
		       off[3]));
	work_len = off[2] + 20;
	TRY(rejects(EVENTLOG_E_TRUNCATED,
		       "eventlog: event 2 at offset 0x%zx: the log ends inside digest 0 (8 bytes left)",
		       off[2]));
	work_len = off[2] + 12 + 22 + 34 + 2;
	return rejects(EVENTLOG_E_TRUNCATED,
		       "eventlog: event 2 at offset 0x%zx: the log ends inside the event size (2 "
		       "bytes left)",
		       off[2]);
}

static bool trailing_bytes(void)
{
	reset();
	memset(work + base_len, 0, 5);
	work_len += 5;
	TRY(rejects(EVENTLOG_E_TRAILING,
		       "eventlog: event 4 at offset 0x%zx: 5 trailing bytes after the last event",
		       base_len));
	reset();
	work_len += 0; /* the exact log has none */
	EXPECT(parse() == 0, "%s", lg.error);
	return true;
}

static bool wrong_digest_count(void)
{
	reset();
	set32(off[2] + 8, 1);
	TRY(rejects(EVENTLOG_E_DIGEST_COUNT,
		       "eventlog: event 2 at offset 0x%zx: digest count 1, header says 2", off[2]));
	set32(off[2] + 8, 0xffffffff);
	return rejects(EVENTLOG_E_DIGEST_COUNT,
		       "eventlog: event 2 at offset 0x%zx: digest count 4294967295, header says 2",
		       off[2]);
}

static bool unknown_algorithm_in_event(void)
{
	reset();
	set16(off[1] + 12, 0x0012);
	TRY(rejects(EVENTLOG_E_DIGEST_ALG,
		       "eventlog: event 1 at offset 0x%zx: digest 0 has algorithm 0x0012, which the "
		       "header does not list",
		       off[1]));
	/* Known to the parser but not in this log's header. */
	reset();
	set16(off[1] + 12 + 22, TCG_ALG_SHA384);
	return rejects(EVENTLOG_E_DIGEST_ALG,
		       "eventlog: event 1 at offset 0x%zx: digest 1 has algorithm 0x000c, which the "
		       "header does not list",
		       off[1]);
}

static bool algorithm_order_differs_from_header(void)
{
	uint8_t sha1[22], sha256[34];
	reset();
	/* Same digests, same length, SHA-256 first. */
	memcpy(sha1, work + off[2] + 12, 22);
	memcpy(sha256, work + off[2] + 34, 34);
	memcpy(work + off[2] + 12, sha256, 34);
	memcpy(work + off[2] + 46, sha1, 22);
	return rejects(EVENTLOG_E_DIGEST_ORDER,
		       "eventlog: event 2 at offset 0x%zx: digest 0 is sha256, header says sha1",
		       off[2]);
}

static bool pcr_index_out_of_range(void)
{
	reset();
	set32(off[3], 24);
	TRY(rejects(EVENTLOG_E_PCR,
		       "eventlog: event 3 at offset 0x%zx: PCR index 24 out of range (0-23)", off[3]));
	set32(off[3], 0xffffffff);
	EXPECT(parse() == EVENTLOG_E_PCR, "%s", lg.error);
	set32(off[3], 23);
	EXPECT(parse() == 0, "%s", lg.error);
	return true;
}

static bool huge_event_size(void)
{
	size_t at = off[3] + 12 + 22 + 34;
	reset();
	set32(at, 0xfffffff0);
	TRY(rejects(EVENTLOG_E_EVENT_SIZE,
		       "eventlog: event 3 at offset 0x%zx: event size 4294967280 exceeds the limit "
		       "of 1048576",
		       off[3]));
	/* Within the limit but not within the log. */
	set32(at, EVENTLOG_MAX_EVENT_DATA);
	return rejects(EVENTLOG_E_TRUNCATED,
		       "eventlog: event 3 at offset 0x%zx: event data of 1048576 bytes runs past the "
		       "end of the log (4 bytes left)",
		       off[3]);
}

static bool unknown_event_type(void)
{
	reset();
	set32(off[2] + 4, 0x12345678);
	TRY(rejects(EVENTLOG_E_TYPE,
		       "eventlog: event 2 at offset 0x%zx: unknown event type 0x12345678", off[2]));
	/* Firmware types: not in a core log, fine in a firmware log; some never. */
	set32(off[2] + 4, TCG_EV_EFI_BOOT_SERVICES_APPLICATION);
	TRY(rejects(EVENTLOG_E_TYPE,
		       "eventlog: event 2 at offset 0x%zx: event type EV_EFI_BOOT_SERVICES_APPLICATION "
		       "not allowed in a core log",
		       off[2]));
	EXPECT(parse_profile(EVENTLOG_FIRMWARE) == 0, "%s", lg.error);
	set32(off[2] + 4, TCG_EV_PREBOOT_CERT);
	profile = EVENTLOG_FIRMWARE;
	bool ok = rejects(EVENTLOG_E_TYPE,
			  "eventlog: event 2 at offset 0x%zx: event type EV_PREBOOT_CERT not allowed "
			  "in an event log",
			  off[2]);
	profile = EVENTLOG_CORE;
	return ok;
}

static bool log_over_the_size_limit(void)
{
	size_t n = (size_t)EVENTLOG_MAX_SIZE + 1;
	uint8_t *big = calloc(1, n);
	EXPECT(big, "calloc");
	memcpy(big, base, base_len);
	int rc = eventlog_parse(&lg, big, n, EVENTLOG_CORE);
	free(big);
	EXPECT(rc == EVENTLOG_E_TOO_BIG, "rc %d: %s", rc, lg.error);
	EXPECT(!strcmp(lg.error, "eventlog: event 0 at offset 0x0: log of 16777217 bytes exceeds the "
				 "limit of 16777216"),
	       "%s", lg.error);
	EXPECT(eventlog_parse(&lg, NULL, 10, EVENTLOG_CORE) == EVENTLOG_E_ARG, "NULL buffer");
	EXPECT(eventlog_parse(&lg, base, base_len, (enum eventlog_profile)7) == EVENTLOG_E_ARG,
	       "bad profile");
	EXPECT(eventlog_parse(NULL, base, base_len, EVENTLOG_CORE) == EVENTLOG_E_ARG, "NULL log");
	return true;
}

static bool error_names_are_distinct(void)
{
	for (int a = 0; a >= EVENTLOG_E_HASH; a--)
		for (int b = a - 1; b >= EVENTLOG_E_HASH; b--)
			EXPECT(strcmp(eventlog_error_name(a), eventlog_error_name(b)), "%d and %d", a, b);
	EXPECT(!strcmp(eventlog_error_name(EVENTLOG_E_TRUNCATED), "TRUNCATED"), "TRUNCATED");
	EXPECT(!strcmp(eventlog_error_name(-1000), "UNKNOWN"), "out of range");
	return true;
}

/* --- random corruption: any verdict, never a crash ----------------------------------- */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

static size_t rich_len;
static uint8_t rich[4096];

/* Every bank, a firmware-style StartupLocality event, and each core event type. */
static void build_rich(void)
{
	struct tlog l;
	struct hash_digests d;
	if (tlog_init(&l, rich, sizeof(rich), HASH_ALL_BANKS))
		abort();
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t type = i % 3 == 0 ? TCG_EV_IPL : i % 3 == 1 ? TCG_EV_ACTION : TCG_EV_SEPARATOR;
		if (tlog_measure(&l, i * 3, type, &i, sizeof(i), "component", 9, &d))
			abort();
	}
	rich_len = l.len;
}

static bool random_corruption_never_crashes(void)
{
	static const uint32_t magic[] = { 0, 1, 2, 3, 4, 5, 12, 20, 23, 24, 32, 0x7f, 0xff,
					  0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff,
					  EVENTLOG_MAX_EVENT_DATA, TCG_ALG_SHA1, TCG_ALG_SHA256 };
	unsigned accepted = 0, seen = 0;
	bool code[32] = { false };
	for (unsigned iter = 0; iter < 30000; iter++) {
		bool rich_base = iter & 1;
		memcpy(work, rich_base ? rich : base, rich_base ? rich_len : base_len);
		work_len = rich_base ? rich_len : base_len;
		for (unsigned m = 1 + rnd(4); m > 0 && work_len; m--) {
			size_t at = rnd((uint32_t)work_len);
			switch (rnd(6)) {
			case 0:
				work[at] ^= (uint8_t)(1u << rnd(8));
				break;
			case 1:
				work[at] = (uint8_t)rnd(256);
				break;
			case 2:
				if (at + 4 <= work_len)
					set32(at, magic[rnd(sizeof(magic) / sizeof(magic[0]))]);
				break;
			case 3:
				work_len = at;
				break;
			case 4: { /* insert up to 16 bytes */
				size_t k = 1 + rnd(16);
				if (work_len + k > sizeof(work))
					break;
				memmove(work + at + k, work + at, work_len - at);
				for (size_t i = 0; i < k; i++)
					work[at + i] = (uint8_t)rnd(256);
				work_len += k;
				break;
			}
			default: { /* delete up to 16 bytes */
				size_t k = 1 + rnd(16);
				if (k > work_len - at)
					k = work_len - at;
				memmove(work + at, work + at + k, work_len - at - k);
				work_len -= k;
				break;
			}
			}
		}
		enum eventlog_profile p = rnd(2) ? EVENTLOG_CORE : EVENTLOG_FIRMWARE;
		uint8_t *copy = malloc(work_len ? work_len : 1);
		EXPECT(copy, "malloc");
		memcpy(copy, work, work_len);
		int rc = eventlog_parse(&lg, copy, work_len, p);
		if (rc == 0) {
			struct eventlog_event ev = { 0 };
			uint32_t n = 0;
			accepted++;
			while (eventlog_next(&lg, &ev)) {
				n++;
				EXPECT(ev.data + ev.data_size <= copy + work_len, "event past the end");
				EXPECT(ev.pcr < TCG_PCR_COUNT, "PCR %u", ev.pcr);
			}
			EXPECT(n == lg.events, "walked %u of %u events", n, lg.events);
		} else {
			EXPECT(rc < 0 && rc >= EVENTLOG_E_HASH && rc != EVENTLOG_E_HASH, "rc %d", rc);
			EXPECT(!strncmp(lg.error, "eventlog: event ", 16), "message \"%s\"", lg.error);
			if (!code[-rc]) {
				code[-rc] = true;
				seen++;
			}
		}
		free(copy);
	}
	/* The mutations reach deep: accepted logs and most of the rejections happen. */
	EXPECT(accepted > 0 && seen >= 15, "%u accepted, %u distinct rejections", accepted, seen);
	return true;
}

int main(void)
{
	build_base();
	build_rich();
	if (base_len != off[3] + 12 + 22 + 34 + 4 + 4 || off[1] != HDR) {
		printf("FAIL base_log: unexpected layout\n0 passed, 1 failed\n");
		return 1;
	}
	run("core_log_parses_and_replays", core_log_parses_and_replays);
	run("iteration_gives_every_event_in_order", iteration_gives_every_event_in_order);
	run("every_bank_combination_round_trips", every_bank_combination_round_trips);
	run("header_only_log_has_no_events", header_only_log_has_no_events);
	run("no_action_event_never_extends", no_action_event_never_extends);
	run("startup_locality_sets_pcr0_start", startup_locality_sets_pcr0_start);
	run("hostile_truncated_header", truncated_header);
	run("hostile_header_not_spec_id_event03", header_not_spec_id_event03);
	run("hostile_header_version_and_uintn", header_version_and_uintn);
	run("hostile_zero_banks", zero_banks);
	run("hostile_too_many_banks", too_many_banks);
	run("hostile_duplicate_banks", duplicate_banks);
	run("hostile_unknown_or_missized_bank", unknown_or_missized_bank);
	run("hostile_header_size_must_match_contents", header_size_must_match_contents);
	run("hostile_log_cut_mid_event", log_cut_mid_event);
	run("hostile_trailing_bytes", trailing_bytes);
	run("hostile_wrong_digest_count", wrong_digest_count);
	run("hostile_unknown_algorithm_in_event", unknown_algorithm_in_event);
	run("hostile_algorithm_order_differs_from_header", algorithm_order_differs_from_header);
	run("hostile_pcr_index_out_of_range", pcr_index_out_of_range);
	run("hostile_huge_event_size", huge_event_size);
	run("hostile_unknown_event_type", unknown_event_type);
	run("hostile_log_over_the_size_limit", log_over_the_size_limit);
	run("error_names_are_distinct", error_names_are_distinct);
	run("random_corruption_never_crashes", random_corruption_never_crashes);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
