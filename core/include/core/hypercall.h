#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H
#include <core/domain.h>
#include <tessera/hypercall.h>

typedef int64_t (*hcall_fn)(struct vcpu *v, const uint64_t *args);

struct hcall_entry {
	hcall_fn fn;
	const char *name;
	uint8_t nargs;
};

#define HCALL(num, name, nargs, doc) int64_t hc_##name(struct vcpu *v, const uint64_t *args);
#include <tessera/hypercall.def>
#undef HCALL

/* Checked accessor: NULL for a number outside the table. */
const struct hcall_entry *hcall_lookup(uint64_t nr);
/* Decode RAX/args from the vCPU, run the handler, store the status in RAX. */
void hypercall_dispatch(struct vcpu *v);
#endif
