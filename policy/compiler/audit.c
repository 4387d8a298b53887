/*
 * `explain` and `allow`: denial records (audit_log.c) grouped into the rules
 * that would grant them, as audit2allow does for SELinux. A group is one
 * (source type, target type or self, class); its rule grants exactly the
 * permissions denied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <core/policy.h>
#include "audit.h"

static int audit_cmp_group(const struct audit_rec *x, const struct audit_rec *y)
{
	int c = strcmp(x->stype, y->stype);
	if (c)
		return c;
	c = strcmp(x->self ? "self" : x->ttype, y->self ? "self" : y->ttype);
	if (c)
		return c;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

/* Within a group: by who called what on whom. */
static int audit_cmp_detail(const struct audit_rec *x, const struct audit_rec *y)
{
	int c = strcmp(x->sname, y->sname);
	if (!c && x->sdom != y->sdom)
		c = x->sdom < y->sdom ? -1 : 1;
	if (!c)
		c = strcmp(x->hcall, y->hcall);
	if (!c)
		c = strcmp(x->tname, y->tname);
	if (!c && x->tdom != y->tdom)
		c = x->tdom < y->tdom ? -1 : 1;
	if (!c && x->bit != y->bit)
		c = x->bit < y->bit ? -1 : 1;
	return c;
}

static int audit_cmp(const void *a, const void *b)
{
	int c = audit_cmp_group(a, b);
	return c ? c : audit_cmp_detail(a, b);
}

static void audit_rule(const struct audit_rec *r, uint32_t perms)
{
	printf("allow %s %s:%s ", r->stype, r->self ? "self" : r->ttype, vocab_class_name(r->cls));
	vocab_print_perms(r->cls, perms);
	printf(";\n");
}

/* Types are sorted by name in a binary: binary search. */
static int32_t audit_type_id(const struct policy *p, const char *name)
{
	uint32_t lo = 0, hi = p->ntypes;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, policy_type_name(p, mid));
		if (!c)
			return (int32_t)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static void audit_verdict(const struct audit_rec *r, uint32_t perms, const struct policy *p, const char *path)
{
	int32_t s, t;
	uint32_t missing;
	if (!p) {
		printf("  the policy that logged them has no rule granting this\n");
		return;
	}
	s = audit_type_id(p, r->stype);
	t = r->self ? s : audit_type_id(p, r->ttype);
	if (s < 0 || t < 0) {
		printf("  %s has no type '%s': declare it first\n", path, s < 0 ? r->stype : r->ttype);
		return;
	}
	missing = perms & ~policy_allowed(p, (uint32_t)s, (uint32_t)t, r->cls);
	if (!missing) {
		printf("  %s allows this now\n", path);
		return;
	}
	printf("  %s would still deny ", path);
	vocab_print_perms(r->cls, missing);
	printf("\n");
}

static void audit_explain_group(const struct audit_rec *g, uint32_t n, uint32_t perms, const struct policy *p,
				const char *path)
{
	uint32_t permissive = 0;
	printf("%s -> %s:%s, %u denial%s\n", g->stype, g->self ? "self" : g->ttype, vocab_class_name(g->cls), n,
	       n == 1 ? "" : "s");
	for (uint32_t i = 0, j; i < n; i = j) {
		const struct audit_rec *r = &g[i];
		for (j = i; j < n && !audit_cmp_detail(r, &g[j]); j++)
			permissive += g[j].permissive;
		printf("  %s (domain %u) called %s on ", r->sname, r->sdom, r->hcall);
		if (r->self)
			printf("itself");
		else if (r->tdom == AUDIT_CORE)
			printf("the core");
		else if (r->tdom == AUDIT_DEVICE)
			printf("device %s", r->tname);
		else
			printf("%s (domain %u)", r->tname, r->tdom);
		if (j - i == 1)
			printf(" once");
		else
			printf(" %u times", j - i);
		printf(": needs %s %s\n", vocab_class_name(r->cls), vocab_perm_name(r->cls, r->bit));
	}
	if (permissive)
		printf("  %u of them went through (permissive=1) only because %s is permissive\n", permissive,
		       g->stype);
	audit_verdict(g, perms, p, path);
	printf("  proposed: ");
	audit_rule(g, perms);
	/* A record says "on itself"; a rule cannot: types are all the policy sees. */
	if (g->self)
		printf("  note: self is per type: every domain of type %s gets this on every domain of type %s, "
		       "not only on itself\n", g->stype, g->stype);
}

int audit_main(const char *path, const char *policy_path, bool explain)
{
	struct audit_log log = { 0 };
	struct policy pol;
	char *polbuf = NULL;
	uint32_t groups = 0;
	if (policy_path && !dump_open(policy_path, &pol, &polbuf))
		return 1;
	if (!audit_read(path, &log)) {
		free(polbuf);
		return 1;
	}
	if (log.n)
		qsort(log.recs, log.n, sizeof(*log.recs), audit_cmp);
	for (uint32_t i = 0, j; i < log.n; i = j) {
		uint32_t perms = 0;
		for (j = i; j < log.n && !audit_cmp_group(&log.recs[i], &log.recs[j]); j++)
			perms |= 1u << log.recs[j].bit;
		if (explain) {
			printf("%s", groups ? "\n" : "");
			audit_explain_group(&log.recs[i], j - i, perms, policy_path ? &pol : NULL, policy_path);
		} else {
			audit_rule(&log.recs[i], perms);
		}
		groups++;
	}
	if (explain && !log.n)
		printf("no denial records in %s\n", path);
	if (explain && log.suppressed)
		printf("%s%llu denial record%s suppressed by the core: the log does not show every denial\n",
		       log.n ? "\n" : "", (unsigned long long)log.suppressed, log.suppressed == 1 ? " was" : "s were");
	free(log.recs);
	free(polbuf);
	return diag_errors() ? 1 : 0;
}
