/*
 * What the verifier fuzzer judges against, made the same way every run: a boot's
 * event log written by the core's own builder (core/tlog.c), the manifest that
 * log matches, an AK (RSA, from a fixed-seed generator) and a nonce. The seed
 * generator (fuzz/gen/misc.c) uses the same log, nonce and AK name.
 */
#ifndef FUZZ_GOLDEN_H
#define FUZZ_GOLDEN_H
#include "tool.h"
#include <mbedtls/rsa.h>

extern const uint8_t golden_nonce[32];
/* The log (made once); *len its length. */
const uint8_t *golden_log(size_t *len);
/* Every event of the log and the final PCRs 11-13, quoted in the SHA-256 bank. 0 or -1. */
int golden_manifest(struct manifest *m);
/* The AK's qualified name the quotes must carry. */
void golden_qname(TPM2B_NAME *qn);
/* A deterministic RSA AK and the enrolment that names it. 0 or -1. */
int golden_key(mbedtls_rsa_context *rsa, struct att_enrollment *en);
int golden_rng(void *ctx, unsigned char *out, size_t n);
#endif
