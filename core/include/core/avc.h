/*
 * Mandatory access control: the boot policy and the access-vector check every
 * hypercall passes (the table in hypercall.c names each call's class and
 * permission). Nothing is allowed until a valid policy is loaded.
 */
#ifndef CORE_AVC_H
#define CORE_AVC_H
#include <core/types.h>
#include <tessera/access.h>
#include <tessera/policy.h>

struct domain;

/*
 * Denial records are rate limited per subject domain: a burst, then one more
 * for every AVC_AUDIT_TICKS of its own time slices that expire (10 ms each),
 * so a domain that does nothing but fail checks prints at most 20 a second.
 */
#define AVC_AUDIT_BURST 16
#define AVC_AUDIT_TICKS 5

struct avc_audit {
	uint32_t spent;      /* records printed in the current burst */
	uint32_t ticks;      /* expired slices since the last refill */
	uint64_t suppressed; /* records dropped since the last one printed */
};

int avc_load(const void *buf, uint64_t size, const char **why);
bool avc_loaded(void);
/* Print what was loaded: size, types, entries, and every permissive type by name. */
void avc_describe(uint64_t size);
/* The type of a domain with that name, or -TESSERA_ENOENT (no label and no default). */
int32_t avc_domain_type(const char *name);
const char *avc_type_name(uint32_t type);
/*
 * May subject exercise permission bit `perm` of class `cls` on target (NULL:
 * the core)? 0, or -TESSERA_EACCES. A denial, and a grant only a permissive
 * subject type got, leaves one rate-limited record naming both sides and hcall.
 */
int avc_check(struct domain *subject, const struct domain *target, uint32_t cls,
	      uint32_t perm, const char *hcall);
/* The same for a device target (the caller's assigned device). */
struct pci_dev;
int avc_check_device(struct domain *subject, const struct pci_dev *dev, uint32_t cls,
		     uint32_t perm, const char *hcall);
/* A plain check without a record (boot-time decisions that report their own reason). */
bool avc_allowed(uint32_t source, uint32_t target, uint32_t cls, uint32_t perm);
/* The type a label of that kind (TPOL_LABEL_*) gives value, or -TESSERA_ENOENT. */
int32_t avc_label(uint32_t kind, uint64_t value);
/* One of d's time slices expired: every AVC_AUDIT_TICKS, one more record for d. */
void avc_audit_tick(struct domain *d);
/* Forget the policy (hosted tests need this). */
void avc_reset(void);
#endif
