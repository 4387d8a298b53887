/*
 * Test helper for tests/attest/run.sh: the core's side of attestation, on the host,
 * against swtpm.
 *   simboot boot --tcti T --log OUT --core-cmdline TEXT [--boot-path P]
 *                [--module FILE CMDLINE]...
 *       a "simulated boot": measures like the core will (tessera/measure.h: order,
 *       PCRs, event data), with the core's own log builder and hashes (core/tlog.c,
 *       core/hash.c), and extends swtpm's PCRs (TPM2_PCR_Extend, every active bank).
 *   simboot shutdown --tcti T / simboot startup --tcti T
 *       TPM2_Shutdown(CLEAR) before swtpm_ioctl -i (an orderly reboot: otherwise the
 *       TPM counts a dictionary-attack failure), TPM2_Startup(CLEAR) after it
 *       ("already started" is fine).
 *   simboot mkkey --tcti T --out DIR [--unrestricted]
 *       an RSA signing key under the EK (restricted, i.e. an AK nobody enrolled, or
 *       unrestricted), as DIR/ak.pub and DIR/ak.priv.
 *   simboot resign --tcti T --key DIR --in EVIDENCE --out EVIDENCE [--flip-magic]
 *       replaces the evidence's signature by the key's signature over its attest bytes
 *       (TPM2_Sign). An unrestricted key signs anything; a restricted one (an AK)
 *       signs only data that does not start with TPM_GENERATED_VALUE: --flip-magic
 *       changes the magic first, so the AK's signature is valid over a non-quote.
 * Exit status 0, 1 on failure (message on stderr), 2 on usage.
 */
#include "tool.h"
#include <core/tlog.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <tessera/measure.h>
#include <tss2/tss2_mu.h>

#define LOG_CAP (256 * 1024)
#define MAX_MODULES 72

static struct att_report r;

static int die(const char *what)
{
	fprintf(stderr, "simboot: %s%s%s\n", what, r.reason[0] ? ": " : "", r.reason);
	return 1;
}

/* Banks the TPM has active that the core can hash, as enum hash_alg bits. */
static int active_banks(struct att_tpm *t, uint32_t *banks)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TSS2_RC rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					TPM2_CAP_PCRS, 0, 1, NULL, &cap);
	*banks = 0;
	if (rc)
		return tpm_fail(t, &r, "TPM2_GetCapability(PCRS)", rc);
	for (uint32_t i = 0; i < cap->data.assignedPCR.count; i++) {
		const TPMS_PCR_SELECTION *s = &cap->data.assignedPCR.pcrSelections[i];
		int a = hash_from_tpm_alg(s->hash);
		bool any = false;
		for (unsigned k = 0; k < s->sizeofSelect; k++)
			any |= s->pcrSelect[k] != 0;
		if (a >= 0 && any)
			*banks |= 1u << a;
	}
	free(cap);
	return 0;
}

static struct tlog lg;
static uint8_t logbuf[LOG_CAP];

/* Logs one event and extends its digests into the TPM, in every bank of the log. */
static int measure(struct att_tpm *t, uint32_t pcr, uint32_t type, const void *p, size_t n,
		   const char *data)
{
	struct hash_digests d;
	TPML_DIGEST_VALUES v = { 0 };
	int rc = type == TCG_EV_SEPARATOR ? tlog_separator(&lg, pcr, &d) :
		 tlog_measure(&lg, pcr, type, p, n, data, strlen(data), &d);
	if (rc)
		return att_fail(&r, ATT_INPUT, "tlog: error %d", rc);
	for (unsigned a = 0; a < HASH_ALGS; a++) {
		if (!(lg.banks & (1u << a)))
			continue;
		v.digests[v.count].hashAlg = hash_tpm_alg((enum hash_alg)a);
		memcpy(&v.digests[v.count++].digest, d.d[a], hash_size((enum hash_alg)a));
	}
	TSS2_RC trc = Esys_PCR_Extend(t->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				      ESYS_TR_NONE, &v);
	return trc ? tpm_fail(t, &r, "TPM2_PCR_Extend", trc) : 0;
}

static int measure_file(struct att_tpm *t, uint32_t pcr, const char *file, const char *data)
{
	size_t n;
	uint8_t *buf = att_read_file(file, 1u << 30, &n);
	if (!buf)
		return att_fail(&r, ATT_INPUT, "cannot read %s", file);
	int rc = measure(t, pcr, TCG_EV_IPL, buf, n, data);
	free(buf);
	return rc;
}

static int boot(int argc, char **argv)
{
	struct att_conn c = { .timeout_ms = 30000 };
	const char *log = NULL, *core = NULL, *path = "multiboot2", *file[MAX_MODULES], *cmd[MAX_MODULES];
	unsigned n = 0;
	int policy = -1;
	char data[64];
	struct att_tpm t;
	uint32_t banks;

	for (int i = 1; i < argc; i++) {
		if (att_conn_option(argc, argv, &i, &c))
			continue;
		if (!strcmp(argv[i], "--module") && i + 2 < argc && n < MAX_MODULES) {
			file[n] = argv[++i];
			cmd[n++] = argv[++i];
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			log = argv[++i];
		} else if (!strcmp(argv[i], "--core-cmdline") && i + 1 < argc) {
			core = argv[++i];
		} else if (!strcmp(argv[i], "--boot-path") && i + 1 < argc) {
			path = argv[++i];
		} else {
			return 2;
		}
	}
	if (!log || !core)
		return 2;
	for (unsigned i = 0; i < n; i++)
		if (strstr(cmd[i], "kind=policy"))
			policy = (int)i;
	if (tpm_open(&t, &c, &r))
		return die("open");
	if (active_banks(&t, &banks) || tlog_init(&lg, logbuf, sizeof(logbuf), banks))
		goto fail;
	snprintf(data, sizeof(data), "%s%s", TESSERA_EV_BOOT_PATH, path);
	if (measure(&t, TESSERA_PCR_CONFIG, TCG_EV_ACTION, data, strlen(data), data) ||
	    measure(&t, TESSERA_PCR_CONFIG, TCG_EV_IPL, core, strlen(core), TESSERA_EV_CMDLINE_CORE))
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		snprintf(data, sizeof(data), "%s%u", TESSERA_EV_CMDLINE_MODULE, i);
		if (measure(&t, TESSERA_PCR_CONFIG, TCG_EV_IPL, cmd[i], strlen(cmd[i]), data))
			goto fail;
	}
	if (policy >= 0 && measure_file(&t, TESSERA_PCR_POLICY, file[policy], TESSERA_EV_POLICY))
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		snprintf(data, sizeof(data), "%s%u", TESSERA_EV_IMAGE_MODULE, i);
		if ((int)i != policy && measure_file(&t, TESSERA_PCR_IMAGES, file[i], data))
			goto fail;
	}
	if (measure(&t, TESSERA_PCR_CONFIG, TCG_EV_SEPARATOR, NULL, 0, "") ||
	    measure(&t, TESSERA_PCR_POLICY, TCG_EV_SEPARATOR, NULL, 0, "") ||
	    measure(&t, TESSERA_PCR_IMAGES, TCG_EV_SEPARATOR, NULL, 0, ""))
		goto fail;
	tpm_close(&t);
	if (att_write_file(log, logbuf, lg.len))
		return die("cannot write the log");
	return 0;
fail:
	tpm_close(&t);
	return die("boot");
}

static int startup(int argc, char **argv, bool up)
{
	struct att_conn c = { .timeout_ms = 30000 };
	struct att_tpm t;
	for (int i = 1; i < argc; i++)
		if (!att_conn_option(argc, argv, &i, &c))
			return 2;
	if (tpm_open(&t, &c, &r))
		return die("open");
	TSS2_RC rc = up ? Esys_Startup(t.esys, TPM2_SU_CLEAR) :
			  Esys_Shutdown(t.esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_SU_CLEAR);
	tpm_close(&t);
	if (rc && !(up && rc == TPM2_RC_INITIALIZE))
		return die(up ? "TPM2_Startup failed" : "TPM2_Shutdown failed");
	return 0;
}

static int mkkey(int argc, char **argv)
{
	struct att_conn c = { .timeout_ms = 30000 };
	const char *out = NULL;
	bool unrestricted = false;
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_RSA,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
					    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT,
			.parameters.rsaDetail = {
				.symmetric = { .algorithm = TPM2_ALG_NULL },
				.scheme = { .scheme = TPM2_ALG_RSASSA,
					    .details.rsassa.hashAlg = TPM2_ALG_SHA256 },
				.keyBits = 2048,
			},
		},
	};
	const TPM2B_SENSITIVE_CREATE sens = { 0 };
	const TPM2B_DATA outside = { 0 };
	const TPML_PCR_SELECTION none = { 0 };
	TPM2B_PUBLIC ek_pub, *pub = NULL;
	TPM2B_PRIVATE *priv = NULL;
	ESYS_TR ek = ESYS_TR_NONE, s;
	struct att_tpm t;

	for (int i = 1; i < argc; i++) {
		if (att_conn_option(argc, argv, &i, &c))
			continue;
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--unrestricted"))
			unrestricted = true;
		else
			return 2;
	}
	if (!out)
		return 2;
	if (unrestricted)
		tmpl.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
	if (mkdir(out, 0700) && errno != EEXIST)
		return die("cannot create the key directory");
	if (tpm_open(&t, &c, &r))
		return die("open");
	if (tpm_create_ek(&t, &ek, &ek_pub, &r) || tpm_ek_session(&t, &s, &r))
		goto fail;
	TSS2_RC rc = Esys_Create(t.esys, ek, s, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl, &outside,
				 &none, &priv, &pub, NULL, NULL, NULL);
	if (rc) {
		tpm_fail(&t, &r, "TPM2_Create", rc);
		goto fail;
	}
	tpm_flush(&t, &ek);
	tpm_close(&t);
	rc = (TSS2_RC)state_save_key(out, pub, priv, &r);
	free(pub);
	free(priv);
	return rc ? die("save") : 0;
fail:
	tpm_flush(&t, &ek);
	tpm_close(&t);
	return die("mkkey");
}

static int resign(int argc, char **argv)
{
	static struct evidence ev;
	struct att_conn c = { .timeout_ms = 30000 };
	const char *key = NULL, *in = NULL, *out = NULL;
	bool flip = false;
	TPM2B_PUBLIC pub, ek_pub;
	TPM2B_PRIVATE priv;
	TPM2B_MAX_BUFFER data;
	TPM2B_DIGEST *digest = NULL;
	TPMT_TK_HASHCHECK *ticket = NULL;
	TPMT_SIGNATURE *sig = NULL;
	const TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	ESYS_TR ek = ESYS_TR_NONE, k = ESYS_TR_NONE;
	struct att_tpm t;
	TSS2_RC rc;

	for (int i = 1; i < argc; i++) {
		if (att_conn_option(argc, argv, &i, &c))
			continue;
		if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--in") && i + 1 < argc)
			in = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--flip-magic"))
			flip = true;
		else
			return 2;
	}
	if (!key || !in || !out)
		return 2;
	if (state_load_key(key, &pub, &priv, &r) || evidence_read(in, &ev, &r))
		return die("input");
	if (flip)
		ev.attest[0] ^= 0x01;
	data.size = (uint16_t)ev.attest_len;
	memcpy(data.buffer, ev.attest, ev.attest_len);
	if (tpm_open(&t, &c, &r))
		return die("open");
	if (tpm_create_ek(&t, &ek, &ek_pub, &r) || tpm_load_ak(&t, ek, &pub, &priv, &k, &r))
		goto fail;
	/* TPM2_Hash gives the ticket that lets a restricted key sign non-TPM data. */
	rc = Esys_Hash(t.esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &data, TPM2_ALG_SHA256,
		       ESYS_TR_RH_OWNER, &digest, &ticket);
	if (!rc)
		rc = Esys_Sign(t.esys, k, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, digest, &scheme,
			       ticket, &sig);
	if (rc) {
		tpm_fail(&t, &r, "TPM2_Hash/TPM2_Sign", rc);
		goto fail;
	}
	ev.sig_len = 0;
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(sig, ev.sig, sizeof(ev.sig), &ev.sig_len) ||
	    evidence_write(out, &ev, &r))
		goto fail;
	tpm_flush(&t, &k);
	tpm_flush(&t, &ek);
	tpm_close(&t);
	free(digest);
	free(ticket);
	free(sig);
	evidence_free(&ev);
	return 0;
fail:
	tpm_flush(&t, &k);
	tpm_flush(&t, &ek);
	tpm_close(&t);
	free(digest);
	free(ticket);
	free(sig);
	evidence_free(&ev);
	return die("resign");
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && !strcmp(argv[1], "boot"))
		rc = boot(argc - 1, argv + 1);
	else if (argc >= 2 && !strcmp(argv[1], "startup"))
		rc = startup(argc - 1, argv + 1, true);
	else if (argc >= 2 && !strcmp(argv[1], "shutdown"))
		rc = startup(argc - 1, argv + 1, false);
	else if (argc >= 2 && !strcmp(argv[1], "mkkey"))
		rc = mkkey(argc - 1, argv + 1);
	else if (argc >= 2 && !strcmp(argv[1], "resign"))
		rc = resign(argc - 1, argv + 1);
	if (rc == 2)
		fprintf(stderr, "usage: see tests/attest/simboot.c\n");
	return rc;
}
