/* The hypercall dispatcher: one table, generated from tessera/hypercall.def. */
#include <core/hypercall.h>
#include <tessera/errno.h>

static const struct hcall_entry hcall_table[TESSERA_HC_COUNT] = {
#define HCALL(num, name, nargs, doc) [num] = { hc_##name, #name, nargs },
#include <tessera/hypercall.def>
#undef HCALL
};

const struct hcall_entry *hcall_lookup(uint64_t nr)
{
	if (nr >= TESSERA_HC_COUNT || !hcall_table[nr].fn)
		return NULL;
	return &hcall_table[nr];
}

void hypercall_dispatch(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->regs;
	/* Snapshot the arguments once; handlers never reread guest registers. */
	const uint64_t args[TESSERA_HCALL_MAX_ARGS] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
	const struct hcall_entry *e = hcall_lookup(r->rax);
	int64_t ret = e ? e->fn(v, args) : -TESSERA_ENOSYS;
	v->regs.rax = (uint64_t)ret;
}

int64_t hc_version(struct vcpu *v, const uint64_t *args)
{
	(void)v;
	(void)args;
	return TESSERA_ABI_VERSION;
}
