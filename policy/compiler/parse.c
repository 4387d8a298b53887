/*
 * The statement parser. Each statement is read to its ';'; on an error the
 * rest of it is skipped, so every broken statement is reported once and the
 * next one is read normally. Names are resolved later (sym.c).
 */
#include <string.h>
#include "parse.h"

/* The next token; a malformed one is reported here. */
bool parse_next(struct parser *p, bool device)
{
	lex_next(&p->lx, &p->tok, device);
	if (p->tok.kind == TOK_BAD) {
		diag_error(&p->tok.at, "%s", p->tok.bad);
		return false;
	}
	return true;
}

bool parse_expected(struct parser *p, const char *what)
{
	struct quote q;
	diag_error(&p->tok.at, "expected %s, got %s", what, lex_describe(&p->tok, &q));
	return false;
}

bool parse_punct(struct parser *p, char c, const char *what)
{
	if (!parse_next(p, false))
		return false;
	return tok_punct(&p->tok, c) || parse_expected(p, what);
}

/* The current token as a type or attribute name: [a-z][a-z0-9_]{0,62}, not a keyword. */
bool parse_ident(struct parser *p, const char *what)
{
	const struct token *t = &p->tok;
	struct quote q;
	if (t->kind != TOK_WORD)
		return parse_expected(p, what);
	if (t->len > TPOL_NAME_MAX) {
		diag_error(&t->at, "identifier '%s' is longer than %u characters", diag_quote(&q, t->text, t->len),
			   TPOL_NAME_MAX);
		return false;
	}
	for (size_t i = 0; i < t->len; i++) {
		char c = t->text[i];
		if (!((c >= 'a' && c <= 'z') || (i && ((c >= '0' && c <= '9') || c == '_')))) {
			diag_error(&t->at, "bad identifier '%s' (identifiers are [a-z][a-z0-9_]*)",
				   diag_quote(&q, t->text, t->len));
			return false;
		}
	}
	if (vocab_keyword(t->text, t->len)) {
		diag_error(&t->at, "'%s' is a keyword, not a name", diag_quote(&q, t->text, t->len));
		return false;
	}
	return true;
}

bool parse_name(struct parser *p, const char *what)
{
	return parse_next(p, false) && parse_ident(p, what);
}

bool parse_ref(struct parser *p, struct name_ref *r)
{
	r->sym = sym_ref(p->m, p->tok.text, p->tok.len, &p->tok.at);
	r->at = p->tok.at;
	return r->sym != UINT32_MAX;
}

/*
 * One more name in a list of the statement (what: "rule", "statement"):
 * bounded per statement and in all, so memory stays bounded however the
 * input is written (hard links to one file of '{ a a a ... }' included).
 */
bool parse_count_name(struct parser *p, const char *what)
{
	if (++p->names > TPC_STMT_NAMES_MAX) {
		diag_error(&p->tok.at, "more than %u names in one %s", TPC_STMT_NAMES_MAX, what);
		return false;
	}
	if (p->m->nrefs + p->m->nmembers >= TPC_NAMES_MAX) {
		diag_error(&p->tok.at, "too many names in rules and attribute lists (the limit is %u)", TPC_NAMES_MAX);
		p->m->fatal = true;
		return false;
	}
	return true;
}

static bool parse_member(struct parser *p, const struct name_ref *type)
{
	struct member mb = { .type = *type };
	if (!parse_name(p, "an attribute name") || !parse_count_name(p, "statement") || !parse_ref(p, &mb.attr))
		return false;
	p->m->members = mem_grow(p->m->members, &p->m->members_cap, p->m->nmembers + 1, sizeof(mb));
	p->m->members[p->m->nmembers++] = mb;
	return true;
}

/* [, ATTR]... ; after a type: each ATTR gains the type as a member. */
static bool parse_more_members(struct parser *p, struct name_ref *type)
{
	for (;;) {
		if (!parse_next(p, false))
			return false;
		if (tok_punct(&p->tok, ';'))
			return true;
		if (!tok_punct(&p->tok, ','))
			return parse_expected(p, "',' or ';'");
		if (!parse_member(p, type))
			return false;
	}
}

/* type NAME [, ATTR]... ; */
static bool parse_type(struct parser *p)
{
	struct name_ref type;
	if (!parse_name(p, "a type name"))
		return false;
	type.at = p->tok.at;
	type.sym = sym_declare(p->m, p->tok.text, p->tok.len, &p->tok.at, SYM_TYPE);
	if (type.sym == UINT32_MAX)
		return false;
	return parse_more_members(p, &type);
}

/* attribute NAME ; */
static bool parse_attribute(struct parser *p)
{
	if (!parse_name(p, "an attribute name"))
		return false;
	if (sym_declare(p->m, p->tok.text, p->tok.len, &p->tok.at, SYM_ATTR) == UINT32_MAX)
		return false;
	return parse_punct(p, ';', "';'");
}

/* typeattribute TYPE ATTR [, ATTR]... ; */
static bool parse_typeattribute(struct parser *p)
{
	struct name_ref type;
	if (!parse_name(p, "a type name") || !parse_ref(p, &type) || !parse_member(p, &type))
		return false;
	return parse_more_members(p, &type);
}

/* permissive TYPE ; */
static bool parse_permissive(struct parser *p)
{
	struct name_ref r;
	if (!parse_name(p, "a type name") || !parse_ref(p, &r) || !parse_punct(p, ';', "';'"))
		return false;
	p->m->permissives = mem_grow(p->m->permissives, &p->m->permissives_cap, p->m->npermissives + 1, sizeof(r));
	p->m->permissives[p->m->npermissives++] = r;
	return true;
}

static const struct {
	const char *word;
	uint32_t kind;
} parse_label_kinds[] = {
	{ "device", TPOL_LABEL_DEVICE },
	{ "ioport", TPOL_LABEL_IOPORT },
	{ "iomem", TPOL_LABEL_IOMEM },
	{ "irq", TPOL_LABEL_IRQ },
};

/* label core TYPE; label domain NAME|* TYPE; label device|ioport|iomem|irq RANGE TYPE; */
static bool parse_label(struct parser *p)
{
	struct label l = { 0 };
	struct quote q;
	char why[160];
	if (!parse_next(p, false))
		return false;
	l.at = p->tok.at;
	if (tok_is(&p->tok, "core")) {
		l.kind = TPOL_LABEL_CORE;
	} else if (tok_is(&p->tok, "domain")) {
		if (!parse_next(p, false))
			return false;
		l.at = p->tok.at;
		if (tok_punct(&p->tok, '*')) {
			l.kind = TPOL_LABEL_DOMAIN_DEFAULT;
		} else if (p->tok.kind != TOK_WORD) {
			return parse_expected(p, "a domain name or '*'");
		} else if (!label_domain_name(p->tok.text, p->tok.len)) {
			diag_error(&p->tok.at, "bad domain name '%s' (1-15 of [a-z0-9_-])",
				   diag_quote(&q, p->tok.text, p->tok.len));
			return false;
		} else {
			l.kind = TPOL_LABEL_DOMAIN;
			memcpy(l.name, p->tok.text, p->tok.len);
		}
	} else {
		for (size_t i = 0; i < sizeof(parse_label_kinds) / sizeof(parse_label_kinds[0]); i++)
			if (tok_is(&p->tok, parse_label_kinds[i].word))
				l.kind = parse_label_kinds[i].kind;
		if (!l.kind) {
			if (p->tok.kind != TOK_WORD)
				return parse_expected(p, "a label kind");
			diag_error(&p->tok.at, "unknown label kind '%s' (core, domain, device, ioport, iomem or irq)",
				   diag_quote(&q, p->tok.text, p->tok.len));
			return false;
		}
		if (!parse_next(p, l.kind == TPOL_LABEL_DEVICE))
			return false;
		l.at = p->tok.at;
		if (p->tok.kind != TOK_WORD)
			return parse_expected(p, l.kind == TPOL_LABEL_DEVICE ? "a PCI address" : "a number or range");
		if (!label_range(l.kind, p->tok.text, p->tok.len, &l.lo, &l.hi, why, sizeof(why))) {
			diag_error(&p->tok.at, "%s", why);
			return false;
		}
	}
	if (!parse_name(p, "a type name") || !parse_ref(p, &l.type) || !parse_punct(p, ';', "';'"))
		return false;
	return label_add(p->m, &l);
}

/* include "PATH" ; */
static bool parse_include(struct parser *p)
{
	struct token path;
	if (!parse_next(p, false))
		return false;
	if (p->tok.kind != TOK_STRING)
		return parse_expected(p, "a quoted file name");
	path = p->tok;
	if (!parse_punct(p, ';', "';'"))
		return false;
	return src_include(p->m, &path, p->depth);
}

static bool parse_statement(struct parser *p)
{
	struct quote q;
	p->names = 0;
	if (p->tok.kind == TOK_BAD) {
		diag_error(&p->tok.at, "%s", p->tok.bad);
		return false;
	}
	if (tok_is(&p->tok, "type"))
		return parse_type(p);
	if (tok_is(&p->tok, "attribute"))
		return parse_attribute(p);
	if (tok_is(&p->tok, "typeattribute"))
		return parse_typeattribute(p);
	if (tok_is(&p->tok, "allow"))
		return parse_rule(p, false);
	if (tok_is(&p->tok, "neverallow"))
		return parse_rule(p, true);
	if (tok_is(&p->tok, "permissive"))
		return parse_permissive(p);
	if (tok_is(&p->tok, "label"))
		return parse_label(p);
	if (tok_is(&p->tok, "include"))
		return parse_include(p);
	if (p->tok.kind == TOK_WORD) {
		diag_error(&p->tok.at, "unknown statement '%s'", diag_quote(&q, p->tok.text, p->tok.len));
		return false;
	}
	return parse_expected(p, "a statement");
}

bool parse_file(struct model *m, const char *buf, size_t len, uint32_t file, uint32_t depth)
{
	struct parser p = { .m = m, .depth = depth };
	lex_init(&p.lx, buf, len, file);
	for (;;) {
		if (m->fatal || diag_errors() >= TPC_ERRORS_MAX)
			return false;
		lex_next(&p.lx, &p.tok, false);
		if (p.tok.kind == TOK_EOF)
			return true;
		if (++m->statements > TPC_STATEMENTS_MAX) {
			diag_error(&p.tok.at, "too many statements (the limit is %u)", TPC_STATEMENTS_MAX);
			m->fatal = true;
			return false;
		}
		if (parse_statement(&p))
			continue;
		/* Skip the rest of the broken statement, quietly. */
		while (p.tok.kind != TOK_EOF && !tok_punct(&p.tok, ';'))
			lex_next(&p.lx, &p.tok, false);
	}
}
