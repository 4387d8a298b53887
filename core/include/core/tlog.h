/*
 * The TCG event log of the core's measurements (crypto-agile format, layouts in
 * tessera/tcg.h), built in a buffer the caller supplies. Every append either fits
 * whole or leaves the log as it was; nothing is written past the capacity.
 */
#ifndef CORE_TLOG_H
#define CORE_TLOG_H
#include <core/hash.h>

struct tlog {
	uint8_t *buf;
	size_t cap;
	size_t len;      /* bytes of log so far: the header and every event */
	uint32_t banks;  /* bit per enum hash_alg, as listed in the header */
	uint32_t events; /* TCG_PCR_EVENT2 records after the header */
};

/*
 * Starts a log with the Spec ID Event03 header listing exactly `banks` (in enum
 * hash_alg order). -EINVAL: no buffer, no bank or an unknown one; -ENOSPC: cap too small.
 */
int tlog_init(struct tlog *l, void *buf, size_t cap, uint32_t banks);

/*
 * Appends one TCG_PCR_EVENT2 to PCR `pcr` (< 24) of `type` whose digests, one per
 * bank, are those of `payload` and whose event data is `data`; returns the digests in
 * *out for the caller to extend into the TPM. EV_NO_ACTION is refused (it would log
 * digests nobody extends). -EINVAL: bad argument; -ENOSPC: the event does not fit.
 */
int tlog_measure(struct tlog *l, uint32_t pcr, uint32_t type, const void *payload, size_t plen,
		 const void *data, size_t dlen, struct hash_digests *out);

/* EV_SEPARATOR: 4 zero bytes as data, their digests extended. */
int tlog_separator(struct tlog *l, uint32_t pcr, struct hash_digests *out);
#endif
