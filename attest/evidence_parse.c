/*
 * The evidence file's text (format in evidence.c) into struct evidence: pure, no
 * I/O, so the verifier's fuzzer (fuzz/verifier) reads evidence exactly as
 * `verify --evidence-in` does.
 */
#include "tool.h"
#include <stdlib.h>
#include <string.h>
#include <tessera/attest.h>

void evidence_free(struct evidence *e)
{
	free(e->log);
	e->log = NULL;
}

/* "name HEX\n" at *p into out (at most max bytes): its length, or -1. */
static long get_field(const char **p, const char *end, const char *name, uint8_t *out, size_t max)
{
	size_t k = strlen(name);
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl || (size_t)(nl - *p) < k + 1 || strncmp(*p, name, k) || (*p)[k] != ' ')
		return -1;
	size_t hexlen = (size_t)(nl - *p) - k - 1;
	if (hexlen % 2 || hexlen / 2 > max || att_unhex(out, hexlen / 2, *p + k + 1, hexlen))
		return -1;
	*p = nl + 1;
	return (long)(hexlen / 2);
}

int evidence_parse(const char *text, size_t len, struct evidence *e)
{
	const char *p = text, *end = text + len;
	long n;

	memset(e, 0, sizeof(*e));
	e->log = malloc(TESSERA_ATTEST_LOG_MAX);
	if (!e->log)
		return -1;
#ifdef FUZZ_PLANTED_BUG /* the magic line compared past a short file's end (fuzz/planted.sh) */
	if (memcmp(p, "tessera-attest evidence 1\n", 26))
#else
	if (len < 26 || memcmp(p, "tessera-attest evidence 1\n", 26))
#endif
		goto bad;
	p += 26;
	if (get_field(&p, end, "nonce", e->nonce, sizeof(e->nonce)) != (long)sizeof(e->nonce))
		goto bad;
	if ((n = get_field(&p, end, "attest", e->attest, sizeof(e->attest))) < 0)
		goto bad;
	e->attest_len = (size_t)n;
	if ((n = get_field(&p, end, "signature", e->sig, sizeof(e->sig))) < 0)
		goto bad;
	e->sig_len = (size_t)n;
	if ((n = get_field(&p, end, "log", e->log, TESSERA_ATTEST_LOG_MAX)) < 0)
		goto bad;
	e->log_len = (size_t)n;
	if ((n = get_field(&p, end, "info", (uint8_t *)e->info, sizeof(e->info) - 1)) < 0 || p != end ||
	    memchr(e->info, 0, (size_t)n))
		goto bad;
	e->info[n] = 0;
	return 0;
bad:
	evidence_free(e);
	return -1;
}
