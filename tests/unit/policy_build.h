/*
 * Building compiled policies in memory for the unit tests: the canonical
 * layout of tessera/policy.h from a list of types, labels and allow entries,
 * so tests can make exact policies and then break one field at a time.
 * (The real compiler is policy/compiler; this is only the test's builder.)
 */
#ifndef UNIT_POLICY_BUILD_H
#define UNIT_POLICY_BUILD_H
#include <tessera/access.h>
#include <tessera/policy.h>
#include <stddef.h>

#define PB_MAX 64
#define PB_AV_MAX 12000

struct pb {
	uint32_t ntypes, nlabels, nav;
	const char *type_names[PB_MAX]; /* add in strcmp order: the id is the index */
	uint32_t type_flags[PB_MAX];
	struct tpol_label labels[PB_MAX]; /* add in canonical order */
	const char *label_names[PB_MAX];
	struct tpol_av av[PB_AV_MAX];
};

void pb_init(struct pb *b);
uint32_t pb_type(struct pb *b, const char *name, uint32_t flags);
void pb_label(struct pb *b, uint32_t kind, uint32_t type, const char *name, uint64_t lo, uint64_t hi);
void pb_allow(struct pb *b, uint32_t source, uint32_t target, uint32_t cls, uint32_t perms);
/* The binary, 8-byte aligned, malloc'ed (free it); *size its length. */
uint8_t *pb_emit(const struct pb *b, size_t *size);

/*
 * The permissive default the unit tests boot with: types core_t (0), dom_t (1);
 * every domain is dom_t; dom_t may do everything to core_t and to dom_t.
 */
uint8_t *pb_allow_all(size_t *size);
/* Load the allow-all policy into the core's AVC (sim_reset does this). */
void pb_load_allow_all(void);
#endif
