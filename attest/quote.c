/*
 * tessera-attest nonce / quote / verify: the challenge, the evidence, the verdict.
 *   nonce   issues a fresh nonce (recorded in the state) and prints it
 *   quote   collects evidence from the TPM into a file without judging it (the
 *           attester's half: any key, nonce or PCR selection may be asked for)
 *   verify  live: nonce, quote with the enrolled AK, log, verdict; or --evidence-in:
 *           the verdict on saved evidence, whose nonce must be one this verifier
 *           issued and never used
 * A nonce is consumed once a quote over it has been authenticated, whatever the
 * verdict; the TPM clock is recorded only for trusted quotes.
 */
#include "tool.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct quote_opts {
	struct att_conn conn;
	const char *state, *manifest, *log, *ev_in, *ev_out, *ak_dir, *pcrs;
	uint8_t nonce[32];
	bool have_nonce, json;
};

static int parse_opts(int argc, char **argv, struct quote_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->conn.timeout_ms = 30000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (att_conn_option(argc, argv, &i, &o->conn))
			continue;
		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		if (!v)
			return -1;
		if (!strcmp(a, "--state"))
			o->state = v;
		else if (!strcmp(a, "--manifest"))
			o->manifest = v;
		else if (!strcmp(a, "--log"))
			o->log = v;
		else if (!strcmp(a, "--evidence-in"))
			o->ev_in = v;
		else if (!strcmp(a, "--evidence-out"))
			o->ev_out = v;
		else if (!strcmp(a, "--ak"))
			o->ak_dir = v;
		else if (!strcmp(a, "--pcrs"))
			o->pcrs = v;
		else if (!strcmp(a, "--nonce") && !att_unhex(o->nonce, 32, v, strlen(v)))
			o->have_nonce = true;
		else
			return -1;
		i++;
	}
	return 0;
}

/* "sha256:11,12,13" (the bank may be sha1, sha256, sha384 or sha512). */
static int parse_selection(const char *s, TPML_PCR_SELECTION *sel)
{
	static const char *const names[] = { "sha1", "sha256", "sha384", "sha512" };
	const char *colon = strchr(s, ':');
	uint32_t set;
	memset(sel, 0, sizeof(*sel));
	for (int b = 0; colon && b < MAN_BANKS; b++)
		if (strlen(names[b]) == (size_t)(colon - s) && !strncmp(s, names[b], (size_t)(colon - s)))
			sel->pcrSelections[0].hash = man_alg[b];
	if (!sel->pcrSelections[0].hash || man_parse_pcrs(colon + 1, &set))
		return -1;
	sel->count = 1;
	sel->pcrSelections[0].sizeofSelect = 3;
	for (unsigned i = 0; i < TCG_PCR_COUNT; i++)
		if (set & (1u << i))
			sel->pcrSelections[0].pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
	return 0;
}

int cmd_nonce(int argc, char **argv)
{
	static struct att_report r;
	struct quote_opts o;
	uint8_t nonce[32];
	char hex[65];

	if (parse_opts(argc, argv, &o) || !o.state || o.conn.tcti || o.conn.socket) {
		fprintf(stderr, "usage: tessera-attest nonce --state DIR\n");
		return ATT_USAGE;
	}
	if (state_lock(o.state, &r) || state_issue_nonce(o.state, nonce, &r)) {
		fprintf(stderr, "nonce: %s\n", r.reason);
		return r.code;
	}
	att_hex(hex, nonce, sizeof(nonce));
	printf("%s\n", hex);
	return 0;
}

static int quote(const struct quote_opts *o, struct att_report *r)
{
	static struct att_enrollment en;
	static struct manifest m;
	static struct evidence ev;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPML_PCR_SELECTION sel;
	uint8_t nonce[32];
	struct att_tpm t;

	if (o->state && state_lock(o->state, r))
		return r->code;
	if (o->ak_dir ? state_load_key(o->ak_dir, &pub, &priv, r) :
			state_load_enrollment(o->state, &en, r))
		return r->code;
	if (!o->ak_dir) {
		pub = en.ak_pub;
		priv = en.ak_priv;
	}
	if (o->pcrs ? parse_selection(o->pcrs, &sel) : 0)
		return att_fail(r, ATT_USAGE, "--pcrs takes BANK:LIST, e.g. sha256:11,12,13");
	if (!o->pcrs && o->manifest) {
		if (man_read(o->manifest, &m, r))
			return r->code;
		verify_selection(&m, &sel);
	} else if (!o->pcrs) {
		parse_selection("sha256:11,12,13", &sel);
	}
	if (o->have_nonce)
		memcpy(nonce, o->nonce, sizeof(nonce));
	else if (state_issue_nonce(o->state, nonce, r))
		return r->code;
	if (tpm_open(&t, &o->conn, r))
		return r->code;
	evidence_collect(&t, &pub, &priv, &sel, nonce, o->log, &ev, r);
	tpm_close(&t);
	if (!r->code)
		evidence_write(o->ev_out, &ev, r);
	evidence_free(&ev);
	return r->code;
}

int cmd_quote(int argc, char **argv)
{
	static struct att_report r;
	struct quote_opts o;

	if (parse_opts(argc, argv, &o) || !o.ev_out || o.ev_in ||
	    (!o.state && !(o.ak_dir && o.have_nonce))) {
		fprintf(stderr, "usage: tessera-attest quote (--tcti TCTI | --socket PATH) --evidence-out FILE\n"
				"         [--state DIR] [--ak KEYDIR] [--nonce HEX] [--manifest FILE | --pcrs BANK:LIST]\n"
				"         [--log FILE] [--timeout MS]\n");
		return ATT_USAGE;
	}
	if (quote(&o, &r)) {
		fprintf(stderr, "quote: %s\n", r.reason);
		return r.code;
	}
	return 0;
}

static bool authenticated(int code)
{
	return code == ATT_TRUSTED || code == ATT_STALE || code == ATT_PCR_SELECTION ||
	       code == ATT_LOG || code == ATT_REPLAY || code == ATT_MEASUREMENT;
}

static int verify(const struct quote_opts *o, struct att_report *r)
{
	static struct att_enrollment en;
	static struct manifest m;
	static struct evidence ev;
	struct verify_input in = { .en = &en, .man = &m, .ev = &ev };
	TPML_PCR_SELECTION sel;
	struct att_tpm t;

	if (state_lock(o->state, r) || state_load_enrollment(o->state, &en, r) ||
	    man_read(o->manifest, &m, r) || state_load_clock(o->state, &in.last, r))
		return r->code;
	if (o->ev_in) {
		if (evidence_read(o->ev_in, &ev, r))
			return r->code;
		in.expected_nonce = o->have_nonce ? o->nonce : ev.nonce;
	} else {
		uint8_t nonce[32];
		if (state_issue_nonce(o->state, nonce, r) || tpm_open(&t, &o->conn, r))
			return r->code;
		verify_selection(&m, &sel);
		evidence_collect(&t, &en.ak_pub, &en.ak_priv, &sel, nonce, o->log, &ev, r);
		tpm_close(&t);
		if (r->code || (o->ev_out && evidence_write(o->ev_out, &ev, r)))
			goto out;
		in.expected_nonce = ev.nonce;
	}
	if (state_nonce(o->state, in.expected_nonce, &in.nonce_state, r))
		goto out;
	verify_evidence(&in, r);
	struct att_report saved = *r;
	if (authenticated(r->code) && in.nonce_state == NONCE_ISSUED)
		state_use_nonce(o->state, in.expected_nonce, r);
	if (saved.code == ATT_TRUSTED && !r->code) {
		const struct att_clock c = { .valid = true, .clock = r->clock, .reset_count = r->reset_count,
					     .restart_count = r->restart_count };
		state_save_clock(o->state, &c, r);
	}
out:
	evidence_free(&ev);
	return r->code;
}

int cmd_verify(int argc, char **argv)
{
	static struct att_report r;
	struct quote_opts o;
	bool live;

	if (parse_opts(argc, argv, &o) || !o.state || !o.manifest || o.ak_dir || o.pcrs) {
		fprintf(stderr, "usage: tessera-attest verify --state DIR --manifest FILE [--json]\n"
				"         ((--tcti TCTI | --socket PATH) [--log FILE] [--evidence-out FILE] [--timeout MS]\n"
				"          | --evidence-in FILE [--nonce HEX])\n");
		return ATT_USAGE;
	}
	live = o.conn.tcti || o.conn.socket;
	if (live == !!o.ev_in || (o.ev_in && (o.ev_out || o.log)) || (live && o.have_nonce)) {
		fprintf(stderr, "verify: either a TPM (--tcti/--socket) or --evidence-in\n");
		return ATT_USAGE;
	}
	verify(&o, &r);
	att_report_print(&r, o.json, stdout);
	return r.code;
}
