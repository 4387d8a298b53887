/*
 * The verifier's own cryptography (mbedTLS 2.28): it never asks the TPM it checks to
 * verify anything. Names and qualified names (TPM 2.0 Part 1 "Names"), KDFa and
 * MakeCredential (Part 1 "Credential Protection"), and signature checks.
 */
#include "tool.h"
#include <mbedtls/aes.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#define SHA256_SIZE 32

int crypto_sha256(const void *p, size_t n, uint8_t out[32])
{
	return mbedtls_sha256_ret(p, n, out, 0) ? -1 : 0;
}

int crypto_name(const TPMT_PUBLIC *pub, TPM2B_NAME *name)
{
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t off = 0;

	if (pub->nameAlg != TPM2_ALG_SHA256 ||
	    Tss2_MU_TPMT_PUBLIC_Marshal(pub, buf, sizeof(buf), &off) != TSS2_RC_SUCCESS)
		return -1;
	name->size = 2 + SHA256_SIZE;
	name->name[0] = TPM2_ALG_SHA256 >> 8;
	name->name[1] = TPM2_ALG_SHA256 & 0xff;
	return crypto_sha256(buf, off, name->name + 2);
}

void crypto_hierarchy_qn(uint32_t handle, TPM2B_NAME *qn)
{
	qn->size = 4;
	for (int i = 0; i < 4; i++)
		qn->name[i] = (uint8_t)(handle >> (24 - 8 * i));
}

int crypto_qualified_name(const TPM2B_NAME *parent, const TPM2B_NAME *name, TPM2B_NAME *qn)
{
	uint8_t buf[2 * sizeof(parent->name)];

	if (name->size < 2 || name->size > sizeof(name->name) || parent->size > sizeof(parent->name) ||
	    ((name->name[0] << 8) | name->name[1]) != TPM2_ALG_SHA256)
		return -1;
	/* qn may be parent: read everything before writing. */
	size_t n = (size_t)parent->size + name->size;
	memcpy(buf, parent->name, parent->size);
	memcpy(buf + parent->size, name->name, name->size);
	qn->size = 2 + SHA256_SIZE;
	qn->name[0] = name->name[0];
	qn->name[1] = name->name[1];
	return crypto_sha256(buf, n, qn->name + 2);
}

int crypto_kdfa(const uint8_t *key, size_t keylen, const char *label, const uint8_t *u,
		size_t ulen, const uint8_t *v, size_t vlen, uint32_t bits, uint8_t *out)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	uint8_t be_bits[4] = { (uint8_t)(bits >> 24), (uint8_t)(bits >> 16), (uint8_t)(bits >> 8),
			       (uint8_t)bits };
	uint8_t block[SHA256_SIZE];
	size_t want = bits / 8, done = 0;
	int rc = -1;

	if (bits % 8 || !want)
		return -1;
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md, 1))
		goto out;
	for (uint32_t i = 1; done < want; i++) {
		uint8_t be_i[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		/* The label is used with its terminating NUL (Part 1 11.4.10.2). */
		if (mbedtls_md_hmac_starts(&ctx, key, keylen) ||
		    mbedtls_md_hmac_update(&ctx, be_i, 4) ||
		    mbedtls_md_hmac_update(&ctx, (const uint8_t *)label, strlen(label) + 1) ||
		    (ulen && mbedtls_md_hmac_update(&ctx, u, ulen)) ||
		    (vlen && mbedtls_md_hmac_update(&ctx, v, vlen)) ||
		    mbedtls_md_hmac_update(&ctx, be_bits, 4) || mbedtls_md_hmac_finish(&ctx, block))
			goto out;
		size_t n = want - done < sizeof(block) ? want - done : sizeof(block);
		memcpy(out + done, block, n);
		done += n;
	}
	rc = 0;
out:
	mbedtls_md_free(&ctx);
	return rc;
}

static int rsa_public(mbedtls_rsa_context *rsa, const TPMT_PUBLIC *pub)
{
	uint32_t e = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent : 65537;
	uint8_t be_e[4] = { (uint8_t)(e >> 24), (uint8_t)(e >> 16), (uint8_t)(e >> 8), (uint8_t)e };

	if (pub->type != TPM2_ALG_RSA || pub->unique.rsa.size * 8u != pub->parameters.rsaDetail.keyBits)
		return -1;
	if (mbedtls_rsa_import_raw(rsa, pub->unique.rsa.buffer, pub->unique.rsa.size, NULL, 0, NULL, 0,
				   NULL, 0, be_e, sizeof(be_e)) ||
	    mbedtls_rsa_complete(rsa) || mbedtls_rsa_check_pubkey(rsa))
		return -1;
	return 0;
}

int crypto_make_credential(const TPMT_PUBLIC *ek, const TPM2B_NAME *ak_name,
			   const TPM2B_DIGEST *credential, TPM2B_ID_OBJECT *blob,
			   TPM2B_ENCRYPTED_SECRET *secret, char *err, size_t errlen)
{
	static const char label[] = "IDENTITY"; /* OAEP label, with its NUL */
	const TPMT_SYM_DEF_OBJECT *sym = &ek->parameters.rsaDetail.symmetric;
	uint8_t seed[SHA256_SIZE], aes_key[16], hmac_key[SHA256_SIZE], iv[16] = { 0 };
	uint8_t plain[sizeof(credential->buffer) + 2], *enc, *hmac;
	size_t plen = 2u + credential->size, iv_off = 0;
	mbedtls_rsa_context rsa;
	mbedtls_aes_context aes;
	int rc = -1;

	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	mbedtls_aes_init(&aes);
	if (ek->type != TPM2_ALG_RSA || ek->nameAlg != TPM2_ALG_SHA256 ||
	    sym->algorithm != TPM2_ALG_AES || sym->keyBits.aes != 128 || sym->mode.aes != TPM2_ALG_CFB) {
		snprintf(err, errlen, "the EK is not an RSA key with SHA-256 and AES-128-CFB");
		goto out;
	}
	if (rsa_public(&rsa, ek) || credential->size > sizeof(credential->buffer)) {
		snprintf(err, errlen, "the EK's RSA public key is unusable");
		goto out;
	}
	/* The seed: as large as the EK's nameAlg digest, RSA-OAEP encrypted to the EK. */
	if (att_random(seed, sizeof(seed)) ||
	    mbedtls_rsa_rsaes_oaep_encrypt(&rsa, att_rng, NULL, MBEDTLS_RSA_PUBLIC,
					   (const uint8_t *)label, sizeof(label), sizeof(seed), seed,
					   secret->secret)) {
		snprintf(err, errlen, "RSA-OAEP encryption of the seed failed");
		goto out;
	}
	secret->size = (uint16_t)mbedtls_rsa_get_len(&rsa);
	if (crypto_kdfa(seed, sizeof(seed), "STORAGE", ak_name->name, ak_name->size, NULL, 0, 128,
			aes_key) ||
	    crypto_kdfa(seed, sizeof(seed), "INTEGRITY", NULL, 0, NULL, 0, 8 * SHA256_SIZE,
			hmac_key)) {
		snprintf(err, errlen, "KDFa failed");
		goto out;
	}
	/* encIdentity: the marshalled TPM2B_DIGEST, AES-128-CFB with a zero IV. */
	plain[0] = (uint8_t)(credential->size >> 8);
	plain[1] = (uint8_t)credential->size;
	memcpy(plain + 2, credential->buffer, credential->size);
	hmac = blob->credential + 2;
	enc = hmac + SHA256_SIZE;
	if (2 + SHA256_SIZE + plen > sizeof(blob->credential) ||
	    mbedtls_aes_setkey_enc(&aes, aes_key, 128) ||
	    mbedtls_aes_crypt_cfb128(&aes, MBEDTLS_AES_ENCRYPT, plen, &iv_off, iv, plain, enc)) {
		snprintf(err, errlen, "AES-128-CFB encryption failed");
		goto out;
	}
	/* outerHMAC over encIdentity || Name(AK). */
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	mbedtls_md_init(&ctx);
	int bad = mbedtls_md_setup(&ctx, md, 1) ||
		  mbedtls_md_hmac_starts(&ctx, hmac_key, sizeof(hmac_key)) ||
		  mbedtls_md_hmac_update(&ctx, enc, plen) ||
		  mbedtls_md_hmac_update(&ctx, ak_name->name, ak_name->size) ||
		  mbedtls_md_hmac_finish(&ctx, hmac);
	mbedtls_md_free(&ctx);
	if (bad) {
		snprintf(err, errlen, "HMAC failed");
		goto out;
	}
	blob->credential[0] = 0;
	blob->credential[1] = SHA256_SIZE;
	blob->size = (uint16_t)(2 + SHA256_SIZE + plen);
	rc = 0;
out:
	mbedtls_platform_zeroize(seed, sizeof(seed));
	mbedtls_platform_zeroize(aes_key, sizeof(aes_key));
	mbedtls_platform_zeroize(hmac_key, sizeof(hmac_key));
	mbedtls_rsa_free(&rsa);
	mbedtls_aes_free(&aes);
	return rc;
}

static int verify_rsa(const TPMT_PUBLIC *key, const TPMT_SIGNATURE *sig, const uint8_t hash[32],
		      char *err, size_t errlen)
{
	mbedtls_rsa_context rsa;
	int rc = -1;

	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0);
	if (rsa_public(&rsa, key))
		snprintf(err, errlen, "the key's RSA public area is unusable");
	else if (sig->signature.rsassa.sig.size != mbedtls_rsa_get_len(&rsa))
		snprintf(err, errlen, "RSA signature of %u bytes, the key's modulus has %zu",
			 sig->signature.rsassa.sig.size, mbedtls_rsa_get_len(&rsa));
	else if (mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256,
					  SHA256_SIZE, hash, sig->signature.rsassa.sig.buffer))
		snprintf(err, errlen, "RSASSA-SHA256 signature does not verify with the enrolled AK");
	else
		rc = 0;
	mbedtls_rsa_free(&rsa);
	return rc;
}

static int verify_ecdsa(const TPMT_PUBLIC *key, const TPMT_SIGNATURE *sig,
			const uint8_t hash[32], char *err, size_t errlen)
{
	const TPMS_SIGNATURE_ECC *s = &sig->signature.ecdsa;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, sv;
	int rc = -1;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&sv);
	if (key->type != TPM2_ALG_ECC || mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) ||
	    mbedtls_mpi_read_binary(&q.X, key->unique.ecc.x.buffer, key->unique.ecc.x.size) ||
	    mbedtls_mpi_read_binary(&q.Y, key->unique.ecc.y.buffer, key->unique.ecc.y.size) ||
	    mbedtls_mpi_lset(&q.Z, 1) || mbedtls_ecp_check_pubkey(&grp, &q))
		snprintf(err, errlen, "the key's ECC public area is unusable");
	else if (mbedtls_mpi_read_binary(&r, s->signatureR.buffer, s->signatureR.size) ||
		 mbedtls_mpi_read_binary(&sv, s->signatureS.buffer, s->signatureS.size) ||
		 mbedtls_ecdsa_verify(&grp, hash, SHA256_SIZE, &q, &r, &sv))
		snprintf(err, errlen, "ECDSA-SHA256 signature does not verify with the enrolled AK");
	else
		rc = 0;
	mbedtls_ecp_group_free(&grp);
	mbedtls_ecp_point_free(&q);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&sv);
	return rc;
}

int crypto_verify(const TPMT_PUBLIC *key, const TPMT_SIGNATURE *sig, const uint8_t *msg,
		  size_t len, char *err, size_t errlen)
{
	uint8_t hash[SHA256_SIZE];
	const TPMT_RSA_SCHEME *rs = &key->parameters.rsaDetail.scheme;
	const TPMT_ECC_SCHEME *es = &key->parameters.eccDetail.scheme;
	bool rsa = key->type == TPM2_ALG_RSA;
	TPM2_ALG_ID scheme = rsa ? rs->scheme : es->scheme;
	TPM2_ALG_ID hash_alg = rsa ? rs->details.anySig.hashAlg : es->details.anySig.hashAlg;

	/* The signature must use the key's own scheme and hash: no downgrade. */
	if ((!rsa && key->type != TPM2_ALG_ECC) || sig->sigAlg != scheme ||
	    hash_alg != TPM2_ALG_SHA256 || sig->signature.any.hashAlg != TPM2_ALG_SHA256) {
		snprintf(err, errlen,
			 "signature scheme 0x%04x with hash 0x%04x, the AK uses 0x%04x with SHA-256",
			 sig->sigAlg, sig->signature.any.hashAlg, scheme);
		return -1;
	}
	if (crypto_sha256(msg, len, hash)) {
		snprintf(err, errlen, "SHA-256 failed");
		return -1;
	}
	if (sig->sigAlg == TPM2_ALG_RSASSA)
		return verify_rsa(key, sig, hash, err, errlen);
	if (sig->sigAlg == TPM2_ALG_ECDSA)
		return verify_ecdsa(key, sig, hash, err, errlen);
	snprintf(err, errlen, "unsupported signature scheme 0x%04x", sig->sigAlg);
	return -1;
}

const char *crypto_ak_refusal(const TPMT_PUBLIC *pub)
{
	const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
				 TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
				 TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;

	if (!(pub->objectAttributes & TPMA_OBJECT_RESTRICTED))
		return "not a restricted key: it could sign data that looks like a quote";
	if (!(pub->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
		return "not a signing key";
	if ((pub->objectAttributes & need) != need)
		return "fixedTPM, fixedParent, sensitiveDataOrigin and userWithAuth are required";
	if (pub->objectAttributes & TPMA_OBJECT_DECRYPT)
		return "a decryption key";
	if (pub->nameAlg != TPM2_ALG_SHA256)
		return "its name algorithm is not SHA-256";
	if (pub->type == TPM2_ALG_RSA) {
		const TPMS_RSA_PARMS *p = &pub->parameters.rsaDetail;
		if (p->keyBits != 2048 || p->symmetric.algorithm != TPM2_ALG_NULL ||
		    p->scheme.scheme != TPM2_ALG_RSASSA || p->scheme.details.rsassa.hashAlg != TPM2_ALG_SHA256 ||
		    pub->unique.rsa.size != 256 || (p->exponent && p->exponent != 65537))
			return "not an RSA 2048 RSASSA-SHA256 key";
		return NULL;
	}
	if (pub->type == TPM2_ALG_ECC) {
		const TPMS_ECC_PARMS *p = &pub->parameters.eccDetail;
		if (p->curveID != TPM2_ECC_NIST_P256 || p->symmetric.algorithm != TPM2_ALG_NULL ||
		    p->scheme.scheme != TPM2_ALG_ECDSA || p->scheme.details.ecdsa.hashAlg != TPM2_ALG_SHA256 ||
		    p->kdf.scheme != TPM2_ALG_NULL)
			return "not an ECC P-256 ECDSA-SHA256 key";
		return NULL;
	}
	return "neither an RSA nor an ECC key";
}
