/*
 * Evidence: what a verification looks at (nonce, TPMS_ATTEST, TPMT_SIGNATURE, event
 * log, info text), collected from the TPM or saved to a file and checked later
 * (verify --evidence-out / --evidence-in). The file is text, one hex field a line:
 *   tessera-attest evidence 1 / nonce HEX / attest HEX / signature HEX / log HEX / info HEX
 */
#include "tool.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/attest.h>
#include <tss2/tss2_mu.h>

#define EVIDENCE_FILE_MAX \
	(2 * (TESSERA_ATTEST_LOG_MAX + EVIDENCE_ATTEST_MAX + EVIDENCE_SIG_MAX + 8192))

static void put_field(FILE *f, const char *name, const uint8_t *p, size_t n)
{
	fprintf(f, "%s ", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

int evidence_write(const char *path, const struct evidence *e, struct att_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return att_fail(r, ATT_INPUT, "out of memory");
	fprintf(f, "tessera-attest evidence 1\n");
	put_field(f, "nonce", e->nonce, sizeof(e->nonce));
	put_field(f, "attest", e->attest, e->attest_len);
	put_field(f, "signature", e->sig, e->sig_len);
	put_field(f, "log", e->log, e->log_len);
	put_field(f, "info", (const uint8_t *)e->info, strlen(e->info));
	if (fclose(f)) {
		free(text);
		return att_fail(r, ATT_INPUT, "out of memory");
	}
	int rc = att_write_file(path, text, len);
	free(text);
	return rc ? att_fail(r, ATT_INPUT, "cannot write %s: %s", path, strerror(errno)) : 0;
}

int evidence_read(const char *path, struct evidence *e, struct att_report *r)
{
	size_t len;
	char *text = (char *)att_read_file(path, EVIDENCE_FILE_MAX, &len);
	int rc;

	memset(e, 0, sizeof(*e));
	if (!text)
		return att_fail(r, ATT_INPUT, "cannot read evidence %s: %s", path, strerror(errno));
	rc = evidence_parse(text, len, e);
	free(text);
	if (rc)
		return att_fail(r, ATT_INPUT, "evidence %s is malformed (see attest/README.md \"Evidence\")",
				path);
	return 0;
}

static int get_log(struct att_tpm *t, const char *log_path, struct evidence *e,
		   struct att_report *r)
{
	uint8_t *info;
	size_t n;

	if (log_path) {
		e->log = att_read_file(log_path, TESSERA_ATTEST_LOG_MAX, &e->log_len);
		if (!e->log)
			return att_fail(r, ATT_INPUT, "cannot read the event log %s: %s", log_path,
					strerror(errno));
	} else if (!t->socket) {
		return att_fail(r, ATT_USAGE, "with --tcti, give the event log with --log FILE");
	} else if (tpm_channel_get(t, TESSERA_ATTEST_REQ_LOG, &e->log, &e->log_len, r)) {
		return r->code;
	}
	if (!t->socket)
		return 0;
	if (tpm_channel_get(t, TESSERA_ATTEST_REQ_INFO, &info, &n, r))
		return r->code;
	/* Informational only (the log is the evidence): keep printable text. */
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < sizeof(e->info); i++)
		if ((info[i] >= 0x20 && info[i] < 0x7f) || info[i] == '\n')
			e->info[j++] = (char)info[i];
	e->info[j] = 0;
	free(info);
	return 0;
}

int evidence_collect(struct att_tpm *t, const TPM2B_PUBLIC *ak_pub, const TPM2B_PRIVATE *ak_priv,
		     const TPML_PCR_SELECTION *sel, const uint8_t nonce[32], const char *log_path,
		     struct evidence *e, struct att_report *r)
{
	const TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL }; /* the key's own */
	TPM2B_DATA qualifying = { .size = 32 };
	TPM2B_PUBLIC ek_pub;
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TSS2_RC rc;

	memset(e, 0, sizeof(*e));
	memcpy(e->nonce, nonce, 32);
	memcpy(qualifying.buffer, nonce, 32);
	if (tpm_create_ek(t, &ek, &ek_pub, r) || tpm_load_ak(t, ek, ak_pub, ak_priv, &ak, r))
		goto out;
	tpm_flush(t, &ek);
	rc = Esys_Quote(t->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qualifying,
			&scheme, sel, &quoted, &sig);
	if (rc) {
		tpm_fail(t, r, "TPM2_Quote", rc);
		goto out;
	}
	if (quoted->size > sizeof(e->attest)) {
		att_fail(r, ATT_QUOTE, "TPM2B_ATTEST of %u bytes", quoted->size);
		goto out;
	}
	memcpy(e->attest, quoted->attestationData, quoted->size);
	e->attest_len = quoted->size;
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(sig, e->sig, sizeof(e->sig), &e->sig_len)) {
		att_fail(r, ATT_QUOTE, "cannot marshal the quote's signature");
		goto out;
	}
	tpm_flush(t, &ak);
	get_log(t, log_path, e, r);
out:
	tpm_flush(t, &ak);
	tpm_flush(t, &ek);
	free(quoted);
	free(sig);
	if (r->code)
		evidence_free(e);
	return r->code;
}
