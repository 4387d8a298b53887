/*
 * No handler runs before its access check, for every entry of the table.
 * The unit-test binary is linked with --wrap=hc_<name> for every hypercall
 * (mk/unit.mk, from hypercall.def), so the table's pointers reach the
 * counters below before the real handlers: a handler that ran is seen even
 * if the dispatcher were changed to skip or reorder the check.
 */
#include "util.h"
#include "policy_build.h"
#include <core/acpi.h>
#include <core/avc.h>
#include <core/iommu.h>
#include <core/pci.h>
#include <core/frame.h>
#include <core/hypercall.h>
#include <tessera/errno.h>
#include <stdlib.h>

static unsigned handler_ran[TESSERA_HC_COUNT];

#define HCALL(num, name, nargs, cls, perm, target, doc)                            \
	int64_t __real_hc_##name(struct vcpu *v, const struct hcall_ctx *hc);      \
	int64_t __wrap_hc_##name(struct vcpu *v, const struct hcall_ctx *hc);      \
	int64_t __wrap_hc_##name(struct vcpu *v, const struct hcall_ctx *hc)       \
	{                                                                          \
		handler_ran[num]++;                                                \
		return __real_hc_##name(v, hc);                                    \
	}
#include <tessera/hypercall.def>
#undef HCALL

enum { A_T, B_T, CORE_T, DEV_T };
#define NAME_GPA 0x3000ULL

/*
 * a_t may do everything to itself, to b_t and to the core, except `perm` of
 * `cls` on `without` (when without >= 0).
 */
static void load_policy(int without, uint32_t cls, uint32_t perm)
{
	static struct pb b;
	static uint8_t *bin;
	size_t size;
	const char *why = NULL;
	pb_init(&b);
	pb_type(&b, "a_t", 0);
	pb_type(&b, "b_t", 0);
	pb_type(&b, "core_t", 0);
	pb_type(&b, "dev_t", 0);
	pb_label(&b, TPOL_LABEL_CORE, CORE_T, NULL, 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, A_T, "a", 0, 0);
	pb_label(&b, TPOL_LABEL_DOMAIN, B_T, "b", 0, 0);
	for (uint32_t t = A_T; t <= DEV_T; t++) {
		for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++) {
			uint32_t bits = tessera_class_mask(c);
			if ((c == TESSERA_CLASS_core) != (t == CORE_T) ||
			    (c == TESSERA_CLASS_device) != (t == DEV_T))
				continue;
			if ((int)t == without && c == cls)
				bits &= ~(1u << perm);
			if (bits)
				pb_allow(&b, A_T, t, c, bits);
		}
	}
	free(bin);
	bin = pb_emit(&b, &size);
	avc_reset();
	if (avc_load(bin, size, &why))
		test_fail(__FILE__, __LINE__, "policy rejected: %s", why);
}

static int target_type(uint8_t target)
{
	switch (target) {
	case HCALL_TARGET_CORE:
		return CORE_T;
	case HCALL_TARGET_SELF:
		return A_T;
	case HCALL_TARGET_DEVICE:
		return DEV_T;
	default:
		return B_T;
	}
}

/*
 * Domains a and b with what every target kind needs: a bound port 0, b's name
 * in a, and device 0 of a (a simulated PCI function at 00:03.0, labelled dev_t).
 */
static struct domain *setup(struct domain **b)
{
	struct acpi_info ai = { .nmcfg = 1, .mcfg = { { SIM_ECAM_BASE, 0, 0, 1 } } };
	sim_pci_add(0x18, 0x1af4, 0x1042, 0x01000000);
	CHECK_EQ(pci_init(&ai, NULL), 1);
	load_policy(-1, 0, 0);
	machine_frames_init();
	struct domain *a = make_domain("a", 2ULL << 20);
	*b = make_domain("b", 2ULL << 20);
	a->ports[0] = (struct evtchn_port){ EVTCHN_BOUND, 0, (*b)->id };
	(*b)->ports[0] = (struct evtchn_port){ EVTCHN_BOUND, 0, a->id };
	memcpy(a->mem + NAME_GPA, "b", 2);
	const char *why = NULL;
	CHECK_EQ(iommu_init(&ai, &why), 0);
	CHECK_EQ(pci_assign(a, pci_find(0x18), &why), 0);
	a->devs[0]->type = DEV_T;
	return a;
}

static uint64_t first_arg(uint8_t target, const struct domain *b)
{
	switch (target) {
	case HCALL_TARGET_DOMAIN:
		return b->id;
	case HCALL_TARGET_NAME:
		return NAME_GPA;
	default:
		return 0; /* port 0; for other targets an argument like any */
	}
}

static void check_entry(uint64_t nr)
{
	struct domain *b, *a = setup(&b);
	const struct hcall_entry *e = hcall_lookup(nr);
	CHECK(e != NULL);
	uint64_t a0 = first_arg(e->target, b);
	/* Everything allowed but this entry's permission on its target: denied, handler not run. */
	load_policy(target_type(e->target), e->cls, e->perm);
	CHECK_EQ(hcall(&a->vcpu, nr, a0, 0x1000, 0, 0, 0), -TESSERA_EACCES);
	CHECK_EQ(handler_ran[nr], 0);
	CHECK_HAS(sim_console(), "tessera: avc: denied { ");
	char want[64];
	snprintf(want, sizeof(want), " hcall=%s sdom=%u sname=a scontext=a_t ", e->name, a->id);
	CHECK_HAS(sim_console(), want);
	CHECK_EQ(a->state, DOMAIN_RUNNING);
	/* The same call with that permission granted reaches the handler exactly once. */
	load_policy(-1, 0, 0);
	int64_t rc = hcall(&a->vcpu, nr, a0, 0x1000, 0, 0, 0);
	CHECK(rc != -TESSERA_EACCES);
	CHECK_EQ(handler_ran[nr], 1);
}

#define HCALL(num, name, nargs, cls, perm, target, doc)                            \
	TEST(access_check_precedes_handler_of_##name)                              \
	{                                                                          \
		check_entry(num);                                                  \
	}
#include <tessera/hypercall.def>
#undef HCALL

/* The table's class and permission are exactly the ones hypercall.def names. */
TEST(access_table_matches_hypercall_def_for_every_entry)
{
	static const struct {
		uint32_t cls, perm;
		uint8_t target;
	} want[] = {
#define HCALL(num, name, nargs, cls, perm, target, doc)                            \
	[num] = { TESSERA_CLASS_##cls, TESSERA_PERMBIT(cls, perm), HCALL_TARGET_##target },
#include <tessera/hypercall.def>
#undef HCALL
	};
	for (uint64_t nr = 0; nr < TESSERA_HC_COUNT; nr++) {
		const struct hcall_entry *e = hcall_lookup(nr);
		CHECK(e != NULL);
		CHECK_EQ(e->cls, want[nr].cls);
		CHECK_EQ(e->perm, want[nr].perm);
		CHECK_EQ(e->target, want[nr].target);
		CHECK(tessera_class_mask(e->cls) & (1u << e->perm));
	}
}

/* Without a policy, nothing at all is allowed, not even the version. */
TEST(access_without_policy_denies_every_hypercall)
{
	struct domain *b, *a = setup(&b);
	avc_reset();
	for (uint64_t nr = 0; nr < TESSERA_HC_COUNT; nr++)
		CHECK_EQ(hcall(&a->vcpu, nr, first_arg(hcall_lookup(nr)->target, b), 0, 0, 0, 0),
			 -TESSERA_EACCES);
	for (uint64_t nr = 0; nr < TESSERA_HC_COUNT; nr++)
		CHECK_EQ(handler_ran[nr], 0);
}
