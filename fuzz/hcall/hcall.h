/*
 * The hypercall fuzzer (fuzz/README.md): the real dispatcher, MAC, grant, event
 * channel, device and domain code (the hosted core) on the simulated machine.
 *
 * Input: a header, then records until the input ends (a short tail is ignored).
 *   header  policy, number of domains, flags, per-domain name and size, creation faults
 *   record  fuzz/include/fuzzrec.h (shared with the full-system fuzzer)
 * All integers little-endian. After every record the oracles (oracle.c, model.c) run;
 * a broken invariant is abort().
 */
#ifndef FUZZ_HCALL_H
#define FUZZ_HCALL_H
#include <core/domain.h>
#include "../include/fuzzrec.h"
#include <tessera/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_DOMS_MAX 4  /* domains the header creates */
#define FZ_IDS 16      /* ids a record can name: creations and restarts stay below */
#define FZ_NAMES 6     /* domain names the header picks from (fz_names) */

struct fz_header {
	uint8_t policy;             /* % FZ_POLICIES */
	uint8_t ndoms;              /* 1 + % FZ_DOMS_MAX */
	uint8_t flags;              /* FZ_F_* */
	uint8_t create_faults;      /* bit i: frame allocation fails while domain i is made */
	uint8_t dom[FZ_DOMS_MAX];   /* name index (% FZ_NAMES) | FZ_D_* */
};
#define FZ_F_MEASURED 0x01 /* the boot was measured (eventlog_read works) */
#define FZ_F_NIC      0x02 /* domain 0 is given the NIC (pci=00:03.0) */
#define FZ_F_RESTART  0x04 /* domain 0 has restart=2 */
#define FZ_F_TPM      0x08 /* domain 1 has tpm=1 */
#define FZ_F_NO_IOMMU 0x10 /* no IOMMU: device assignment fails */
#define FZ_F_MSIX     0x20 /* the NIC has MSI-X (40 entries) instead of MSI */
#define FZ_F_GEN_HIGH 0x40 /* grant generations start at 0xfffe, as after 65,534 offer/end pairs */
#define FZ_D_4M       0x40 /* 4 MiB instead of 2 */
#define FZ_D_NAME     0x07

/* --- policies.c: the built-in policies, as descriptions the model reads ------------- */
#define FZ_POLICIES 4
#define FZ_TYPES_MAX 8
#define FZ_RULES_MAX 40
#define FZ_ALL 0xffffffffu /* every permission of the class */
struct fz_rule {
	uint8_t src, tgt, cls;
	uint32_t perms;
};
struct fz_policy {
	const char *name;
	uint32_t ntypes;
	const char *types[FZ_TYPES_MAX]; /* in strcmp order: a type's id is its index */
	uint32_t permissive;             /* bit per type */
	int8_t core, dflt;               /* the core's type; domains without a label (-1: none) */
	int8_t label[FZ_NAMES];          /* type of each fz_names[] domain, -1: no label */
	int8_t nic, tpm;                 /* the NIC's device label, the TPM page's iomem label */
	uint32_t nrules;
	struct fz_rule rules[FZ_RULES_MAX];
};
extern const char *const fz_names[FZ_NAMES];
extern const struct fz_policy fz_policies[FZ_POLICIES];
/* The compiled binary of policy i (tests/unit/policy_build.c), made once. */
const uint8_t *fz_policy_binary(uint32_t i, size_t *size);
/* The model: what the description says, without the core's policy code. */
bool fz_model_allows(const struct fz_policy *p, uint32_t src, uint32_t tgt, uint32_t cls,
		     uint32_t perm);
int32_t fz_model_domain_type(const struct fz_policy *p, const char *name);

/* --- machine.c: the simulated machine, snapshots, faults ---------------------------- */
#define FZ_NIC_SBDF (3u << 3) /* 00:03.0 */
void fz_machine_init(void);
/* Back to the state after boot (measured or not), the policy loaded, domains made. */
void fz_machine_reset(const struct fz_header *h);
extern uint8_t fz_faults;  /* FZ_X_* in force */
extern uint32_t fz_domains_made;

/* --- oracle.c: invariants of frames, grants, channels, devices ----------------------- */
void fz_check_invariants(bool full);
/* abort() with a message naming the record. */
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern uint32_t fz_record_index;

/* --- model.c: every state change allowed by the model, every denial exact ------------ */
struct fz_before;
/* Capture what a call may change, and what the model says of it; returns the capture. */
struct fz_before *fz_model_before(const struct fz_policy *p, struct domain *caller,
				  uint64_t nr, const uint64_t arg[5]);
void fz_model_after(struct fz_before *b, int64_t ret);
#endif
