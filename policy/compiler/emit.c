/*
 * The binary (tessera/policy.h), in its one canonical layout: everything is
 * ordered by name or number and placed by rule, never by hash-table or
 * declaration order, so the same policy always gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "compiler.h"

struct emit_buf {
	uint8_t *b;
	size_t len;
};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static size_t align8(size_t v)
{
	return (v + TPOL_ALIGN - 1) & ~(size_t)(TPOL_ALIGN - 1);
}

static int emit_key_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct av_entry *)a)->key, y = ((const struct av_entry *)b)->key;
	return x < y ? -1 : x > y;
}

static int emit_label_cmp(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	int c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * Place entries in sorted order into the smallest table that keeps every one
 * within TPC_DISPLACE_MAX of its home: returns slot -> entry + 1, or NULL. A
 * size is given up at the first entry that would lie further, so each try
 * costs at most TPC_DISPLACE_MAX + 1 probes per entry, however the entries
 * collide.
 */
static uint32_t *emit_place(const struct model *m, const struct av_entry *e, uint32_t n, uint32_t *slots,
			    uint32_t *probe)
{
	uint32_t sl = TPOL_AVTAB_SLOTS_MIN;
	while (sl < 2 * (uint64_t)n)
		sl *= 2;
	for (; sl <= TPOL_AVTAB_SLOTS_MAX; sl *= 2) {
		uint32_t *tab = mem_zalloc((size_t)sl * sizeof(*tab)), worst = 0, i;
		for (i = 0; i < n; i++) {
			uint32_t k = e[i].key, home = tpol_av_hash(k >> 17, k >> 5 & 0xfff, k & 31) & (sl - 1), d = 0;
			while (d <= TPC_DISPLACE_MAX && tab[(home + d) & (sl - 1)])
				d++;
			if (d > TPC_DISPLACE_MAX)
				break;
			tab[(home + d) & (sl - 1)] = i + 1;
			if (d > worst)
				worst = d;
		}
		if (i == n) {
			*slots = sl;
			*probe = worst;
			return tab;
		}
		free(tab);
	}
	diag_error(&m->start, "%u access vectors do not fit in %u slots, each within %u of its home slot", n,
		   TPOL_AVTAB_SLOTS_MAX, TPC_DISPLACE_MAX);
	return NULL;
}

/* A domain name that is also a type name shares its string. */
static uint32_t emit_domain_string(const struct model *m, const uint32_t *type_off, const char *name)
{
	uint32_t lo = 0, hi = m->ntypes;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = strcmp(name, type_name(m, mid));
		if (!c)
			return type_off[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

bool emit_policy(const struct model *m, const struct av_map *av, uint8_t **out, size_t *len)
{
	struct av_entry *e = mem_zalloc((av->n + 1) * sizeof(*e));
	struct label *labels = mem_zalloc((m->nlabels + 1) * sizeof(*labels));
	uint32_t *type_off = mem_zalloc((m->ntypes + 1) * sizeof(*type_off));
	uint32_t *label_off = mem_zalloc((m->nlabels + 1) * sizeof(*label_off));
	uint32_t slots, probe, *tab, strings = 1;
	size_t types_off, labels_off, avtab_off, strings_off, total;
	uint8_t *b = NULL;

	if (av->n) {
		memcpy(e, av->e, av->n * sizeof(*e));
		qsort(e, av->n, sizeof(*e), emit_key_cmp);
	}
	memcpy(labels, m->labels, m->nlabels * sizeof(*labels));
	qsort(labels, m->nlabels, sizeof(*labels), emit_label_cmp);
	tab = emit_place(m, e, av->n, &slots, &probe);
	if (!tab)
		goto out;
	/* Strings: "" at 0, type names in id order, then new domain names in label order. */
	for (uint32_t i = 0; i < m->ntypes; i++) {
		type_off[i] = strings;
		strings += (uint32_t)strlen(type_name(m, i)) + 1;
	}
	for (uint32_t i = 0; i < m->nlabels; i++) {
		if (labels[i].kind != TPOL_LABEL_DOMAIN)
			continue;
		label_off[i] = emit_domain_string(m, type_off, labels[i].name);
		if (!label_off[i]) {
			label_off[i] = strings;
			strings += (uint32_t)strlen(labels[i].name) + 1;
		}
	}
	types_off = align8(sizeof(struct tpol_header));
	labels_off = align8(types_off + m->ntypes * sizeof(struct tpol_type));
	avtab_off = align8(labels_off + m->nlabels * sizeof(struct tpol_label));
	strings_off = align8(avtab_off + (size_t)slots * sizeof(struct tpol_av));
	total = align8(strings_off + strings);
	/* Cannot happen within the compiler's own limits; checked since the core refuses it. */
	if (total > TPOL_SIZE_MAX || strings > TPOL_STRINGS_MAX) {
		diag_error(&m->start, "the compiled policy is too large");
		goto out;
	}
	b = mem_zalloc(total);
	memcpy(b, TPOL_MAGIC, 8);
	put32(b + 8, TPOL_VERSION);
	put32(b + 12, sizeof(struct tpol_header));
	put32(b + 16, (uint32_t)total);
	put32(b + 20, 0);
	put64(b + 24, tessera_access_fingerprint());
	put32(b + 32, TESSERA_CLASS_COUNT);
	put32(b + 36, m->ntypes);
	put32(b + 40, (uint32_t)types_off);
	put32(b + 44, m->nlabels);
	put32(b + 48, (uint32_t)labels_off);
	put32(b + 52, slots);
	put32(b + 56, (uint32_t)avtab_off);
	put32(b + 60, av->n);
	put32(b + 64, probe);
	put32(b + 68, (uint32_t)strings_off);
	put32(b + 72, strings);
	put32(b + 76, 0);
	for (uint32_t i = 0; i < m->ntypes; i++) {
		uint8_t *t = b + types_off + i * sizeof(struct tpol_type);
		put32(t, type_off[i]);
		put32(t + 4, m->syms[m->type_syms[i]].permissive ? TPOL_TYPE_PERMISSIVE : 0);
		memcpy(b + strings_off + type_off[i], type_name(m, i), strlen(type_name(m, i)));
	}
	for (uint32_t i = 0; i < m->nlabels; i++) {
		uint8_t *l = b + labels_off + i * sizeof(struct tpol_label);
		put32(l, labels[i].kind);
		put32(l + 4, labels[i].type_id);
		put32(l + 8, label_off[i]);
		put64(l + 16, labels[i].lo);
		put64(l + 24, labels[i].hi);
		if (label_off[i])
			memcpy(b + strings_off + label_off[i], labels[i].name, strlen(labels[i].name));
	}
	for (uint32_t i = 0; i < slots; i++) {
		uint8_t *a = b + avtab_off + i * sizeof(struct tpol_av);
		const struct av_entry *x;
		if (!tab[i])
			continue;
		x = &e[tab[i] - 1];
		put16(a, x->key >> 17);
		put16(a + 2, x->key >> 5 & 0xfff);
		put16(a + 4, x->key & 31);
		put16(a + 6, TPOL_AV_USED);
		put32(a + 8, x->perms);
	}
	*out = b;
	*len = total;
out:
	free(tab);
	free(e);
	free(labels);
	free(type_off);
	free(label_off);
	return b != NULL;
}
