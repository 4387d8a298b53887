#include "policy_build.h"
#include "test.h"
#include <core/avc.h>
#include <stdlib.h>
#include <string.h>

void pb_init(struct pb *b)
{
	memset(b, 0, sizeof(*b));
}

uint32_t pb_type(struct pb *b, const char *name, uint32_t flags)
{
	if (b->ntypes >= PB_MAX)
		abort();
	b->type_names[b->ntypes] = name;
	b->type_flags[b->ntypes] = flags;
	return b->ntypes++;
}

void pb_label(struct pb *b, uint32_t kind, uint32_t type, const char *name, uint64_t lo, uint64_t hi)
{
	if (b->nlabels >= PB_MAX)
		abort();
	b->labels[b->nlabels] = (struct tpol_label){ kind, type, 0, 0, lo, hi };
	b->label_names[b->nlabels++] = name;
}

void pb_allow(struct pb *b, uint32_t source, uint32_t target, uint32_t cls, uint32_t perms)
{
	for (uint32_t i = 0; i < b->nav; i++) {
		struct tpol_av *e = &b->av[i];
		if (e->source == source && e->target == target && e->cls == cls) {
			e->allowed |= perms;
			return;
		}
	}
	if (b->nav >= PB_AV_MAX)
		abort();
	b->av[b->nav++] = (struct tpol_av){ (uint16_t)source, (uint16_t)target, (uint16_t)cls,
					    TPOL_AV_USED, perms };
}

static uint32_t align8(uint64_t x)
{
	return (uint32_t)((x + 7) & ~7ULL);
}

static int av_cmp(const void *a, const void *b)
{
	const struct tpol_av *x = a, *y = b;
	uint64_t kx = (uint64_t)x->source << 32 | (uint64_t)x->target << 16 | x->cls;
	uint64_t ky = (uint64_t)y->source << 32 | (uint64_t)y->target << 16 | y->cls;
	return kx < ky ? -1 : kx > ky;
}

uint8_t *pb_emit(const struct pb *b, size_t *size)
{
	struct tpol_header h = { .version = TPOL_VERSION, .header_size = sizeof(h) };
	static struct tpol_av sorted[PB_AV_MAX];
	uint32_t slots = TPOL_AVTAB_SLOTS_MIN, probe = 0, name_off[PB_MAX], lname_off[PB_MAX];
	uint32_t strings = 1;
	uint8_t *out;
	while (slots < 2 * b->nav)
		slots *= 2;
	for (uint32_t i = 0; i < b->ntypes; i++) {
		name_off[i] = strings;
		strings += (uint32_t)strlen(b->type_names[i]) + 1;
	}
	for (uint32_t i = 0; i < b->nlabels; i++) {
		lname_off[i] = b->label_names[i] ? strings : 0;
		strings += b->label_names[i] ? (uint32_t)strlen(b->label_names[i]) + 1 : 0;
	}
	memcpy(h.magic, TPOL_MAGIC, 8);
	h.vocabulary = tessera_access_fingerprint();
	h.nclasses = TESSERA_CLASS_COUNT;
	h.ntypes = b->ntypes;
	h.nlabels = b->nlabels;
	h.avtab_slots = slots;
	h.avtab_used = b->nav;
	h.types_off = sizeof(h);
	h.labels_off = align8(h.types_off + (uint64_t)b->ntypes * sizeof(struct tpol_type));
	h.avtab_off = align8(h.labels_off + (uint64_t)b->nlabels * sizeof(struct tpol_label));
	h.strings_off = align8(h.avtab_off + (uint64_t)slots * sizeof(struct tpol_av));
	h.strings_size = strings + 1; /* and a final NUL */
	h.total_size = align8((uint64_t)h.strings_off + h.strings_size);
	out = aligned_alloc(8, h.total_size);
	if (!out)
		abort();
	memset(out, 0, h.total_size);
	for (uint32_t i = 0; i < b->ntypes; i++) {
		struct tpol_type t = { name_off[i], b->type_flags[i] };
		memcpy(out + h.types_off + i * sizeof(t), &t, sizeof(t));
		strcpy((char *)out + h.strings_off + name_off[i], b->type_names[i]);
	}
	for (uint32_t i = 0; i < b->nlabels; i++) {
		struct tpol_label l = b->labels[i];
		l.name = lname_off[i];
		memcpy(out + h.labels_off + i * sizeof(l), &l, sizeof(l));
		if (b->label_names[i])
			strcpy((char *)out + h.strings_off + lname_off[i], b->label_names[i]);
	}
	memcpy(sorted, b->av, b->nav * sizeof(sorted[0]));
	qsort(sorted, b->nav, sizeof(sorted[0]), av_cmp);
	struct tpol_av *tab = (struct tpol_av *)(void *)(out + h.avtab_off);
	for (uint32_t i = 0; i < b->nav; i++) {
		uint32_t home = tpol_av_hash(sorted[i].source, sorted[i].target, sorted[i].cls), k = 0;
		while (tab[(home + k) & (slots - 1)].flags)
			k++;
		tab[(home + k) & (slots - 1)] = sorted[i];
		if (k > probe)
			probe = k;
	}
	h.avtab_probe = probe;
	memcpy(out, &h, sizeof(h));
	*size = h.total_size;
	return out;
}

uint8_t *pb_allow_all(size_t *size)
{
	static struct pb b;
	pb_init(&b);
	uint32_t core = pb_type(&b, "core_t", 0), dom = pb_type(&b, "dom_t", 0);
	pb_label(&b, TPOL_LABEL_CORE, core, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN_DEFAULT, dom, NULL, 0, 0);
	pb_allow(&b, dom, core, TESSERA_CLASS_core, tessera_class_mask(TESSERA_CLASS_core));
	for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
		if (c != TESSERA_CLASS_core)
			pb_allow(&b, dom, dom, c, tessera_class_mask(c));
	return pb_emit(&b, size);
}

void pb_load_allow_all(void)
{
	static uint8_t *bin;
	static size_t size;
	const char *why = NULL;
	if (!bin)
		bin = pb_allow_all(&size);
	avc_reset();
	if (avc_load(bin, size, &why))
		test_fail(__FILE__, __LINE__, "allow-all policy rejected: %s", why);
}
