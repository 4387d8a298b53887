/*
 * The policy loader (core/policy.c): any bytes, as the boot module would give
 * them. A binary it accepts must answer every query within bounds, and the
 * access-vector lookup must agree with a plain scan of the table it accepted.
 */
#include <core/policy.h>
#include <stdlib.h>
#include <string.h>

/* What a linear scan of the accepted table says (the loader proved entries unique). */
static uint32_t scan(const struct policy *p, uint32_t s, uint32_t t, uint32_t c)
{
	for (uint32_t i = 0; i <= p->avmask; i++)
		if (p->avtab[i].flags && p->avtab[i].source == s && p->avtab[i].target == t &&
		    p->avtab[i].cls == c)
			return p->avtab[i].allowed;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	const char *why = NULL;
	/* The core finds modules page-aligned: 8-byte aligned and exactly size long. */
	uint8_t *buf = aligned_alloc(8, (size + 7) & ~(size_t)7);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (policy_load(&p, buf, size, &why)) {
		if (!why || p.hdr)
			abort(); /* a refusal says why and leaves nothing loaded */
		free(buf);
		return 0;
	}
	for (uint32_t s = 0; s < p.ntypes && s < 16; s++) {
		(void)policy_type_name(&p, s);
		(void)policy_permissive(&p, s);
		for (uint32_t t = 0; t < p.ntypes && t < 16; t++)
			for (uint32_t c = 0; c <= TESSERA_CLASS_COUNT; c++)
				if (policy_allowed(&p, s, t, c) != (c < TESSERA_CLASS_COUNT ? scan(&p, s, t, c) : 0))
					abort();
	}
	for (uint32_t i = 0; i < p.nlabels; i++) {
		const struct tpol_label *l = &p.labels[i];
		if (l->kind == TPOL_LABEL_DOMAIN) {
			int32_t t = policy_domain_type(&p, p.strings + l->name);
			if (t < 0 || (uint32_t)t >= p.ntypes)
				abort();
		} else if (l->kind >= TPOL_LABEL_DEVICE) {
			int32_t t = policy_label_type(&p, l->kind, l->lo);
			if (t != (int32_t)l->type || policy_label_type(&p, l->kind, l->hi) != (int32_t)l->type)
				abort(); /* ranges do not overlap: the label holding lo is this one */
		}
	}
	(void)policy_domain_type(&p, "fuzz");
	free(buf);
	return 0;
}
