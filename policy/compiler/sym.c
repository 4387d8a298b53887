/*
 * Names: types and attributes share one namespace. Names are entered when
 * first seen, declared or not, and resolved after every file is read, so
 * declarations may follow their use as in SELinux.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler.h"

#define SYM_HASH_SLOTS (2 * TPC_SYMS_MAX)

static uint32_t sym_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* The slot holding name, or the empty slot where it belongs. */
static uint32_t *sym_slot(struct model *m, const char *name, size_t n)
{
	uint32_t i = sym_hash(name, n) & (SYM_HASH_SLOTS - 1);
	if (!m->hash)
		m->hash = mem_zalloc(SYM_HASH_SLOTS * sizeof(*m->hash));
	for (;; i = (i + 1) & (SYM_HASH_SLOTS - 1)) {
		uint32_t s = m->hash[i];
		if (!s || (strlen(m->syms[s - 1].name) == n && !memcmp(m->syms[s - 1].name, name, n)))
			return &m->hash[i];
	}
}

/* The symbol for name (entered undeclared if new), or UINT32_MAX past the limit. */
uint32_t sym_ref(struct model *m, const char *name, size_t n, const struct loc *at)
{
	uint32_t *slot = sym_slot(m, name, n);
	if (*slot)
		return *slot - 1;
	if (m->nsyms >= TPC_SYMS_MAX) {
		diag_error(at, "too many names (the limit is %u)", TPC_SYMS_MAX);
		m->fatal = true;
		return UINT32_MAX;
	}
	m->syms = mem_grow(m->syms, &m->syms_cap, m->nsyms + 1, sizeof(*m->syms));
	m->syms[m->nsyms] = (struct sym){ .name = mem_strndup(name, n), .kind = SYM_UNDECLARED, .decl = *at };
	*slot = ++m->nsyms;
	return m->nsyms - 1;
}

static const char *sym_kind_name(enum sym_kind k)
{
	return k == SYM_TYPE ? "a type" : "an attribute";
}

uint32_t sym_declare(struct model *m, const char *name, size_t n, const struct loc *at, enum sym_kind kind)
{
	uint32_t i = sym_ref(m, name, n, at);
	struct sym *s;
	if (i == UINT32_MAX)
		return i;
	s = &m->syms[i];
	if (s->kind == kind) {
		diag_error(at, "duplicate %s '%s' (first declared at " LOC_FMT ")",
			   kind == SYM_TYPE ? "type" : "attribute", s->name, LOC_ARGS(s->decl));
		return UINT32_MAX;
	}
	if (s->kind != SYM_UNDECLARED) {
		diag_error(at, "'%s' is already declared as %s at " LOC_FMT, s->name, sym_kind_name(s->kind),
			   LOC_ARGS(s->decl));
		return UINT32_MAX;
	}
	if (kind == SYM_TYPE && m->ntypes >= TPOL_TYPES_MAX) {
		diag_error(at, "too many types (the limit is %u)", TPOL_TYPES_MAX);
		m->fatal = true;
		return UINT32_MAX;
	}
	if (kind == SYM_ATTR && m->nattrs >= TPC_ATTRS_MAX) {
		diag_error(at, "too many attributes (the limit is %u)", TPC_ATTRS_MAX);
		m->fatal = true;
		return UINT32_MAX;
	}
	s->kind = kind;
	s->decl = *at;
	s->id = kind == SYM_TYPE ? m->ntypes++ : m->nattrs++;
	return i;
}

void tset_add(struct tset *s, uint32_t id)
{
	s->w[id / 64] |= 1ull << (id % 64);
}

bool tset_has(const struct tset *s, uint32_t id)
{
	return id < TPOL_TYPES_MAX && (s->w[id / 64] >> (id % 64)) & 1;
}

uint32_t tset_count(const struct tset *s)
{
	uint32_t n = 0;
	for (size_t i = 0; i < TPOL_TYPES_MAX / 64; i++)
		n += (uint32_t)__builtin_popcountll(s->w[i]);
	return n;
}

uint32_t tset_next(const struct tset *s, uint32_t id)
{
	while (id < TPOL_TYPES_MAX) {
		uint64_t w = s->w[id / 64] >> (id % 64);
		if (w)
			return id + (uint32_t)__builtin_ctzll(w);
		id = (id / 64 + 1) * 64;
	}
	return UINT32_MAX;
}

/* A reference that must name a declared symbol of kind want (SYM_UNDECLARED: either kind). */
static bool sym_check(struct model *m, const struct name_ref *r, enum sym_kind want)
{
	const struct sym *s = &m->syms[r->sym];
	if (s->kind == SYM_UNDECLARED) {
		diag_error(&r->at, "unknown %s '%s'",
			   want == SYM_TYPE   ? "type"
			   : want == SYM_ATTR ? "attribute"
					      : "type or attribute",
			   s->name);
		return false;
	}
	if (want != SYM_UNDECLARED && s->kind != want) {
		diag_error(&r->at, "'%s' is %s, not %s", s->name, sym_kind_name(s->kind), sym_kind_name(want));
		return false;
	}
	return true;
}

/* qsort has no context argument in C11: the model being sorted. */
static const struct model *sym_sort_model;
static int sym_sort_cmp(const void *a, const void *b)
{
	const struct sym *syms = sym_sort_model->syms;
	return strcmp(syms[*(const uint32_t *)a].name, syms[*(const uint32_t *)b].name);
}

bool sym_resolve(struct model *m)
{
	unsigned before = diag_errors();
	for (uint32_t i = 0; i < m->nmembers; i++)
		if (sym_check(m, &m->members[i].type, SYM_TYPE))
			sym_check(m, &m->members[i].attr, SYM_ATTR);
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct rule *r = &m->rules[i];
		for (uint32_t j = 0; j < r->nsrc + r->ntgt; j++) {
			uint32_t k = j < r->nsrc ? r->src + j : r->tgt + (j - r->nsrc);
			if (!sym_check(m, &m->refs[k], SYM_UNDECLARED))
				break; /* one error per rule */
		}
	}
	for (uint32_t i = 0; i < m->npermissives; i++)
		sym_check(m, &m->permissives[i], SYM_TYPE);
	for (uint32_t i = 0; i < m->nlabels; i++)
		sym_check(m, &m->labels[i].type, SYM_TYPE);
	if (diag_errors() != before)
		return false;
	/* A type's id is its rank by name: independent of declaration order. */
	m->type_syms = mem_zalloc((m->ntypes + 1) * sizeof(*m->type_syms));
	for (uint32_t i = 0, n = 0; i < m->nsyms; i++)
		if (m->syms[i].kind == SYM_TYPE)
			m->type_syms[n++] = i;
	sym_sort_model = m;
	if (m->ntypes)
		qsort(m->type_syms, m->ntypes, sizeof(*m->type_syms), sym_sort_cmp);
	for (uint32_t id = 0; id < m->ntypes; id++)
		m->syms[m->type_syms[id]].id = id;
	m->attr_sets = mem_zalloc((m->nattrs + 1) * sizeof(*m->attr_sets));
	for (uint32_t i = 0; i < m->nmembers; i++)
		tset_add(&m->attr_sets[m->syms[m->members[i].attr.sym].id], m->syms[m->members[i].type.sym].id);
	for (uint32_t i = 0; i < m->npermissives; i++)
		m->syms[m->permissives[i].sym].permissive = true;
	for (uint32_t i = 0; i < m->nlabels; i++)
		m->labels[i].type_id = m->syms[m->labels[i].type.sym].id;
	for (uint32_t i = 0; i < m->nlabels; i++)
		if (m->labels[i].kind == TPOL_LABEL_CORE)
			return true;
	diag_error(&m->start, "the policy has no core label ('label core TYPE;')");
	return false;
}

void sym_free(struct model *m)
{
	for (uint32_t i = 0; i < m->nsyms; i++)
		free(m->syms[i].name);
	free(m->syms);
	free(m->hash);
	free(m->type_syms);
	free(m->attr_sets);
	free(m->refs);
	free(m->rules);
	free(m->members);
	free(m->permissives);
	free(m->labels);
}
