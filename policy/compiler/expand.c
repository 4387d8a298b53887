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

/* Grant perms at key: the bits that were not granted before, or UINT32_MAX past the limit. */
static uint32_t av_add(struct av_map *av, uint32_t key, uint32_t perms)
{
	uint32_t i, e, fresh;
	if (!av->index || (av->n + 1) * 2 > av->index_mask + 1)
		av_rehash(av, av->index ? (av->index_mask + 1) * 2 : 1024);
	for (i = av_hash(key) & av->index_mask; (e = av->index[i]); i = (i + 1) & av->index_mask) {
		if (av->e[e - 1].key == key) {
			fresh = perms & ~av->e[e - 1].perms;
			av->e[e - 1].perms |= perms;
			return fresh;
		}
	}
	if (av->n >= TPC_AV_MAX)
		return UINT32_MAX;
	av->e = mem_grow(av->e, &av->cap, av->n + 1, sizeof(*av->e));
	av->e[av->n] = (struct av_entry){ key, perms };
	av->index[i] = ++av->n;
	return perms;
}

void av_free(struct av_map *av)
{
	free(av->e);
	free(av->index);
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

static bool refs_have(const struct model *m, const struct name_ref *refs, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct sym *s = &m->syms[refs[i].sym];
		if (s->kind == SYM_TYPE ? s->id == id : tset_has(&m->attr_sets[s->id], id))
			return true;
	}
	return false;
}

/* Does r grant s any of perms on t in class c? */
bool rule_grants(const struct model *m, const struct rule *r, uint32_t s, uint32_t t, uint32_t c, uint32_t perms)
{
	return (r->classes >> c & 1) && (r->perms[c] & perms) && refs_have(m, &m->refs[r->src], r->nsrc, s) &&
	       ((r->self && s == t) || refs_have(m, &m->refs[r->tgt], r->ntgt, t));
}

/* Charge a rule's expansion to the budget before doing it. */
static bool expand_budget(struct model *m, const struct rule *r, const struct tset *src, const struct tset *tgt)
{
	uint64_t n = (uint64_t)tset_count(src) * (tset_count(tgt) + r->self) * (uint64_t)__builtin_popcount(r->classes);
	m->work += n;
	if (m->work <= TPC_EXPAND_MAX)
		return true;
	diag_error(&r->at, "rules expand to more than %u access vectors", TPC_EXPAND_MAX);
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
		if (!(ok = expand_budget(m, r, src, tgt)))
			break;
		for (uint32_t s = tset_next(src, 0); s != UINT32_MAX && ok; s = tset_next(src, s + 1)) {
			for (uint32_t t = expand_next_target(r, tgt, s, 0); t != UINT32_MAX && ok;
			     t = expand_next_target(r, tgt, s, t + 1)) {
				for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++) {
					uint32_t got;
					if (!(r->classes >> c & 1))
						continue;
					got = av_add(av, AV_KEY(s, t, c), r->perms[c]);
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

/* Name the first allow that grants what n forbids at (s, t, c). */
static void expand_violation(const struct model *m, const struct rule *n, uint32_t s, uint32_t t, uint32_t c,
			     uint32_t bits)
{
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct rule *a = &m->rules[i];
		if (a->never || !rule_grants(m, a, s, t, c, bits))
			continue;
		diag_error(&a->at, "rule grants %s %s:%s %s, forbidden by the neverallow at " LOC_FMT, type_name(m, s),
			   type_name(m, t), vocab_class_name(c),
			   vocab_perm_name(c, (uint32_t)__builtin_ctz(a->perms[c] & bits)), LOC_ARGS(n->at));
		return;
	}
}

bool expand_neverallow(struct model *m, const struct av_map *av)
{
	struct tset *src = mem_zalloc(sizeof(*src)), *tgt = mem_zalloc(sizeof(*tgt));
	bool ok = true;
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct rule *r = &m->rules[i];
		bool found = false;
		if (!r->never)
			continue;
		rule_sets(m, r, src, tgt);
		if (!expand_budget(m, r, src, tgt)) {
			ok = false;
			break;
		}
		for (uint32_t s = tset_next(src, 0); s != UINT32_MAX && !found; s = tset_next(src, s + 1)) {
			for (uint32_t t = expand_next_target(r, tgt, s, 0); t != UINT32_MAX && !found;
			     t = expand_next_target(r, tgt, s, t + 1)) {
				for (uint32_t c = 0; c < TESSERA_CLASS_COUNT && !found; c++) {
					const struct av_entry *e = av_find(av, AV_KEY(s, t, c));
					if (!(r->classes >> c & 1) || !e || !(e->perms & r->perms[c]))
						continue;
					expand_violation(m, r, s, t, c, e->perms & r->perms[c]);
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
