/*
 * The built-in policies, each written once as a description: the binary the core
 * loads is compiled from it (tests/unit/policy_build.c), and the model answers
 * from it directly, so a bug in the core's policy loader or access check shows
 * as a disagreement instead of being repeated by the oracle.
 */
#include "hcall.h"
#include "../../tests/unit/policy_build.h"
#include <core/measure.h>
#include <stdlib.h>
#include <string.h>

#define C(x) TESSERA_CLASS_##x
#define P(c, p) TESSERA_PERM(c, p)

const char *const fz_names[FZ_NAMES] = { "a", "b", "c", "console", "x", "attest" };

/* Type ids of the restrictive policies (sorted names). */
enum { A_T, B_T, C_T, CORE_T, NIC_T, TPM_T };
#define RESTRICTIVE_RULES                                                                   \
	{ A_T, CORE_T, C(core), P(core, version) | P(core, console) | P(core, yield) },      \
	{ B_T, CORE_T, C(core), P(core, version) | P(core, eventlog) },                       \
	{ A_T, A_T, C(domain), P(domain, getinfo) | P(domain, exit) },                        \
	{ A_T, A_T, C(event), P(event, setup) | P(event, close) | P(event, create) },         \
	{ A_T, A_T, C(grant), P(grant, end) | P(grant, unmap) },                              \
	{ B_T, B_T, C(domain), P(domain, getinfo) | P(domain, publish) },                     \
	{ B_T, B_T, C(event), P(event, setup) | P(event, close) },                            \
	{ B_T, B_T, C(grant), P(grant, end) | P(grant, unmap) },                              \
	{ A_T, B_T, C(event), P(event, create) | P(event, bind) | P(event, send) },            \
	{ A_T, B_T, C(grant), P(grant, map) },                                                \
	{ A_T, B_T, C(domain), P(domain, lookup) | P(domain, getinfo) },                      \
	{ B_T, A_T, C(event), P(event, create) | P(event, bind) },                            \
	{ B_T, A_T, C(grant), P(grant, offer) },                                              \
	{ C_T, A_T, C(event), P(event, bind) },                                               \
	{ A_T, NIC_T, C(device), P(device, assign) | P(device, getinfo) | P(device, config) }, \
	{ B_T, TPM_T, C(device), P(device, assign) }

/* Console system (like policy/examples/default.tpol): app_t clients, cons_t console, drv_t. */
enum { APP_T, CONS_T, K_T, DRV_T, KNIC_T };

const struct fz_policy fz_policies[FZ_POLICIES] = {
	{ "allow-all", 2, { "core_t", "dom_t" }, 0, 0, 1, { -1, -1, -1, -1, -1, -1 }, 1, 1, 5,
	  { { 1, 0, C(core), FZ_ALL }, { 1, 1, C(domain), FZ_ALL }, { 1, 1, C(event), FZ_ALL },
	    { 1, 1, C(grant), FZ_ALL }, { 1, 1, C(device), FZ_ALL } } },
	{ "restrictive", 6, { "a_t", "b_t", "c_t", "core_t", "nic_t", "tpm_t" }, 0, CORE_T, -1,
	  { A_T, B_T, C_T, -1, -1, -1 }, NIC_T, TPM_T, 16, { RESTRICTIVE_RULES } },
	{ "permissive-c", 6, { "a_t", "b_t", "c_t", "core_t", "nic_t", "tpm_t" }, 1u << C_T, CORE_T,
	  C_T, { A_T, B_T, C_T, -1, -1, -1 }, NIC_T, TPM_T, 16, { RESTRICTIVE_RULES } },
	{ "console", 5, { "app_t", "cons_t", "core_t", "drv_t", "nic_t" }, 0, K_T, DRV_T,
	  { APP_T, APP_T, -1, CONS_T, -1, -1 }, KNIC_T, -1, 21,
	  { { CONS_T, K_T, C(core), P(core, version) | P(core, console) | P(core, readlog) |
					P(core, serial) | P(core, yield) },
	    { APP_T, K_T, C(core), P(core, version) | P(core, console) | P(core, eventlog) },
	    { DRV_T, K_T, C(core), P(core, console) },
	    { CONS_T, APP_T, C(domain), P(domain, getinfo) },
	    { CONS_T, APP_T, C(event), P(event, bind) | P(event, send) },
	    { CONS_T, APP_T, C(grant), P(grant, map) },
	    { APP_T, CONS_T, C(domain), P(domain, lookup) },
	    { APP_T, CONS_T, C(event), P(event, create) | P(event, send) },
	    { APP_T, CONS_T, C(grant), P(grant, offer) },
	    { APP_T, APP_T, C(domain), P(domain, getinfo) | P(domain, exit) | P(domain, publish) },
	    { APP_T, APP_T, C(event), FZ_ALL },
	    { APP_T, APP_T, C(grant), FZ_ALL },
	    { CONS_T, CONS_T, C(domain), P(domain, getinfo) | P(domain, exit) },
	    { CONS_T, CONS_T, C(event), P(event, setup) | P(event, create) | P(event, close) },
	    { CONS_T, CONS_T, C(grant), P(grant, end) | P(grant, unmap) },
	    { DRV_T, KNIC_T, C(device), FZ_ALL },
	    { DRV_T, DRV_T, C(event), FZ_ALL },
	    { DRV_T, DRV_T, C(grant), FZ_ALL },
	    { DRV_T, APP_T, C(grant), P(grant, map) | P(grant, offer) },
	    { APP_T, DRV_T, C(grant), P(grant, map) | P(grant, offer) },
	    { APP_T, DRV_T, C(event), P(event, create) | P(event, bind) | P(event, send) } } },
};

const uint8_t *fz_policy_binary(uint32_t i, size_t *size)
{
	static uint8_t *bin[FZ_POLICIES];
	static size_t len[FZ_POLICIES];
	static struct pb b;
	const struct fz_policy *p = &fz_policies[i];
	if (!bin[i]) {
		pb_init(&b);
		for (uint32_t t = 0; t < p->ntypes; t++)
			pb_type(&b, p->types[t], p->permissive >> t & 1 ? TPOL_TYPE_PERMISSIVE : 0);
		pb_label(&b, TPOL_LABEL_CORE, (uint32_t)p->core, NULL, 0, 0);
		/* Domain labels sorted by name: fz_names is not, so pick them in order. */
		for (const char *last = ""; ;) {
			int next = -1;
			for (int n = 0; n < FZ_NAMES; n++)
				if (p->label[n] >= 0 && strcmp(fz_names[n], last) > 0 &&
				    (next < 0 || strcmp(fz_names[n], fz_names[next]) < 0))
					next = n;
			if (next < 0)
				break;
			pb_label(&b, TPOL_LABEL_DOMAIN, (uint32_t)p->label[next], fz_names[next], 0, 0);
			last = fz_names[next];
		}
		if (p->dflt >= 0)
			pb_label(&b, TPOL_LABEL_DOMAIN_DEFAULT, (uint32_t)p->dflt, NULL, 0, 0);
		if (p->nic >= 0)
			pb_label(&b, TPOL_LABEL_DEVICE, (uint32_t)p->nic, NULL, FZ_NIC_SBDF, FZ_NIC_SBDF);
		if (p->tpm >= 0)
			pb_label(&b, TPOL_LABEL_IOMEM, (uint32_t)p->tpm, NULL, TPM_PAGE, TPM_PAGE + 0xfff);
		for (uint32_t r = 0; r < p->nrules; r++) {
			const struct fz_rule *e = &p->rules[r];
			pb_allow(&b, e->src, e->tgt, e->cls, e->perms & tessera_class_mask(e->cls));
		}
		bin[i] = pb_emit(&b, &len[i]);
	}
	*size = len[i];
	return bin[i];
}

bool fz_model_allows(const struct fz_policy *p, uint32_t src, uint32_t tgt, uint32_t cls,
		     uint32_t perm)
{
	if (src < p->ntypes && (p->permissive >> src & 1))
		return true;
	for (uint32_t r = 0; r < p->nrules; r++) {
		const struct fz_rule *e = &p->rules[r];
		if (e->src == src && e->tgt == tgt && e->cls == cls && (e->perms >> perm & 1))
			return true;
	}
	return false;
}

int32_t fz_model_domain_type(const struct fz_policy *p, const char *name)
{
	for (int n = 0; n < FZ_NAMES; n++)
		if (!strcmp(fz_names[n], name) && p->label[n] >= 0)
			return p->label[n];
	return p->dflt;
}
