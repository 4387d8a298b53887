/*
 * Denial records from a console log. A record is one whole line, starting at
 * column 0: the core starts every line it writes there, and every line a
 * domain writes starts with "[name] ", so only the core can write a record.
 * A record found further into a line is domain output pretending to be one:
 * it is ignored with a warning, never turned into a rule.
 *   tessera: avc: denied { PERM } hcall=H sdom=N sname=D scontext=T
 *            tdom=N|core tname=D tcontext=T tclass=C permissive=0|1
 *   tessera: avc: N denial records suppressed
 * parsed strictly, key by key: a malformed record is an error, never a guess.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit.h"

#define AUDIT_PREFIX "tessera: avc:"

struct audit_cursor {
	const char *line, *p, *end;
	const char *value; /* of the last key=value read */
	struct loc at;
};

/* An error at where, a position in the record's line. */
static void audit_error(const struct audit_cursor *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void audit_error(const struct audit_cursor *c, const char *where, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	struct loc at = c->at;
	size_t col = (size_t)(where - c->line) + 1;
	at.col = col > UINT32_MAX ? UINT32_MAX : (uint32_t)col;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(&at, "%s", msg);
}

/* "expected X, got 'word'" or "... before the end of the line" */
static void audit_expected(const struct audit_cursor *c, const char *w, size_t n, const char *what)
{
	struct quote q;
	if (n)
		audit_error(c, w, "expected %s, got '%s'", what, diag_quote(&q, w, n));
	else
		audit_error(c, w, "expected %s before the end of the line", what);
}

/* The next space-separated word; empty at the end of the line. */
static const char *audit_word(struct audit_cursor *c, size_t *n)
{
	const char *w;
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	w = c->p;
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	*n = (size_t)(c->p - w);
	return w;
}

static bool audit_expect(struct audit_cursor *c, const char *word)
{
	size_t n;
	const char *w = audit_word(c, &n);
	char what[32];
	if (n == strlen(word) && !memcmp(w, word, n))
		return true;
	snprintf(what, sizeof(what), "'%s'", word);
	audit_expected(c, w, n, what);
	return false;
}

/* key=VALUE, the next key of the fixed order. */
static const char *audit_field(struct audit_cursor *c, const char *key, size_t *vn)
{
	size_t n, kn = strlen(key);
	const char *w = audit_word(c, &n);
	char what[32];
	if (n > kn && !memcmp(w, key, kn) && w[kn] == '=') {
		*vn = n - kn - 1;
		c->value = w + kn + 1;
		return c->value;
	}
	snprintf(what, sizeof(what), "'%s='", key);
	audit_expected(c, w, n, what);
	return NULL;
}

static bool audit_number(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	if (!n || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= AUDIT_DEVICE)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool audit_type(const char *s, size_t n)
{
	if (!n || n > TPOL_NAME_MAX || s[0] < 'a' || s[0] > 'z' || vocab_keyword(s, n))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* A device as the core prints it: SSSS:BB:DD.F, lower-case hex. */
static bool audit_bdf(const char *s, size_t n)
{
	static const char shape[] = "hhhh:hh:hh.h";
	if (n != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
		if (shape[i] == 'h' ? !hex : s[i] != shape[i])
			return false;
	}
	/* device <= 0x1f, function <= 7 */
	return s[8] <= '1' && s[11] <= '7';
}

enum audit_kind { AUDIT_HCALL, AUDIT_DOMID, AUDIT_NAME, AUDIT_TYPE, AUDIT_CLASS, AUDIT_FLAG, AUDIT_BDF };

/* One field of a record, checked for its kind and copied to out. */
static bool audit_value(struct audit_cursor *c, const char *key, enum audit_kind kind, char *out, size_t outsz,
			uint32_t *num)
{
	static const char *const what[] = {
		"unknown hypercall", "bad domain id", "bad domain name", "bad type", "unknown class", "bad permissive flag",
		"bad device address",
	};
	struct quote q;
	size_t n;
	const char *v = audit_field(c, key, &n);
	bool ok;
	int cls;
	if (!v)
		return false;
	switch (kind) {
	case AUDIT_HCALL:
		ok = vocab_hcall(v, n);
		break;
	case AUDIT_DOMID:
		ok = audit_number(v, n, num);
		if (!ok && n == 4 && !memcmp(v, "core", 4)) {
			*num = AUDIT_CORE;
			ok = true;
		}
		if (!ok && n == 6 && !memcmp(v, "device", 6)) {
			*num = AUDIT_DEVICE;
			ok = true;
		}
		break;
	case AUDIT_BDF:
		ok = audit_bdf(v, n);
		break;
	case AUDIT_NAME:
		ok = label_domain_name(v, n);
		break;
	case AUDIT_TYPE:
		ok = audit_type(v, n);
		break;
	case AUDIT_CLASS:
		cls = vocab_class(v, n);
		ok = cls >= 0;
		*num = (uint32_t)cls;
		break;
	default:
		ok = n == 1 && (v[0] == '0' || v[0] == '1');
		*num = ok ? (uint32_t)(v[0] - '0') : 0;
		break;
	}
	if (!ok) {
		audit_error(c, v, "%s '%s'", what[kind], diag_quote(&q, v, n));
		return false;
	}
	if (out) {
		memcpy(out, v, n < outsz ? n : outsz - 1);
		out[n < outsz ? n : outsz - 1] = 0;
	}
	return true;
}

/* "N denial records suppressed" */
static void audit_suppressed(struct audit_log *log, struct audit_cursor *c, const char *w, size_t n)
{
	struct quote q;
	uint32_t count;
	if (!audit_number(w, n, &count)) {
		audit_expected(c, w, n, "'denied' or a count of suppressed records");
		return;
	}
	if (audit_expect(c, "denial") && audit_expect(c, "records") && audit_expect(c, "suppressed")) {
		w = audit_word(c, &n);
		if (n)
			audit_error(c, w, "unexpected '%s' after the record", diag_quote(&q, w, n));
		else
			log->suppressed += count;
	}
}

static void audit_line(struct audit_log *log, struct audit_cursor *c)
{
	struct audit_rec r = { 0 };
	struct quote q;
	const char *w, *perm, *sdom;
	size_t n, permn;
	uint32_t flag;
	int bit;
	w = audit_word(c, &n);
	if (!(n == 6 && !memcmp(w, "denied", 6))) {
		audit_suppressed(log, c, w, n);
		return;
	}
	if (!audit_expect(c, "{"))
		return;
	perm = audit_word(c, &permn);
	if (!permn) {
		audit_expected(c, perm, permn, "a permission");
		return;
	}
	if (!audit_expect(c, "}") || !audit_value(c, "hcall", AUDIT_HCALL, r.hcall, sizeof(r.hcall), NULL))
		return;
	if (!audit_value(c, "sdom", AUDIT_DOMID, NULL, 0, &r.sdom))
		return;
	sdom = c->value;
	if (r.sdom == AUDIT_CORE || r.sdom == AUDIT_DEVICE) {
		audit_error(c, sdom, "bad domain id '%s': only a domain is a subject",
			    r.sdom == AUDIT_CORE ? "core" : "device");
		return;
	}
	if (!audit_value(c, "sname", AUDIT_NAME, r.sname, sizeof(r.sname), NULL) ||
	    !audit_value(c, "scontext", AUDIT_TYPE, r.stype, sizeof(r.stype), NULL) ||
	    !audit_value(c, "tdom", AUDIT_DOMID, NULL, 0, &r.tdom) ||
	    !audit_value(c, "tname", r.tdom == AUDIT_DEVICE ? AUDIT_BDF : AUDIT_NAME, r.tname,
			 sizeof(r.tname), NULL) ||
	    !audit_value(c, "tcontext", AUDIT_TYPE, r.ttype, sizeof(r.ttype), NULL) ||
	    !audit_value(c, "tclass", AUDIT_CLASS, NULL, 0, &r.cls))
		return;
	bit = vocab_perm(r.cls, perm, permn);
	if (bit < 0) {
		audit_error(c, perm, "unknown permission '%s' in class '%s'", diag_quote(&q, perm, permn),
			    vocab_class_name(r.cls));
		return;
	}
	r.bit = (uint32_t)bit;
	if (!audit_value(c, "permissive", AUDIT_FLAG, NULL, 0, &flag))
		return;
	r.permissive = flag;
	w = audit_word(c, &n);
	if (n) {
		audit_error(c, w, "unexpected '%s' after the record", diag_quote(&q, w, n));
		return;
	}
	/* A domain acting on itself: the rule is written with self. */
	r.self = r.sdom == r.tdom;
	if (r.self && (strcmp(r.stype, r.ttype) || strcmp(r.sname, r.tname))) {
		audit_error(c, sdom, "sdom and tdom are equal but the names or types differ");
		return;
	}
	log->recs = mem_grow(log->recs, &log->cap, log->n + 1, sizeof(r));
	log->recs[log->n++] = r;
}

bool audit_read(const char *path, struct audit_log *log)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint32_t file;
	FILE *f = fopen(path, "r");
	if (!f) {
		diag_path_error(path, "cannot read: %s", strerror(errno));
		return false;
	}
	file = diag_add_file(path);
	for (uint32_t lineno = 1; (len = getline(&line, &cap, f)) >= 0; lineno++) {
		struct audit_cursor c = { line, line, line + len, line, { file, lineno, 1 } };
		const char *avc = strstr(line, AUDIT_PREFIX);
		if (!avc || avc >= c.end)
			continue;
		if (avc != line) {
			fprintf(stderr, "%s:%u:%zu: warning: ignored: a denial record that does not start "
				"its line is not the core's (domain output starts with [name])\n",
				path, lineno, (size_t)(avc - line) + 1);
			continue;
		}
		while (c.end > line && (c.end[-1] == '\n' || c.end[-1] == '\r'))
			c.end--;
		c.p = avc + strlen(AUDIT_PREFIX);
		audit_line(log, &c);
	}
	free(line);
	fclose(f);
	return true;
}
