/*
 * Rules to access vectors: every allow is expanded over its attributes and
 * self into (source, target, class) -> permissions, the union of all rules.
 * Neverallows are checked against the result. The work is bounded by
 * TPC_EXPAND_MAX, so a few rules over huge attributes cannot stall the tool.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler.h"

static uint32_t av_hash(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352du;
	k ^= k >> 15;
	k *= 0x846ca68bu;
	return k ^ (k >> 16);
}

const struct av_entry *av_find(const struct av_map *av, uint32_t key)
{
	if (!av->index)
		return NULL;
	for (uint32_t i = av_hash(key) & av->index_mask;; i = (i + 1) & av->index_mask) {
		uint32_t e = av->index[i];
		if (!e)
			return NULL;
		if (av->e[e - 1].key == key)
			return &av->e[e - 1];
	}
}

static void av_rehash(struct av_map *av, uint32_t slots)
{
	free(av->index);
	av->index = mem_zalloc((size_t)slots * sizeof(*av->index));
	av->index_mask = slots - 1;
	for (uint32_t n = 0; n < av->n; n++) {
		uint32_t i = av_hash(av->e[n].key) & av->index_mask;
		while (av->index[i])
			i = (i + 1) & av->index_mask;
		av->index[i] = n + 1;
	}
}

/*
 * Rule rule grants perms at key: the bits that were not granted before, or
 * UINT32_MAX past the limit. Rules are expanded in order, so the rule
 * recorded for a bit is the first that grants it.
 */
static uint32_t av_add(struct av_map *av, uint32_t key, uint32_t perms, uint32_t rule)
{
	struct av_entry *x = NULL;
	uint32_t i, e, fresh;
	if (!av->index || (av->n + 1) * 2 > av->index_mask + 1)
		av_rehash(av, av->index ? (av->index_mask + 1) * 2 : 1024);
	for (i = av_hash(key) & av->index_mask; (e = av->index[i]); i = (i + 1) & av->index_mask) {
		if (av->e[e - 1].key == key) {
			x = &av->e[e - 1];
			break;
		}
	}
	if (!x) {
		if (av->n >= TPC_AV_MAX)
			return UINT32_MAX;
		av->e = mem_grow(av->e, &av->cap, av->n + 1, sizeof(*av->e));
		x = &av->e[av->n];
		*x = (struct av_entry){ key, 0, 0 };
		av->index[i] = ++av->n;
	}
	fresh = perms & ~x->perms;
	if (fresh) {
		/* At most one grant per permission bit of an entry: bounded by the table. */
		av->g = mem_grow(av->g, &av->gcap, av->ng + 1, sizeof(*av->g));
		av->g[av->ng] = (struct av_grant){ rule, fresh, x->grants };
		x->grants = ++av->ng;
		x->perms |= fresh;
	}
	return fresh;
}

void av_free(struct av_map *av)
{
	free(av->e);
	free(av->index);
	free(av->g);
}

const char *type_name(const struct model *m, uint32_t id)
{
	return m->syms[m->type_syms[id]].name;
}

static void refs_to_set(const struct model *m, const struct name_ref *refs, uint32_t n, struct tset *set)
{
	memset(set, 0, sizeof(*set));
	for (uint32_t i = 0; i < n; i++) {
		const struct sym *s = &m->syms[refs[i].sym];
		if (s->kind == SYM_TYPE) {
			tset_add(set, s->id);
		} else {
			for (size_t w = 0; w < TPOL_TYPES_MAX / 64; w++)
				set->w[w] |= m->attr_sets[s->id].w[w];
		}
	}
}

/* The rule's source and target types (self not included). */
void rule_sets(const struct model *m, const struct rule *r, struct tset *src, struct tset *tgt)
{
	refs_to_set(m, &m->refs[r->src], r->nsrc, src);
	refs_to_set(m, &m->refs[r->tgt], r->ntgt, tgt);
}

/*
 * Charge a rule's expansion to the budget before doing it: false past the
 * limit (an error) or when it expands to nothing (*ok stays true).
 */
static bool expand_budget(struct model *m, const struct rule *r, const struct tset *src, const struct tset *tgt,
			  bool *ok)
{
	uint64_t n = (uint64_t)tset_count(src) * (tset_count(tgt) + r->self) * (uint64_t)__builtin_popcount(r->classes);
	m->work += n;
	if (m->work <= TPC_EXPAND_MAX)
		return n != 0;
	diag_error(&r->at, "rules expand to more than %u access vectors", TPC_EXPAND_MAX);
	*ok = false;
	return false;
}

/* The next target of s after t (UINT32_MAX: none): the target set, plus s itself for self. */
static uint32_t expand_next_target(const struct rule *r, const struct tset *tgt, uint32_t s, uint32_t t)
{
	uint32_t n = tset_next(tgt, t);
	if (r->self && s >= t && s < n)
		return s;
	return n;
}

bool expand_allow(struct model *m, struct av_map *av, bool *covered)
{
	struct tset *src = mem_zalloc(sizeof(*src)), *tgt = mem_zalloc(sizeof(*tgt));
	bool ok = true;
	for (uint32_t i = 0; i < m->nrules && ok; i++) {
		const struct rule *r = &m->rules[i];
		bool any = false, fresh = false;
		if (r->never)
			continue;
		rule_sets(m, r, src, tgt);
		if (!expand_budget(m, r, src, tgt, &ok)) {
			if (covered)
				covered[i] = false;
			continue;
		}
		for (uint32_t s = tset_next(src, 0); s != UINT32_MAX && ok; s = tset_next(src, s + 1)) {
			for (uint32_t t = expand_next_target(r, tgt, s, 0); t != UINT32_MAX && ok;
			     t = expand_next_target(r, tgt, s, t + 1)) {
				for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++) {
					uint32_t got;
					if (!(r->classes >> c & 1))
						continue;
					got = av_add(av, AV_KEY(s, t, c), r->perms[c], i);
					if (got == UINT32_MAX) {
						diag_error(&r->at, "the policy grants more than %u access vectors",
							   TPC_AV_MAX);
						ok = false;
						break;
					}
					any = true;
					fresh |= got != 0;
				}
			}
		}
		if (covered)
			covered[i] = any && !fresh;
	}
	free(src);
	free(tgt);
	return ok;
}

/* Name the first allow that grants what n forbids at e: the oldest of its grants with any of bits. */
static void expand_violation(const struct model *m, const struct av_map *av, const struct rule *n,
			     const struct av_entry *e, uint32_t bits)
{
	uint32_t s = e->key >> 17, t = e->key >> 5 & 0xfff, c = e->key & 31, first = UINT32_MAX;
	const struct rule *a;
	for (uint32_t g = e->grants; g; g = av->g[g - 1].next)
		if (av->g[g - 1].bits & bits)
			first = av->g[g - 1].rule;
	if (first == UINT32_MAX) /* cannot happen: every bit of an entry has its grant */
		return;
	a = &m->rules[first];
	diag_error(&a->at, "rule grants %s %s:%s %s, forbidden by the neverallow at " LOC_FMT, type_name(m, s),
		   type_name(m, t), vocab_class_name(c), vocab_perm_name(c, (uint32_t)__builtin_ctz(a->perms[c] & bits)),
		   LOC_ARGS(n->at));
}

/* Each neverallow against the access vectors: the first violation of each, until the error limit. */
bool expand_neverallow(struct model *m, const struct av_map *av)
{
	struct tset *src = mem_zalloc(sizeof(*src)), *tgt = mem_zalloc(sizeof(*tgt));
	bool ok = true;
	for (uint32_t i = 0; i < m->nrules && diag_errors() < TPC_ERRORS_MAX; i++) {
		const struct rule *r = &m->rules[i];
		bool found = false;
		if (!r->never)
			continue;
		rule_sets(m, r, src, tgt);
		if (!expand_budget(m, r, src, tgt, &ok)) {
			if (!ok)
				break;
			continue;
		}
		for (uint32_t s = tset_next(src, 0); s != UINT32_MAX && !found; s = tset_next(src, s + 1)) {
			for (uint32_t t = expand_next_target(r, tgt, s, 0); t != UINT32_MAX && !found;
			     t = expand_next_target(r, tgt, s, t + 1)) {
				for (uint32_t c = 0; c < TESSERA_CLASS_COUNT && !found; c++) {
					const struct av_entry *e = av_find(av, AV_KEY(s, t, c));
					if (!(r->classes >> c & 1) || !e || !(e->perms & r->perms[c]))
						continue;
					expand_violation(m, av, r, e, e->perms & r->perms[c]);
					found = true;
				}
			}
		}
		ok &= !found;
	}
	free(src);
	free(tgt);
	return ok;
}
