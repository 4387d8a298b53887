/*
 * The EK certificate (DER, from NV): its chain to the CA the operator trusts
 * (--ek-ca, plus optional untrusted intermediates), its key usage, and its public
 * key, which must be the EK the TPM just created.
 */
#include "tool.h"
#include <mbedtls/x509_crt.h>
#include <string.h>

/* Length of the DER SEQUENCE at p (n bytes available), 0 if malformed. */
static size_t der_length(const uint8_t *p, size_t n)
{
	size_t len = 0, hdr;
	if (n < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		len = p[1];
		hdr = 2;
	} else {
		unsigned k = p[1] & 0x7f;
		if (k < 1 || k > 3 || n < 2 + k)
			return 0;
		for (unsigned i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hdr = 2 + k;
	}
	return len > n - hdr ? 0 : hdr + len;
}

static bool same_mpi(const mbedtls_mpi *a, const uint8_t *b, size_t n)
{
	mbedtls_mpi m;
	mbedtls_mpi_init(&m);
	bool same = !mbedtls_mpi_read_binary(&m, b, n) && !mbedtls_mpi_cmp_mpi(a, &m);
	mbedtls_mpi_free(&m);
	return same;
}

int ekcert_check(const uint8_t *der, size_t len, const char *ca_file, const char *inter_file,
		 const TPMT_PUBLIC *ek, struct att_report *r)
{
	mbedtls_x509_crt crt, ca;
	mbedtls_mpi n, e;
	uint32_t flags = 0;
	size_t dlen = der_length(der, len);
	uint8_t exp[4];
	uint32_t ev = ek->parameters.rsaDetail.exponent ? ek->parameters.rsaDetail.exponent : 65537;
	char info[512];
	int rc;

	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crt_init(&ca);
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	/* NV indexes may be larger than the certificate: only zero or 0xff padding after it. */
	for (size_t i = dlen; dlen && i < len; i++)
		if (der[i] && der[i] != 0xff)
			dlen = 0;
	if (!dlen || (rc = mbedtls_x509_crt_parse_der(&crt, der, dlen))) {
		att_fail(r, ATT_EK_CERT, "the EK certificate in NV 0x01c00002 is not an X.509 DER certificate");
		goto out;
	}
	if (mbedtls_x509_crt_parse_file(&ca, ca_file)) {
		att_fail(r, ATT_USAGE, "--ek-ca %s: no PEM or DER certificate in it", ca_file);
		goto out;
	}
	if (inter_file && mbedtls_x509_crt_parse_file(&crt, inter_file)) {
		att_fail(r, ATT_USAGE, "--ek-intermediate %s: no PEM or DER certificate in it", inter_file);
		goto out;
	}
	if (mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL)) {
		mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
		for (char *p = info; *p; p++)
			if (*p == '\n')
				*p = *(p + 1) ? ';' : 0;
		att_fail(r, ATT_EK_CERT, "the EK certificate does not chain to %s: %s", ca_file, info);
		goto out;
	}
	if (mbedtls_x509_crt_check_key_usage(&crt, MBEDTLS_X509_KU_KEY_ENCIPHERMENT)) {
		att_fail(r, ATT_EK_CERT, "the EK certificate does not allow key encipherment");
		goto out;
	}
	for (int i = 0; i < 4; i++)
		exp[i] = (uint8_t)(ev >> (24 - 8 * i));
	if (mbedtls_pk_get_type(&crt.pk) != MBEDTLS_PK_RSA ||
	    mbedtls_rsa_export(mbedtls_pk_rsa(crt.pk), &n, NULL, NULL, NULL, &e) ||
	    !same_mpi(&n, ek->unique.rsa.buffer, ek->unique.rsa.size) || !same_mpi(&e, exp, 4)) {
		att_fail(r, ATT_EK_CERT, "the EK certificate is for another key than this TPM's EK");
		goto out;
	}
out:
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&e);
	return r->code;
}
