/*
 * The core's TCG event log (format: tessera/tcg.h). Records are laid out field by
 * field with memcpy: the log is unaligned and little-endian, like x86.
 */
#include <core/tlog.h>
#include <core/lib.h>
#include <tessera/errno.h>
#include <tessera/tcg.h>

static const uint8_t separator[TCG_SEPARATOR_SIZE];

static uint8_t *put(uint8_t *p, const void *v, size_t n)
{
	if (n)
		memcpy(p, v, n);
	return p + n;
}

/* Not __builtin_popcount: without -mpopcnt it is a libgcc call the core does not link. */
static uint32_t bank_count(uint32_t banks)
{
	uint32_t n = 0;
	for (unsigned a = 0; a < HASH_ALGS; a++)
		n += (banks >> a) & 1;
	return n;
}

int tlog_init(struct tlog *l, void *buf, size_t cap, uint32_t banks)
{
	uint32_t n = bank_count(banks);
	size_t size = sizeof(struct tcg_pcr_event) + sizeof(struct tcg_spec_id_event) +
		      n * sizeof(struct tcg_spec_id_alg) + 1 /* vendorInfoSize */;

	if (!l || !buf || !banks || (banks & ~HASH_ALL_BANKS))
		return -TESSERA_EINVAL;
	if (size > cap)
		return -TESSERA_ENOSPC;

	struct tcg_pcr_event ev = { .pcr_index = 0, .event_type = TCG_EV_NO_ACTION,
				    .event_size = (uint32_t)(size - sizeof(ev)) };
	struct tcg_spec_id_event id = { .platform_class = TCG_PLATFORM_CLIENT,
					.spec_version_minor = TCG_SPEC_ID_VERSION_MINOR,
					.spec_version_major = TCG_SPEC_ID_VERSION_MAJOR,
					.spec_errata = TCG_SPEC_ID_ERRATA,
					.uintn_size = TCG_SPEC_ID_UINTN_64,
					.number_of_algorithms = n };
	memcpy(id.signature, TCG_SPEC_ID_SIGNATURE, TCG_SPEC_ID_SIGNATURE_SIZE);
	uint8_t *p = put(buf, &ev, sizeof(ev));
	p = put(p, &id, sizeof(id));
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		if (!(banks & (1u << a)))
			continue;
		struct tcg_spec_id_alg alg = { hash_tpm_alg((enum hash_alg)a),
					       (uint16_t)hash_size((enum hash_alg)a) };
		p = put(p, &alg, sizeof(alg));
	}
	*p = 0; /* no vendor information */
	*l = (struct tlog){ .buf = buf, .cap = cap, .len = size, .banks = banks };
	return 0;
}

int tlog_measure(struct tlog *l, uint32_t pcr, uint32_t type, const void *payload, size_t plen,
		 const void *data, size_t dlen, struct hash_digests *out)
{
	size_t size = sizeof(struct tcg_pcr_event2_head) + sizeof(uint32_t);

	if (!l || !l->buf || !l->banks || l->len > l->cap || !out || pcr >= TCG_PCR_COUNT ||
	    type == TCG_EV_NO_ACTION || (!payload && plen) || (!data && dlen) || dlen > UINT32_MAX)
		return -TESSERA_EINVAL;
	for (unsigned a = 0; a < HASH_ALGS; a++)
		if (l->banks & (1u << a))
			size += sizeof(uint16_t) + hash_size((enum hash_alg)a);
	if (size > l->cap - l->len || dlen > l->cap - l->len - size)
		return -TESSERA_ENOSPC;

	hash_all(l->banks, payload, plen, out);
	struct tcg_pcr_event2_head head = { .pcr_index = pcr, .event_type = type,
					    .digest_count = bank_count(l->banks) };
	uint32_t event_size = (uint32_t)dlen;
	uint8_t *p = put(l->buf + l->len, &head, sizeof(head));
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		if (!(l->banks & (1u << a)))
			continue;
		uint16_t id = hash_tpm_alg((enum hash_alg)a);
		p = put(p, &id, sizeof(id));
		p = put(p, out->d[a], hash_size((enum hash_alg)a));
	}
	p = put(p, &event_size, sizeof(event_size));
	put(p, data, dlen);
	l->len += size + dlen;
	l->events++;
	return 0;
}

int tlog_separator(struct tlog *l, uint32_t pcr, struct hash_digests *out)
{
	return tlog_measure(l, pcr, TCG_EV_SEPARATOR, separator, sizeof(separator), separator,
			    sizeof(separator), out);
}
