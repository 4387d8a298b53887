/*
 * The TPM command layer (core/tpm.c) against a scripted TPM: each test queues the
 * responses, the transport records the commands. Hostile responses (short, long,
 * wrong size field or tag, error codes, absurd counts, trailing bytes) must each be
 * refused with a negative status and a message. Also tpm= and tpm_selftest=, the
 * ACPI TPM2 table, and tpm_boot's choices (tests/sim/tpm.c stands for the arch layer).
 */
#include "util.h"
#include "../sim/sim_tpm.h"
#include <core/acpi.h>
#include <core/config.h>
#include <core/tpm.h>
#include <tessera/errno.h>

#define SCRIPT_MAX 8
#define RSDT_PA 0x3000000ULL
#define TPM2_PA 0x3001000ULL

struct msg {
	uint8_t b[TPM_BUF_MAX];
	uint32_t len;
	int err; /* the transport fails instead of answering */
};
static struct msg rsps[SCRIPT_MAX], cmds[SCRIPT_MAX];
static uint32_t nrsps, ncmds, closes;

static int sim_xfer(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
		    const char **why)
{
	struct msg *r = &rsps[ncmds];
	CHECK(len <= TPM_BUF_MAX && ncmds < nrsps); /* no command the test did not expect */
	memcpy(cmds[ncmds].b, cmd, len);
	cmds[ncmds++].len = len;
	if (r->err) {
		*why = "simulated transport failure";
		return r->err;
	}
	CHECK(r->len <= max);
	memcpy(rsp, r->b, r->len);
	*got = r->len;
	return 0;
}

static void sim_close(void)
{
	closes++;
}

static const struct tpm_ops sim_ops = { "sim", sim_xfer, sim_close };

static void put(struct msg *m, uint64_t v, unsigned n)
{
	while (n--)
		m->b[m->len++] = (uint8_t)(v >> (8 * n));
}

static uint32_t be(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* A response being built: header now, size field set by seal(). */
static struct msg *rsp(uint16_t tag, uint32_t rc)
{
	struct msg *m = &rsps[nrsps++];
	m->len = 0;
	put(m, tag, 2);
	put(m, 0, 4);
	put(m, rc, 4);
	return m;
}

static void seal(struct msg *m)
{
	uint32_t n = m->len;
	m->len = 2;
	put(m, n, 4);
	m->len = n;
}

static void startup_rsp(uint32_t rc)
{
	seal(rsp(0x8001, rc));
}

/* GetCapability(PCRS) listing n banks, each selecting sel (PCRs 0-23 as 3 bytes). */
static struct msg *banks_rsp(const uint16_t *algs, const uint32_t *sel, uint32_t n)
{
	struct msg *m = rsp(0x8001, 0);
	put(m, 0, 1);
	put(m, 5, 4);
	put(m, n, 4);
	for (uint32_t i = 0; i < n; i++) {
		put(m, algs[i], 2);
		put(m, 3, 1);
		for (unsigned k = 0; k < 3; k++)
			put(m, sel[i] >> (8 * k) & 0xff, 1);
	}
	seal(m);
	return m;
}

static const uint16_t four[] = { 0x0004, 0x000b, 0x000c, 0x000d };
static const uint32_t all[] = { 0xffffff, 0xffffff, 0xffffff, 0xffffff };

static void attach_four(void)
{
	startup_rsp(0x100);
	banks_rsp(four, all, 4);
	CHECK_EQ(tpm_attach(&sim_ops), 0);
	CHECK_EQ(tpm_bank_count(), 4);
}

static struct msg *extend_rsp(void)
{
	struct msg *m = rsp(0x8002, 0);
	put(m, 0, 4); /* parameter size */
	put(m, 0, 2); /* nonce */
	put(m, 1, 1); /* continueSession */
	put(m, 0, 2); /* HMAC */
	seal(m);
	return m;
}

static struct msg *read_rsp(uint16_t alg, uint32_t pcr, uint16_t size, uint8_t fill)
{
	struct msg *m = rsp(0x8001, 0);
	put(m, 42, 4); /* update counter */
	put(m, 1, 4);
	put(m, alg, 2);
	put(m, 3, 1);
	for (unsigned k = 0; k < 3; k++)
		put(m, k == pcr / 8 ? 1u << pcr % 8 : 0, 1);
	put(m, 1, 4);
	put(m, size, 2);
	for (uint32_t i = 0; i < size; i++)
		put(m, fill, 1);
	seal(m);
	return m;
}

static struct hash_digests digests(uint8_t fill)
{
	struct hash_digests d;
	memset(&d, fill, sizeof(d));
	d.banks = HASH_ALL_BANKS;
	return d;
}

/* --- the header every response must have ----------------------------------------- */

TEST(tpm_startup_already_done_by_firmware_counts_as_success)
{
	attach_four();
	CHECK_EQ(cmds[0].len, 12);
	static const uint8_t want[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	CHECK(!memcmp(cmds[0].b, want, sizeof(want)));
	CHECK_HAS(sim_console(), "tessera: tpm: already started by firmware");
	CHECK_HAS(sim_console(), "tessera: tpm: sim interface, locality 0, active banks: sha1 sha256 sha384 sha512");
	CHECK_EQ(closes, 0);
}

TEST(tpm_startup_of_a_fresh_tpm_succeeds)
{
	startup_rsp(0);
	banks_rsp(four + 1, all, 1);
	CHECK_EQ(tpm_attach(&sim_ops), 0);
	CHECK_HAS(sim_console(), "tessera: tpm: started (TPM2_Startup)");
}

TEST(tpm_startup_error_code_fails_with_the_code)
{
	startup_rsp(0x101);
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EACCES);
	CHECK_HAS(sim_console(), "tessera: tpm: TPM2_Startup: TPM error 0x101");
	CHECK_EQ(ncmds, 1);
	CHECK_EQ(closes, 1); /* a TPM that fails to attach is given back */
	CHECK_EQ(tpm_pcr_extend(0, NULL), -TESSERA_ENODEV);
}

TEST(tpm_response_shorter_than_a_header_is_refused)
{
	struct msg *m = rsp(0x8001, 0);
	m->len = 9;
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "TPM2_Startup: response of 9 bytes, not 10 to 1024");
}

TEST(tpm_response_longer_than_its_size_field_is_refused)
{
	struct msg *m = rsp(0x8001, 0);
	seal(m);
	put(m, 0, 1);
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "response tag 0x8001 size 10, expected tag 0x8001 size 11");
}

TEST(tpm_response_size_field_beyond_the_bytes_received_is_refused)
{
	struct msg *m = rsp(0x8001, 0);
	m->b[5] = 200;
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "size 200, expected tag 0x8001 size 10");
}

TEST(tpm_response_with_the_wrong_tag_is_refused)
{
	seal(rsp(0x00c4, 0)); /* a TPM 1.2 answer */
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "response tag 0x00c4");
}

TEST(tpm_startup_response_with_parameters_is_refused)
{
	struct msg *m = rsp(0x8001, 0);
	put(m, 0, 2);
	seal(m);
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "TPM2_Startup: response has trailing bytes");
}

TEST(tpm_transport_failure_is_reported_with_its_reason)
{
	rsps[nrsps++].err = -TESSERA_EBUSY;
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EBUSY);
	CHECK_HAS(sim_console(), "tessera: tpm: TPM2_Startup: simulated transport failure");
}

/* --- the PCR banks ------------------------------------------------------------------- */

TEST(tpm_getcapability_asks_for_the_pcr_banks)
{
	attach_four();
	static const uint8_t want[] = { 0x80, 0x01, 0, 0, 0, 22, 0, 0, 0x01, 0x7a,
					0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 8 };
	CHECK_EQ(cmds[1].len, sizeof(want));
	CHECK(!memcmp(cmds[1].b, want, sizeof(want)));
	const struct tpm_bank *b = tpm_bank_get(1);
	CHECK_EQ(b->alg, 0x000b);
	CHECK_EQ(b->size, 32);
	CHECK_EQ(b->hash, HASH_SHA256);
	CHECK_EQ(b->pcrs, 0xffffff);
	CHECK(tpm_bank_get(4) == NULL);
}

TEST(tpm_bank_with_no_pcr_allocated_is_inactive)
{
	static const uint32_t sel[] = { 0, 0xffffff, 0, 0 };
	startup_rsp(0x100);
	banks_rsp(four, sel, 4);
	CHECK_EQ(tpm_attach(&sim_ops), 0);
	CHECK_EQ(tpm_bank_count(), 1);
	CHECK_EQ(tpm_bank_get(0)->alg, 0x000b);
	CHECK_HAS(sim_console(), "active banks: sha256\n");
}

/* A GetCapability(PCRS) response whose parameter bytes a test then spoils. */
static void getcap_refused(struct msg *m, const char *msg)
{
	seal(m);
	CHECK_EQ(tpm_attach(&sim_ops), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), msg);
	CHECK_EQ(tpm_bank_count(), 0);
	CHECK_EQ(closes, 1);
}

TEST(tpm_absurd_bank_count_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 4);
	memset(m->b + 15, 0xff, 4);
	getcap_refused(m, "TPM2_GetCapability(PCRS): more than 8 PCR banks");
}

TEST(tpm_nine_banks_are_refused)
{
	static const uint16_t algs[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint32_t sel[9] = { 0 };
	startup_rsp(0x100);
	getcap_refused(banks_rsp(algs, sel, 9), "more than 8 PCR banks");
}

TEST(tpm_bank_count_beyond_the_bytes_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 4);
	m->b[18] = 5;
	getcap_refused(m, "TPM2_GetCapability(PCRS): response cut short");
}

TEST(tpm_absurd_select_size_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 4);
	m->b[21] = 0xff; /* the first bank's sizeofSelect */
	getcap_refused(m, "a bank selects more than 32 PCRs");
}

TEST(tpm_select_size_beyond_the_bytes_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 1);
	m->b[21] = 4;
	getcap_refused(m, "response cut short");
}

TEST(tpm_bank_listed_twice_is_refused)
{
	static const uint16_t algs[] = { 0x000b, 0x000b };
	startup_rsp(0x100);
	getcap_refused(banks_rsp(algs, all, 2), "a bank is listed twice");
}

TEST(tpm_inactive_bank_listed_again_is_refused)
{
	static const uint16_t algs[] = { 0x000b, 0x0004, 0x000b };
	static const uint32_t sel[] = { 0, 0xffffff, 0xffffff };
	startup_rsp(0x100);
	getcap_refused(banks_rsp(algs, sel, 3), "a bank is listed twice");
}

TEST(tpm_bank_list_with_trailing_bytes_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 4);
	put(m, 0, 1);
	getcap_refused(m, "TPM2_GetCapability(PCRS): response has trailing bytes");
}

TEST(tpm_incomplete_bank_list_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 4);
	m->b[10] = 1; /* moreData */
	getcap_refused(m, "not one complete list of PCR banks");
}

TEST(tpm_answer_about_another_capability_is_refused)
{
	startup_rsp(0x100);
	struct msg *m = banks_rsp(four, all, 4);
	m->b[14] = 6;
	getcap_refused(m, "not one complete list of PCR banks");
}

TEST(tpm_without_an_active_bank_is_refused)
{
	static const uint32_t none[4] = { 0 };
	startup_rsp(0x100);
	getcap_refused(banks_rsp(four, none, 4), "no active PCR bank");
}

TEST(tpm_active_bank_of_an_unknown_algorithm_is_refused)
{
	static const uint16_t algs[] = { 0x000b, 0x0099 };
	startup_rsp(0x100);
	getcap_refused(banks_rsp(algs, all, 2), "an active bank's algorithm is unknown");
}

TEST(tpm_inactive_bank_of_an_unknown_algorithm_is_ignored)
{
	static const uint16_t algs[] = { 0x000b, 0x0099 };
	static const uint32_t sel[] = { 0xffffff, 0 };
	startup_rsp(0x100);
	banks_rsp(algs, sel, 2);
	CHECK_EQ(tpm_attach(&sim_ops), 0);
	CHECK_EQ(tpm_bank_count(), 1);
}

/* --- PCR_Extend ----------------------------------------------------------------------- */

TEST(tpm_extend_sends_one_digest_per_active_bank)
{
	struct hash_digests d = digests(0);
	attach_four();
	for (uint32_t a = 0; a < HASH_ALGS; a++)
		memset(d.d[a], 0x10 + (int)a, HASH_MAX_SIZE);
	extend_rsp();
	CHECK_EQ(tpm_pcr_extend(7, &d), 0);
	const uint8_t *c = cmds[2].b;
	CHECK_EQ(cmds[2].len, 10 + 4 + 4 + 9 + 4 + 4 * 2 + 20 + 32 + 48 + 64);
	CHECK_EQ(be(c, 2), 0x8002);
	CHECK_EQ(be(c + 2, 4), cmds[2].len);
	CHECK_EQ(be(c + 6, 4), 0x182);
	CHECK_EQ(be(c + 10, 4), 7);   /* the PCR */
	CHECK_EQ(be(c + 14, 4), 9);   /* authorization size */
	CHECK_EQ(be(c + 18, 4), 0x40000009);
	CHECK_EQ(be(c + 22, 4), 0);   /* empty nonce, no attributes, half the empty HMAC */
	CHECK_EQ(c[26], 0);
	CHECK_EQ(be(c + 27, 4), 4);   /* digests */
	uint32_t off = 31;
	static const uint16_t sizes[] = { 20, 32, 48, 64 };
	for (uint32_t i = 0; i < 4; i++) {
		CHECK_EQ(be(c + off, 2), four[i]);
		off += 2;
		for (uint32_t k = 0; k < sizes[i]; k++)
			CHECK_EQ(c[off + k], 0x10 + i);
		off += sizes[i];
	}
	CHECK_EQ(off, cmds[2].len);
}

TEST(tpm_extend_caps_a_bank_the_core_cannot_hash)
{
	static const uint16_t algs[] = { 0x000b, 0x0012 };
	struct hash_digests d = digests(0x33);
	startup_rsp(0x100);
	banks_rsp(algs, all, 2);
	CHECK_EQ(tpm_attach(&sim_ops), 0);
	CHECK_HAS(sim_console(), "tessera: tpm: bank sm3_256 capped: the core cannot hash it");
	extend_rsp();
	CHECK_EQ(tpm_pcr_extend(8, &d), 0);
	const uint8_t *c = cmds[2].b + 27;
	CHECK_EQ(be(c, 4), 2);
	CHECK_EQ(be(c + 4, 2), 0x000b);
	for (uint32_t k = 0; k < 32; k++)
		CHECK_EQ(c[6 + k], 0x33);
	CHECK_EQ(be(c + 38, 2), 0x0012);
	for (uint32_t k = 0; k < 32; k++)
		CHECK_EQ(c[40 + k], 0xff);
	CHECK_EQ(cmds[2].len, 27 + 72);
}

TEST(tpm_extend_caps_a_bank_without_a_digest)
{
	struct hash_digests d = digests(0x33);
	attach_four();
	d.banks = 1u << HASH_SHA256;
	extend_rsp();
	CHECK_EQ(tpm_pcr_extend(8, &d), 0);
	CHECK_HAS(sim_console(), "tessera: tpm: pcr 8: no sha1 digest given; bank capped");
	CHECK_EQ(cmds[2].b[33], 0xff); /* sha1's first byte */
	CHECK_EQ(cmds[2].b[33 + 22], 0x33); /* sha256's */
}

TEST(tpm_extend_error_code_fails_with_the_code)
{
	struct hash_digests d = digests(1);
	attach_four();
	startup_rsp(0x907); /* TPM_RC_LOCALITY */
	CHECK_EQ(tpm_pcr_extend(17, &d), -TESSERA_EACCES);
	CHECK_HAS(sim_console(), "tessera: tpm: TPM2_PCR_Extend: TPM error 0x907");
}

TEST(tpm_extend_success_without_a_session_is_refused)
{
	struct hash_digests d = digests(1);
	attach_four();
	seal(rsp(0x8001, 0));
	CHECK_EQ(tpm_pcr_extend(16, &d), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "TPM2_PCR_Extend: response tag 0x8001 size 10, expected tag 0x8002");
}

TEST(tpm_extend_reply_with_a_nonce_is_refused)
{
	struct hash_digests d = digests(1);
	attach_four();
	struct msg *m = extend_rsp();
	m->b[15] = 1;
	CHECK_EQ(tpm_pcr_extend(16, &d), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "TPM2_PCR_Extend: unexpected parameters or session reply");
}

TEST(tpm_extend_reply_cut_short_or_with_trailing_bytes_is_refused)
{
	struct hash_digests d = digests(1);
	attach_four();
	struct msg *m = extend_rsp();
	m->len--;
	seal(m);
	m = extend_rsp();
	put(m, 0, 1);
	seal(m);
	CHECK_EQ(tpm_pcr_extend(16, &d), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "TPM2_PCR_Extend: response cut short");
	CHECK_EQ(tpm_pcr_extend(16, &d), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), "TPM2_PCR_Extend: response has trailing bytes");
}

TEST(tpm_extend_of_a_pcr_beyond_23_sends_nothing)
{
	struct hash_digests d = digests(1);
	attach_four();
	CHECK_EQ(tpm_pcr_extend(24, &d), -TESSERA_EINVAL);
	CHECK_EQ(ncmds, 2);
}

/* --- PCR_Read ------------------------------------------------------------------------- */

TEST(tpm_read_returns_the_digest_of_the_pcr_asked_for)
{
	uint8_t v[HASH_MAX_SIZE];
	uint32_t len = 0;
	attach_four();
	read_rsp(0x000c, 16, 48, 0xab);
	CHECK_EQ(tpm_pcr_read(16, 0x000c, v, &len), 0);
	CHECK_EQ(len, 48);
	for (uint32_t i = 0; i < len; i++)
		CHECK_EQ(v[i], 0xab);
	static const uint8_t want[] = { 0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e,
					0, 0, 0, 1, 0, 0x0c, 3, 0, 0, 1 };
	CHECK_EQ(cmds[2].len, sizeof(want));
	CHECK(!memcmp(cmds[2].b, want, sizeof(want)));
}

/* A PCR_Read of PCR 3 in sha256 whose response a test spoiled at byte at. */
static void read_refused(uint32_t at, uint8_t value, const char *msg)
{
	uint8_t v[HASH_MAX_SIZE];
	uint32_t len = 0;
	attach_four();
	struct msg *m = read_rsp(0x000b, 3, 32, 0);
	if (at < m->len)
		m->b[at] = value;
	else
		put(m, value, 1);
	seal(m);
	CHECK_EQ(tpm_pcr_read(3, 0x000b, v, &len), -TESSERA_EINVAL);
	CHECK_HAS(sim_console(), msg);
	CHECK_EQ(len, 0);
}

#define NOT_ASKED "TPM2_PCR_Read: not the one sha256 digest of pcr 3 asked for"
TEST(tpm_read_of_another_bank_is_refused) { read_refused(19, 0x04, NOT_ASKED); }
TEST(tpm_read_of_another_pcr_is_refused) { read_refused(21, 0x10, NOT_ASKED); }
TEST(tpm_read_of_no_pcr_is_refused) { read_refused(17, 0, NOT_ASKED); }
TEST(tpm_read_with_two_digests_is_refused) { read_refused(27, 2, NOT_ASKED); }
TEST(tpm_read_with_a_short_digest_is_refused) { read_refused(29, 20, NOT_ASKED); }
TEST(tpm_read_with_trailing_bytes_is_refused) { read_refused(999, 0, "TPM2_PCR_Read: response has trailing bytes"); }

TEST(tpm_read_of_an_inactive_bank_sends_nothing)
{
	uint8_t v[HASH_MAX_SIZE];
	uint32_t len = 0;
	attach_four();
	CHECK_EQ(tpm_pcr_read(3, 0x0012, v, &len), -TESSERA_EINVAL);
	CHECK_EQ(tpm_pcr_read(24, 0x000b, v, &len), -TESSERA_EINVAL);
	CHECK_EQ(ncmds, 2);
}

TEST(tpm_detach_gives_locality_back_and_ends_all_commands)
{
	struct hash_digests d = digests(1);
	attach_four();
	tpm_detach();
	CHECK_EQ(closes, 1);
	CHECK_EQ(tpm_bank_count(), 0);
	CHECK_EQ(tpm_pcr_extend(16, &d), -TESSERA_ENODEV);
	CHECK_EQ(ncmds, 2);
	tpm_detach();
	CHECK_EQ(closes, 1);
}

/* --- tpm= and the boot path ----------------------------------------------------------- */

static struct core_config core(const char *line)
{
	struct core_config cc;
	const char *why = NULL;
	memset(&cc, 0x5a, sizeof(cc));
	CHECK_EQ(config_parse_core(line, &cc, &why), 0);
	return cc;
}

TEST(tpm_option_defaults_to_auto_without_selftest)
{
	struct core_config cc = core("debug_exit=on");
	CHECK_EQ(cc.tpm, CONFIG_TPM_AUTO);
	CHECK(!cc.tpm_selftest);
	CHECK_EQ(core("tpm=off").tpm, CONFIG_TPM_OFF);
	CHECK_EQ(core("tpm=auto").tpm, CONFIG_TPM_AUTO);
	CHECK_EQ(core("tpm=required tpm_selftest=1").tpm, CONFIG_TPM_REQUIRED);
	CHECK(core("tpm_selftest=1").tpm_selftest);
	CHECK(!core("tpm_selftest=0").tpm_selftest);
}

TEST(tpm_option_rejects_other_values)
{
	struct core_config cc;
	const char *why = NULL;
	CHECK_EQ(config_parse_core("tpm=on", &cc, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "tpm must be off, auto or required");
	CHECK_EQ(config_parse_core("tpm=requiredx", &cc, &why), -TESSERA_EINVAL);
	CHECK_EQ(config_parse_core("tpm=", &cc, &why), -TESSERA_EINVAL);
	CHECK_EQ(config_parse_core("tpm_selftest=yes", &cc, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "tpm_selftest must be 0 or 1");
	CHECK_EQ(config_parse_core("tpm=auto tpm=off", &cc, &why), -TESSERA_EINVAL);
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void table_header(uint64_t pa, const char *sig, uint32_t len)
{
	uint8_t *p = sim_phys(pa, len);
	memset(p, 0, len);
	memcpy(p, sig, 4);
	memcpy(p + 4, &len, 4);
	p[8] = 4;
}

static void table_seal(uint64_t pa)
{
	uint32_t len;
	memcpy(&len, sim_phys(pa + 4, 4), 4);
	uint8_t *p = sim_phys(pa, len);
	p[9] = 0;
	p[9] = (uint8_t)-sum(p, len);
}

/* ACPI in bi: RSDP 0 -> RSDT -> (a TPM2 table of len bytes at TPM2_PA, if len). */
static void acpi_with_tpm2(struct boot_info *bi, uint32_t len, uint32_t start, uint32_t laml,
			   uint64_t lasa)
{
	uint32_t rsdt = (uint32_t)RSDT_PA, entry = (uint32_t)TPM2_PA;
	memset(bi, 0, sizeof(*bi));
	memcpy(bi->rsdp, "RSD PTR ", 8);
	memcpy(bi->rsdp + 16, &rsdt, 4);
	bi->rsdp[8] = (uint8_t)-sum(bi->rsdp, 20);
	bi->rsdp_len = 20;
	table_header(RSDT_PA, "RSDT", len ? 40 : 36);
	memcpy(sim_phys(RSDT_PA + 36, 4), &entry, 4);
	table_seal(RSDT_PA);
	if (!len)
		return;
	table_header(TPM2_PA, "TPM2", len);
	uint64_t control = 0xfed40040;
	memcpy(sim_phys(TPM2_PA + 40, 8), &control, 8);
	memcpy(sim_phys(TPM2_PA + 48, 4), &start, 4);
	if (len >= 76) {
		memcpy(sim_phys(TPM2_PA + 64, 4), &laml, 4);
		memcpy(sim_phys(TPM2_PA + 68, 8), &lasa, 8);
	}
	table_seal(TPM2_PA);
}

static struct acpi_info scan(const struct boot_info *bi)
{
	struct acpi_info ai;
	const char *why = NULL;
	CHECK_EQ(acpi_scan(bi->rsdp, bi->rsdp_len, &ai, &why), 0);
	return ai;
}

TEST(tpm_acpi_table_gives_start_method_control_area_and_log_area)
{
	struct boot_info bi;
	acpi_with_tpm2(&bi, 76, 7, 0x10000, 0x7fff0000);
	struct acpi_info ai = scan(&bi);
	CHECK_EQ(ai.tpm2_table.pa, TPM2_PA);
	CHECK_EQ(ai.tpm2.start_method, 7);
	CHECK_EQ(ai.tpm2.control, 0xfed40040);
	CHECK_EQ(ai.tpm2.laml, 0x10000);
	CHECK_EQ(ai.tpm2.lasa, 0x7fff0000);
	CHECK_EQ(ai.nnotes, 0);
}

TEST(tpm_acpi_table_without_log_area_is_kept)
{
	struct boot_info bi;
	acpi_with_tpm2(&bi, 52, 6, 0, 0);
	struct acpi_info ai = scan(&bi);
	CHECK_EQ(ai.tpm2_table.len, 52);
	CHECK_EQ(ai.tpm2.start_method, 6);
	CHECK_EQ(ai.tpm2.laml, 0);
	acpi_with_tpm2(&bi, 64, 7, 0, 0); /* with start-method parameters */
	ai = scan(&bi);
	CHECK_EQ(ai.tpm2_table.len, 64);
	CHECK_EQ(ai.tpm2.start_method, 7);
	CHECK_EQ(ai.tpm2.lasa, 0);
}

TEST(tpm_acpi_table_of_an_odd_length_is_ignored)
{
	struct boot_info bi;
	acpi_with_tpm2(&bi, 70, 6, 0, 0);
	struct acpi_info ai = scan(&bi);
	CHECK_EQ(ai.tpm2_table.len, 0);
	CHECK_EQ(ai.nnotes, 1);
	CHECK_STREQ(ai.notes[0].why, "TPM2 length not 52, 64 or 76");
}

TEST(tpm_acpi_table_with_a_bad_checksum_is_ignored)
{
	struct boot_info bi;
	acpi_with_tpm2(&bi, 76, 6, 0, 0);
	*(uint8_t *)sim_phys(TPM2_PA + 50, 1) ^= 1;
	struct acpi_info ai = scan(&bi);
	CHECK_EQ(ai.tpm2_table.len, 0);
	CHECK_STREQ(ai.notes[0].why, "TPM2 checksum mismatch");
}

TEST(tpm_acpi_log_area_half_given_or_above_4g_is_left_out)
{
	struct boot_info bi;
	acpi_with_tpm2(&bi, 76, 6, 0x10000, 0);
	struct acpi_info ai = scan(&bi);
	CHECK_EQ(ai.tpm2_table.len, 76);
	CHECK_EQ(ai.tpm2.laml, 0);
	CHECK_STREQ(ai.notes[0].why, "TPM2 log area has an address or a length but not both");
	acpi_with_tpm2(&bi, 76, 6, 0x10000, 0xffffc000);
	ai = scan(&bi);
	CHECK_EQ(ai.tpm2.laml, 0);
	CHECK_EQ(ai.tpm2.lasa, 0);
	CHECK_STREQ(ai.notes[0].why, "TPM2 log area not below 4 GiB ignored");
}

TEST(tpm_boot_off_touches_nothing)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=off");
	acpi_with_tpm2(&bi, 76, 6, 0, 0);
	sim_tpm_ops = &sim_ops;
	CHECK_EQ(tpm_boot(&bi, &cc), 0);
	CHECK_EQ(sim_tpm_opens, 0);
	CHECK_HAS(sim_console(), "tessera: tpm: off (tpm=off), boot is NOT measured");
}

TEST(tpm_boot_with_acpi_but_no_tpm2_table_does_not_probe)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=auto");
	acpi_with_tpm2(&bi, 0, 0, 0, 0);
	sim_tpm_ops = &sim_ops;
	CHECK_EQ(tpm_boot(&bi, &cc), 0);
	CHECK_EQ(sim_tpm_opens, 0);
	CHECK_HAS(sim_console(), "tessera: tpm: no ACPI TPM2 table\n"
				 "tessera: tpm: none found, boot is NOT measured\n");
	cc = core("tpm=required");
	CHECK_EQ(tpm_boot(&bi, &cc), -TESSERA_ENODEV);
}

TEST(tpm_boot_without_acpi_lets_the_arch_probe)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=required");
	memset(&bi, 0, sizeof(bi));
	CHECK_EQ(tpm_boot(&bi, &cc), -TESSERA_ENODEV);
	CHECK_EQ(sim_tpm_opens, 1);
	CHECK(!sim_tpm_had_table);
	CHECK_HAS(sim_console(), "tessera: tpm: no simulated TPM answers");
	CHECK_NOT_HAS(sim_console(), "NOT measured");
}

TEST(tpm_boot_uses_the_tpm2_table_and_attaches)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=required");
	acpi_with_tpm2(&bi, 76, 7, 0, 0);
	sim_tpm_ops = &sim_ops;
	startup_rsp(0);
	banks_rsp(four, all, 4);
	CHECK_EQ(tpm_boot(&bi, &cc), 0);
	CHECK(sim_tpm_had_table);
	CHECK_EQ(sim_tpm_table.start_method, 7);
	CHECK_EQ(tpm_bank_count(), 4);
	CHECK_EQ(ncmds, 2);
	CHECK_NOT_HAS(sim_console(), "NOT measured");
}

TEST(tpm_boot_auto_with_an_unusable_tpm_goes_on_unmeasured)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=auto");
	acpi_with_tpm2(&bi, 52, 6, 0, 0);
	sim_tpm_ops = &sim_ops;
	startup_rsp(0x101);
	CHECK_EQ(tpm_boot(&bi, &cc), 0);
	CHECK_HAS(sim_console(), "tessera: tpm: not usable, boot is NOT measured");
	CHECK_EQ(closes, 1);
	startup_rsp(0x101);
	cc = core("tpm=required");
	CHECK_EQ(tpm_boot(&bi, &cc), -TESSERA_EACCES);
}

TEST(tpm_boot_selftest_extends_pcr16_with_bytes_0_1_2_and_prints_it)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=required tpm_selftest=1");
	static const uint16_t algs[] = { 0x0004, 0x000b };
	acpi_with_tpm2(&bi, 52, 6, 0, 0);
	sim_tpm_ops = &sim_ops;
	startup_rsp(0x100);
	banks_rsp(algs, all, 2);
	extend_rsp();
	read_rsp(0x0004, 16, 20, 0x0f);
	read_rsp(0x000b, 16, 32, 0xa0);
	CHECK_EQ(tpm_boot(&bi, &cc), 0);
	CHECK_EQ(ncmds, 5);
	CHECK_EQ(be(cmds[2].b + 10, 4), 16);
	for (uint32_t k = 0; k < 20; k++)
		CHECK_EQ(cmds[2].b[33 + k], k);
	for (uint32_t k = 0; k < 32; k++)
		CHECK_EQ(cmds[2].b[33 + 22 + k], k);
	CHECK_HAS(sim_console(), "tessera: tpm: pcr16 sha1 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n");
	CHECK_HAS(sim_console(), "tessera: tpm: pcr16 sha256 "
				 "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\n");
}

TEST(tpm_boot_selftest_failure_under_required_is_an_error)
{
	struct boot_info bi;
	struct core_config cc = core("tpm=required tpm_selftest=1");
	acpi_with_tpm2(&bi, 52, 6, 0, 0);
	sim_tpm_ops = &sim_ops;
	startup_rsp(0x100);
	banks_rsp(four, all, 4);
	startup_rsp(0x907);
	CHECK_EQ(tpm_boot(&bi, &cc), -TESSERA_EACCES);
	CHECK_EQ(closes, 1);
	CHECK_EQ(tpm_bank_count(), 0);
}
