#ifndef CORE_GRANT_H
#define CORE_GRANT_H
#include <core/types.h>
#include <tessera/grant.h>

/* A frame the domain offers (in the granter). */
struct grant_entry {
	bool active;
	uint8_t flags;
	uint16_t gen;   /* bumped on every reuse: a stale reference never matches */
	uint32_t peer;
	uint64_t gfn;
	uint32_t maps;  /* mappings of it in the peer: the frame lives while nonzero */
};

/* A grant-window slot (in the mapper). */
struct grant_slot {
	bool used, writable;
	uint32_t granter;
	uint64_t ref;
};

struct domain;
/* Unmap every slot of d, then release what d granted; frames still mapped by
 * others stay allocated until their last mapping goes. Returns whether frame
 * gfn of d must stay allocated. */
void grant_domain_destroy(struct domain *d);
bool grant_frame_in_use(const struct domain *d, uint64_t gfn);
/* Describe a fault in the grant window, or NULL if gpa is not in it. */
const char *grant_fault_reason(const struct domain *d, uint64_t gpa);
#endif
