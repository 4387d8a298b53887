/*
 * Strict parser and replayer of a TCG crypto-agile event log (tessera/tcg.h), for a
 * verifier that receives the log from the machine it checks: every byte is hostile.
 *
 * eventlog_parse() accepts a log only if
 *   - it starts with the Spec ID Event03 header (EV_NO_ACTION at PCR 0, zero SHA-1
 *     digest, spec 2.0, a UINTN size of 1 or 2) listing 1-4 distinct algorithms among
 *     SHA-1/256/384/512 with their true digest sizes, its data size exactly its contents;
 *   - every TCG_PCR_EVENT2 has a PCR index < 24, an allowed event type (the profile),
 *     exactly the header's digests in the header's order, an event size of at most
 *     EVENTLOG_MAX_EVENT_DATA that lies within the log;
 *   - EV_NO_ACTION events carry zero digests (they are never extended); the firmware's
 *     StartupLocality event, if any, comes before PCR 0 is first extended;
 *   - nothing follows the last event.
 * It then has the final PCR values of every bank (all PCRs start at zero, PCR 0 at the
 * startup locality), and eventlog_next() walks the events in order.
 *
 * Every rejection is a distinct negative EVENTLOG_E_* code and a message naming the
 * event (the header is event 0, as tpm2_eventlog counts) and its byte offset, e.g.
 * "eventlog: event 3 at offset 0x1a4: digest count 1, header says 2".
 * Hashing: mbedTLS 2.28 (link -lmbedcrypto).
 */
#ifndef ATTEST_EVENTLOG_H
#define ATTEST_EVENTLOG_H
#include <stddef.h>
#include <stdint.h>
#include <tessera/tcg.h>

#define EVENTLOG_MAX_ALGS 4                /* SHA-1, SHA-256, SHA-384, SHA-512, once each */
#define EVENTLOG_MAX_DIGEST 64
#define EVENTLOG_MAX_EVENT_DATA (1u << 20) /* a firmware GPT or certificate event is < 64 KiB */
#define EVENTLOG_MAX_SIZE (16u << 20)      /* the whole log */
#define EVENTLOG_ERROR_MAX 200

/* The event types a log may hold. */
enum eventlog_profile {
	/* The Tessera core's log: EV_NO_ACTION, EV_SEPARATOR, EV_ACTION, EV_IPL. */
	EVENTLOG_CORE,
	/* A firmware log (UEFI, SeaBIOS, shim, GRUB): also EV_POST_CODE, EV_EVENT_TAG,
	 * EV_S_CRTM_*, EV_CPU_MICROCODE, EV_PLATFORM_CONFIG_FLAGS, EV_TABLE_OF_DEVICES,
	 * EV_COMPACT_HASH, EV_IPL_PARTITION_DATA, EV_NONHOST_*, EV_OMIT_BOOT_DEVICE_EVENTS
	 * and the EV_EFI_* types of the PC Client PFP 1.05. Never EV_PREBOOT_CERT (deprecated)
	 * or EV_UNUSED (reserved). */
	EVENTLOG_FIRMWARE,
};

enum {
	EVENTLOG_E_ARG = -1,             /* bad call (NULL, unknown profile) */
	EVENTLOG_E_TOO_BIG = -2,         /* log over EVENTLOG_MAX_SIZE */
	EVENTLOG_E_HDR_TRUNCATED = -3,   /* the log ends inside the header */
	EVENTLOG_E_HDR_TYPE = -4,        /* header is not EV_NO_ACTION */
	EVENTLOG_E_HDR_PCR = -5,         /* header PCR index is not 0 */
	EVENTLOG_E_HDR_DIGEST = -6,      /* header digest is not zero */
	EVENTLOG_E_HDR_SIGNATURE = -7,   /* header data is not Spec ID Event03 */
	EVENTLOG_E_HDR_VERSION = -8,     /* spec version is not 2.0 */
	EVENTLOG_E_HDR_UINTN = -9,       /* UINTN size is neither 1 nor 2 */
	EVENTLOG_E_NO_BANKS = -10,       /* header lists no algorithm */
	EVENTLOG_E_TOO_MANY_BANKS = -11, /* more than EVENTLOG_MAX_ALGS */
	EVENTLOG_E_HDR_ALG = -12,        /* header lists an unknown algorithm */
	EVENTLOG_E_HDR_ALG_SIZE = -13,   /* ... with the wrong digest size */
	EVENTLOG_E_HDR_DUP_ALG = -14,    /* ... twice */
	EVENTLOG_E_HDR_SIZE = -15,       /* header data size is not what it holds */
	EVENTLOG_E_TRAILING = -16,       /* bytes after the last event, too few for one */
	EVENTLOG_E_TRUNCATED = -17,      /* the log ends inside an event */
	EVENTLOG_E_PCR = -18,            /* PCR index >= 24 */
	EVENTLOG_E_TYPE = -19,           /* event type not allowed in the profile */
	EVENTLOG_E_DIGEST_COUNT = -20,   /* not the header's number of digests */
	EVENTLOG_E_DIGEST_ALG = -21,     /* a digest of an algorithm the header does not list */
	EVENTLOG_E_DIGEST_ORDER = -22,   /* the header's algorithms in another order */
	EVENTLOG_E_EVENT_SIZE = -23,     /* event size over EVENTLOG_MAX_EVENT_DATA */
	EVENTLOG_E_NO_ACTION_DIGEST = -24, /* EV_NO_ACTION with a non-zero digest */
	EVENTLOG_E_LOCALITY = -25,       /* malformed, repeated or late StartupLocality */
	EVENTLOG_E_HASH = -26,           /* mbedTLS failed */
};

struct eventlog_bank {
	uint16_t alg;  /* TPM_ALG_ID */
	uint16_t size; /* digest bytes */
};

struct eventlog {
	const uint8_t *buf; /* the caller's log: it must outlive this struct */
	size_t len;
	size_t first; /* offset of the first TCG_PCR_EVENT2 */
	enum eventlog_profile profile;
	uint8_t uintn_size;
	unsigned nbanks;
	struct eventlog_bank bank[EVENTLOG_MAX_ALGS]; /* in header order */
	uint32_t events;           /* TCG_PCR_EVENT2 records */
	int startup_locality;      /* -1: no StartupLocality event */
	uint32_t extended;         /* bit per PCR extended at least once */
	uint8_t pcr[EVENTLOG_MAX_ALGS][TCG_PCR_COUNT][EVENTLOG_MAX_DIGEST]; /* per bank[] */
	char error[EVENTLOG_ERROR_MAX]; /* why parsing failed */
};

struct eventlog_event {
	uint32_t index; /* 1 for the first event after the header */
	size_t offset;
	uint32_t pcr;
	uint32_t type;
	const uint8_t *digest[EVENTLOG_MAX_ALGS]; /* per bank[], pointing into the log */
	const uint8_t *data;
	uint32_t data_size;
};

/* 0, or a negative EVENTLOG_E_* with l->error set. */
int eventlog_parse(struct eventlog *l, const void *buf, size_t len, enum eventlog_profile profile);

/*
 * After a successful parse, the events in order: zero *ev, then each call replaces it
 * with the next event and returns 1, or returns 0 after the last one (or if the parse
 * failed).
 */
int eventlog_next(const struct eventlog *l, struct eventlog_event *ev);

/* The replayed value of a PCR in the bank of TPM algorithm `alg`; NULL if none. */
const uint8_t *eventlog_pcr(const struct eventlog *l, uint16_t alg, unsigned pcr);

/* An event's digest in the bank of `alg`; NULL if the log has no such bank. */
const uint8_t *eventlog_digest(const struct eventlog *l, const struct eventlog_event *ev,
			       uint16_t alg);

/* Digest size of a known algorithm (0 otherwise), its name ("sha256", NULL). */
unsigned eventlog_alg_size(uint16_t alg);
const char *eventlog_alg_name(uint16_t alg);
/* "EV_IPL" for a known event type, NULL otherwise. */
const char *eventlog_type_name(uint32_t type);
/* "TRUNCATED" for EVENTLOG_E_TRUNCATED: a stable name for JSON output. */
const char *eventlog_error_name(int rc);
#endif
