/*
 * Seeds for the policy loader (the unit tests' policies), the boot configuration
 * (README's module lines), the event log and the verifier (a boot's log from the
 * core's builder, fuzz/verifier/golden.c), the TPM filter (the commands the
 * verifier sends, and refused ones), and the driver domains' rings.
 */
#include "gen.h"
#include "../../tests/unit/policy_build.h"
#include "../verifier/golden.h"
#include "eventlog.h"
#include <core/hash.h>
#include <rt/blkif.h>
#include <rt/consif.h>
#include <rt/netif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static struct buf s;

static void gen_policy(void)
{
	static struct pb b;
	size_t size;
	uint8_t *bin = pb_allow_all(&size);
	seed("policy", "allow-all", bin, size);
	free(bin);
	pb_init(&b);
	pb_type(&b, "a_t", 0);
	pb_type(&b, "b_t", TPOL_TYPE_PERMISSIVE);
	pb_type(&b, "core_t", 0);
	pb_type(&b, "nic_t", 0);
	pb_label(&b, TPOL_LABEL_CORE, 2, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, 0, "alpha", 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, 1, "beta", 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN_DEFAULT, 1, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DEVICE, 3, NULL, 0x18, 0x1f);
	pb_label(&b, TPOL_LABEL_IOPORT, 3, NULL, 0xc000, 0xc01f);
	pb_label(&b, TPOL_LABEL_IOMEM, 3, NULL, 0xfed40000, 0xfed40fff);
	pb_label(&b, TPOL_LABEL_IRQ, 3, NULL, 10, 11);
	for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
		pb_allow(&b, 0, c == TESSERA_CLASS_core ? 2 : c == TESSERA_CLASS_device ? 3 : 1, c,
			 tessera_class_mask(c));
	pb_allow(&b, 1, 0, TESSERA_CLASS_event, TESSERA_PERM(event, send));
	bin = pb_emit(&b, &size);
	seed("policy", "labels", bin, size);
	free(bin);
	dict_str("policy", "TSPOLICY");
	dict("policy", "version", "\x01\x00\x00\x00", 4);
	dict("policy", "header_size", "\x50\x00\x00\x00", 4);
	dict("policy", "av_used", "\x01\x00", 2);
}

static void gen_config(void)
{
	static const char *const lines[] = {
		"build/domains/hello.elf domain=alpha mem=4M",
		"domain=blk mem=8M cpu=1 vcpus=1 restart=3",
		"domain=net mem=4M pci=00:03.0,0000:00:04.0",
		"build/domains/attest.elf domain=attest mem=4M pci=00:04.0 tpm=1",
		"build/policy/default.tpb kind=policy",
		"debug_exit=on tpm=required tpm_selftest=1",
		"selftest=trap tpm=off debug_exit=off",
		"domain=x mem=1G",
	};
	for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "line-%u", i);
		seed("config", name, lines[i], strlen(lines[i]));
	}
	static const char *const words[] = { "domain=", "mem=", "cpu=", "vcpus=", "pci=", "restart=",
					     "tpm=", "kind=policy", "debug_exit=", "selftest=trap",
					     "tpm_selftest=", "required", "auto", "off", "on", "2M", "1G",
					     "512K", "0000:", ":00.0" };
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		dict_str("config", words[i]);
}

static void gen_logs(void)
{
	size_t len;
	const uint8_t *log = golden_log(&len);
	s.n = 0;
	put8(&s, 0); /* core profile */
	putb(&s, log, len);
	seed("eventlog", "core-boot", s.b, s.n);
	s.b[0] = 1;
	seed("eventlog", "core-boot-as-firmware", s.b, s.n);
	dict_str("eventlog", "Spec ID Event03");
	dict("eventlog", "sha256", "\x0b\x00", 2);
	dict("eventlog", "sha1", "\x04\x00", 2);
	dict("eventlog", "no_action", "\x03\x00\x00\x00", 4);
	dict_str("eventlog", "StartupLocality");
	s.b[0] = 1; /* verifier mode 1: the log against the manifest */
	seed("verifier", "log", s.b, s.n);
}

/* A quote over PCRs 11-13 of the golden log, by the golden AK's name, with the golden nonce. */
static size_t quote(uint8_t *out, size_t max)
{
	static TPMS_ATTEST a;
	size_t len, off = 0;
	static struct eventlog l;
	uint8_t cat[96];
	const uint8_t *log = golden_log(&len);
	memset(&a, 0, sizeof(a));
	a.magic = TPM2_GENERATED_VALUE;
	a.type = TPM2_ST_ATTEST_QUOTE;
	golden_qname(&a.qualifiedSigner);
	a.extraData.size = 32;
	memcpy(a.extraData.buffer, golden_nonce, 32);
	a.clockInfo.clock = 1000;
	a.clockInfo.safe = 1;
	a.attested.quote.pcrSelect.count = 1;
	a.attested.quote.pcrSelect.pcrSelections[0].hash = TPM2_ALG_SHA256;
	a.attested.quote.pcrSelect.pcrSelections[0].sizeofSelect = 3;
	a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[1] = 0x38;
	if (eventlog_parse(&l, log, len, EVENTLOG_CORE))
		exit(1);
	for (unsigned p = 11; p <= 13; p++)
		memcpy(cat + 32 * (p - 11), eventlog_pcr(&l, TCG_ALG_SHA256, p), 32);
	a.attested.quote.pcrDigest.size = 32;
	hash_buf(HASH_SHA256, cat, sizeof(cat), a.attested.quote.pcrDigest.buffer);
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, out, max, &off))
		exit(1);
	return off;
}

static void hex_field(const char *name, const uint8_t *p, size_t n)
{
	char h[3];
	putb(&s, name, strlen(name));
	put8(&s, ' ');
	for (size_t i = 0; i < n; i++) {
		snprintf(h, sizeof(h), "%02x", p[i]);
		putb(&s, h, 2);
	}
	put8(&s, '\n');
}

static void gen_verifier(void)
{
	static uint8_t att[1024], sig[200];
	size_t alen = quote(att, sizeof(att)), llen;
	const uint8_t *log = golden_log(&llen);
	/* a signature of the AK's size that does not verify: mode 3 signs for real */
	sig[0] = 0x00, sig[1] = 0x14, sig[2] = 0x00, sig[3] = 0x0b, sig[4] = 0x00, sig[5] = 0x80;
	for (size_t i = 6; i < 6 + 128; i++)
		sig[i] = (uint8_t)i;
	s.n = 0;
	put8(&s, 0);
	putb(&s, "tessera-attest evidence 1\n", 26);
	hex_field("nonce", golden_nonce, 32);
	hex_field("attest", att, alen);
	hex_field("signature", sig, 6 + 128);
	hex_field("log", log, llen);
	hex_field("info", (const uint8_t *)"boot-path=multiboot2\n", 21);
	seed("verifier", "evidence", s.b, s.n);
	for (uint8_t mode = 2; mode <= 3; mode++) {
		s.n = 0;
		put8(&s, mode);
		put16(&s, (uint16_t)alen);
		putb(&s, att, alen);
		putb(&s, sig, 6 + 128);
		seed("verifier", mode == 2 ? "quote" : "quote-signed", s.b, s.n);
	}
	dict("verifier", "generated", "\xff\x54\x43\x47", 4);
	dict("verifier", "st_quote", "\x80\x18", 2);
	dict_str("verifier", "tessera-attest evidence 1\n");
	dict_str("verifier", "nonce ");
	dict_str("verifier", "attest ");
	dict_str("verifier", "signature ");
	dict_str("verifier", "log ");
	dict_str("verifier", "info ");
}

static void tpm_cmd(const char *name, uint16_t tag, uint32_t cc, uint32_t handle)
{
	uint8_t c[14] = { (uint8_t)(tag >> 8), (uint8_t)tag, 0, 0, 0, 14, (uint8_t)(cc >> 24),
			  (uint8_t)(cc >> 16), (uint8_t)(cc >> 8), (uint8_t)cc, (uint8_t)(handle >> 24),
			  (uint8_t)(handle >> 16), (uint8_t)(handle >> 8), (uint8_t)handle };
	seed("tpmfilter", name, c, sizeof(c));
}

static void gen_tpm(void)
{
	tpm_cmd("getrandom", 0x8001, 0x17b, 0x00200000);
	tpm_cmd("pcr-read", 0x8001, 0x17e, 0);
	tpm_cmd("quote", 0x8002, 0x158, 0x80000001);
	tpm_cmd("createprimary-endorsement", 0x8002, 0x131, 0x4000000b);
	tpm_cmd("createprimary-platform", 0x8002, 0x131, 0x4000000c);
	tpm_cmd("pcr-extend", 0x8002, 0x182, 16);
	dict("tpmfilter", "no_sessions", "\x80\x01", 2);
	dict("tpmfilter", "sessions", "\x80\x02", 2);
	dict("tpmfilter", "platform", "\x40\x00\x00\x0c", 4);
}

static void ring_msg(uint8_t *page, unsigned i, uint64_t id, uint64_t a, uint64_t b, uint64_t c,
		     uint64_t d)
{
	struct rt_msg m = { id, { a, b, c, d, 0 } };
	memcpy(page + 64 + i * sizeof(m), &m, sizeof(m));
}

static void gen_rings(void)
{
	static uint8_t page[4096];
	uint32_t prod = 6;
	/* blk: disk size, read-only flag, a ring with every kind of request */
	memset(page, 0, sizeof(page));
	memcpy(page, &prod, 4);
	ring_msg(page, 0, 1, BLKIF_OP_READ, 0, 8, 0x10001);
	ring_msg(page, 1, 2, BLKIF_OP_WRITE, 100, 1, 0x10001);
	ring_msg(page, 2, 3, BLKIF_OP_FLUSH, 0, 0, 0);
	ring_msg(page, 3, 4, BLKIF_OP_READ, 2047, 2, 1);
	ring_msg(page, 4, 5, 7, 0, 1, 0);
	ring_msg(page, 5, 6, BLKIF_OP_WRITE, ~0ULL, 2, 0);
	s.n = 0;
	put64(&s, 2048);
	put8(&s, 0);
	putb(&s, page, sizeof(page));
	seed("blkreq", "requests", s.b, s.n);
	s.b[8] = 1;
	seed("blkreq", "read-only", s.b, s.n);
	dict("blkreq", "flush", "\x02\x00\x00\x00\x00\x00\x00\x00", 8);
	dict("blkreq", "max_sectors", "\x08\x00\x00\x00\x00\x00\x00\x00", 8);
	/* net: requests of every length class; a frame from the client at offset 0x800 */
	static const uint8_t frame[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0x02, 0x54, 0x53, 0x00, 0x00, 0x10, 0x08, 0x00 };
	memset(page, 0, sizeof(page));
	prod = 4;
	memcpy(page, &prod, 4);
	ring_msg(page, 0, 1, 0x800, 60, 0, 0);
	ring_msg(page, 1, 2, 0x800, 13, 0, 0);
	ring_msg(page, 2, 3, 0x800, 1515, 0, 0);
	ring_msg(page, 3, 4, 0x10, 1514, 0, 0);
	memcpy(page + 0x800, frame, sizeof(frame));
	s.n = 0;
	put8(&s, 0);
	putb(&s, page, sizeof(page));
	seed("netreq", "frames", s.b, s.n);
	dict("netreq", "client_mac", frame + 6, 6);
	dict("netreq", "max_frame", "\xea\x05", 2);
	/* console: lines, an overlong one, a wrap around the buffer's end */
	static struct consif_ring r;
	memset(&r, 0, sizeof(r));
	r.cons = CONSIF_BUF_SIZE - 10;
	r.prod = r.cons + 300;
	for (uint32_t i = r.cons; i != r.prod; i++)
		r.buf[i % CONSIF_BUF_SIZE] = i % 37 == 0 ? '\n' : (char)('a' + i % 26);
	seed("consring", "wrap", &r, sizeof(r));
	r.prod = r.cons + CONSIF_BUF_SIZE + 1;
	seed("consring", "overrun", &r, sizeof(r));
	dict("consring", "bufsize", "\xc0\x0f\x00\x00", 4);
}

void gen_misc(void)
{
	gen_policy();
	gen_config();
	gen_logs();
	gen_verifier();
	gen_tpm();
	gen_rings();
}
