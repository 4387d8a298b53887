/*
 * The verdict on evidence, in a fixed order so each failure has one class:
 *   structure (11) -> signer (18) -> signature (12) -> nonce (13) -> freshness (14)
 *   -> PCR selection (15) -> log (10) -> replay (16) -> manifest (17)
 * Nothing of the quote is believed before its signature verified with the enrolled
 * AK; the log is believed only as far as it replays to the signed PCR digest.
 */
#include "tool.h"
#include "eventlog.h"
#include <string.h>
#include <tss2/tss2_mu.h>

void verify_selection(const struct manifest *m, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = m->quote_alg;
	sel->pcrSelections[0].sizeofSelect = 3;
	for (unsigned i = 0; i < TCG_PCR_COUNT; i++)
		if (m->quote_pcrs & (1u << i))
			sel->pcrSelections[0].pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* "sha1:11,12,13 sha256:..." for messages. */
static void describe_selection(char *out, size_t n, const TPML_PCR_SELECTION *s)
{
	size_t k = 0;
	out[0] = 0;
	for (uint32_t b = 0; b < s->count && b < TPM2_NUM_PCR_BANKS && k + 1 < n; b++) {
		const TPMS_PCR_SELECTION *p = &s->pcrSelections[b];
		const char *name = eventlog_alg_name(p->hash);
		bool first = true;
		k += (size_t)snprintf(out + k, n - k, "%s%s:", b ? " " : "", name ? name : "?");
		for (unsigned i = 0; i < 8u * p->sizeofSelect && i < 8 * TPM2_PCR_SELECT_MAX && k + 1 < n; i++)
			if (p->pcrSelect[i / 8] & (1u << (i % 8))) {
				k += (size_t)snprintf(out + k, n - k, "%s%u", first ? "" : ",", i);
				first = false;
			}
		if (first && k + 1 < n)
			k += (size_t)snprintf(out + k, n - k, "none");
	}
}

static bool clock_before(const TPMS_CLOCK_INFO *c, const struct att_clock *last)
{
	if (c->resetCount != last->reset_count)
		return c->resetCount < last->reset_count;
	if (c->restartCount != last->restart_count)
		return c->restartCount < last->restart_count;
	return c->clock < last->clock;
}

static int check_structure(const struct evidence *ev, TPMS_ATTEST *a, TPMT_SIGNATURE *s,
			   struct att_report *r)
{
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	memset(s, 0, sizeof(*s));
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(ev->attest, ev->attest_len, &off, a))
		return att_fail(r, ATT_QUOTE, "the quote (%zu bytes) is not a TPMS_ATTEST", ev->attest_len);
	if (off != ev->attest_len)
		return att_fail(r, ATT_QUOTE, "%zu trailing bytes after the TPMS_ATTEST (%zu bytes)",
				ev->attest_len - off, off);
	off = 0;
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(ev->sig, ev->sig_len, &off, s))
		return att_fail(r, ATT_QUOTE, "the signature (%zu bytes) is not a TPMT_SIGNATURE",
				ev->sig_len);
	if (off != ev->sig_len)
		return att_fail(r, ATT_QUOTE, "%zu trailing bytes after the TPMT_SIGNATURE",
				ev->sig_len - off);
	if (a->magic != TPM2_GENERATED_VALUE)
		return att_fail(r, ATT_QUOTE, "magic 0x%08x is not TPM_GENERATED_VALUE (0xff544347)",
				a->magic);
	if (a->type != TPM2_ST_ATTEST_QUOTE)
		return att_fail(r, ATT_QUOTE, "attestation type 0x%04x is not TPM_ST_ATTEST_QUOTE",
				a->type);
	return 0;
}

static int check_signer(const struct att_enrollment *en, const TPMS_ATTEST *a,
			const struct evidence *ev, const TPMT_SIGNATURE *s, struct att_report *r)
{
	char got[2 * sizeof(TPMU_NAME) + 1], want[sizeof(got)], err[160];

	if (a->qualifiedSigner.size != en->ak_qname.size ||
	    memcmp(a->qualifiedSigner.name, en->ak_qname.name, en->ak_qname.size)) {
		att_hex(got, a->qualifiedSigner.name,
			a->qualifiedSigner.size <= sizeof(TPMU_NAME) ? a->qualifiedSigner.size : 0);
		att_hex(want, en->ak_qname.name, en->ak_qname.size);
		return att_fail(r, ATT_SIGNER, "the quote was made by the key with qualified name %s, "
				"not by the enrolled AK (%s)", got, want);
	}
	if (crypto_verify(&en->ak_pub.publicArea, s, ev->attest, ev->attest_len, err, sizeof(err)))
		return att_fail(r, ATT_SIGNATURE, "%s", err);
	return 0;
}

static int check_nonce(const struct verify_input *in, const TPMS_ATTEST *a, struct att_report *r)
{
	if (a->extraData.size != 32 || memcmp(a->extraData.buffer, in->expected_nonce, 32))
		return att_fail(r, ATT_NONCE, "the quote's extraData (%u bytes) is not the expected nonce",
				a->extraData.size);
	if (in->nonce_state == NONCE_USED)
		return att_fail(r, ATT_NONCE, "replayed nonce: this nonce was already used for a verdict");
	if (in->nonce_state != NONCE_ISSUED)
		return att_fail(r, ATT_NONCE, "the nonce was never issued by this verifier (or has expired)");
	return 0;
}

static int check_replay(const struct verify_input *in, const TPMS_ATTEST *a, struct att_report *r)
{
	static struct eventlog l;
	const TPMS_QUOTE_INFO *q = &a->attested.quote;
	uint8_t cat[TCG_PCR_COUNT * TCG_SHA256_SIZE], digest[TCG_SHA256_SIZE];
	size_t n = 0;
	char hl[65], hq[129];

	if (eventlog_parse(&l, in->ev->log, in->ev->log_len, EVENTLOG_CORE))
		return att_fail(r, ATT_LOG, "%s", l.error);
	/* pcrDigest: the selected PCRs of the bank, in index order, hashed with SHA-256. */
	for (unsigned i = 0; i < TCG_PCR_COUNT; i++) {
		if (!(in->man->quote_pcrs & (1u << i)))
			continue;
		const uint8_t *v = eventlog_pcr(&l, in->man->quote_alg, i);
		if (in->man->external & (1u << i)) /* GRUB's: the manifest's value, from the ISO */
			v = in->man->pcr[man_bank(in->man->quote_alg)][i];
		if (!v)
			return att_fail(r, ATT_LOG, "the log has no %s bank, which the quote covers",
					eventlog_alg_name(in->man->quote_alg));
		memcpy(cat + n, v, TCG_SHA256_SIZE);
		n += TCG_SHA256_SIZE;
	}
	crypto_sha256(cat, n, digest);
	if (q->pcrDigest.size != sizeof(digest) || memcmp(q->pcrDigest.buffer, digest, sizeof(digest))) {
		att_hex(hl, digest, sizeof(digest));
		att_hex(hq, q->pcrDigest.buffer, q->pcrDigest.size <= 64 ? q->pcrDigest.size : 64);
		return att_fail(r, ATT_REPLAY, "the event log does not replay to the quoted PCRs%s: "
				"replayed digest %s, quoted %s",
				in->man->external ? " (or GRUB's PCR 8/9 differ from what the ISO gives)" : "",
				hl, hq);
	}
	return 0;
}

int verify_evidence(const struct verify_input *in, struct att_report *r)
{
	static TPMS_ATTEST a;
	static TPMT_SIGNATURE s;
	TPML_PCR_SELECTION want;
	char got_sel[160], want_sel[160];

	memcpy(r->nonce, in->expected_nonce, sizeof(r->nonce));
	if (check_structure(in->ev, &a, &s, r) || check_signer(in->en, &a, in->ev, &s, r))
		return r->code;
	r->have_quote = true;
	r->clock = a.clockInfo.clock;
	r->reset_count = a.clockInfo.resetCount;
	r->restart_count = a.clockInfo.restartCount;
	r->safe = a.clockInfo.safe;
	r->firmware = a.firmwareVersion;
	r->pcr_digest_len = a.attested.quote.pcrDigest.size <= 64 ? a.attested.quote.pcrDigest.size : 64;
	memcpy(r->pcr_digest, a.attested.quote.pcrDigest.buffer, r->pcr_digest_len);
	if (check_nonce(in, &a, r))
		return r->code;
	if (in->last.valid && clock_before(&a.clockInfo, &in->last))
		return att_fail(r, ATT_STALE, "stale quote: TPM clock (resetCount %u, restartCount %u, "
				"clock %llu) is behind the last accepted quote's (%u, %u, %llu)",
				a.clockInfo.resetCount, a.clockInfo.restartCount,
				(unsigned long long)a.clockInfo.clock, in->last.reset_count,
				in->last.restart_count, (unsigned long long)in->last.clock);
	verify_selection(in->man, &want);
	const TPML_PCR_SELECTION *got = &a.attested.quote.pcrSelect;
	if (got->count != 1 || got->pcrSelections[0].hash != want.pcrSelections[0].hash ||
	    got->pcrSelections[0].sizeofSelect != 3 ||
	    memcmp(got->pcrSelections[0].pcrSelect, want.pcrSelections[0].pcrSelect, 3)) {
		describe_selection(got_sel, sizeof(got_sel), got);
		describe_selection(want_sel, sizeof(want_sel), &want);
		return att_fail(r, ATT_PCR_SELECTION, "the quote covers %s, the manifest expects exactly %s",
				got_sel, want_sel);
	}
	if (check_replay(in, &a, r))
		return r->code;
	return verify_events(in->man, in->ev->log, in->ev->log_len, r);
}
