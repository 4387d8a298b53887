/*
 * TPM operations the verifier needs (ESYS). There is no resource manager: every
 * transient object and session made here is flushed by the caller (tpm_flush), and
 * policy sessions are made without continueSession, so the TPM ends them after use.
 */
#include "tool.h"
#include <stdlib.h>
#include <string.h>

#define EK_CERT_NV_RSA 0x01c00002 /* TCG EK Credential Profile: RSA 2048 EK certificate */
#define EK_CERT_MAX 8192
#define NV_CHUNK 512 /* below every TPM's TPM_PT_NV_BUFFER_MAX */

/* TCG EK Credential Profile 2.0, Template L-1 (RSA 2048, AES-128-CFB). */
static const TPM2B_PUBLIC ek_template = {
	.publicArea = {
		.type = TPM2_ALG_RSA,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
				    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
		/* PolicySecret(TPM_RH_ENDORSEMENT) */
		.authPolicy = { 32, { 0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
				      0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
				      0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa } },
		.parameters.rsaDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES, .keyBits.aes = 128,
				       .mode.aes = TPM2_ALG_CFB },
			.scheme = { .scheme = TPM2_ALG_NULL },
			.keyBits = 2048,
			.exponent = 0,
		},
		.unique.rsa = { .size = 256 }, /* 256 zero bytes */
	},
};

void tpm_flush(struct att_tpm *t, ESYS_TR *h)
{
	if (*h != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, *h);
	*h = ESYS_TR_NONE;
}

int tpm_create_ek(struct att_tpm *t, ESYS_TR *ek, TPM2B_PUBLIC *pub, struct att_report *r)
{
	const TPM2B_SENSITIVE_CREATE sens = { 0 };
	const TPM2B_DATA outside = { 0 };
	const TPML_PCR_SELECTION none = { 0 };
	TPM2B_PUBLIC *out = NULL;
	TSS2_RC rc;

	*ek = ESYS_TR_NONE;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &ek_template, &outside, &none, ek, &out, NULL, NULL,
				NULL);
	if (rc)
		return tpm_fail(t, r, "creating the EK (TPM2_CreatePrimary, endorsement hierarchy)", rc);
	/* The TPM's answer is input too: it must be the key the template asked for. */
	const TPMT_PUBLIC *p = &out->publicArea, *want = &ek_template.publicArea;
	if (p->type != want->type || p->nameAlg != want->nameAlg ||
	    p->objectAttributes != want->objectAttributes ||
	    p->authPolicy.size != want->authPolicy.size ||
	    memcmp(p->authPolicy.buffer, want->authPolicy.buffer, want->authPolicy.size) ||
	    p->parameters.rsaDetail.keyBits != 2048 || p->unique.rsa.size != 256) {
		free(out);
		tpm_flush(t, ek);
		return att_fail(r, ATT_TRANSPORT,
				"the TPM returned an EK that is not the TCG default template's");
	}
	*pub = *out;
	free(out);
	return 0;
}

int tpm_ek_session(struct att_tpm *t, ESYS_TR *s, struct att_report *r)
{
	const TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc;

	*s = ESYS_TR_NONE;
	rc = Esys_StartAuthSession(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, s);
	if (rc)
		return tpm_fail(t, r, "TPM2_StartAuthSession (policy)", rc);
	rc = Esys_TRSess_SetAttributes(t->esys, *s, 0, TPMA_SESSION_CONTINUESESSION);
	if (!rc)
		rc = Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, *s, ESYS_TR_PASSWORD,
				       ESYS_TR_NONE, ESYS_TR_NONE, NULL, NULL, NULL, 0, NULL, NULL);
	if (rc) {
		tpm_flush(t, s);
		return tpm_fail(t, r, "TPM2_PolicySecret (endorsement hierarchy)", rc);
	}
	return 0;
}

int tpm_load_ak(struct att_tpm *t, ESYS_TR ek, const TPM2B_PUBLIC *pub,
		const TPM2B_PRIVATE *priv, ESYS_TR *ak, struct att_report *r)
{
	ESYS_TR s;
	TSS2_RC rc;

	*ak = ESYS_TR_NONE;
	if (tpm_ek_session(t, &s, r))
		return r->code;
	rc = Esys_Load(t->esys, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub, ak);
	if (rc) {
		tpm_flush(t, &s); /* the TPM ended it only if the command ran */
		return tpm_fail(t, r, "loading the AK under the EK (TPM2_Load)", rc);
	}
	return 0;
}

static bool is_handle_error(TSS2_RC rc)
{
	/* TPM_RC_HANDLE with any parameter/handle number, straight from the TPM layer. */
	return (rc & 0xffff00bfu) == TPM2_RC_HANDLE;
}

int tpm_read_ek_cert(struct att_tpm *t, uint8_t **der, size_t *len, struct att_report *r)
{
	TPM2B_NV_PUBLIC *nvpub = NULL;
	ESYS_TR nv = ESYS_TR_NONE;
	uint8_t *buf = NULL;
	uint16_t size, off = 0;
	TSS2_RC rc;

	*der = NULL;
	rc = Esys_TR_FromTPMPublic(t->esys, EK_CERT_NV_RSA, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   &nv);
	if (is_handle_error(rc))
		return 1;
	if (rc)
		return tpm_fail(t, r, "looking up the EK certificate's NV index 0x01c00002", rc);
	rc = Esys_NV_ReadPublic(t->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nvpub, NULL);
	if (rc) {
		Esys_TR_Close(t->esys, &nv);
		return tpm_fail(t, r, "TPM2_NV_ReadPublic 0x01c00002", rc);
	}
	size = nvpub->nvPublic.dataSize;
	free(nvpub);
	if (!size || size > EK_CERT_MAX || !(buf = malloc(size))) {
		Esys_TR_Close(t->esys, &nv);
		return att_fail(r, ATT_EK_CERT, "EK certificate NV index of %u bytes (1 to %u allowed)",
				size, EK_CERT_MAX);
	}
	while (off < size) {
		TPM2B_MAX_NV_BUFFER *chunk = NULL;
		uint16_t n = (uint16_t)(size - off < NV_CHUNK ? size - off : NV_CHUNK);
		rc = Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n, off,
				  &chunk);
		if (rc || chunk->size != n) {
			free(chunk);
			free(buf);
			Esys_TR_Close(t->esys, &nv);
			return rc ? tpm_fail(t, r, "TPM2_NV_Read of the EK certificate", rc) :
				    att_fail(r, ATT_TRANSPORT, "TPM2_NV_Read returned a short chunk");
		}
		memcpy(buf + off, chunk->buffer, n);
		free(chunk);
		off = (uint16_t)(off + n);
	}
	Esys_TR_Close(t->esys, &nv);
	*der = buf;
	*len = size;
	return 0;
}
