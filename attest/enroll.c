/*
 * tessera-attest enroll: trust the TPM's EK (by its certificate, or on first use when
 * the operator says so), make an AK under it (or take an existing one with --ak DIR),
 * check what the AK is, and prove it lives in the TPM that holds the EK with
 * MakeCredential (computed here) and ActivateCredential (on the TPM).
 */
#include "tool.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tss2/tss2_mu.h>

/*
 * The AK's authValue is empty: nothing to guess, so it is exempt from dictionary-attack
 * lockout (noDA), which unclean power-offs would otherwise trip, stopping quotes.
 */
static const TPM2B_PUBLIC ak_rsa = {
	.publicArea = {
		.type = TPM2_ALG_RSA,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA,
		.parameters.rsaDetail = {
			.symmetric = { .algorithm = TPM2_ALG_NULL },
			.scheme = { .scheme = TPM2_ALG_RSASSA, .details.rsassa.hashAlg = TPM2_ALG_SHA256 },
			.keyBits = 2048,
		},
	},
};

static const TPM2B_PUBLIC ak_ecc = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA,
		.parameters.eccDetail = {
			.symmetric = { .algorithm = TPM2_ALG_NULL },
			.scheme = { .scheme = TPM2_ALG_ECDSA, .details.ecdsa.hashAlg = TPM2_ALG_SHA256 },
			.curveID = TPM2_ECC_NIST_P256,
			.kdf = { .scheme = TPM2_ALG_NULL },
		},
	},
};

struct enroll_opts {
	struct att_conn conn;
	const char *state, *ek_ca, *ek_inter, *ak_dir;
	bool tofu, ecc;
};

static int trust_ek(struct att_tpm *t, const struct enroll_opts *o, struct att_enrollment *e,
		    uint8_t **cert, size_t *certlen, struct att_report *r)
{
	int rc = tpm_read_ek_cert(t, cert, certlen, r);
	if (rc < 0 || (rc > 0 && r->code))
		return r->code;
	if (rc == 0 && o->ek_ca) {
		if (ekcert_check(*cert, *certlen, o->ek_ca, o->ek_inter, &e->ek_pub.publicArea, r))
			return r->code;
		snprintf(e->ek_trust, sizeof(e->ek_trust), "certificate");
		return 0;
	}
	if (rc > 0 && o->ek_ca)
		return att_fail(r, ATT_EK_CERT, "the TPM has no EK certificate (NV 0x01c00002) to check "
				"against --ek-ca");
	if (!o->tofu)
		return att_fail(r, ATT_EK_UNTRUSTED, rc > 0 ?
				"the TPM has no EK certificate: enrol with --trust-ek-on-first-use "
				"only if you trust this machine now" :
				"the TPM has an EK certificate: give --ek-ca CA.pem to check it "
				"(or --trust-ek-on-first-use)");
	free(*cert);
	*cert = NULL;
	snprintf(e->ek_trust, sizeof(e->ek_trust), "first-use");
	return 0;
}

static int create_ak(struct att_tpm *t, ESYS_TR ek, bool ecc, struct att_enrollment *e,
		     struct att_report *r)
{
	const TPM2B_SENSITIVE_CREATE sens = { 0 };
	const TPM2B_DATA outside = { 0 };
	const TPML_PCR_SELECTION none = { 0 };
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	ESYS_TR s;
	TSS2_RC rc;

	if (tpm_ek_session(t, &s, r))
		return r->code;
	rc = Esys_Create(t->esys, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, &sens, ecc ? &ak_ecc : &ak_rsa,
			 &outside, &none, &priv, &pub, NULL, NULL, NULL);
	if (rc) {
		tpm_flush(t, &s);
		return tpm_fail(t, r, "creating the AK under the EK (TPM2_Create)", rc);
	}
	e->ak_pub = *pub;
	e->ak_priv = *priv;
	free(pub);
	free(priv);
	return 0;
}

/* The loaded AK is the key we hold (same public area, same name) and has our names. */
static int check_loaded(struct att_tpm *t, ESYS_TR ak, struct att_enrollment *e,
			struct att_report *r)
{
	TPM2B_PUBLIC *pub = NULL;
	TPM2B_NAME *name = NULL, *qname = NULL, ek_qn;
	uint8_t a[sizeof(TPMT_PUBLIC)], b[sizeof(TPMT_PUBLIC)];
	size_t na = 0, nb = 0;
	TSS2_RC rc = Esys_ReadPublic(t->esys, ak, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub,
				     &name, &qname);

	if (rc)
		return tpm_fail(t, r, "TPM2_ReadPublic of the AK", rc);
	crypto_hierarchy_qn(TPM2_RH_ENDORSEMENT, &ek_qn);
	if (crypto_name(&e->ek_pub.publicArea, &e->ek_name) ||
	    crypto_name(&e->ak_pub.publicArea, &e->ak_name) ||
	    crypto_qualified_name(&ek_qn, &e->ek_name, &ek_qn) ||
	    crypto_qualified_name(&ek_qn, &e->ak_name, &e->ak_qname))
		att_fail(r, ATT_AK_REFUSED, "cannot compute the AK's name (its nameAlg must be SHA-256)");
	else if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, a, sizeof(a), &na) ||
		 Tss2_MU_TPMT_PUBLIC_Marshal(&e->ak_pub.publicArea, b, sizeof(b), &nb) || na != nb ||
		 memcmp(a, b, na))
		att_fail(r, ATT_AK_REFUSED, "the TPM loaded another public area than the AK's");
	else if (name->size != e->ak_name.size || memcmp(name->name, e->ak_name.name, name->size))
		att_fail(r, ATT_AK_REFUSED, "the TPM names the AK differently than its public area");
	else if (qname->size != e->ak_qname.size ||
		 memcmp(qname->name, e->ak_qname.name, qname->size))
		att_fail(r, ATT_AK_REFUSED, "the AK's qualified name is not EK-parented: the key is "
			 "not a child of this EK");
	free(pub);
	free(name);
	free(qname);
	return r->code;
}

/* MakeCredential here, ActivateCredential there: only the TPM with the EK's private
 * key can recover the secret, and it releases it only for a loaded key of that name. */
static int prove(struct att_tpm *t, ESYS_TR ek, ESYS_TR ak, const struct att_enrollment *e,
		 struct att_report *r)
{
	TPM2B_DIGEST cred = { .size = 32 }, *got = NULL;
	TPM2B_ID_OBJECT blob;
	TPM2B_ENCRYPTED_SECRET secret;
	char err[160];
	ESYS_TR s;
	TSS2_RC rc;

	if (att_random(cred.buffer, cred.size))
		return att_fail(r, ATT_STATE, "getrandom failed");
	if (crypto_make_credential(&e->ek_pub.publicArea, &e->ak_name, &cred, &blob, &secret, err,
				   sizeof(err)))
		return att_fail(r, ATT_ACTIVATION, "MakeCredential: %s", err);
	if (tpm_ek_session(t, &s, r))
		return r->code;
	rc = Esys_ActivateCredential(t->esys, ak, ek, ESYS_TR_PASSWORD, s, ESYS_TR_NONE, &blob,
				     &secret, &got);
	if (rc) {
		tpm_flush(t, &s);
		tpm_fail(t, r, "TPM2_ActivateCredential", rc);
		r->code = ATT_ACTIVATION;
		return r->code;
	}
	bool same = got->size == cred.size && !memcmp(got->buffer, cred.buffer, cred.size);
	free(got);
	return same ? 0 : att_fail(r, ATT_ACTIVATION, "ActivateCredential returned another secret");
}

static int enroll(const struct enroll_opts *o, struct att_report *r)
{
	static struct att_enrollment e;
	struct att_tpm t;
	ESYS_TR ek = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	uint8_t *cert = NULL;
	size_t certlen = 0;
	const char *why;
	char hex[2 * sizeof(TPMU_NAME) + 1];

	memset(&e, 0, sizeof(e));
	if (mkdir(o->state, 0700) && errno != EEXIST)
		return att_fail(r, ATT_STATE, "cannot create %s: %s", o->state, strerror(errno));
	if (state_lock(o->state, r) || tpm_open(&t, &o->conn, r))
		return r->code;
	if (tpm_create_ek(&t, &ek, &e.ek_pub, r) || trust_ek(&t, o, &e, &cert, &certlen, r))
		goto out;
	if (o->ak_dir ? state_load_key(o->ak_dir, &e.ak_pub, &e.ak_priv, r) :
			create_ak(&t, ek, o->ecc, &e, r))
		goto out;
	/* Nothing about the AK is believed before this: not even that the TPM made it. */
	why = crypto_ak_refusal(&e.ak_pub.publicArea);
	if (why) {
		att_fail(r, ATT_AK_REFUSED, "refusing the AK: %s", why);
		goto out;
	}
	if (tpm_load_ak(&t, ek, &e.ak_pub, &e.ak_priv, &ak, r) || check_loaded(&t, ak, &e, r) ||
	    prove(&t, ek, ak, &e, r))
		goto out;
	if (state_save_enrollment(o->state, &e, cert, certlen, r))
		goto out;
	att_hex(hex, e.ek_name.name, e.ek_name.size);
	printf("enrolled in %s\n  EK %s (trusted %s)\n", o->state, hex,
	       strcmp(e.ek_trust, "certificate") ? "on first use: no certificate was checked" :
						   "by its certificate");
	att_hex(hex, e.ak_name.name, e.ak_name.size);
	printf("  AK %s (%s, restricted signing, proven by credential activation)\n", hex,
	       e.ak_pub.publicArea.type == TPM2_ALG_RSA ? "RSA 2048 RSASSA-SHA256" :
							  "ECC P-256 ECDSA-SHA256");
out:
	tpm_flush(&t, &ak);
	tpm_flush(&t, &ek);
	tpm_close(&t);
	free(cert);
	return r->code;
}

static int usage(void)
{
	fprintf(stderr, "usage: tessera-attest enroll (--tcti TCTI | --socket PATH) --state DIR\n"
			"         [--ek-ca CA.pem [--ek-intermediate CERTS.pem] | --trust-ek-on-first-use]\n"
			"         [--ak-alg rsa|ecc | --ak KEYDIR] [--timeout MS]\n");
	return ATT_USAGE;
}

int cmd_enroll(int argc, char **argv)
{
	static struct att_report r;
	struct enroll_opts o = { .conn.timeout_ms = 30000 };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (att_conn_option(argc, argv, &i, &o.conn))
			continue;
		if (!strcmp(a, "--state") && i + 1 < argc)
			o.state = argv[++i];
		else if (!strcmp(a, "--ek-ca") && i + 1 < argc)
			o.ek_ca = argv[++i];
		else if (!strcmp(a, "--ek-intermediate") && i + 1 < argc)
			o.ek_inter = argv[++i];
		else if (!strcmp(a, "--trust-ek-on-first-use"))
			o.tofu = true;
		else if (!strcmp(a, "--ak") && i + 1 < argc)
			o.ak_dir = argv[++i];
		else if (!strcmp(a, "--ak-alg") && i + 1 < argc && (!strcmp(argv[i + 1], "rsa") ||
								   !strcmp(argv[i + 1], "ecc")))
			o.ecc = !strcmp(argv[++i], "ecc");
		else
			return usage();
	}
	if (!o.state || (o.ek_inter && !o.ek_ca))
		return usage();
	if (enroll(&o, &r)) {
		fprintf(stderr, "enroll: %s\n", r.reason);
		return r.code;
	}
	return 0;
}
