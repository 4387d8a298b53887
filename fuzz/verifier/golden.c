/* The verifier fuzzer's fixed inputs (golden.h). */
#include "golden.h"
#include "eventlog.h"
#include <core/tlog.h>
#include <string.h>
#include <tessera/measure.h>

const uint8_t golden_nonce[32] = { 0x6e, 0x6f, 0x6e, 0x63, 0x65, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				   12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27 };

const uint8_t *golden_log(size_t *len)
{
	static uint8_t buf[8192];
	static struct tlog l;
	static const char path[] = TESSERA_EV_BOOT_PATH "multiboot2";
	static const char line[] = "debug_exit=on", mod[] = "a.elf domain=a mem=2M";
	static const uint8_t image[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 }, policy[] = "TSPOLICY";
	struct hash_digests d;
	if (!l.len &&
	    (tlog_init(&l, buf, sizeof(buf), HASH_ALL_BANKS) ||
	     tlog_measure(&l, TESSERA_PCR_CONFIG, TCG_EV_ACTION, path, strlen(path), path, strlen(path), &d) ||
	     tlog_measure(&l, TESSERA_PCR_CONFIG, TCG_EV_IPL, line, strlen(line), TESSERA_EV_CMDLINE_CORE,
			  strlen(TESSERA_EV_CMDLINE_CORE), &d) ||
	     tlog_measure(&l, TESSERA_PCR_CONFIG, TCG_EV_IPL, mod, strlen(mod), "tessera:cmdline:module:0",
			  24, &d) ||
	     tlog_measure(&l, TESSERA_PCR_POLICY, TCG_EV_IPL, policy, sizeof(policy), TESSERA_EV_POLICY,
			  strlen(TESSERA_EV_POLICY), &d) ||
	     tlog_measure(&l, TESSERA_PCR_IMAGES, TCG_EV_IPL, image, sizeof(image), "tessera:image:module:0",
			  22, &d) ||
	     tlog_separator(&l, TESSERA_PCR_CONFIG, &d) || tlog_separator(&l, TESSERA_PCR_POLICY, &d) ||
	     tlog_separator(&l, TESSERA_PCR_IMAGES, &d)))
		l.len = 0;
	*len = l.len;
	return buf;
}

int golden_manifest(struct manifest *m)
{
	static const uint16_t algs[MAN_BANKS] = { TCG_ALG_SHA1, TCG_ALG_SHA256, TCG_ALG_SHA384,
						  TCG_ALG_SHA512 };
	static struct eventlog l;
	struct eventlog_event ev = { 0 };
	size_t len;
	const uint8_t *log = golden_log(&len);
	memset(m, 0, sizeof(*m));
	if (!len || eventlog_parse(&l, log, len, EVENTLOG_CORE))
		return -1;
	strcpy(m->boot_path, "multiboot2");
	m->quote_alg = TCG_ALG_SHA256;
	m->quote_pcrs = 1u << 11 | 1u << 12 | 1u << 13;
	while (eventlog_next(&l, &ev) && m->nevents < MAN_MAX_EVENTS) {
		struct man_event *e = &m->ev[m->nevents++];
		e->pcr = ev.pcr;
		e->type = ev.type;
		if (ev.type != TCG_EV_SEPARATOR)
			memcpy(e->data, ev.data, ev.data_size < MAN_DATA_MAX - 1 ? ev.data_size : MAN_DATA_MAX - 1);
		for (int b = 0; b < MAN_BANKS; b++)
			memcpy(e->digest[b], eventlog_digest(&l, &ev, algs[b]), eventlog_alg_size(algs[b]));
		snprintf(e->what, sizeof(e->what), "event %u", ev.index);
	}
	for (int b = 0; b < MAN_BANKS; b++)
		for (unsigned p = 11; p <= 13; p++)
			memcpy(m->pcr[b][p], eventlog_pcr(&l, algs[b], p), eventlog_alg_size(algs[b]));
	m->pcr_set = m->quote_pcrs;
	return 0;
}

void golden_qname(TPM2B_NAME *qn)
{
	memset(qn, 0, sizeof(*qn));
	qn->size = 34;
	qn->name[0] = 0x00, qn->name[1] = 0x0b;
	for (int i = 2; i < 34; i++)
		qn->name[i] = (uint8_t)(0xa0 + i);
}

int golden_rng(void *ctx, unsigned char *out, size_t n)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		out[i] = (unsigned char)x;
	}
	return 0;
}

int golden_key(mbedtls_rsa_context *rsa, struct att_enrollment *en)
{
	TPMT_PUBLIC *p = &en->ak_pub.publicArea;
	mbedtls_rsa_init(rsa, MBEDTLS_RSA_PKCS_V15, 0);
	if (mbedtls_rsa_gen_key(rsa, golden_rng, NULL, 1024, 65537))
		return -1;
	memset(en, 0, sizeof(*en));
	p->type = TPM2_ALG_RSA;
	p->nameAlg = TPM2_ALG_SHA256;
	p->parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
	p->parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
	p->parameters.rsaDetail.keyBits = 1024;
	p->unique.rsa.size = (uint16_t)mbedtls_rsa_get_len(rsa);
	if (mbedtls_rsa_export_raw(rsa, p->unique.rsa.buffer, p->unique.rsa.size, NULL, 0, NULL, 0,
				   NULL, 0, NULL, 0))
		return -1;
	golden_qname(&en->ak_qname);
	return 0;
}
