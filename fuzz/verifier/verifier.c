/*
 * The remote verifier's judgement of evidence (attest/verify.c, verify_events.c,
 * evidence_parse.c): everything it reads from the machine it checks is hostile.
 * The first input byte picks what the rest is:
 *   0  an evidence file's text, judged as `verify --evidence-in` judges it;
 *   1  an event log, compared with the golden manifest (verify_events);
 *   2  a TPMS_ATTEST (the rest; its length first, 2 bytes) and a TPMT_SIGNATURE;
 *   3  as 2, but the harness signs the quote with the enrolled AK, so the checks
 *      after the signature (nonce, freshness, selection, replay, events) are reached.
 * The AK is an RSA key the harness makes at start; the manifest is that of a log
 * the core's own log builder (core/tlog.c) writes (fuzz/verifier/golden.c).
 */
#include "golden.h"
#include "tool.h"
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static struct att_enrollment en;
static struct manifest man;
static mbedtls_rsa_context ak;
static struct evidence ev;
static struct att_report report;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (golden_manifest(&man) || golden_key(&ak, &en))
		abort();
	return 0;
}

/* Sign ev.attest with the AK as a TPM would (RSASSA, SHA-256), marshalled into ev.sig. */
static void sign(void)
{
	TPMT_SIGNATURE s;
	uint8_t hash[32];
	size_t off = 0;
	memset(&s, 0, sizeof(s));
	s.sigAlg = TPM2_ALG_RSASSA;
	s.signature.rsassa.hash = TPM2_ALG_SHA256;
	s.signature.rsassa.sig.size = (uint16_t)mbedtls_rsa_get_len(&ak);
	if (mbedtls_sha256_ret(ev.attest, ev.attest_len, hash, 0) ||
	    mbedtls_rsa_pkcs1_sign(&ak, golden_rng, NULL, MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256, 32, hash,
				   s.signature.rsassa.sig.buffer) ||
	    Tss2_MU_TPMT_SIGNATURE_Marshal(&s, ev.sig, sizeof(ev.sig), &off))
		abort();
	ev.sig_len = off;
}

static void judge(void)
{
	struct verify_input in = { &en, &man, &ev, ev.nonce, NONCE_ISSUED, { false, 0, 0, 0 } };
	int rc = verify_evidence(&in, &report);
	/* A verdict is trusted only with the manifest's every event and PCR matched. */
	if (rc == ATT_TRUSTED && (report.ndiffs || !report.have_log || report.events != man.nevents))
		abort();
	if (rc != ATT_TRUSTED && (rc != report.code || !report.reason[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t alen;
	memset(&report, 0, sizeof(report));
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		if (evidence_parse((const char *)data + 1, size - 1, &ev))
			return 0;
		judge();
		evidence_free(&ev);
		break;
	case 1:
		if (!verify_events(&man, data + 1, size - 1, &report) &&
		    (report.ndiffs || report.events != man.nevents))
			abort();
		break;
	default:
		if (size < 3)
			return 0;
		memset(&ev, 0, sizeof(ev));
		alen = (size_t)(data[1] | data[2] << 8);
		if (alen > size - 3 || alen > sizeof(ev.attest))
			return 0;
		memcpy(ev.attest, data + 3, alen);
		ev.attest_len = alen;
		ev.sig_len = size - 3 - alen < sizeof(ev.sig) ? size - 3 - alen : sizeof(ev.sig);
		memcpy(ev.sig, data + 3 + alen, ev.sig_len);
		ev.log = (uint8_t *)golden_log(&ev.log_len);
		memcpy(ev.nonce, golden_nonce, sizeof(ev.nonce));
		if (data[0] % 4 == 3)
			sign();
		judge();
		ev.log = NULL;
		break;
	}
	return 0;
}
