/*
 * The verifier's state directory (--state DIR, attest/README.md "State"):
 *   ek.pub ak.pub ak.priv   TPM2B_PUBLIC / TPM2B_PRIVATE, as tpm2_create -u/-r write them
 *   ek.crt                  the EK certificate (DER), if enrolment checked one
 *   enrollment              how the EK was trusted and the names, re-checked on load
 *   nonces                  nonces issued and not yet used, and recently used ones
 *   clock                   the TPM clock of the last accepted quote
 * A command that changes it holds an exclusive lock on DIR/lock.
 */
#include "tool.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <tss2/tss2_mu.h>
#include <unistd.h>

#define STATE_FILE_MAX (64 * 1024)
#define NONCES_ISSUED_MAX 256 /* outstanding challenges; the oldest is dropped */
#define NONCES_USED_MAX 256   /* kept to say "replayed" rather than "never issued" */

static int path_of(char *out, size_t n, const char *dir, const char *file)
{
	int len = snprintf(out, n, "%s/%s", dir, file);
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

int state_lock(const char *dir, struct att_report *r)
{
	char p[4096];
	int fd;
	if (path_of(p, sizeof(p), dir, "lock"))
		return att_fail(r, ATT_STATE, "state path too long");
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		if (fd >= 0)
			close(fd);
		return att_fail(r, ATT_STATE, "cannot lock %s: %s", p, strerror(errno));
	}
	return 0; /* held until the process exits */
}

static int save(const char *dir, const char *file, const void *buf, size_t len,
		struct att_report *r)
{
	char p[4096];
	if (path_of(p, sizeof(p), dir, file) || att_write_file(p, buf, len))
		return att_fail(r, ATT_STATE, "cannot write %s/%s: %s", dir, file, strerror(errno));
	return 0;
}

/* The file, or NULL: *missing says whether it was absent (not an error for some). */
static uint8_t *load(const char *dir, const char *file, size_t *len, bool *missing)
{
	char p[4096];
	uint8_t *buf;
	*missing = false;
	if (path_of(p, sizeof(p), dir, file))
		return NULL;
	buf = att_read_file(p, STATE_FILE_MAX, len);
	if (!buf && errno == ENOENT)
		*missing = true;
	return buf;
}

int state_save_key(const char *dir, const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
		   struct att_report *r)
{
	uint8_t a[sizeof(*pub)], b[sizeof(*priv)];
	size_t na = 0, nb = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, a, sizeof(a), &na) ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(priv, b, sizeof(b), &nb))
		return att_fail(r, ATT_STATE, "cannot marshal the key");
	if (save(dir, "ak.pub", a, na, r) || save(dir, "ak.priv", b, nb, r))
		return r->code;
	return 0;
}

static int load_public(const char *dir, const char *file, TPM2B_PUBLIC *pub, struct att_report *r)
{
	size_t len, off = 0;
	bool missing;
	uint8_t *buf = load(dir, file, &len, &missing);
	if (!buf)
		return att_fail(r, ATT_STATE, "cannot read %s/%s: %s", dir, file, strerror(errno));
	memset(pub, 0, sizeof(*pub));
	TSS2_RC rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, pub);
	free(buf);
	if (rc || off != len)
		return att_fail(r, ATT_STATE, "%s/%s is not a TPM2B_PUBLIC (exactly)", dir, file);
	return 0;
}

int state_load_key(const char *dir, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, struct att_report *r)
{
	size_t len, off = 0;
	bool missing;
	uint8_t *buf;

	if (load_public(dir, "ak.pub", pub, r))
		return r->code;
	buf = load(dir, "ak.priv", &len, &missing);
	if (!buf)
		return att_fail(r, ATT_STATE, "cannot read %s/ak.priv: %s", dir, strerror(errno));
	memset(priv, 0, sizeof(*priv));
	TSS2_RC rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, priv);
	free(buf);
	if (rc || off != len)
		return att_fail(r, ATT_STATE, "%s/ak.priv is not a TPM2B_PRIVATE (exactly)", dir);
	return 0;
}

static void name_hex(char *out, const TPM2B_NAME *n)
{
	att_hex(out, n->name, n->size);
}

int state_save_enrollment(const char *dir, const struct att_enrollment *e, const uint8_t *cert,
			  size_t certlen, struct att_report *r)
{
	uint8_t ek[sizeof(e->ek_pub)];
	size_t n = 0;
	char text[1024], a[2 * sizeof(TPMU_NAME) + 1], b[sizeof(a)], c[sizeof(a)];

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&e->ek_pub, ek, sizeof(ek), &n))
		return att_fail(r, ATT_STATE, "cannot marshal the EK");
	name_hex(a, &e->ek_name);
	name_hex(b, &e->ak_name);
	name_hex(c, &e->ak_qname);
	int len = snprintf(text, sizeof(text),
			   "tessera-attest enrollment 1\nek-trust %s\nek-name %s\nak-name %s\n"
			   "ak-qualified-name %s\n", e->ek_trust, a, b, c);
	if (len < 0 || (size_t)len >= sizeof(text))
		return att_fail(r, ATT_STATE, "enrollment record too long");
	if (save(dir, "ek.pub", ek, n, r) || state_save_key(dir, &e->ak_pub, &e->ak_priv, r) ||
	    (cert && save(dir, "ek.crt", cert, certlen, r)) ||
	    save(dir, "nonces", "", 0, r) || save(dir, "clock", "none\n", 5, r))
		return r->code;
	/* Written last: a directory without it holds no (complete) enrolment. */
	return save(dir, "enrollment", text, (size_t)len, r);
}

/* "key value\n" -> value, with the whole line checked. */
static const char *field(char **cursor, const char *key)
{
	char *line = *cursor, *nl = strchr(line, '\n');
	size_t k = strlen(key);
	if (!nl || strncmp(line, key, k) || line[k] != ' ')
		return NULL;
	*nl = 0;
	*cursor = nl + 1;
	return line + k + 1;
}

static int same_name(const TPM2B_NAME *n, const char *hex)
{
	TPM2B_NAME got = { .size = (uint16_t)(strlen(hex) / 2) };
	return got.size == n->size && got.size <= sizeof(got.name) &&
	       !att_unhex(got.name, got.size, hex, strlen(hex)) && !memcmp(got.name, n->name, n->size);
}

int state_load_enrollment(const char *dir, struct att_enrollment *e, struct att_report *r)
{
	size_t len;
	bool missing;
	char *text = (char *)load(dir, "enrollment", &len, &missing), *cur;
	const char *trust, *ekn, *akn, *akq, *why;
	TPM2B_NAME ek_qn;

	memset(e, 0, sizeof(*e));
	if (!text)
		return att_fail(r, ATT_STATE, "%s holds no enrolment (%s): run `tessera-attest enroll`",
				dir, strerror(errno));
	text = realloc(text, len + 1);
	if (!text)
		return att_fail(r, ATT_STATE, "out of memory");
	text[len] = 0;
	cur = text;
	if (strncmp(cur, "tessera-attest enrollment 1\n", 28)) {
		free(text);
		return att_fail(r, ATT_STATE, "%s/enrollment: not a version 1 enrolment record", dir);
	}
	cur += 28;
	trust = field(&cur, "ek-trust");
	ekn = field(&cur, "ek-name");
	akn = field(&cur, "ak-name");
	akq = field(&cur, "ak-qualified-name");
	if (!trust || !ekn || !akn || !akq || *cur || strlen(trust) >= sizeof(e->ek_trust)) {
		free(text);
		return att_fail(r, ATT_STATE, "%s/enrollment is malformed", dir);
	}
	snprintf(e->ek_trust, sizeof(e->ek_trust), "%s", trust);
	if (load_public(dir, "ek.pub", &e->ek_pub, r) ||
	    state_load_key(dir, &e->ak_pub, &e->ak_priv, r)) {
		free(text);
		return r->code;
	}
	/* Names are recomputed from the public areas, never taken from the file. */
	crypto_hierarchy_qn(TPM2_RH_ENDORSEMENT, &ek_qn);
	if (crypto_name(&e->ek_pub.publicArea, &e->ek_name) ||
	    crypto_name(&e->ak_pub.publicArea, &e->ak_name) ||
	    crypto_qualified_name(&ek_qn, &e->ek_name, &ek_qn) ||
	    crypto_qualified_name(&ek_qn, &e->ak_name, &e->ak_qname) || !same_name(&e->ek_name, ekn) ||
	    !same_name(&e->ak_name, akn) || !same_name(&e->ak_qname, akq)) {
		free(text);
		return att_fail(r, ATT_STATE, "%s: the stored keys do not have the enrolled names", dir);
	}
	free(text);
	why = crypto_ak_refusal(&e->ak_pub.publicArea);
	if (why)
		return att_fail(r, ATT_STATE, "%s: the stored AK is unacceptable: %s", dir, why);
	return 0;
}

/* --- nonces: "issued HEX" and "used HEX" lines, oldest first ----------------------- */
struct nonce_list {
	unsigned n;
	struct {
		bool used;
		uint8_t v[32];
	} e[NONCES_ISSUED_MAX + NONCES_USED_MAX + 1];
};

static int nonces_load(const char *dir, struct nonce_list *l, struct att_report *r)
{
	size_t len;
	bool missing;
	char *text = (char *)load(dir, "nonces", &len, &missing), *p, *end;

	l->n = 0;
	if (!text)
		return att_fail(r, ATT_STATE, "cannot read %s/nonces: %s", dir, strerror(errno));
	for (p = text, end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		bool used = nl && nl - p == 5 + 64 && !strncmp(p, "used ", 5);
		bool issued = nl && nl - p == 7 + 64 && !strncmp(p, "issued ", 7);
		if ((!used && !issued) || l->n >= sizeof(l->e) / sizeof(l->e[0]) - 1 ||
		    att_unhex(l->e[l->n].v, 32, nl - 64, 64)) {
			free(text);
			return att_fail(r, ATT_STATE, "%s/nonces is malformed", dir);
		}
		l->e[l->n++].used = used;
		p = nl + 1;
	}
	free(text);
	return 0;
}

static int nonces_save(const char *dir, const struct nonce_list *l, struct att_report *r)
{
	unsigned issued = 0, used = 0, skip_i, skip_u;
	static char text[(NONCES_ISSUED_MAX + NONCES_USED_MAX + 1) * 72];
	size_t len = 0;

	for (unsigned i = 0; i < l->n; i++)
		l->e[i].used ? used++ : issued++;
	/* Keep the newest of each kind: a dropped nonce is "never issued" from then on. */
	skip_i = issued > NONCES_ISSUED_MAX ? issued - NONCES_ISSUED_MAX : 0;
	skip_u = used > NONCES_USED_MAX ? used - NONCES_USED_MAX : 0;
	for (unsigned i = 0; i < l->n; i++) {
		char hex[65];
		if (l->e[i].used ? skip_u && skip_u-- : skip_i && skip_i--)
			continue;
		att_hex(hex, l->e[i].v, 32);
		len += (size_t)sprintf(text + len, "%s %s\n", l->e[i].used ? "used" : "issued", hex);
	}
	return save(dir, "nonces", text, len, r);
}

int state_issue_nonce(const char *dir, uint8_t nonce[32], struct att_report *r)
{
	static struct nonce_list l;
	if (nonces_load(dir, &l, r))
		return r->code;
	if (att_random(nonce, 32))
		return att_fail(r, ATT_STATE, "getrandom failed: %s", strerror(errno));
	l.e[l.n].used = false;
	memcpy(l.e[l.n++].v, nonce, 32);
	return nonces_save(dir, &l, r);
}

int state_nonce(const char *dir, const uint8_t nonce[32], enum nonce_state *s,
		struct att_report *r)
{
	static struct nonce_list l;
	if (nonces_load(dir, &l, r))
		return r->code;
	*s = NONCE_UNKNOWN;
	for (unsigned i = 0; i < l.n; i++)
		if (!memcmp(l.e[i].v, nonce, 32))
			*s = l.e[i].used ? NONCE_USED : NONCE_ISSUED;
	return 0;
}

int state_use_nonce(const char *dir, const uint8_t nonce[32], struct att_report *r)
{
	static struct nonce_list l;
	unsigned j = 0;
	if (nonces_load(dir, &l, r))
		return r->code;
	for (unsigned i = 0; i < l.n; i++)
		if (memcmp(l.e[i].v, nonce, 32))
			l.e[j++] = l.e[i];
	l.n = j;
	l.e[l.n].used = true;
	memcpy(l.e[l.n++].v, nonce, 32);
	return nonces_save(dir, &l, r);
}

int state_load_clock(const char *dir, struct att_clock *c, struct att_report *r)
{
	size_t len;
	bool missing;
	char *text = (char *)load(dir, "clock", &len, &missing), tail;
	unsigned long long clock;
	unsigned reset, restart;

	memset(c, 0, sizeof(*c));
	if (!text)
		return att_fail(r, ATT_STATE, "cannot read %s/clock: %s", dir, strerror(errno));
	text = realloc(text, len + 1);
	if (!text)
		return att_fail(r, ATT_STATE, "out of memory");
	text[len] = 0;
	if (!strcmp(text, "none\n")) {
		free(text);
		return 0;
	}
	int n = sscanf(text, "reset %u restart %u clock %llu%c", &reset, &restart, &clock, &tail);
	free(text);
	if (n != 4 || tail != '\n')
		return att_fail(r, ATT_STATE, "%s/clock is malformed", dir);
	*c = (struct att_clock){ .valid = true, .clock = clock, .reset_count = reset,
				 .restart_count = restart };
	return 0;
}

int state_save_clock(const char *dir, const struct att_clock *c, struct att_report *r)
{
	char text[128];
	int n = snprintf(text, sizeof(text), "reset %u restart %u clock %llu\n", c->reset_count,
			 c->restart_count, (unsigned long long)c->clock);
	return save(dir, "clock", text, (size_t)n, r);
}
