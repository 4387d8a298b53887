/*
 * The access-vector check. One hash probe sequence bounded by the policy's
 * probe limit (at most TPOL_PROBE_MAX slots), so the cost does not grow with
 * the policy. Default deny: no policy, no type, no entry or no bit all deny.
 */
#include <core/avc.h>
#include <core/console.h>
#include <core/domain.h>
#include <core/pci.h>
#include <core/lib.h>
#include <core/policy.h>
#include <tessera/errno.h>

static struct policy avc_policy;

static const char *const class_names[TESSERA_CLASS_COUNT] = {
#define ACCESS_CLASS(cls, doc) [TESSERA_CLASS_##cls] = #cls,
#define ACCESS_PERM(cls, perm, doc)
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
};

/* Indexed like enum tessera_access_index: a class's permissions follow its marker. */
static const char *const access_names[TESSERA_AIDX_COUNT] = {
#define ACCESS_CLASS(cls, doc) [TESSERA_AIDX_##cls] = #cls,
#define ACCESS_PERM(cls, perm, doc) [TESSERA_AIDX_##cls##_##perm] = #perm,
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
};

static const uint32_t class_marker[TESSERA_CLASS_COUNT] = {
#define ACCESS_CLASS(cls, doc) [TESSERA_CLASS_##cls] = TESSERA_AIDX_##cls,
#define ACCESS_PERM(cls, perm, doc)
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
};

int avc_load(const void *buf, uint64_t size, const char **why)
{
	return policy_load(&avc_policy, buf, size, why);
}

void avc_describe(uint64_t size)
{
	const struct policy *p = &avc_policy;
	uint32_t permissive = 0;
	for (uint32_t t = 0; t < p->ntypes; t++)
		permissive += policy_permissive(p, t);
	kprintf("tessera: policy loaded: %lu bytes, %u types, %u access vectors, %s\n",
		(unsigned long)size, p->ntypes, p->hdr ? p->hdr->avtab_used : 0,
		permissive ? "enforcing except for permissive types" : "enforcing");
	for (uint32_t t = 0; t < p->ntypes; t++)
		if (policy_permissive(p, t))
			kprintf("tessera: policy: type %s is permissive: what it lacks is granted and logged\n",
				policy_type_name(p, t));
}

bool avc_loaded(void)
{
	return avc_policy.hdr != NULL;
}

int32_t avc_domain_type(const char *name)
{
	return policy_domain_type(&avc_policy, name);
}

const char *avc_type_name(uint32_t type)
{
	return policy_type_name(&avc_policy, type);
}

static const char *perm_name(uint32_t cls, uint32_t perm)
{
	uint64_t i = (uint64_t)class_marker[cls] + 1 + perm;
	return perm < TESSERA_PERMS_MAX && (tessera_class_mask(cls) >> perm & 1) ? access_names[i] : "?";
}

/* What a check was made on: a domain, the core (both NULL) or a device. */
struct avc_target {
	const struct domain *dom;
	const struct pci_dev *dev;
	uint32_t type;
};

/*
 * Each domain has its own budget, so one domain's flood cannot hide another's
 * records. The target prints as tdom=ID, tdom=core, or tdom=device with its
 * address as tname. Only here, on a denial, is anything formatted.
 */
static void audit(struct domain *s, const struct avc_target *t, uint32_t cls, uint32_t perm,
		  const char *hcall, bool permissive)
{
	char tdom[12] = "core", tname[TESSERA_NAME_MAX] = "core";
	if (s->audit.spent >= AVC_AUDIT_BURST) {
		s->audit.suppressed++;
		return;
	}
	s->audit.spent++;
	if (s->audit.suppressed) {
		kprintf("tessera: avc: %lu denial records suppressed\n", (unsigned long)s->audit.suppressed);
		s->audit.suppressed = 0;
	}
	if (t->dom) {
		ksnprintf(tdom, sizeof(tdom), "%u", t->dom->id);
		ksnprintf(tname, sizeof(tname), "%s", t->dom->name);
	} else if (t->dev) {
		ksnprintf(tdom, sizeof(tdom), "device");
		ksnprintf(tname, sizeof(tname), SBDF_FMT, SBDF_ARGS(t->dev->sbdf));
	}
	kprintf("tessera: avc: denied { %s } hcall=%s sdom=%u sname=%s scontext=%s "
		"tdom=%s tname=%s tcontext=%s tclass=%s permissive=%u\n",
		perm_name(cls, perm), hcall, s->id, s->name, avc_type_name(s->type), tdom, tname,
		avc_type_name(t->type), class_names[cls], permissive);
}

/* 0 if allowed (or permissive); else -EACCES. Records what it did not enforce or refused. */
static int check(struct domain *s, const struct avc_target *t, uint32_t cls, uint32_t perm,
		 const char *hcall)
{
	bool permissive;
	/* policy_allowed is 0 without a policy or for a class out of range: default deny. */
	if (perm < TESSERA_PERMS_MAX && (policy_allowed(&avc_policy, s->type, t->type, cls) >> perm & 1))
		return 0;
	if (cls >= TESSERA_CLASS_COUNT || perm >= TESSERA_PERMS_MAX || !avc_loaded())
		return -TESSERA_EACCES;
	permissive = policy_permissive(&avc_policy, s->type);
	audit(s, t, cls, perm, hcall, permissive);
	return permissive ? 0 : -TESSERA_EACCES;
}

int avc_check(struct domain *subject, const struct domain *target, uint32_t cls,
	      uint32_t perm, const char *hcall)
{
	struct avc_target t = { target, NULL, target ? target->type : avc_policy.core_type };
	return check(subject, &t, cls, perm, hcall);
}

int avc_check_device(struct domain *subject, const struct pci_dev *dev, uint32_t cls,
		     uint32_t perm, const char *hcall)
{
	struct avc_target t = { NULL, dev, dev->type };
	return check(subject, &t, cls, perm, hcall);
}

/*@ requires policy_table(&avc_policy);
    assigns \nothing;
    ensures \result ==> perm < TESSERA_PERMS_MAX &&
      \exists integer a; policy_grants(&avc_policy, source, target, cls, a) && (a >> perm & 1); */
bool avc_allowed(uint32_t source, uint32_t target, uint32_t cls, uint32_t perm)
{
	return perm < TESSERA_PERMS_MAX && (policy_allowed(&avc_policy, source, target, cls) >> perm & 1);
}

int32_t avc_label(uint32_t kind, uint64_t value)
{
	return policy_label_type(&avc_policy, kind, value);
}

void avc_audit_tick(struct domain *d)
{
	if (++d->audit.ticks < AVC_AUDIT_TICKS)
		return;
	d->audit.ticks = 0;
	if (d->audit.spent)
		d->audit.spent--;
}

void avc_reset(void)
{
	memset(&avc_policy, 0, sizeof(avc_policy));
}
