/*
 * allow and neverallow: SOURCES TARGETS : CLASSES PERMISSIONS ; where each
 * part is one item or a braced set. Permissions are checked against every
 * class named, so a rule means the same for each of its classes.
 */
#include "parse.h"

static bool parse_set_name(struct parser *p, bool target, bool *self, uint32_t *count)
{
	struct name_ref r;
	if (tok_is(&p->tok, "self")) {
		if (!target) {
			diag_error(&p->tok.at, "'self' is only valid as a target");
			return false;
		}
		*self = true;
		return true;
	}
	if (!parse_ident(p, target ? "a target type or attribute" : "a source type or attribute") ||
	    !parse_count_name(p, "rule") || !parse_ref(p, &r))
		return false;
	p->m->refs = mem_grow(p->m->refs, &p->m->refs_cap, p->m->nrefs + 1, sizeof(r));
	p->m->refs[p->m->nrefs++] = r;
	(*count)++;
	return true;
}

/* '{' was read: read to '}', calling item for each element; an empty set is an error. */
static bool parse_braces(struct parser *p, bool (*item)(struct parser *, void *), void *ctx)
{
	struct loc open = p->tok.at;
	bool any = false;
	for (;;) {
		if (!parse_next(p, false))
			return false;
		if (p->tok.kind == TOK_EOF) {
			diag_error(&open, "'{' is never closed");
			return false;
		}
		if (tok_punct(&p->tok, '}'))
			break;
		if (!item(p, ctx))
			return false;
		any = true;
	}
	if (!any)
		diag_error(&open, "empty set '{ }'");
	return any;
}

struct parse_set_ctx {
	bool target, *self;
	uint32_t *count;
};

static bool parse_set_item(struct parser *p, void *ctx)
{
	struct parse_set_ctx *c = ctx;
	return parse_set_name(p, c->target, c->self, c->count);
}

/* NAME or { NAME... }: appended to model.refs; self only among targets. */
static bool parse_set(struct parser *p, bool target, uint32_t *first, uint32_t *count, bool *self)
{
	struct parse_set_ctx c = { target, self, count };
	*first = p->m->nrefs;
	*count = 0;
	if (!parse_next(p, false))
		return false;
	if (tok_punct(&p->tok, '{'))
		return parse_braces(p, parse_set_item, &c);
	return parse_set_name(p, target, self, count);
}

static bool parse_class_item(struct parser *p, void *ctx)
{
	struct quote q;
	int c;
	if (p->tok.kind != TOK_WORD)
		return parse_expected(p, "a class");
	c = vocab_class(p->tok.text, p->tok.len);
	if (c < 0) {
		diag_error(&p->tok.at, "unknown class '%s'", diag_quote(&q, p->tok.text, p->tok.len));
		return false;
	}
	*(uint32_t *)ctx |= 1u << c;
	return true;
}

/* A permission must exist in every class the rule names. */
static bool parse_perm_item(struct parser *p, void *ctx)
{
	struct rule *r = ctx;
	struct quote q;
	if (tok_punct(&p->tok, '*')) {
		diag_error(&p->tok.at, "'*' must stand alone, not in a set");
		return false;
	}
	if (p->tok.kind != TOK_WORD)
		return parse_expected(p, "a permission");
	if (!vocab_perm_anywhere(p->tok.text, p->tok.len)) {
		diag_error(&p->tok.at, "unknown permission '%s'", diag_quote(&q, p->tok.text, p->tok.len));
		return false;
	}
	for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++) {
		int bit;
		if (!(r->classes >> c & 1))
			continue;
		bit = vocab_perm(c, p->tok.text, p->tok.len);
		if (bit < 0) {
			diag_error(&p->tok.at, "permission '%s' is not defined for class '%s'",
				   diag_quote(&q, p->tok.text, p->tok.len), vocab_class_name(c));
			return false;
		}
		r->perms[c] |= 1u << bit;
	}
	return true;
}

static bool parse_rule_body(struct parser *p, struct rule *r)
{
	if (!parse_set(p, false, &r->src, &r->nsrc, &r->self) || !parse_set(p, true, &r->tgt, &r->ntgt, &r->self) ||
	    !parse_punct(p, ':', "':'") || !parse_next(p, false))
		return false;
	if (tok_punct(&p->tok, '{') ? !parse_braces(p, parse_class_item, &r->classes) : !parse_class_item(p, &r->classes))
		return false;
	if (!parse_next(p, false))
		return false;
	if (tok_punct(&p->tok, '*')) {
		for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
			if (r->classes >> c & 1)
				r->perms[c] = tessera_class_mask(c);
	} else if (tok_punct(&p->tok, '{') ? !parse_braces(p, parse_perm_item, r) : !parse_perm_item(p, r)) {
		return false;
	}
	return parse_punct(p, ';', "';'");
}

/* allow|neverallow SOURCES TARGETS : CLASSES PERMS ; (a broken rule keeps none of its names) */
bool parse_rule(struct parser *p, bool never)
{
	struct rule r = { .at = p->tok.at, .never = never, .src = p->m->nrefs };
	if (!parse_rule_body(p, &r)) {
		p->m->nrefs = r.src;
		return false;
	}
	p->m->rules = mem_grow(p->m->rules, &p->m->rules_cap, p->m->nrules + 1, sizeof(r));
	p->m->rules[p->m->nrules++] = r;
	return true;
}
