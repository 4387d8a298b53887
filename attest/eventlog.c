/*
 * Strict TCG crypto-agile event log parser and replayer (see eventlog.h). Every read
 * is preceded by a check against the bytes left; lengths are compared, never added
 * to offsets before that, so no field value can wrap an offset.
 */
#include "eventlog.h"
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The tessera/tcg.h structs are copied in with memcpy: the wire format is little-endian. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "eventlog.c reads little-endian records into host structs"
#endif

static const struct {
	uint16_t alg;
	uint16_t size;
	const char *name;
} algs[] = {
	{ TCG_ALG_SHA1, TCG_SHA1_SIZE, "sha1" },
	{ TCG_ALG_SHA256, TCG_SHA256_SIZE, "sha256" },
	{ TCG_ALG_SHA384, TCG_SHA384_SIZE, "sha384" },
	{ TCG_ALG_SHA512, TCG_SHA512_SIZE, "sha512" },
};

enum allowed { NEVER, FIRMWARE, CORE };
#define T(name, allowed) { TCG_##name, #name, allowed }
static const struct {
	uint32_t type;
	const char *name;
	enum allowed allowed;
} types[] = {
	T(EV_PREBOOT_CERT, NEVER), T(EV_POST_CODE, FIRMWARE), T(EV_UNUSED, NEVER),
	T(EV_NO_ACTION, CORE), T(EV_SEPARATOR, CORE), T(EV_ACTION, CORE),
	T(EV_EVENT_TAG, FIRMWARE), T(EV_S_CRTM_CONTENTS, FIRMWARE), T(EV_S_CRTM_VERSION, FIRMWARE),
	T(EV_CPU_MICROCODE, FIRMWARE), T(EV_PLATFORM_CONFIG_FLAGS, FIRMWARE),
	T(EV_TABLE_OF_DEVICES, FIRMWARE), T(EV_COMPACT_HASH, FIRMWARE), T(EV_IPL, CORE),
	T(EV_IPL_PARTITION_DATA, FIRMWARE), T(EV_NONHOST_CODE, FIRMWARE),
	T(EV_NONHOST_CONFIG, FIRMWARE), T(EV_NONHOST_INFO, FIRMWARE),
	T(EV_OMIT_BOOT_DEVICE_EVENTS, FIRMWARE), T(EV_EFI_VARIABLE_DRIVER_CONFIG, FIRMWARE),
	T(EV_EFI_VARIABLE_BOOT, FIRMWARE), T(EV_EFI_BOOT_SERVICES_APPLICATION, FIRMWARE),
	T(EV_EFI_BOOT_SERVICES_DRIVER, FIRMWARE), T(EV_EFI_RUNTIME_SERVICES_DRIVER, FIRMWARE),
	T(EV_EFI_GPT_EVENT, FIRMWARE), T(EV_EFI_ACTION, FIRMWARE),
	T(EV_EFI_PLATFORM_FIRMWARE_BLOB, FIRMWARE), T(EV_EFI_HANDOFF_TABLES, FIRMWARE),
	T(EV_EFI_PLATFORM_FIRMWARE_BLOB2, FIRMWARE), T(EV_EFI_HANDOFF_TABLES2, FIRMWARE),
	T(EV_EFI_VARIABLE_BOOT2, FIRMWARE), T(EV_EFI_HCRTM_EVENT, FIRMWARE),
	T(EV_EFI_VARIABLE_AUTHORITY, FIRMWARE), T(EV_EFI_SPDM_FIRMWARE_BLOB, FIRMWARE),
	T(EV_EFI_SPDM_FIRMWARE_CONFIG, FIRMWARE),
};

static const char *const error_names[] = {
	"OK", "ARG", "TOO_BIG", "HDR_TRUNCATED", "HDR_TYPE", "HDR_PCR", "HDR_DIGEST",
	"HDR_SIGNATURE", "HDR_VERSION", "HDR_UINTN", "NO_BANKS", "TOO_MANY_BANKS", "HDR_ALG",
	"HDR_ALG_SIZE", "HDR_DUP_ALG", "HDR_SIZE", "TRAILING", "TRUNCATED", "PCR", "TYPE",
	"DIGEST_COUNT", "DIGEST_ALG", "DIGEST_ORDER", "EVENT_SIZE", "NO_ACTION_DIGEST", "LOCALITY",
	"HASH",
};
_Static_assert(sizeof(error_names) / sizeof(error_names[0]) == 1 - EVENTLOG_E_HASH,
	       "one name per error code");

__attribute__((format(printf, 5, 6))) static int fail(char *err, int rc, uint32_t index,
						       size_t off, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, EVENTLOG_ERROR_MAX, "eventlog: event %u at offset 0x%zx: ", index, off);
	if (n > 0 && n < EVENTLOG_ERROR_MAX) {
		va_start(ap, fmt);
		vsnprintf(err + n, EVENTLOG_ERROR_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

unsigned eventlog_alg_size(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return algs[i].size;
	return 0;
}

const char *eventlog_alg_name(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return algs[i].name;
	return NULL;
}

const char *eventlog_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].name;
	return NULL;
}

const char *eventlog_error_name(int rc)
{
	if (rc > 0 || rc < EVENTLOG_E_HASH)
		return "UNKNOWN";
	return error_names[-rc];
}

static bool type_allowed(uint32_t type, enum eventlog_profile profile)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].allowed == CORE ||
			       (types[i].allowed == FIRMWARE && profile == EVENTLOG_FIRMWARE);
	return false;
}

static int bank_of(const struct eventlog *l, uint16_t alg)
{
	for (unsigned i = 0; i < l->nbanks; i++)
		if (l->bank[i].alg == alg)
			return (int)i;
	return -1;
}

static int parse_header(struct eventlog *l)
{
	struct tcg_pcr_event ev;
	struct tcg_spec_id_event id;
	const uint8_t *data = l->buf + sizeof(ev);

	if (l->len < sizeof(ev))
		return fail(l->error, EVENTLOG_E_HDR_TRUNCATED, 0, 0,
			    "header needs %zu bytes, the log has %zu", sizeof(ev), l->len);
	memcpy(&ev, l->buf, sizeof(ev));
	if (ev.event_type != TCG_EV_NO_ACTION)
		return fail(l->error, EVENTLOG_E_HDR_TYPE, 0, 0,
			    "header event type 0x%x, expected EV_NO_ACTION", ev.event_type);
	if (ev.pcr_index != 0)
		return fail(l->error, EVENTLOG_E_HDR_PCR, 0, 0, "header PCR index %u, expected 0",
			    ev.pcr_index);
	if (!all_zero(ev.digest, sizeof(ev.digest)))
		return fail(l->error, EVENTLOG_E_HDR_DIGEST, 0, 0, "header digest is not zero");
	if (ev.event_size > l->len - sizeof(ev))
		return fail(l->error, EVENTLOG_E_HDR_TRUNCATED, 0, 0,
			    "header data of %u bytes runs past the end of the log (%zu bytes)",
			    ev.event_size, l->len);
	if (ev.event_size < TCG_SPEC_ID_SIGNATURE_SIZE ||
	    memcmp(data, TCG_SPEC_ID_SIGNATURE, TCG_SPEC_ID_SIGNATURE_SIZE))
		return fail(l->error, EVENTLOG_E_HDR_SIGNATURE, 0, 0,
			    "header is not a Spec ID Event03 event");
	if (ev.event_size < sizeof(id))
		return fail(l->error, EVENTLOG_E_HDR_SIZE, 0, 0,
			    "header data size %u, shorter than TCG_EfiSpecIdEvent", ev.event_size);
	memcpy(&id, data, sizeof(id));
	if (id.spec_version_major != TCG_SPEC_ID_VERSION_MAJOR ||
	    id.spec_version_minor != TCG_SPEC_ID_VERSION_MINOR)
		return fail(l->error, EVENTLOG_E_HDR_VERSION, 0, 0, "spec version %u.%u, expected 2.0",
			    id.spec_version_major, id.spec_version_minor);
	if (id.uintn_size != TCG_SPEC_ID_UINTN_32 && id.uintn_size != TCG_SPEC_ID_UINTN_64)
		return fail(l->error, EVENTLOG_E_HDR_UINTN, 0, 0, "uintnSize %u, expected 1 or 2",
			    id.uintn_size);
	if (id.number_of_algorithms == 0)
		return fail(l->error, EVENTLOG_E_NO_BANKS, 0, 0, "header lists no algorithm");
	if (id.number_of_algorithms > EVENTLOG_MAX_ALGS)
		return fail(l->error, EVENTLOG_E_TOO_MANY_BANKS, 0, 0,
			    "header lists %u algorithms, at most %u", id.number_of_algorithms,
			    EVENTLOG_MAX_ALGS);
	size_t need = sizeof(id) + id.number_of_algorithms * sizeof(struct tcg_spec_id_alg) + 1;
	if (ev.event_size < need)
		return fail(l->error, EVENTLOG_E_HDR_SIZE, 0, 0,
			    "header data size %u, %u algorithms need %zu", ev.event_size,
			    id.number_of_algorithms, need);
	for (unsigned i = 0; i < id.number_of_algorithms; i++) {
		struct tcg_spec_id_alg a;
		memcpy(&a, data + sizeof(id) + i * sizeof(a), sizeof(a));
		const char *name = eventlog_alg_name(a.algorithm_id);
		if (!name)
			return fail(l->error, EVENTLOG_E_HDR_ALG, 0, 0,
				    "header algorithm %u is 0x%04x, not sha1, sha256, sha384 or sha512",
				    i, a.algorithm_id);
		if (a.digest_size != eventlog_alg_size(a.algorithm_id))
			return fail(l->error, EVENTLOG_E_HDR_ALG_SIZE, 0, 0,
				    "header gives %s a digest size of %u, not %u", name, a.digest_size,
				    eventlog_alg_size(a.algorithm_id));
		if (bank_of(l, a.algorithm_id) >= 0)
			return fail(l->error, EVENTLOG_E_HDR_DUP_ALG, 0, 0, "header lists %s twice",
				    name);
		l->bank[l->nbanks++] = (struct eventlog_bank){ a.algorithm_id, a.digest_size };
	}
	need += data[need - 1]; /* vendorInfoSize */
	if (ev.event_size != need)
		return fail(l->error, EVENTLOG_E_HDR_SIZE, 0, 0,
			    "header data size %u, its contents take %zu", ev.event_size, need);
	l->uintn_size = id.uintn_size;
	l->first = sizeof(ev) + ev.event_size;
	return 0;
}

/* Decodes and checks one TCG_PCR_EVENT2 at off (< l->len); *next is the offset after it. */
static int read_event(const struct eventlog *l, size_t off, uint32_t index,
		      struct eventlog_event *ev, size_t *next, char *err)
{
	const uint8_t *b = l->buf + off;
	size_t left = l->len - off, at;
	struct tcg_pcr_event2_head h;

	if (left < sizeof(h))
		return fail(err, EVENTLOG_E_TRAILING, index, off,
			    "%zu trailing bytes after the last event", left);
	memcpy(&h, b, sizeof(h));
	if (h.pcr_index >= TCG_PCR_COUNT)
		return fail(err, EVENTLOG_E_PCR, index, off, "PCR index %u out of range (0-%u)",
			    h.pcr_index, TCG_PCR_COUNT - 1);
	if (!type_allowed(h.event_type, l->profile)) {
		const char *name = eventlog_type_name(h.event_type);
		if (name)
			return fail(err, EVENTLOG_E_TYPE, index, off, "event type %s not allowed in %s",
				    name, l->profile == EVENTLOG_CORE ? "a core log" : "an event log");
		return fail(err, EVENTLOG_E_TYPE, index, off, "unknown event type 0x%08x",
			    h.event_type);
	}
	if (h.digest_count != l->nbanks)
		return fail(err, EVENTLOG_E_DIGEST_COUNT, index, off, "digest count %u, header says %u",
			    h.digest_count, l->nbanks);
	*ev = (struct eventlog_event){ .index = index, .offset = off, .pcr = h.pcr_index,
				       .type = h.event_type };
	at = sizeof(h);
	for (unsigned i = 0; i < l->nbanks; i++) {
		if (left - at < sizeof(uint16_t) + l->bank[i].size)
			return fail(err, EVENTLOG_E_TRUNCATED, index, off,
				    "the log ends inside digest %u (%zu bytes left)", i, left - at);
		uint16_t alg = get16(b + at);
		if (alg != l->bank[i].alg) {
			if (bank_of(l, alg) >= 0)
				return fail(err, EVENTLOG_E_DIGEST_ORDER, index, off,
					    "digest %u is %s, header says %s", i, eventlog_alg_name(alg),
					    eventlog_alg_name(l->bank[i].alg));
			return fail(err, EVENTLOG_E_DIGEST_ALG, index, off,
				    "digest %u has algorithm 0x%04x, which the header does not list", i,
				    alg);
		}
		ev->digest[i] = b + at + sizeof(uint16_t);
		at += sizeof(uint16_t) + l->bank[i].size;
	}
	if (left - at < sizeof(uint32_t))
		return fail(err, EVENTLOG_E_TRUNCATED, index, off,
			    "the log ends inside the event size (%zu bytes left)", left - at);
	ev->data_size = get32(b + at);
	at += sizeof(uint32_t);
	if (ev->data_size > EVENTLOG_MAX_EVENT_DATA)
		return fail(err, EVENTLOG_E_EVENT_SIZE, index, off,
			    "event size %u exceeds the limit of %u", ev->data_size,
			    EVENTLOG_MAX_EVENT_DATA);
#ifdef FUZZ_PLANTED_BUG /* event data not checked against the log's end (fuzz/planted.sh) */
	if (0)
#else
	if (ev->data_size > left - at)
#endif
		return fail(err, EVENTLOG_E_TRUNCATED, index, off,
			    "event data of %u bytes runs past the end of the log (%zu bytes left)",
			    ev->data_size, left - at);
	ev->data = b + at;
	*next = off + at + ev->data_size;
	return 0;
}

static int hash(uint16_t alg, const uint8_t *in, size_t n, uint8_t *out)
{
	switch (alg) {
	case TCG_ALG_SHA1:
		return mbedtls_sha1_ret(in, n, out);
	case TCG_ALG_SHA256:
		return mbedtls_sha256_ret(in, n, out, 0);
	case TCG_ALG_SHA384:
		return mbedtls_sha512_ret(in, n, out, 1);
	case TCG_ALG_SHA512:
		return mbedtls_sha512_ret(in, n, out, 0);
	}
	return -1;
}

/* PCR := H(PCR || digest) in every bank. */
static int extend(struct eventlog *l, const struct eventlog_event *ev)
{
	for (unsigned i = 0; i < l->nbanks; i++) {
		uint8_t in[2 * EVENTLOG_MAX_DIGEST], *pcr = l->pcr[i][ev->pcr];
		size_t n = l->bank[i].size;
		memcpy(in, pcr, n);
		memcpy(in + n, ev->digest[i], n);
		if (hash(l->bank[i].alg, in, 2 * n, pcr))
			return fail(l->error, EVENTLOG_E_HASH, ev->index, ev->offset,
				    "%s extend failed", eventlog_alg_name(l->bank[i].alg));
	}
	l->extended |= 1u << ev->pcr;
	return 0;
}

/* EV_NO_ACTION: zero digests, nothing extended; StartupLocality sets PCR 0's start. */
static int no_action(struct eventlog *l, const struct eventlog_event *ev)
{
	const size_t sig = sizeof(TCG_STARTUP_LOCALITY_SIGNATURE);

	for (unsigned i = 0; i < l->nbanks; i++)
		if (!all_zero(ev->digest[i], l->bank[i].size))
			return fail(l->error, EVENTLOG_E_NO_ACTION_DIGEST, ev->index, ev->offset,
				    "EV_NO_ACTION with a non-zero %s digest",
				    eventlog_alg_name(l->bank[i].alg));
	if (ev->data_size < sig || memcmp(ev->data, TCG_STARTUP_LOCALITY_SIGNATURE, sig))
		return 0;
	if (ev->data_size != TCG_STARTUP_LOCALITY_SIZE || ev->pcr != 0)
		return fail(l->error, EVENTLOG_E_LOCALITY, ev->index, ev->offset,
			    "StartupLocality event of %u bytes at PCR %u, expected %u bytes at PCR 0",
			    ev->data_size, ev->pcr, TCG_STARTUP_LOCALITY_SIZE);
	if (l->startup_locality >= 0 || (l->extended & 1))
		return fail(l->error, EVENTLOG_E_LOCALITY, ev->index, ev->offset,
			    "StartupLocality after %s",
			    l->startup_locality >= 0 ? "another one" : "PCR 0 was extended");
	uint8_t loc = ev->data[sig];
	if (loc > 4)
		return fail(l->error, EVENTLOG_E_LOCALITY, ev->index, ev->offset,
			    "startup locality %u, expected 0-4", loc);
	l->startup_locality = loc;
	for (unsigned i = 0; i < l->nbanks; i++)
		l->pcr[i][0][l->bank[i].size - 1] = loc;
	return 0;
}

int eventlog_parse(struct eventlog *l, const void *buf, size_t len, enum eventlog_profile profile)
{
	struct eventlog_event ev;
	size_t off, next = 0;
	int rc;

	if (!l)
		return EVENTLOG_E_ARG;
	memset(l, 0, sizeof(*l));
	l->startup_locality = -1;
	if ((!buf && len) || (profile != EVENTLOG_CORE && profile != EVENTLOG_FIRMWARE))
		return fail(l->error, EVENTLOG_E_ARG, 0, 0, "bad arguments");
	if (len > EVENTLOG_MAX_SIZE)
		return fail(l->error, EVENTLOG_E_TOO_BIG, 0, 0, "log of %zu bytes exceeds the limit of %u",
			    len, EVENTLOG_MAX_SIZE);
	l->buf = buf;
	l->len = len;
	l->profile = profile;
	rc = parse_header(l);
	/* Each event takes at least 12 bytes, so this ends within len / 12 rounds. */
	for (off = l->first; !rc && off < len; off = next) {
		rc = read_event(l, off, l->events + 1, &ev, &next, l->error);
		if (!rc)
			rc = ev.type == TCG_EV_NO_ACTION ? no_action(l, &ev) : extend(l, &ev);
		if (!rc)
			l->events++;
	}
	if (rc)
		l->first = 0; /* eventlog_next() walks nothing */
	return rc;
}

int eventlog_next(const struct eventlog *l, struct eventlog_event *ev)
{
	char err[EVENTLOG_ERROR_MAX];
	size_t off, next;

	if (!l || !ev || !l->first)
		return 0;
	off = ev->index ? (size_t)(ev->data - l->buf) + ev->data_size : l->first;
	if (off >= l->len || ev->index >= l->events)
		return 0;
	return read_event(l, off, ev->index + 1, ev, &next, err) ? 0 : 1;
}

const uint8_t *eventlog_pcr(const struct eventlog *l, uint16_t alg, unsigned pcr)
{
	int b = bank_of(l, alg);
	return b < 0 || pcr >= TCG_PCR_COUNT || !l->first ? NULL : l->pcr[b][pcr];
}

const uint8_t *eventlog_digest(const struct eventlog *l, const struct eventlog_event *ev,
			       uint16_t alg)
{
	int b = bank_of(l, alg);
	return b < 0 ? NULL : ev->digest[b];
}
