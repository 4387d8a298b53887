/*
 * The compiled policy (format: tessera/policy.h). Every field is checked
 * before anything reads it, against one canonical layout: a binary the
 * compiler could not have written is refused, whatever it would mean.
 * Portable and self-contained: the host tools link it too.
 */
#include <core/lib.h>
#include <core/policy.h>
#include <tessera/errno.h>
#include <tessera/hypercall.h>

#define FAIL(msg) do { *why = (msg); return -TESSERA_EINVAL; } while (0)

static uint64_t align8(uint64_t x)
{
	return (x + TPOL_ALIGN - 1) & ~(uint64_t)(TPOL_ALIGN - 1);
}

static bool zero(const uint8_t *b, uint64_t from, uint64_t to)
{
	for (uint64_t i = from; i < to; i++)
		if (b[i])
			return false;
	return true;
}

/* A NUL-terminated name at off inside the strings, or NULL. */
static const char *string_at(const struct policy *p, uint32_t off)
{
	uint32_t size = p->hdr->strings_size;
	if (!off || off >= size || strnlen(p->strings + off, size - off) == size - off)
		return NULL;
	return p->strings + off;
}

static bool name_ok(const char *s, bool domain)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > (domain ? TESSERA_NAME_MAX - 1 : TPOL_NAME_MAX))
		return false;
	if (!domain && !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (domain && c == '-')))
			return false;
	}
	return true;
}

static int check_header(const struct tpol_header *h, uint64_t size, const char **why)
{
	uint64_t off = sizeof(*h);
	if (memcmp(h->magic, TPOL_MAGIC, sizeof(h->magic)))
		FAIL("not a Tessera policy (bad magic)");
	if (h->version != TPOL_VERSION)
		FAIL("unsupported policy format version");
	if (h->header_size != sizeof(*h) || h->total_size != size)
		FAIL("header or total size does not match the module");
	if (h->flags || h->reserved)
		FAIL("reserved header fields are not zero");
	if (h->vocabulary != tessera_access_fingerprint() || h->nclasses != TESSERA_CLASS_COUNT)
		FAIL("compiled for another set of classes and permissions");
	if (!h->ntypes || h->ntypes > TPOL_TYPES_MAX || !h->nlabels || h->nlabels > TPOL_LABELS_MAX)
		FAIL("type or label count out of bounds");
	if (h->avtab_slots < TPOL_AVTAB_SLOTS_MIN || h->avtab_slots > TPOL_AVTAB_SLOTS_MAX ||
	    (h->avtab_slots & (h->avtab_slots - 1)) || h->avtab_used > h->avtab_slots / 2 ||
	    h->avtab_probe > TPOL_PROBE_MAX)
		FAIL("access-vector table size, fill or probe bound out of bounds");
	if (h->strings_size < 2 || h->strings_size > TPOL_STRINGS_MAX)
		FAIL("string table size out of bounds");
	/* Counts are bounded above, so none of these sums can overflow. */
	if (h->types_off != off)
		FAIL("types section misplaced");
	off = align8(off + (uint64_t)h->ntypes * sizeof(struct tpol_type));
	if (h->labels_off != off)
		FAIL("labels section misplaced");
	off = align8(off + (uint64_t)h->nlabels * sizeof(struct tpol_label));
	if (h->avtab_off != off)
		FAIL("access-vector section misplaced");
	off = align8(off + (uint64_t)h->avtab_slots * sizeof(struct tpol_av));
	if (h->strings_off != off)
		FAIL("string section misplaced");
	if (align8(off + h->strings_size) != size)
		FAIL("sections do not end where the policy ends");
	return 0;
}

/* The padding between sections and after the last one is zero. */
static bool padding_zero(const struct tpol_header *h, const uint8_t *b)
{
	return zero(b, h->types_off + (uint64_t)h->ntypes * sizeof(struct tpol_type), h->labels_off) &&
	       zero(b, h->labels_off + (uint64_t)h->nlabels * sizeof(struct tpol_label), h->avtab_off) &&
	       zero(b, h->avtab_off + (uint64_t)h->avtab_slots * sizeof(struct tpol_av), h->strings_off) &&
	       zero(b, (uint64_t)h->strings_off + h->strings_size, h->total_size);
}

static int check_types(struct policy *p, const char **why)
{
	const char *prev = NULL;
	if (p->strings[0] || p->strings[p->hdr->strings_size - 1])
		FAIL("string table does not start and end with NUL");
	for (uint32_t i = 0; i < p->ntypes; i++) {
		const char *name = string_at(p, p->types[i].name);
		if (!name_ok(name, false))
			FAIL("type name missing or malformed");
		if (prev && strcmp(prev, name) >= 0)
			FAIL("type names not sorted or not unique");
		if (p->types[i].flags & ~TPOL_TYPE_PERMISSIVE)
			FAIL("unknown type flags");
		prev = name;
	}
	return 0;
}

static bool range_ok(const struct tpol_label *l)
{
	switch (l->kind) {
	case TPOL_LABEL_DEVICE:
		return l->hi <= TPOL_DEVICE_MAX;
	case TPOL_LABEL_IOPORT:
		return l->hi <= TPOL_IOPORT_MAX;
	case TPOL_LABEL_IRQ:
		return l->hi <= TPOL_IRQ_MAX;
	default: /* TPOL_LABEL_IOMEM: whole pages */
		return l->lo % PAGE_SIZE == 0 && l->hi != UINT64_MAX && (l->hi + 1) % PAGE_SIZE == 0;
	}
}

static int check_labels(struct policy *p, const char **why)
{
	const struct tpol_label *prev = NULL;
	uint32_t cores = 0;
	p->default_type = -1;
	for (uint32_t i = 0; i < p->nlabels; prev = &p->labels[i], i++) {
		const struct tpol_label *l = &p->labels[i];
		bool same = prev && prev->kind == l->kind;
		if (!l->kind || l->kind > TPOL_LABEL_KIND_MAX || (prev && prev->kind > l->kind))
			FAIL("label kinds unknown or not sorted");
#ifdef FUZZ_PLANTED_BUG /* a label may name the type one past the last (fuzz/planted.sh) */
		if (l->type > p->ntypes)
			FAIL("label type out of range");
#else
		if (l->type >= p->ntypes)
			FAIL("label type out of range");
#endif
		if (l->reserved)
			FAIL("reserved label field not zero");
		if (l->kind == TPOL_LABEL_DOMAIN) {
			const char *name = string_at(p, l->name);
			if (!name_ok(name, true) || l->lo || l->hi)
				FAIL("domain label name missing or malformed");
			if (same && strcmp(string_at(p, prev->name), name) >= 0)
				FAIL("domain labels not sorted or not unique");
			continue;
		}
		if (l->name)
			FAIL("a label that is not a domain's has a name");
		if (l->kind == TPOL_LABEL_CORE || l->kind == TPOL_LABEL_DOMAIN_DEFAULT) {
			if (l->lo || l->hi)
				FAIL("core or default domain label with a range");
			if (same)
				FAIL("more than one core or default domain label");
			if (l->kind == TPOL_LABEL_CORE) {
				p->core_type = l->type;
				cores++;
			} else {
				p->default_type = (int32_t)l->type;
			}
			continue;
		}
		if (l->lo > l->hi || !range_ok(l))
			FAIL("label range reversed or out of bounds");
		if (same && prev->hi >= l->lo)
			FAIL("label ranges not sorted or overlapping");
	}
	if (cores != 1)
		FAIL("no label for the core");
	return 0;
}

/* The slot holding (s, t, c), or -1: at most probe + 1 reads, whatever the policy's size. */
/*@ requires policy_table(p) && p->hdr != \null;
    assigns \nothing;
    ensures \result == -1 || (0 <= \result <= p->avmask && av_match(&p->avtab[\result], s, t, c)); */
static int64_t av_slot(const struct policy *p, uint32_t s, uint32_t t, uint32_t c)
{
	uint32_t home = tpol_av_hash(s, t, c);
	/*@ loop invariant k <= p->probe + 1;
	    loop assigns k;
	    loop variant p->probe + 1 - k; */
	for (uint32_t k = 0; k <= p->probe; k++) {
		uint32_t i = (home + k) & p->avmask;
		//@ assert i <= p->avmask;
		const struct tpol_av *e = &p->avtab[i];
		if (!e->flags)
			return -1;
		if (e->source == s && e->target == t && e->cls == c)
			return i;
	}
	return -1;
}

static int check_avtab(struct policy *p, const char **why)
{
	uint32_t used = 0, furthest = 0;
	for (uint32_t i = 0; i <= p->avmask; i++) {
		const struct tpol_av *e = &p->avtab[i];
		if (!e->flags) {
			if (e->source || e->target || e->cls || e->allowed)
				FAIL("unused access-vector slot not zero");
			continue;
		}
		if (e->flags != TPOL_AV_USED || e->source >= p->ntypes || e->target >= p->ntypes ||
		    e->cls >= TESSERA_CLASS_COUNT)
			FAIL("access-vector entry out of range");
		if (!e->allowed || (e->allowed & ~tessera_class_mask(e->cls)))
			FAIL("access-vector entry grants no or undefined permissions");
		/* Also proves uniqueness and that lookups reach it within the probe bound. */
		if (av_slot(p, e->source, e->target, e->cls) != (int64_t)i)
			FAIL("access-vector entry duplicated or beyond the probe bound");
		if (((i - tpol_av_hash(e->source, e->target, e->cls)) & p->avmask) > furthest)
			furthest = (i - tpol_av_hash(e->source, e->target, e->cls)) & p->avmask;
		used++;
	}
	if (used != p->hdr->avtab_used)
		FAIL("access-vector entry count does not match the header");
	if (furthest != p->probe)
		FAIL("probe bound is not the furthest entry's distance");
	return 0;
}

int policy_load(struct policy *p, const void *buf, uint64_t size, const char **why)
{
	const uint8_t *b = buf;
	const struct tpol_header *h = buf;
	int rc;
	memset(p, 0, sizeof(*p));
	if (!buf || (uintptr_t)buf % TPOL_ALIGN)
		FAIL("policy not 8-byte aligned in memory");
	if (size < sizeof(*h) || size > TPOL_SIZE_MAX)
		FAIL("policy size out of bounds");
	rc = check_header(h, size, why);
	if (rc)
		return rc;
	if (!padding_zero(h, b))
		FAIL("padding between sections not zero");
	p->hdr = h;
	p->types = (const struct tpol_type *)(b + h->types_off);
	p->labels = (const struct tpol_label *)(b + h->labels_off);
	p->avtab = (const struct tpol_av *)(b + h->avtab_off);
	p->strings = (const char *)(b + h->strings_off);
	p->ntypes = h->ntypes;
	p->nlabels = h->nlabels;
	p->avmask = h->avtab_slots - 1;
	p->probe = h->avtab_probe;
	rc = check_types(p, why);
	if (!rc)
		rc = check_labels(p, why);
	if (!rc)
		rc = check_avtab(p, why);
	if (rc)
		memset(p, 0, sizeof(*p));
	return rc;
}

/*@ requires policy_table(p);
    assigns \nothing;
    ensures \result != 0 ==> policy_grants(p, source, target, cls, \result); */
uint32_t policy_allowed(const struct policy *p, uint32_t source, uint32_t target, uint32_t cls)
{
	int64_t i;
	if (!p->hdr || source >= p->ntypes || target >= p->ntypes || cls >= TESSERA_CLASS_COUNT)
		return 0;
	i = av_slot(p, source, target, cls);
	return i < 0 ? 0 : p->avtab[i].allowed;
}

bool policy_permissive(const struct policy *p, uint32_t type)
{
	return p->hdr && type < p->ntypes && (p->types[type].flags & TPOL_TYPE_PERMISSIVE);
}

const char *policy_type_name(const struct policy *p, uint32_t type)
{
	return p->hdr && type < p->ntypes ? p->strings + p->types[type].name : "?";
}

int32_t policy_domain_type(const struct policy *p, const char *name)
{
	for (uint32_t i = 0; p->hdr && i < p->nlabels; i++)
		if (p->labels[i].kind == TPOL_LABEL_DOMAIN && !strcmp(p->strings + p->labels[i].name, name))
			return (int32_t)p->labels[i].type;
	return p->hdr && p->default_type >= 0 ? p->default_type : -TESSERA_ENOENT;
}

int32_t policy_label_type(const struct policy *p, uint32_t kind, uint64_t value)
{
	for (uint32_t i = 0; p->hdr && i < p->nlabels; i++) {
		const struct tpol_label *l = &p->labels[i];
		if (l->kind == kind && kind != TPOL_LABEL_DOMAIN && l->lo <= value && value <= l->hi)
			return (int32_t)l->type;
	}
	return -TESSERA_ENOENT;
}
