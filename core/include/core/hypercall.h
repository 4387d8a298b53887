#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H
#include <core/domain.h>
#include <tessera/access.h>
#include <tessera/hypercall.h>

/* What a call's access check is made on (the target column of hypercall.def). */
enum hcall_target { HCALL_TARGET_CORE, HCALL_TARGET_SELF, HCALL_TARGET_DOMAIN, HCALL_TARGET_NAME,
		    HCALL_TARGET_PORT, HCALL_TARGET_DEVICE };

/* A call's arguments, read once from the guest's registers, and its checked target. */
struct hcall_ctx {
	uint64_t arg[TESSERA_HCALL_MAX_ARGS];
	struct domain *target; /* the domain the check was made on; NULL for the core */
	struct pci_dev *dev;   /* DEVICE targets: the caller's device the check was made on */
};

typedef int64_t (*hcall_fn)(struct vcpu *v, const struct hcall_ctx *hc);

struct hcall_entry {
	hcall_fn fn;
	const char *name;
	uint8_t nargs;
	uint8_t cls;    /* enum tessera_class */
	uint8_t perm;   /* permission bit within the class */
	uint8_t target; /* enum hcall_target */
};

#define HCALL(num, name, nargs, cls, perm, target, doc) \
	int64_t hc_##name(struct vcpu *v, const struct hcall_ctx *hc);
#include <tessera/hypercall.def>
#undef HCALL

/* Checked accessor: NULL for a number outside the table. */
const struct hcall_entry *hcall_lookup(uint64_t nr);
/* Decode RAX/args, find the target, check access, run the handler; status into RAX. */
void hypercall_dispatch(struct vcpu *v);
#endif
