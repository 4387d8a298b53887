/*
 * How tessera-attest reaches the TPM: any TCTI through Tss2_TctiLdr (--tcti, e.g.
 * "swtpm:host=127.0.0.1,port=2321"), or the attestation domain's channel (--socket,
 * socktcti.c), which also serves the event log and the info text.
 */
#include "tool.h"
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

int tpm_open(struct att_tpm *t, const struct att_conn *c, struct att_report *r)
{
	char err[256];
	TSS2_RC rc;

	memset(t, 0, sizeof(*t));
	if (!!c->tcti == !!c->socket)
		return att_fail(r, ATT_USAGE, "give exactly one of --tcti and --socket");
	if (c->socket) {
		rc = socktcti_open(c->socket, c->timeout_ms, &t->tcti, err, sizeof(err));
		if (rc)
			return att_fail(r, ATT_TRANSPORT, "%s", err);
		t->socket = true;
	} else {
		rc = Tss2_TctiLdr_Initialize(c->tcti, &t->tcti);
		if (rc)
			return att_fail(r, ATT_TRANSPORT, "cannot open TCTI '%s': %s", c->tcti,
					Tss2_RC_Decode(rc));
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc) {
		tpm_close(t);
		return att_fail(r, ATT_TRANSPORT, "Esys_Initialize: %s", Tss2_RC_Decode(rc));
	}
	return 0;
}

void tpm_close(struct att_tpm *t)
{
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti && t->socket) {
		Tss2_Tcti_Finalize(t->tcti);
		free(t->tcti);
	} else if (t->tcti) {
		Tss2_TctiLdr_Finalize(&t->tcti);
	}
	memset(t, 0, sizeof(*t));
}

int tpm_channel_get(struct att_tpm *t, uint8_t type, uint8_t **buf, size_t *len,
		    struct att_report *r)
{
	char err[320];
	if (!t->socket)
		return att_fail(r, ATT_USAGE, "the log and info come over --socket only");
	if (socktcti_request(t->tcti, type, buf, len, err, sizeof(err)))
		return att_fail(r, ATT_TRANSPORT, "%s", err);
	return 0;
}

int tpm_fail(struct att_tpm *t, struct att_report *r, const char *what, TSS2_RC rc)
{
	const char *why = t->socket ? socktcti_error(t->tcti) : "";
	if (*why)
		return att_fail(r, ATT_TRANSPORT, "%s: %s (attestation channel: %s)", what,
				Tss2_RC_Decode(rc), why);
	return att_fail(r, ATT_TRANSPORT, "%s: %s", what, Tss2_RC_Decode(rc));
}

bool att_conn_option(int argc, char **argv, int *i, struct att_conn *c)
{
	const char *a = argv[*i];
	char *end;
	if (*i + 1 >= argc)
		return false;
	if (!strcmp(a, "--tcti"))
		c->tcti = argv[++*i];
	else if (!strcmp(a, "--socket"))
		c->socket = argv[++*i];
	else if (!strcmp(a, "--timeout")) {
		unsigned long v = strtoul(argv[*i + 1], &end, 10);
		if (*end || !v || v > 3600000) {
			fprintf(stderr, "--timeout takes milliseconds, 1 to 3600000\n");
			exit(ATT_USAGE);
		}
		c->timeout_ms = (unsigned)v;
		++*i;
	} else
		return false;
	return true;
}
