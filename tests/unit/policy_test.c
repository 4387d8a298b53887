/*
 * The MAC policy loader (core/policy.c): a valid binary from the test builder,
 * then one field broken at a time, each refused with its exact reason; the
 * accessors of a loaded policy; a large table; and random corruption.
 */
#include "policy_build.h"
#include "test.h"
#include <core/policy.h>
#include <tessera/errno.h>
#include <stdlib.h>
#include <string.h>

/* The loader's reasons, word for word. */
#define R_ALIGN "policy not 8-byte aligned in memory"
#define R_BOUNDS "policy size out of bounds"
#define R_MAGIC "not a Tessera policy (bad magic)"
#define R_VERSION "unsupported policy format version"
#define R_SIZE "header or total size does not match the module"
#define R_RESERVED "reserved header fields are not zero"
#define R_VOCAB "compiled for another set of classes and permissions"
#define R_COUNT "type or label count out of bounds"
#define R_AVTAB "access-vector table size, fill or probe bound out of bounds"
#define R_STRSIZE "string table size out of bounds"
#define R_TYPES_OFF "types section misplaced"
#define R_LABELS_OFF "labels section misplaced"
#define R_AVTAB_OFF "access-vector section misplaced"
#define R_STRINGS_OFF "string section misplaced"
#define R_END "sections do not end where the policy ends"
#define R_PAD "padding between sections not zero"
#define R_STRNUL "string table does not start and end with NUL"
#define R_TNAME "type name missing or malformed"
#define R_TSORT "type names not sorted or not unique"
#define R_TFLAGS "unknown type flags"
#define R_KIND "label kinds unknown or not sorted"
#define R_LTYPE "label type out of range"
#define R_DNAME "domain label name missing or malformed"
#define R_DSORT "domain labels not sorted or not unique"
#define R_LNAME "a label that is not a domain's has a name"
#define R_ONE "more than one core or default domain label"
#define R_LRES "reserved label field not zero"
#define R_LRANGE "core or default domain label with a range"
#define R_RANGE "label range reversed or out of bounds"
#define R_OVERLAP "label ranges not sorted or overlapping"
#define R_NOCORE "no label for the core"
#define R_SLOT "unused access-vector slot not zero"
#define R_ENTRY "access-vector entry out of range"
#define R_PERMS "access-vector entry grants no or undefined permissions"
#define R_DUP "access-vector entry duplicated or beyond the probe bound"
#define R_USED "access-vector entry count does not match the header"

#define EV(p) TESSERA_PERM(event, p)
#define CORE(p) TESSERA_PERM(core, p)
#define DOM(p) TESSERA_PERM(domain, p)
#define GR(p) TESSERA_PERM(grant, p)

/* The reference policy: its types ... */
enum { T_A, T_B, T_CORE, T_DOM, NTYPES };
/* ... and its labels, in canonical order. */
enum { L_CORE, L_DOM_A, L_DOM_B, L_DEFAULT, L_DEVICE, L_PORT1, L_PORT2, L_IOMEM, L_IRQ, NLABELS };

static struct pb pb; /* large: not on the stack */

struct bin {
	uint8_t *b;
	size_t size;
};

static void base_types(struct pb *b)
{
	pb_init(b);
	CHECK_EQ(pb_type(b, "a_t", 0), T_A);
	CHECK_EQ(pb_type(b, "b_t", TPOL_TYPE_PERMISSIVE), T_B);
	CHECK_EQ(pb_type(b, "core_t", 0), T_CORE);
	CHECK_EQ(pb_type(b, "dom_t", 0), T_DOM);
}

static void base_allows(struct pb *b)
{
	pb_allow(b, T_A, T_CORE, TESSERA_CLASS_core, CORE(version) | CORE(console));
	pb_allow(b, T_A, T_B, TESSERA_CLASS_event, EV(bind) | EV(send));
	pb_allow(b, T_B, T_A, TESSERA_CLASS_event, tessera_class_mask(TESSERA_CLASS_event));
	pb_allow(b, T_A, T_A, TESSERA_CLASS_domain, DOM(getinfo));
	pb_allow(b, T_DOM, T_CORE, TESSERA_CLASS_core, CORE(yield));
	pb_allow(b, T_B, T_B, TESSERA_CLASS_grant, GR(offer) | GR(map));
}

/* Every kind of label: the core, two domains, a default, and ranges of each kind. */
static void base_pb(struct pb *b)
{
	base_types(b);
	pb_label(b, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	pb_label(b, TPOL_LABEL_DOMAIN, T_A, "a", 0, 0);
	pb_label(b, TPOL_LABEL_DOMAIN, T_B, "b-2", 0, 0);
	pb_label(b, TPOL_LABEL_DOMAIN_DEFAULT, T_DOM, NULL, 0, 0);
	pb_label(b, TPOL_LABEL_DEVICE, T_DOM, NULL, 0x100, 0x1ff);
	pb_label(b, TPOL_LABEL_IOPORT, T_DOM, NULL, 0x3f8, 0x3ff);
	pb_label(b, TPOL_LABEL_IOPORT, T_DOM, NULL, 0x400, 0x40f);
	pb_label(b, TPOL_LABEL_IOMEM, T_DOM, NULL, 0xfee00000, 0xfee00fff);
	pb_label(b, TPOL_LABEL_IRQ, T_DOM, NULL, 4, 4);
	base_allows(b);
}

static struct tpol_header *H(const struct bin *x)
{
	return (struct tpol_header *)(void *)x->b;
}

static struct tpol_type *TY(const struct bin *x, uint32_t i)
{
	return (struct tpol_type *)(void *)(x->b + H(x)->types_off) + i;
}

static struct tpol_label *LA(const struct bin *x, uint32_t i)
{
	return (struct tpol_label *)(void *)(x->b + H(x)->labels_off) + i;
}

static struct tpol_av *AV(const struct bin *x, uint32_t i)
{
	return (struct tpol_av *)(void *)(x->b + H(x)->avtab_off) + i;
}

static char *STR(const struct bin *x)
{
	return (char *)x->b + H(x)->strings_off;
}

/* Emit b; the test's starting point must itself load. */
static struct bin emit(const struct pb *b)
{
	struct bin x;
	struct policy p;
	const char *why = NULL;
	x.b = pb_emit(b, &x.size);
	if (policy_load(&p, x.b, x.size, &why))
		test_fail(__FILE__, __LINE__, "the unbroken policy is rejected: %s", why);
	return x;
}

static struct bin base(void)
{
	base_pb(&pb);
	return emit(&pb);
}

/* The same bytes in a new aligned buffer of size + extra (zero-filled). */
static struct bin copy(const struct bin *x, size_t extra)
{
	size_t cap = ((x->size + extra + 7) & ~(size_t)7) + 8;
	struct bin y = { aligned_alloc(8, cap), x->size + extra };
	CHECK(y.b);
	memset(y.b, 0, cap);
	memcpy(y.b, x->b, x->size);
	return y;
}

/* policy_load refuses buf with exactly this reason, and leaves nothing loaded. */
#define REJECTED(buf, size, reason)                                                \
	do {                                                                       \
		struct policy p_;                                                  \
		const char *why_ = NULL;                                           \
		memset(&p_, 0x5a, sizeof(p_));                                     \
		CHECK_EQ(policy_load(&p_, (buf), (size), &why_), -TESSERA_EINVAL); \
		CHECK_STREQ(why_, reason);                                         \
		CHECK(p_.hdr == NULL);                                             \
		CHECK_EQ(policy_allowed(&p_, 0, 0, 0), 0);                         \
	} while (0)
#define REJECTS(x, reason) REJECTED((x).b, (x).size, reason)

#define LOADS(x)                                                                   \
	do {                                                                       \
		struct policy p_;                                                  \
		const char *why_ = NULL;                                           \
		int rc_ = policy_load(&p_, (x).b, (x).size, &why_);                \
		if (rc_)                                                           \
			test_fail(__FILE__, __LINE__, "rejected: %d %s", rc_, why_); \
	} while (0)

/* An unused slot and a used one of x's table. */
static uint32_t unused_slot(const struct bin *x)
{
	for (uint32_t i = 0; i < H(x)->avtab_slots; i++)
		if (!AV(x, i)->flags)
			return i;
	test_fail(__FILE__, __LINE__, "no unused slot");
}

static uint32_t used_slot(const struct bin *x)
{
	for (uint32_t i = 0; i < H(x)->avtab_slots; i++)
		if (AV(x, i)->flags)
			return i;
	test_fail(__FILE__, __LINE__, "no used slot");
}

static uint32_t home(const struct bin *x, const struct tpol_av *e)
{
	return tpol_av_hash(e->source, e->target, e->cls) & (H(x)->avtab_slots - 1);
}

/* --- where and how big ------------------------------------------------------------- */

TEST(policy_in_a_misaligned_buffer_is_rejected)
{
	struct bin x = base(), y = copy(&x, 8);
	memmove(y.b + 1, y.b, x.size);
	REJECTED(y.b + 1, x.size, R_ALIGN);
	memmove(y.b + 4, y.b + 1, x.size);
	REJECTED(y.b + 4, x.size, R_ALIGN);
	free(x.b);
	free(y.b);
}

TEST(policy_at_a_null_pointer_is_rejected)
{
	REJECTED(NULL, 0, R_ALIGN);
	REJECTED(NULL, 4096, R_ALIGN);
}

TEST(policy_smaller_than_its_header_is_rejected)
{
	struct bin x = base();
	REJECTED(x.b, 0, R_BOUNDS);
	REJECTED(x.b, sizeof(struct tpol_header) - 1, R_BOUNDS);
	free(x.b);
}

TEST(policy_larger_than_the_size_bound_is_rejected)
{
	struct bin x = base(), y = copy(&x, TPOL_SIZE_MAX + 1 - x.size);
	H(&y)->total_size = TPOL_SIZE_MAX + 1;
	REJECTED(y.b, (uint64_t)TPOL_SIZE_MAX + 1, R_BOUNDS);
	REJECTED(y.b, 1ULL << 40, R_BOUNDS);
	free(x.b);
	free(y.b);
}

/* --- the header -------------------------------------------------------------------- */

TEST(policy_with_bad_magic_is_rejected)
{
	struct bin x = base();
	x.b[0] = 't';
	REJECTS(x, R_MAGIC);
	x.b[0] = 'T';
	x.b[7] ^= 0x20;
	REJECTS(x, R_MAGIC);
	free(x.b);
}

TEST(policy_with_another_format_version_is_rejected)
{
	struct bin x = base();
	H(&x)->version = TPOL_VERSION + 1;
	REJECTS(x, R_VERSION);
	H(&x)->version = 0;
	REJECTS(x, R_VERSION);
	free(x.b);
}

TEST(policy_with_wrong_header_size_is_rejected)
{
	struct bin x = base();
	H(&x)->header_size = sizeof(struct tpol_header) + 8;
	REJECTS(x, R_SIZE);
	H(&x)->header_size = sizeof(struct tpol_header) - 8;
	REJECTS(x, R_SIZE);
	free(x.b);
}

TEST(policy_truncated_by_8_bytes_is_rejected)
{
	struct bin x = base();
	REJECTED(x.b, x.size - 8, R_SIZE);
	REJECTED(x.b, x.size - 1, R_SIZE);
	free(x.b);
}

TEST(policy_extended_by_8_bytes_is_rejected)
{
	struct bin x = base(), y = copy(&x, 8);
	REJECTS(y, R_SIZE);
	free(x.b);
	free(y.b);
}

TEST(policy_with_nonzero_header_flags_or_reserved_is_rejected)
{
	struct bin x = base();
	H(&x)->flags = 1;
	REJECTS(x, R_RESERVED);
	H(&x)->flags = 0;
	H(&x)->reserved = 0x80000000u;
	REJECTS(x, R_RESERVED);
	free(x.b);
}

TEST(policy_for_another_vocabulary_is_rejected)
{
	struct bin x = base();
	H(&x)->vocabulary ^= 1;
	REJECTS(x, R_VOCAB);
	H(&x)->vocabulary = 0;
	REJECTS(x, R_VOCAB);
	free(x.b);
}

TEST(policy_with_another_class_count_is_rejected)
{
	struct bin x = base();
	H(&x)->nclasses = TESSERA_CLASS_COUNT + 1;
	REJECTS(x, R_VOCAB);
	H(&x)->nclasses = TESSERA_CLASS_COUNT - 1;
	REJECTS(x, R_VOCAB);
	free(x.b);
}

TEST(policy_with_no_types_is_rejected)
{
	struct bin x = base();
	H(&x)->ntypes = 0;
	REJECTS(x, R_COUNT);
	free(x.b);
}

TEST(policy_with_more_types_than_the_bound_is_rejected)
{
	struct bin x = base();
	H(&x)->ntypes = TPOL_TYPES_MAX + 1;
	REJECTS(x, R_COUNT);
	H(&x)->ntypes = UINT32_MAX;
	REJECTS(x, R_COUNT);
	free(x.b);
}

TEST(policy_with_no_labels_or_too_many_is_rejected)
{
	struct bin x = base();
	H(&x)->nlabels = 0;
	REJECTS(x, R_COUNT);
	H(&x)->nlabels = TPOL_LABELS_MAX + 1;
	REJECTS(x, R_COUNT);
	free(x.b);
}

TEST(avtab_slots_not_a_power_of_two_is_rejected)
{
	struct bin x = base();
	CHECK_EQ(H(&x)->avtab_slots, 16);
	H(&x)->avtab_slots = 24;
	REJECTS(x, R_AVTAB);
	H(&x)->avtab_slots = 17;
	REJECTS(x, R_AVTAB);
	free(x.b);
}

TEST(avtab_slots_below_the_minimum_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_slots = TPOL_AVTAB_SLOTS_MIN / 2;
	REJECTS(x, R_AVTAB);
	H(&x)->avtab_slots = 0;
	REJECTS(x, R_AVTAB);
	free(x.b);
}

TEST(avtab_slots_above_the_maximum_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_slots = TPOL_AVTAB_SLOTS_MAX * 2;
	REJECTS(x, R_AVTAB);
	H(&x)->avtab_slots = 0x80000000u;
	REJECTS(x, R_AVTAB);
	free(x.b);
}

TEST(avtab_more_than_half_full_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_used = H(&x)->avtab_slots / 2 + 1;
	REJECTS(x, R_AVTAB);
	free(x.b);
}

TEST(avtab_probe_bound_above_the_maximum_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_probe = TPOL_PROBE_MAX + 1;
	REJECTS(x, R_AVTAB);
	H(&x)->avtab_probe = UINT32_MAX;
	REJECTS(x, R_AVTAB);
	free(x.b);
}

/* The bound is exact: a larger one would let lookups read further than they need. */
TEST(avtab_probe_bound_larger_than_the_furthest_entry_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_probe++;
	REJECTS(x, "probe bound is not the furthest entry's distance");
	free(x.b);
}

TEST(string_table_size_out_of_bounds_is_rejected)
{
	struct bin x = base();
	H(&x)->strings_size = 1;
	REJECTS(x, R_STRSIZE);
	H(&x)->strings_size = TPOL_STRINGS_MAX + 1;
	REJECTS(x, R_STRSIZE);
	free(x.b);
}

/* --- the layout -------------------------------------------------------------------- */

TEST(types_section_off_by_8_is_rejected)
{
	struct bin x = base();
	H(&x)->types_off += 8;
	REJECTS(x, R_TYPES_OFF);
	H(&x)->types_off -= 16;
	REJECTS(x, R_TYPES_OFF);
	free(x.b);
}

TEST(labels_section_off_by_8_is_rejected)
{
	struct bin x = base();
	H(&x)->labels_off += 8;
	REJECTS(x, R_LABELS_OFF);
	H(&x)->labels_off -= 16;
	REJECTS(x, R_LABELS_OFF);
	free(x.b);
}

TEST(avtab_section_off_by_8_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_off += 8;
	REJECTS(x, R_AVTAB_OFF);
	H(&x)->avtab_off -= 16;
	REJECTS(x, R_AVTAB_OFF);
	free(x.b);
}

TEST(strings_section_off_by_8_is_rejected)
{
	struct bin x = base();
	H(&x)->strings_off += 8;
	REJECTS(x, R_STRINGS_OFF);
	H(&x)->strings_off -= 16;
	REJECTS(x, R_STRINGS_OFF);
	free(x.b);
}

/* total_size and the module agree, but the last section ends 8 bytes earlier. */
TEST(policy_whose_sections_end_before_total_size_is_rejected)
{
	struct bin x = base(), y = copy(&x, 8);
	H(&y)->total_size += 8;
	REJECTS(y, R_END);
	free(x.b);
	free(y.b);
}

TEST(string_table_running_past_total_size_is_rejected)
{
	struct bin x = base();
	H(&x)->strings_size += 8;
	REJECTS(x, R_END);
	free(x.b);
}

TEST(nonzero_padding_after_the_strings_is_rejected)
{
	struct bin x = base();
	uint64_t end = (uint64_t)H(&x)->strings_off + H(&x)->strings_size;
	CHECK(end < x.size); /* the reference policy has padding */
	for (uint64_t i = end; i < x.size; i++) {
		x.b[i] = 0x80;
		REJECTS(x, R_PAD);
		x.b[i] = 0;
	}
	LOADS(x);
	free(x.b);
}

/* --- strings and types ------------------------------------------------------------- */

TEST(string_table_not_starting_with_nul_is_rejected)
{
	struct bin x = base();
	STR(&x)[0] = 'x';
	REJECTS(x, R_STRNUL);
	free(x.b);
}

TEST(string_table_not_ending_with_nul_is_rejected)
{
	struct bin x = base();
	STR(&x)[H(&x)->strings_size - 1] = 'x';
	REJECTS(x, R_STRNUL);
	free(x.b);
}

/* A name pointing at the last byte of strings would run off their end, were that not NUL. */
TEST(type_name_running_off_the_end_of_the_strings_is_rejected)
{
	struct bin x = base();
	TY(&x, T_DOM)->name = H(&x)->strings_size - 1;
	REJECTS(x, R_TNAME); /* "" */
	STR(&x)[H(&x)->strings_size - 1] = 'z';
	REJECTS(x, R_STRNUL);
	free(x.b);
}

TEST(type_name_at_offset_0_is_rejected)
{
	struct bin x = base();
	TY(&x, T_A)->name = 0;
	REJECTS(x, R_TNAME);
	free(x.b);
}

TEST(type_name_outside_the_strings_is_rejected)
{
	struct bin x = base();
	TY(&x, T_DOM)->name = H(&x)->strings_size;
	REJECTS(x, R_TNAME);
	TY(&x, T_DOM)->name = UINT32_MAX;
	REJECTS(x, R_TNAME);
	free(x.b);
}

TEST(type_name_with_uppercase_is_rejected)
{
	struct bin x = base();
	STR(&x)[TY(&x, T_CORE)->name + 1] = 'O';
	REJECTS(x, R_TNAME);
	free(x.b);
}

TEST(type_name_starting_with_a_digit_or_underscore_is_rejected)
{
	struct bin x = base();
	STR(&x)[TY(&x, T_A)->name] = '0';
	REJECTS(x, R_TNAME);
	STR(&x)[TY(&x, T_A)->name] = '_';
	REJECTS(x, R_TNAME);
	free(x.b);
}

TEST(type_name_with_a_hyphen_or_other_punctuation_is_rejected)
{
	struct bin x = base();
	STR(&x)[TY(&x, T_B)->name + 1] = '-';
	REJECTS(x, R_TNAME);
	STR(&x)[TY(&x, T_B)->name + 1] = '.';
	REJECTS(x, R_TNAME);
	STR(&x)[TY(&x, T_B)->name + 1] = (char)0xe9;
	REJECTS(x, R_TNAME);
	free(x.b);
}

static char long_name[80];

static const char *name_of(unsigned len)
{
	memset(long_name, 0, sizeof(long_name));
	memset(long_name, 'z', len);
	long_name[0] = 'y';
	return long_name;
}

TEST(type_name_of_64_chars_is_rejected_and_of_63_loads)
{
	pb_init(&pb);
	pb_type(&pb, "core_t", 0);
	pb_type(&pb, name_of(63), 0);
	pb_label(&pb, TPOL_LABEL_CORE, 0, NULL, 0, 0);
	struct bin x = emit(&pb);
	free(x.b);
	pb.type_names[1] = name_of(64);
	x.b = pb_emit(&pb, &x.size);
	REJECTS(x, R_TNAME);
	free(x.b);
}

TEST(unsorted_type_names_are_rejected)
{
	struct bin x = base();
	uint32_t n = TY(&x, T_A)->name;
	TY(&x, T_A)->name = TY(&x, T_B)->name;
	TY(&x, T_B)->name = n;
	REJECTS(x, R_TSORT);
	free(x.b);
}

TEST(duplicate_type_names_are_rejected)
{
	struct bin x = base();
	TY(&x, T_DOM)->name = TY(&x, T_CORE)->name;
	REJECTS(x, R_TSORT);
	free(x.b);
}

TEST(unknown_type_flag_is_rejected)
{
	struct bin x = base();
	TY(&x, T_A)->flags = 2;
	REJECTS(x, R_TFLAGS);
	TY(&x, T_A)->flags = 0x80000000u | TPOL_TYPE_PERMISSIVE;
	REJECTS(x, R_TFLAGS);
	free(x.b);
}

/* --- labels ------------------------------------------------------------------------ */

TEST(label_kind_0_is_rejected)
{
	struct bin x = base();
	LA(&x, L_CORE)->kind = 0;
	REJECTS(x, R_KIND);
	free(x.b);
}

TEST(label_kind_8_is_rejected)
{
	struct bin x = base();
	LA(&x, L_IRQ)->kind = TPOL_LABEL_KIND_MAX + 1;
	REJECTS(x, R_KIND);
	LA(&x, L_IRQ)->kind = UINT32_MAX;
	REJECTS(x, R_KIND);
	free(x.b);
}

TEST(labels_not_sorted_by_kind_are_rejected)
{
	struct bin x = base();
	struct tpol_label l = *LA(&x, L_DEFAULT);
	*LA(&x, L_DEFAULT) = *LA(&x, L_DEVICE);
	*LA(&x, L_DEVICE) = l;
	REJECTS(x, R_KIND);
	free(x.b);
}

TEST(label_type_out_of_range_is_rejected)
{
	struct bin x = base();
	LA(&x, L_DEVICE)->type = NTYPES;
	REJECTS(x, R_LTYPE);
	LA(&x, L_DEVICE)->type = UINT32_MAX;
	REJECTS(x, R_LTYPE);
	free(x.b);
}

TEST(label_with_nonzero_reserved_field_is_rejected)
{
	struct bin x = base();
	LA(&x, L_DOM_A)->reserved = 1;
	REJECTS(x, R_LRES);
	free(x.b);
}

TEST(domain_label_with_uppercase_name_is_rejected)
{
	struct bin x = base();
	STR(&x)[LA(&x, L_DOM_A)->name] = 'A';
	REJECTS(x, R_DNAME);
	free(x.b);
}

TEST(domain_label_name_of_16_chars_is_rejected_and_of_15_loads)
{
	base_types(&pb);
	pb_label(&pb, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	pb_label(&pb, TPOL_LABEL_DOMAIN, T_A, "0123456789-_abc", 0, 0);
	struct bin x = emit(&pb);
	free(x.b);
	pb.label_names[1] = "0123456789-_abcd";
	x.b = pb_emit(&pb, &x.size);
	REJECTS(x, R_DNAME);
	free(x.b);
}

TEST(domain_label_with_empty_or_missing_name_is_rejected)
{
	struct bin x = base();
	LA(&x, L_DOM_A)->name = H(&x)->strings_size - 1; /* the final NUL: "" */
	REJECTS(x, R_DNAME);
	LA(&x, L_DOM_A)->name = 0;
	REJECTS(x, R_DNAME);
	LA(&x, L_DOM_A)->name = H(&x)->strings_size;
	REJECTS(x, R_DNAME);
	free(x.b);
}

TEST(domain_label_with_a_range_is_rejected)
{
	struct bin x = base();
	LA(&x, L_DOM_B)->hi = 1;
	REJECTS(x, R_DNAME);
	LA(&x, L_DOM_B)->hi = 0;
	LA(&x, L_DOM_B)->lo = 1;
	REJECTS(x, R_DNAME);
	free(x.b);
}

TEST(unsorted_domain_labels_are_rejected)
{
	struct bin x = base();
	uint32_t n = LA(&x, L_DOM_A)->name;
	LA(&x, L_DOM_A)->name = LA(&x, L_DOM_B)->name;
	LA(&x, L_DOM_B)->name = n;
	REJECTS(x, R_DSORT);
	free(x.b);
}

TEST(duplicate_domain_labels_are_rejected)
{
	struct bin x = base();
	LA(&x, L_DOM_B)->name = LA(&x, L_DOM_A)->name;
	REJECTS(x, R_DSORT);
	free(x.b);
}

TEST(non_domain_label_with_a_name_is_rejected)
{
	struct bin x = base();
	LA(&x, L_CORE)->name = LA(&x, L_DOM_A)->name;
	REJECTS(x, R_LNAME);
	LA(&x, L_CORE)->name = 0;
	LA(&x, L_IOMEM)->name = TY(&x, T_DOM)->name;
	REJECTS(x, R_LNAME);
	free(x.b);
}

TEST(two_core_labels_are_rejected)
{
	struct bin x = base();
	LA(&x, L_DOM_A)->kind = TPOL_LABEL_CORE;
	LA(&x, L_DOM_A)->name = 0; /* a core label has no name */
	REJECTS(x, R_ONE);
	free(x.b);
}

TEST(two_default_domain_labels_are_rejected)
{
	struct bin x = base();
	*LA(&x, L_DEVICE) = (struct tpol_label){ TPOL_LABEL_DOMAIN_DEFAULT, T_A, 0, 0, 0, 0 };
	REJECTS(x, R_ONE);
	free(x.b);
}

TEST(core_or_default_label_with_a_range_is_rejected)
{
	struct bin x = base();
	LA(&x, L_CORE)->hi = 1;
	REJECTS(x, R_LRANGE);
	LA(&x, L_CORE)->hi = 0;
	LA(&x, L_DEFAULT)->lo = 1;
	REJECTS(x, R_LRANGE);
	free(x.b);
}

TEST(policy_without_a_core_label_is_rejected)
{
	base_types(&pb);
	pb_label(&pb, TPOL_LABEL_DOMAIN_DEFAULT, T_DOM, NULL, 0, 0);
	pb_label(&pb, TPOL_LABEL_IRQ, T_DOM, NULL, 0, 15);
	struct bin x;
	x.b = pb_emit(&pb, &x.size);
	REJECTS(x, R_NOCORE);
	free(x.b);
}

TEST(label_range_reversed_is_rejected)
{
	struct bin x = base();
	LA(&x, L_PORT1)->lo = 0x3ff;
	LA(&x, L_PORT1)->hi = 0x3f8;
	REJECTS(x, R_RANGE);
	free(x.b);
}

TEST(ioport_above_0xffff_is_rejected_and_0xffff_loads)
{
	struct bin x = base();
	LA(&x, L_PORT2)->hi = 0xffff;
	LOADS(x);
	LA(&x, L_PORT2)->hi = 0x10000;
	REJECTS(x, R_RANGE);
	free(x.b);
}

TEST(irq_above_255_is_rejected_and_255_loads)
{
	struct bin x = base();
	LA(&x, L_IRQ)->hi = 255;
	LOADS(x);
	LA(&x, L_IRQ)->hi = 256;
	REJECTS(x, R_RANGE);
	LA(&x, L_IRQ)->lo = 256;
	REJECTS(x, R_RANGE);
	free(x.b);
}

TEST(device_above_0xffffff_is_rejected_and_0xffffff_loads)
{
	struct bin x = base();
	LA(&x, L_DEVICE)->hi = 0xffffff;
	LOADS(x);
	LA(&x, L_DEVICE)->hi = 0x1000000;
	REJECTS(x, R_RANGE);
	free(x.b);
}

TEST(iomem_with_unaligned_start_is_rejected)
{
	struct bin x = base();
	LA(&x, L_IOMEM)->lo += 0x800;
	REJECTS(x, R_RANGE);
	LA(&x, L_IOMEM)->lo -= 0x7ff;
	REJECTS(x, R_RANGE);
	free(x.b);
}

TEST(iomem_with_unaligned_end_is_rejected)
{
	struct bin x = base();
	LA(&x, L_IOMEM)->hi -= 1;
	REJECTS(x, R_RANGE);
	LA(&x, L_IOMEM)->hi += 2;
	REJECTS(x, R_RANGE);
	free(x.b);
}

TEST(iomem_ending_at_the_top_of_the_address_space_is_rejected)
{
	struct bin x = base();
	LA(&x, L_IOMEM)->hi = UINT64_MAX;
	REJECTS(x, R_RANGE);
	LA(&x, L_IOMEM)->hi = UINT64_MAX - 0x1000; /* the page below the top: fine */
	LOADS(x);
	free(x.b);
}

TEST(overlapping_label_ranges_are_rejected_and_adjacent_ones_load)
{
	struct bin x = base();
	CHECK_EQ(LA(&x, L_PORT2)->lo, LA(&x, L_PORT1)->hi + 1);
	LA(&x, L_PORT2)->lo = LA(&x, L_PORT1)->hi;
	REJECTS(x, R_OVERLAP);
	LA(&x, L_PORT2)->lo = LA(&x, L_PORT1)->lo;
	REJECTS(x, R_OVERLAP);
	free(x.b);
}

TEST(label_ranges_out_of_order_are_rejected)
{
	struct bin x = base();
	LA(&x, L_PORT2)->lo = 0x100;
	LA(&x, L_PORT2)->hi = 0x1ff;
	REJECTS(x, R_OVERLAP);
	free(x.b);
}

/* --- the access-vector table ------------------------------------------------------- */

TEST(unused_avtab_slot_with_a_nonzero_byte_is_rejected)
{
	struct bin x = base();
	uint8_t *slot = (uint8_t *)AV(&x, unused_slot(&x));
	for (unsigned i = 0; i < sizeof(struct tpol_av); i++) {
		if (i == offsetof(struct tpol_av, flags) || i == offsetof(struct tpol_av, flags) + 1)
			continue;
		slot[i] = 1;
		REJECTS(x, R_SLOT);
		slot[i] = 0;
	}
	LOADS(x);
	free(x.b);
}

TEST(avtab_entry_with_source_or_target_beyond_the_types_is_rejected)
{
	struct bin x = base();
	struct tpol_av *e = AV(&x, used_slot(&x)), saved = *e;
	e->source = NTYPES;
	REJECTS(x, R_ENTRY);
	*e = saved;
	e->target = NTYPES;
	REJECTS(x, R_ENTRY);
	e->target = UINT16_MAX;
	REJECTS(x, R_ENTRY);
	free(x.b);
}

TEST(avtab_entry_with_unknown_class_is_rejected)
{
	struct bin x = base();
	struct tpol_av *e = AV(&x, used_slot(&x));
	e->cls = TESSERA_CLASS_COUNT;
	REJECTS(x, R_ENTRY);
	e->cls = UINT16_MAX;
	REJECTS(x, R_ENTRY);
	free(x.b);
}

TEST(avtab_entry_with_flags_2_is_rejected)
{
	struct bin x = base();
	struct tpol_av *e = AV(&x, used_slot(&x));
	e->flags = 2;
	REJECTS(x, R_ENTRY);
	e->flags = TPOL_AV_USED | 2;
	REJECTS(x, R_ENTRY);
	free(x.b);
}

TEST(avtab_entry_allowing_nothing_is_rejected)
{
	struct bin x = base();
	AV(&x, used_slot(&x))->allowed = 0;
	REJECTS(x, R_PERMS);
	free(x.b);
}

TEST(avtab_entry_allowing_undefined_permissions_is_rejected)
{
	struct bin x = base();
	struct tpol_av *e = AV(&x, used_slot(&x));
	uint32_t mask = tessera_class_mask(e->cls);
	CHECK(mask != UINT32_MAX);
	e->allowed |= ~mask & (mask + 1); /* the lowest undefined bit */
	REJECTS(x, R_PERMS);
	e->allowed = 1u << 31;
	REJECTS(x, R_PERMS);
	free(x.b);
}

/* The same key twice: the count and probe bound fixed up, so only the duplicate is wrong. */
TEST(duplicate_avtab_entry_is_rejected)
{
	struct bin x = base();
	uint32_t mask = H(&x)->avtab_slots - 1, i = used_slot(&x), j = i, k;
	while (AV(&x, j)->flags)
		j = (j + 1) & mask;
	*AV(&x, j) = *AV(&x, i);
	k = (j - home(&x, AV(&x, j))) & mask;
	CHECK(k <= TPOL_PROBE_MAX);
	if (k > H(&x)->avtab_probe)
		H(&x)->avtab_probe = k;
	H(&x)->avtab_used++;
	REJECTS(x, R_DUP);
	free(x.b);
}

/* Two entries with one home slot: the second lies one past it, then past the bound. */
TEST(avtab_entry_beyond_the_probe_bound_is_rejected)
{
	uint32_t first[TPOL_AVTAB_SLOTS_MIN] = { 0 }, a = 0, b = 0;
	for (uint32_t k = 0; k < NTYPES * NTYPES && !b; k++) {
		uint32_t h = tpol_av_hash(k / NTYPES, k % NTYPES, TESSERA_CLASS_event) &
			     (TPOL_AVTAB_SLOTS_MIN - 1);
		if (first[h])
			a = first[h] - 1, b = k + 1;
		else
			first[h] = k + 1;
	}
	CHECK(b); /* 16 keys, 16 homes: two share one, or every home is taken */
	base_types(&pb);
	pb_label(&pb, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	pb_allow(&pb, a / NTYPES, a % NTYPES, TESSERA_CLASS_event, EV(send));
	pb_allow(&pb, (b - 1) / NTYPES, (b - 1) % NTYPES, TESSERA_CLASS_event, EV(bind));
	struct bin x = emit(&pb);
	CHECK_EQ(H(&x)->avtab_probe, 1);
	H(&x)->avtab_probe = 0;
	REJECTS(x, R_DUP);
	free(x.b);
}

/* An entry moved one slot past its home, which is left empty: lookups never reach it. */
TEST(avtab_entry_behind_an_empty_slot_is_rejected)
{
	struct bin x = base();
	uint32_t mask = H(&x)->avtab_slots - 1, i;
	for (i = 0; i <= mask; i++)
		if (AV(&x, i)->flags && home(&x, AV(&x, i)) == i && !AV(&x, (i + 1) & mask)->flags)
			break;
	CHECK(i <= mask);
	*AV(&x, (i + 1) & mask) = *AV(&x, i);
	memset(AV(&x, i), 0, sizeof(struct tpol_av));
	if (!H(&x)->avtab_probe)
		H(&x)->avtab_probe = 1;
	REJECTS(x, R_DUP);
	free(x.b);
}

TEST(avtab_used_count_mismatch_is_rejected)
{
	struct bin x = base();
	H(&x)->avtab_used--;
	REJECTS(x, R_USED);
	H(&x)->avtab_used += 2;
	REJECTS(x, R_USED);
	free(x.b);
}

/* --- lookups in a loaded policy ---------------------------------------------------- */

static uint32_t expected(const struct pb *b, uint32_t s, uint32_t t, uint32_t c)
{
	for (uint32_t i = 0; i < b->nav; i++)
		if (b->av[i].source == s && b->av[i].target == t && b->av[i].cls == c)
			return b->av[i].allowed;
	return 0;
}

TEST(valid_policy_loads_and_allows_exactly_its_bits)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK(p.hdr == (const void *)x.b);
	CHECK_EQ(p.ntypes, NTYPES);
	CHECK_EQ(p.nlabels, NLABELS);
	CHECK_EQ(p.core_type, T_CORE);
	for (uint32_t s = 0; s < NTYPES; s++)
		for (uint32_t t = 0; t < NTYPES; t++)
			for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
				CHECK_EQ(policy_allowed(&p, s, t, c), expected(&pb, s, t, c));
	CHECK_EQ(policy_allowed(&p, T_A, T_B, TESSERA_CLASS_event), EV(bind) | EV(send));
	CHECK_EQ(policy_allowed(&p, T_B, T_A, TESSERA_CLASS_grant), 0);
	free(x.b);
}

TEST(lookups_with_out_of_range_ids_allow_nothing)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK(policy_allowed(&p, T_A, T_CORE, TESSERA_CLASS_core));
	CHECK_EQ(policy_allowed(&p, NTYPES, T_CORE, TESSERA_CLASS_core), 0);
	CHECK_EQ(policy_allowed(&p, T_A, NTYPES, TESSERA_CLASS_core), 0);
	CHECK_EQ(policy_allowed(&p, T_A, T_CORE, TESSERA_CLASS_COUNT), 0);
	CHECK_EQ(policy_allowed(&p, UINT32_MAX, UINT32_MAX, UINT32_MAX), 0);
	CHECK_EQ(policy_allowed(&p, T_A | 0x10000, T_CORE, TESSERA_CLASS_core), 0);
	CHECK_EQ(policy_allowed(&p, T_A, T_CORE, TESSERA_CLASS_core | 0x10000), 0);
	free(x.b);
}

TEST(policy_with_no_entries_loads_and_allows_nothing)
{
	base_types(&pb);
	pb_label(&pb, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	struct bin x = emit(&pb);
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	for (uint32_t s = 0; s < NTYPES; s++)
		for (uint32_t t = 0; t < NTYPES; t++)
			for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
				CHECK_EQ(policy_allowed(&p, s, t, c), 0);
	free(x.b);
}

TEST(avtab_exactly_half_full_loads)
{
	base_types(&pb);
	pb_label(&pb, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	for (uint32_t i = 0; i < TPOL_AVTAB_SLOTS_MIN / 2; i++)
		pb_allow(&pb, i % NTYPES, i / NTYPES, TESSERA_CLASS_domain, DOM(lookup));
	struct bin x = emit(&pb);
	CHECK_EQ(H(&x)->avtab_slots, TPOL_AVTAB_SLOTS_MIN);
	CHECK_EQ(H(&x)->avtab_used, TPOL_AVTAB_SLOTS_MIN / 2);
	free(x.b);
}

TEST(rejected_policy_answers_no_to_everything)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	H(&x)->reserved = 1;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), -TESSERA_EINVAL);
	CHECK_EQ(policy_allowed(&p, T_A, T_CORE, TESSERA_CLASS_core), 0);
	CHECK(!policy_permissive(&p, T_B));
	CHECK_STREQ(policy_type_name(&p, T_A), "?");
	free(x.b);
}

/* A zeroed (never or unsuccessfully loaded) policy has no default label either. */
TEST(rejected_policy_gives_no_domain_a_type)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	H(&x)->reserved = 1;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), -TESSERA_EINVAL);
	CHECK_EQ(policy_domain_type(&p, "a"), -TESSERA_ENOENT);
	CHECK_EQ(policy_domain_type(&p, "nobody"), -TESSERA_ENOENT);
	free(x.b);
}

TEST(domain_type_is_its_own_label_else_the_default)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK_EQ(policy_domain_type(&p, "a"), T_A);
	CHECK_EQ(policy_domain_type(&p, "b-2"), T_B);
	CHECK_EQ(policy_domain_type(&p, "b"), T_DOM);
	CHECK_EQ(policy_domain_type(&p, "A"), T_DOM);
	CHECK_EQ(policy_domain_type(&p, "a "), T_DOM);
	CHECK_EQ(policy_domain_type(&p, ""), T_DOM);
	free(x.b);
}

TEST(domain_type_without_own_or_default_label_is_enoent)
{
	base_types(&pb);
	pb_label(&pb, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	pb_label(&pb, TPOL_LABEL_DOMAIN, T_B, "b", 0, 0);
	struct bin x = emit(&pb);
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK_EQ(policy_domain_type(&p, "b"), T_B);
	CHECK_EQ(policy_domain_type(&p, "a"), -TESSERA_ENOENT);
	CHECK_EQ(policy_domain_type(&p, ""), -TESSERA_ENOENT);
	free(x.b);
}

TEST(only_types_flagged_permissive_are_permissive)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK(!policy_permissive(&p, T_A));
	CHECK(policy_permissive(&p, T_B));
	CHECK(!policy_permissive(&p, T_CORE));
	CHECK(!policy_permissive(&p, T_DOM));
	CHECK(!policy_permissive(&p, NTYPES));
	CHECK(!policy_permissive(&p, UINT32_MAX));
	free(x.b);
}

TEST(type_names_come_from_the_policy_and_unknown_ids_are_question_marks)
{
	struct bin x = base();
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK_STREQ(policy_type_name(&p, T_A), "a_t");
	CHECK_STREQ(policy_type_name(&p, T_B), "b_t");
	CHECK_STREQ(policy_type_name(&p, T_CORE), "core_t");
	CHECK_STREQ(policy_type_name(&p, T_DOM), "dom_t");
	CHECK_STREQ(policy_type_name(&p, NTYPES), "?");
	CHECK_STREQ(policy_type_name(&p, UINT32_MAX), "?");
	free(x.b);
}

/* --- size -------------------------------------------------------------------------- */

#define BIG_TYPES 60
#define BIG_CLASSES 3

static uint32_t big_bits(uint32_t s, uint32_t t, uint32_t c)
{
	uint32_t m = tessera_class_mask(c), v = tpol_av_hash(t, s, c) & m;
	return v ? v : m;
}

TEST(policy_with_10800_entries_loads_and_finds_every_one)
{
	static char names[BIG_TYPES][8];
	pb_init(&pb);
	for (uint32_t i = 0; i < BIG_TYPES; i++) {
		names[i][0] = 't';
		names[i][1] = (char)('0' + i / 10);
		names[i][2] = (char)('0' + i % 10);
		CHECK_EQ(pb_type(&pb, names[i], 0), i);
	}
	pb_label(&pb, TPOL_LABEL_CORE, 0, NULL, 0, 0);
	for (uint32_t s = 0; s < BIG_TYPES; s++)
		for (uint32_t t = 0; t < BIG_TYPES; t++)
			for (uint32_t c = 1; c <= BIG_CLASSES; c++)
				pb.av[pb.nav++] = (struct tpol_av){ (uint16_t)s, (uint16_t)t, (uint16_t)c,
								    TPOL_AV_USED, big_bits(s, t, c) };
	CHECK_EQ(pb.nav, BIG_TYPES * BIG_TYPES * BIG_CLASSES);
	struct bin x = emit(&pb);
	struct policy p;
	const char *why = NULL;
	CHECK_EQ(policy_load(&p, x.b, x.size, &why), 0);
	CHECK(p.probe <= TPOL_PROBE_MAX);
	CHECK_EQ(p.probe, H(&x)->avtab_probe);
	CHECK_EQ(H(&x)->avtab_used, BIG_TYPES * BIG_TYPES * BIG_CLASSES);
	for (uint32_t s = 0; s < BIG_TYPES; s++)
		for (uint32_t t = 0; t < BIG_TYPES; t++) {
			CHECK_EQ(policy_allowed(&p, s, t, 0), 0);
			for (uint32_t c = 1; c <= BIG_CLASSES; c++)
				CHECK_EQ(policy_allowed(&p, s, t, c), big_bits(s, t, c));
		}
	CHECK_EQ(policy_allowed(&p, BIG_TYPES, 0, 1), 0);
	CHECK_STREQ(policy_type_name(&p, 42), "t42");
	free(x.b);
}

/* --- corruption -------------------------------------------------------------------- */

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* A policy the loader accepted: every accessor stays inside the binary y. */
static void check_safe(const struct policy *p, const struct bin *y)
{
	static const char *const names[] = { "a", "b-2", "b", "", "zzzzzzzzzzzzzzz" };
	const char *end = (const char *)y->b + y->size;
	CHECK(p->hdr == (const void *)y->b);
	CHECK(p->ntypes <= TPOL_TYPES_MAX);
	for (uint32_t s = 0; s <= p->ntypes; s++) {
		const char *name = policy_type_name(p, s);
		if (s < p->ntypes) {
			CHECK(name > (const char *)y->b && name < end);
			CHECK(memchr(name, 0, (size_t)(end - name)));
		}
		(void)policy_permissive(p, s);
		for (uint32_t t = 0; t <= p->ntypes; t++)
			for (uint32_t c = 0; c <= TESSERA_CLASS_COUNT; c++) {
				uint32_t v = policy_allowed(p, s, t, c);
				if (s == p->ntypes || t == p->ntypes || c == TESSERA_CLASS_COUNT)
					CHECK_EQ(v, 0);
				else
					CHECK_EQ(v & ~tessera_class_mask(c), 0);
			}
	}
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int32_t ty = policy_domain_type(p, names[i]);
		CHECK(ty == -TESSERA_ENOENT || (ty >= 0 && (uint32_t)ty < p->ntypes));
	}
}

/*
 * iters copies of x, each with 1-4 random changes at offsets from..to: whole
 * random bytes, or single bits. Each is rejected with a reason or safe to use.
 */
static void corrupt(const struct bin *x, uint64_t from, uint64_t to, bool bits,
		    unsigned *accepted, unsigned *rejected)
{
	struct bin y = copy(x, 0);
	for (unsigned iter = 0; iter < 2000; iter++) {
		struct policy p;
		const char *why = NULL;
		memcpy(y.b, x->b, x->size);
		for (unsigned n = 1 + rnd() % 4; n; n--) {
			uint64_t at = from + rnd() % (to - from);
			y.b[at] ^= (uint8_t)(bits ? 1u << (rnd() % 8) : 1 + rnd() % 255);
		}
		if (policy_load(&p, y.b, y.size, &why)) {
			CHECK(why && *why);
			CHECK(p.hdr == NULL);
			++*rejected;
			continue;
		}
		++*accepted;
		check_safe(&p, &y);
	}
	free(y.b);
}

TEST(randomly_corrupted_policies_are_rejected_or_safe_to_use)
{
	struct bin x = base();
	unsigned accepted = 0, rejected = 0;
	corrupt(&x, 0, x.size, false, &accepted, &rejected);
	CHECK(accepted > 0);
	CHECK(rejected > 0);
	free(x.b);
}

/* Single bits in the types, labels, table and strings: more of them survive the loader. */
TEST(random_bit_flips_in_the_sections_are_rejected_or_safe_to_use)
{
	struct bin x = base();
	unsigned accepted = 0, rejected = 0;
	corrupt(&x, H(&x)->types_off, x.size, true, &accepted, &rejected);
	CHECK(accepted >= 20); /* with this seed: 34 */
	CHECK(rejected > 1000);
	free(x.b);
}
