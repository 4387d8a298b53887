/*
 * tessera-attest, the remote attestation verifier (attest/README.md): what its files
 * share. Everything it reads (TPM responses, the event log, saved evidence, the
 * manifest, the state directory) is treated as hostile and checked before use.
 */
#ifndef ATTEST_TOOL_H
#define ATTEST_TOOL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <tss2/tss2_esys.h>
#include <tessera/tcg.h>

/* Exit codes, one per failure class (attest/README.md "Exit codes"). */
enum att_exit {
	ATT_TRUSTED = 0,
	ATT_USAGE = 2,
	ATT_TRANSPORT = 3,   /* TPM or channel error, refusal by the attestation domain */
	ATT_STATE = 4,       /* state directory missing, unreadable or inconsistent */
	ATT_INPUT = 5,       /* manifest, artifact or evidence file unusable */
	ATT_LOG = 10,        /* event log malformed */
	ATT_QUOTE = 11,      /* TPMS_ATTEST or TPMT_SIGNATURE malformed, magic, type */
	ATT_SIGNATURE = 12,  /* signature does not verify with the enrolled AK */
	ATT_NONCE = 13,      /* not our nonce, never issued, or already used */
	ATT_STALE = 14,      /* TPM clock behind the last accepted quote */
	ATT_PCR_SELECTION = 15,
	ATT_REPLAY = 16,     /* the log does not replay to the quoted PCR digest */
	ATT_MEASUREMENT = 17, /* a measurement differs from the golden manifest */
	ATT_SIGNER = 18,     /* quoted by a key that is not the enrolled AK */
	ATT_EK_CERT = 20,    /* EK certificate unusable or not chaining to --ek-ca */
	ATT_EK_UNTRUSTED = 21, /* no EK certificate and no --trust-ek-on-first-use */
	ATT_AK_REFUSED = 22, /* the AK's attributes, scheme or name are wrong */
	ATT_ACTIVATION = 23, /* credential activation failed: AK and EK not in one TPM */
};
const char *att_exit_class(int code); /* "measurement-differs" for ATT_MEASUREMENT */

/* --- report: the verdict and what supports it (human text or JSON) ------------------ */
#define ATT_MAX_DIFFS 64
#define ATT_TEXT_MAX 384
struct att_diff {
	uint32_t event;       /* log event index (1 = first after the header), 0: none */
	char kind[16];        /* digest, data, order, extra, missing, pcr */
	char text[ATT_TEXT_MAX];
};

struct att_report {
	int code;
	char reason[ATT_TEXT_MAX];
	unsigned ndiffs, dropped;
	struct att_diff diff[ATT_MAX_DIFFS];
	/* facts, for the output; valid when the flags say so */
	bool have_quote, have_log;
	uint8_t nonce[32];
	uint64_t clock, firmware;
	uint32_t reset_count, restart_count;
	bool safe;
	uint8_t pcr_digest[64];
	unsigned pcr_digest_len;
	uint32_t events;
	char boot_path[32];
};

/* Sets the verdict unless one is set already; returns code. */
__attribute__((format(printf, 3, 4))) int att_fail(struct att_report *r, int code,
						  const char *fmt, ...);
__attribute__((format(printf, 4, 5))) void att_diff(struct att_report *r, uint32_t event,
						   const char *kind, const char *fmt, ...);
void att_report_print(const struct att_report *r, bool json, FILE *out);

/* --- util.c --------------------------------------------------------------------------- */
/* Whole file, at most max bytes (more is an error); NULL with errno set. */
uint8_t *att_read_file(const char *path, size_t max, size_t *len);
/* Writes via a temporary file and rename(): readers never see half a file. */
int att_write_file(const char *path, const void *buf, size_t len);
void att_hex(char *out, const uint8_t *p, size_t n); /* out: 2n + 1 bytes */
/* Exactly n bytes from 2n hex digits; -1 otherwise. */
int att_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen);
/* n bytes from the kernel's RNG (getrandom); -1 on failure. */
int att_random(void *p, size_t n);
int att_rng(void *ctx, unsigned char *p, size_t n); /* for mbedTLS f_rng */

/* --- json.c ----------------------------------------------------------------------------- */
void json_str(FILE *f, const char *s);              /* "..." with escapes */
void json_hex(FILE *f, const uint8_t *p, size_t n); /* "00ff..." */

/* --- crypto.c: names, KDFa, MakeCredential, signature checks (mbedTLS) ---------------- */
/* Name of a public area: nameAlg || H(TPMT_PUBLIC). -1 if the nameAlg is not SHA-256. */
int crypto_name(const TPMT_PUBLIC *pub, TPM2B_NAME *name);
/* Qualified name of `name` under the parent whose qualified name is `parent`. */
int crypto_qualified_name(const TPM2B_NAME *parent, const TPM2B_NAME *name, TPM2B_NAME *qn);
/* Qualified name of a hierarchy (its handle). */
void crypto_hierarchy_qn(uint32_t handle, TPM2B_NAME *qn);
int crypto_sha256(const void *p, size_t n, uint8_t out[32]);
/* TPM 2.0 Part 1 "Credential Protection", for an RSA EK (OAEP, label "IDENTITY"). */
int crypto_make_credential(const TPMT_PUBLIC *ek, const TPM2B_NAME *ak_name,
			   const TPM2B_DIGEST *credential, TPM2B_ID_OBJECT *blob,
			   TPM2B_ENCRYPTED_SECRET *secret, char *err, size_t errlen);
/* KDFa with SHA-256 (Part 1 11.4.10.2); bits a multiple of 8. */
int crypto_kdfa(const uint8_t *key, size_t keylen, const char *label, const uint8_t *u,
		size_t ulen, const uint8_t *v, size_t vlen, uint32_t bits, uint8_t *out);
/* 0 if sig is a valid signature of msg by key; -1 with err otherwise. */
int crypto_verify(const TPMT_PUBLIC *key, const TPMT_SIGNATURE *sig, const uint8_t *msg,
		  size_t len, char *err, size_t errlen);
/* Whether a public area is an acceptable AK: NULL, or why not. */
const char *crypto_ak_refusal(const TPMT_PUBLIC *pub);

/* ekcert.c: the certificate chains to ca_file (and inter_file's intermediates) and
 * certifies exactly this RSA EK. */
int ekcert_check(const uint8_t *der, size_t len, const char *ca_file, const char *inter_file,
		 const TPMT_PUBLIC *ek, struct att_report *r);

/* --- transport.c: the TPM over a TCTI, or over the attestation channel -------------- */
struct att_conn {
	const char *tcti;   /* --tcti: any TCTI through Tss2_TctiLdr */
	const char *socket; /* --socket: the attestation domain's channel */
	unsigned timeout_ms;
};
struct att_tpm {
	ESYS_CONTEXT *esys;
	TSS2_TCTI_CONTEXT *tcti;
	bool socket;
};
int tpm_open(struct att_tpm *t, const struct att_conn *c, struct att_report *r);
void tpm_close(struct att_tpm *t);
/* Over --socket only: the event log (0x02) or info text (0x03); malloc'd. */
int tpm_channel_get(struct att_tpm *t, uint8_t type, uint8_t **buf, size_t *len,
		    struct att_report *r);
/* A TSS2_RC as text, with the attestation domain's reason if it refused. */
int tpm_fail(struct att_tpm *t, struct att_report *r, const char *what, TSS2_RC rc);

/* socktcti.c: the channel as a TCTI (TSS2_TCTI_CONTEXT_COMMON_V2) */
TSS2_RC socktcti_open(const char *path, unsigned timeout_ms, TSS2_TCTI_CONTEXT **out,
		      char *err, size_t errlen);
int socktcti_request(TSS2_TCTI_CONTEXT *ctx, uint8_t type, uint8_t **buf, size_t *len,
		     char *err, size_t errlen);
const char *socktcti_error(TSS2_TCTI_CONTEXT *ctx); /* last error or refusal text, "" */

/* --- tpm.c: EK, policy session, AK, quote (no resource manager: flush everything) --- */
int tpm_create_ek(struct att_tpm *t, ESYS_TR *ek, TPM2B_PUBLIC *pub, struct att_report *r);
/* Policy session satisfying the EK's policy (PolicySecret on the endorsement hierarchy). */
int tpm_ek_session(struct att_tpm *t, ESYS_TR *s, struct att_report *r);
int tpm_load_ak(struct att_tpm *t, ESYS_TR ek, const TPM2B_PUBLIC *pub,
		const TPM2B_PRIVATE *priv, ESYS_TR *ak, struct att_report *r);
/* Reads the RSA EK certificate (NV 0x01c00002): 0 and *der (malloc'd), 1 if absent. */
int tpm_read_ek_cert(struct att_tpm *t, uint8_t **der, size_t *len, struct att_report *r);
void tpm_flush(struct att_tpm *t, ESYS_TR *h);

/* --- state.c: the enrolment and the freshness state in --state DIR ------------------- */
struct att_enrollment {
	TPM2B_PUBLIC ek_pub, ak_pub;
	TPM2B_PRIVATE ak_priv;
	TPM2B_NAME ek_name, ak_name, ak_qname;
	char ek_trust[16]; /* "certificate" or "first-use" */
};
int state_save_enrollment(const char *dir, const struct att_enrollment *e,
			  const uint8_t *cert, size_t certlen, struct att_report *r);
int state_load_enrollment(const char *dir, struct att_enrollment *e, struct att_report *r);
/* A TPM2B_PUBLIC / TPM2B_PRIVATE file as tpm2_create -u/-r write them. */
int state_load_key(const char *dir, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
		   struct att_report *r);
int state_save_key(const char *dir, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
		   struct att_report *r);
/* An exclusive lock on DIR/lock for the command's lifetime; -1 on failure. */
int state_lock(const char *dir, struct att_report *r);

enum nonce_state { NONCE_ISSUED, NONCE_USED, NONCE_UNKNOWN };
int state_issue_nonce(const char *dir, uint8_t nonce[32], struct att_report *r);
int state_nonce(const char *dir, const uint8_t nonce[32], enum nonce_state *s,
		struct att_report *r);
int state_use_nonce(const char *dir, const uint8_t nonce[32], struct att_report *r);
struct att_clock {
	bool valid;
	uint64_t clock;
	uint32_t reset_count, restart_count;
};
int state_load_clock(const char *dir, struct att_clock *c, struct att_report *r);
int state_save_clock(const char *dir, const struct att_clock *c, struct att_report *r);

/* --- manifest.c: the golden manifest (format in attest/README.md) -------------------- */
#define MAN_BANKS 4 /* sha1, sha256, sha384, sha512: manifest bank b is man_alg[b] */
#define MAN_MAX_EVENTS 256
#define MAN_DATA_MAX 64
#define MAN_WHAT_MAX 160
extern const uint16_t man_alg[MAN_BANKS];
struct man_event {
	uint32_t pcr, type;
	char data[MAN_DATA_MAX];
	uint8_t digest[MAN_BANKS][64];
	char what[MAN_WHAT_MAX]; /* "domain image of module 1 (domain=alpha)" */
};
struct manifest {
	char boot_path[16];
	uint16_t quote_alg;  /* the bank the quote covers */
	uint32_t quote_pcrs; /* bit per PCR */
	unsigned nevents;
	struct man_event ev[MAN_MAX_EVENTS];
	uint8_t pcr[MAN_BANKS][TCG_PCR_COUNT][64]; /* expected final values */
	uint32_t pcr_set;                         /* bit per PCR with a value */
	uint32_t external; /* PCRs the core's log does not extend (GRUB's 8, 9): the quote
			    * must show the manifest's values for them */
};
int man_write(const struct manifest *m, FILE *f);
/* golden_drtm.c: golden's --tboot options, and PCRs 17-19 put in the manifest. */
int golden_drtm_option(int argc, char **argv, int *i);
int golden_drtm_apply(struct manifest *m, const char *const *files, const char *const *cmdlines,
		      unsigned n);
int man_read(const char *path, struct manifest *m, struct att_report *r);
int man_bank(uint16_t alg); /* index into digest[], or -1 */
/* "11,12,13" -> a bit per PCR; -1 unless distinct PCRs 0-23. */
int man_parse_pcrs(const char *s, uint32_t *set);

/* --- evidence.c: (nonce, quote, signature, log, info) saved and reloaded ----------- */
#define EVIDENCE_ATTEST_MAX sizeof(((TPM2B_ATTEST *)0)->attestationData)
#define EVIDENCE_SIG_MAX 1024
struct evidence {
	uint8_t nonce[32];
	uint8_t attest[EVIDENCE_ATTEST_MAX];
	size_t attest_len;
	uint8_t sig[EVIDENCE_SIG_MAX];
	size_t sig_len;
	uint8_t *log; /* malloc'd */
	size_t log_len;
	char info[4096]; /* NUL-terminated key=value lines, maybe empty */
};
int evidence_write(const char *path, const struct evidence *e, struct att_report *r);
int evidence_read(const char *path, struct evidence *e, struct att_report *r);
/* The file's text (len bytes) into e (evidence_parse.c): 0, or -1 if it is malformed. */
int evidence_parse(const char *text, size_t len, struct evidence *e);
void evidence_free(struct evidence *e);
/* Collects evidence from the TPM: quote with the key (ak_pub/ak_priv under the EK)
 * over sel, with nonce; the log from log_path or the channel. */
int evidence_collect(struct att_tpm *t, const TPM2B_PUBLIC *ak_pub, const TPM2B_PRIVATE *ak_priv,
		     const TPML_PCR_SELECTION *sel, const uint8_t nonce[32], const char *log_path,
		     struct evidence *e, struct att_report *r);

/* --- verify.c: the checks, in order, on evidence in memory (no I/O) ----------------- */
struct verify_input {
	const struct att_enrollment *en;
	const struct manifest *man;
	const struct evidence *ev;
	const uint8_t *expected_nonce;
	enum nonce_state nonce_state;
	struct att_clock last; /* last accepted quote */
};
/* ATT_TRUSTED or a failure code, with r filled. */
int verify_evidence(const struct verify_input *in, struct att_report *r);
/* The quote's selection as the manifest expects it. */
void verify_selection(const struct manifest *m, TPML_PCR_SELECTION *sel);
/* Compares the log's events with the manifest in order (verify_events.c). */
int verify_events(const struct manifest *m, const void *log, size_t len, struct att_report *r);

/* main.c: --tcti, --socket, --timeout; true if argv[*i] was one (and its value taken). */
bool att_conn_option(int argc, char **argv, int *i, struct att_conn *c);

/* --- commands ---------------------------------------------------------------------------- */
int cmd_enroll(int argc, char **argv);
int cmd_golden(int argc, char **argv);
int cmd_nonce(int argc, char **argv);
int cmd_quote(int argc, char **argv);
int cmd_verify(int argc, char **argv);
#endif
