/*
 * `check`: warnings about a policy that compiles. Unused names, empty
 * attributes, rules that grant nothing or nothing new, and rules for types
 * no domain runs as. The compiler's own errors come first (main.c).
 */
#include <stdlib.h>
#include <string.h>
#include "compiler.h"

/*
 * Work spent naming the earlier rule that covers a redundant one, in rules
 * compared plus the names they list (reading a rule's sets costs one step
 * per name): bounded however long the rules are.
 */
#define CHECK_COVER_BUDGET 1000000u

static bool tset_subset(const struct tset *a, const struct tset *b)
{
	for (size_t i = 0; i < TPOL_TYPES_MAX / 64; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

static void check_unused(struct model *m)
{
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct rule *r = &m->rules[i];
		for (uint32_t j = 0; j < r->nsrc + r->ntgt; j++)
			m->syms[m->refs[j < r->nsrc ? r->src + j : r->tgt + j - r->nsrc].sym].used = true;
	}
	/* An attribute's types once per attribute, not once per mention. */
	for (uint32_t i = 0; i < m->nsyms; i++) {
		const struct sym *s = &m->syms[i];
		if (s->kind != SYM_ATTR || !s->used)
			continue;
		for (uint32_t t = tset_next(&m->attr_sets[s->id], 0); t != UINT32_MAX;
		     t = tset_next(&m->attr_sets[s->id], t + 1))
			m->syms[m->type_syms[t]].used = true;
	}
	for (uint32_t i = 0; i < m->nlabels; i++)
		m->syms[m->labels[i].type.sym].used = true;
	for (uint32_t i = 0; i < m->nsyms; i++) {
		const struct sym *s = &m->syms[i];
		if (s->kind == SYM_ATTR && !tset_count(&m->attr_sets[s->id]))
			diag_warning(&s->decl, "attribute '%s' has no types", s->name);
		if (s->kind != SYM_UNDECLARED && !s->used)
			diag_warning(&s->decl, "unused %s '%s'", s->kind == SYM_TYPE ? "type" : "attribute", s->name);
	}
}

/* The first name of a set that stands for no type. */
static const char *check_empty_name(const struct model *m, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct sym *s = &m->syms[m->refs[first + i].sym];
		if (s->kind == SYM_ATTR && !tset_count(&m->attr_sets[s->id]))
			return s->name;
	}
	return "?";
}

/* Does e grant everything r grants? (sr, tr: r's sets) Its cost is charged to *budget. */
static bool check_covers(const struct model *m, const struct rule *e, const struct rule *r, const struct tset *sr,
			 const struct tset *tr, struct tset *se, struct tset *te, uint32_t *budget)
{
	struct tset diff;
	uint32_t x, cost = 1;
	for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
		if ((r->classes >> c & 1) && (!(e->classes >> c & 1) || (r->perms[c] & ~e->perms[c])))
			cost = 0;
	if (!cost || e->never) {
		(*budget)--;
		return false;
	}
	cost += e->nsrc + e->ntgt;
	*budget = cost < *budget ? *budget - cost : 0;
	rule_sets(m, e, se, te);
	if (!tset_subset(sr, se) || (r->self && !e->self && !tset_subset(sr, te)))
		return false;
	for (size_t i = 0; i < TPOL_TYPES_MAX / 64; i++)
		diff.w[i] = tr->w[i] & ~te->w[i];
	x = tset_next(&diff, 0);
	if (x == UINT32_MAX)
		return true;
	/* e's self covers one extra target only where x is r's only source. */
	return e->self && tset_next(&diff, x + 1) == UINT32_MAX && tset_count(sr) == 1 && tset_has(sr, x);
}

/*
 * Rule i adds nothing to the rules before it: name one earlier rule that
 * covers it alone, if there is one within the budget of comparisons.
 */
static void check_redundant(const struct model *m, uint32_t i, const struct tset *sr, const struct tset *tr,
			    uint32_t *budget)
{
	struct tset *se = mem_zalloc(sizeof(*se)), *te = mem_zalloc(sizeof(*te));
	const struct rule *r = &m->rules[i], *by = NULL;
	for (uint32_t j = 0; j < i && *budget && !by; j++)
		if (check_covers(m, &m->rules[j], r, sr, tr, se, te, budget))
			by = &m->rules[j];
	if (by)
		diag_warning(&r->at, "redundant rule: every permission it grants is granted by rule at " LOC_FMT,
			     LOC_ARGS(by->at));
	else
		diag_warning(&r->at, "redundant rule: every permission it grants is granted by earlier rules");
	free(se);
	free(te);
}

static void check_rules(struct model *m, const bool *covered)
{
	struct tset *sr = mem_zalloc(sizeof(*sr)), *tr = mem_zalloc(sizeof(*tr));
	bool *labelled = mem_zalloc(m->ntypes + 1), *told = mem_zalloc(m->ntypes + 1);
	uint32_t budget = CHECK_COVER_BUDGET;
	for (uint32_t i = 0; i < m->nlabels; i++)
		if (m->labels[i].kind == TPOL_LABEL_DOMAIN || m->labels[i].kind == TPOL_LABEL_DOMAIN_DEFAULT)
			labelled[m->labels[i].type_id] = true;
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct rule *r = &m->rules[i];
		if (r->never)
			continue;
		rule_sets(m, r, sr, tr);
		if (!tset_count(sr)) {
			diag_warning(&r->at, "rule grants nothing: '%s' has no types",
				     check_empty_name(m, r->src, r->nsrc));
			continue;
		}
		if (!tset_count(tr) && !r->self) {
			diag_warning(&r->at, "rule grants nothing: '%s' has no types",
				     check_empty_name(m, r->tgt, r->ntgt));
			continue;
		}
		for (uint32_t s = tset_next(sr, 0); s != UINT32_MAX; s = tset_next(sr, s + 1)) {
			const struct sym *t = &m->syms[m->type_syms[s]];
			if (labelled[s] || told[s])
				continue;
			told[s] = true;
			diag_warning(&t->decl, "no domain is labelled '%s': rule at " LOC_FMT " is unreachable",
				     t->name, LOC_ARGS(r->at));
		}
		if (covered[i])
			check_redundant(m, i, sr, tr, &budget);
	}
	free(sr);
	free(tr);
	free(labelled);
	free(told);
}

void check_warn(struct model *m, const bool *covered)
{
	check_unused(m);
	check_rules(m, covered);
}
