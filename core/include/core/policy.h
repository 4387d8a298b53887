/*
 * A loaded MAC policy: a validated view of the compiled binary (format in
 * tessera/policy.h). policy_load() checks every field before anything reads
 * one; after that the accessors index only through checked values. The same
 * code is linked into the host tools, so `tessera-policy dump` accepts exactly
 * what the core accepts.
 */
#ifndef CORE_POLICY_H
#define CORE_POLICY_H
#include <core/types.h>
#include <tessera/access.h>
#include <tessera/policy.h>

struct policy {
	const struct tpol_header *hdr;
	const struct tpol_type *types;
	const struct tpol_label *labels;
	const struct tpol_av *avtab;
	const char *strings;
	uint32_t ntypes, nlabels;
	uint32_t avmask, probe;
	uint32_t core_type;
	int32_t default_type; /* for domains without a label of their own; -1: none */
};

/* Validate size bytes at buf (8-byte aligned); 0, or -TESSERA_EINVAL with *why set. */
int policy_load(struct policy *p, const void *buf, uint64_t size, const char **why);
/* The permissions source may exercise on target in class cls: 0 unless a rule grants them. */
uint32_t policy_allowed(const struct policy *p, uint32_t source, uint32_t target, uint32_t cls);
bool policy_permissive(const struct policy *p, uint32_t type);
const char *policy_type_name(const struct policy *p, uint32_t type);
/* The type a domain of that name runs as: its own label, the default, or -TESSERA_ENOENT. */
int32_t policy_domain_type(const struct policy *p, const char *name);
/* The type of the range label of that kind (device, ioport, iomem, irq) holding value. */
int32_t policy_label_type(const struct policy *p, uint32_t kind, uint64_t value);
#endif
