/*
 * The access-vector check (core/avc.c): default deny, the exact denial
 * records, permissive types, the audit rate limit, and denials through real
 * hypercalls on real domains.
 */
#include "policy_build.h"
#include "util.h"
#include <core/avc.h>
#include <core/frame.h>
#include <core/hypercall.h>
#include <tessera/errno.h>
#include <tessera/evtchn.h>
#include <tessera/grant.h>
#include <stdlib.h>

#define MEM (2ULL << 20)
#define PAGE_GPA 0x1f0000ULL /* where the tests put event pages */
#define TEXT_GPA 0x180000ULL /* console text and names */
#define VEC 0x40

#define EV(p) TESSERA_PERM(event, p)
#define CORE(p) TESSERA_PERM(core, p)
#define DOM(p) TESSERA_PERM(domain, p)
#define GR(p) TESSERA_PERM(grant, p)
#define C_CORE TESSERA_CLASS_core
#define C_DOMAIN TESSERA_CLASS_domain
#define C_EVENT TESSERA_CLASS_event
#define C_GRANT TESSERA_CLASS_grant

/* Types of the tests' policy; domains "a", "b" and "p" have labels, others none. */
enum { T_A, T_B, T_CORE, T_P, NTYPES };

static struct pb pb;
static uint8_t *bin; /* the loaded policy: it must outlive the checks */

/* A policy with the types and labels, and no rules yet. */
static void policy(void)
{
	pb_init(&pb);
	pb_type(&pb, "a_t", 0);
	pb_type(&pb, "b_t", 0);
	pb_type(&pb, "core_t", 0);
	pb_type(&pb, "p_t", TPOL_TYPE_PERMISSIVE);
	pb_label(&pb, TPOL_LABEL_CORE, T_CORE, NULL, 0, 0);
	pb_label(&pb, TPOL_LABEL_DOMAIN, T_A, "a", 0, 0);
	pb_label(&pb, TPOL_LABEL_DOMAIN, T_B, "b", 0, 0);
	pb_label(&pb, TPOL_LABEL_DOMAIN, T_P, "p", 0, 0);
}

/* Replace whatever the AVC holds by the policy built so far. */
static void load(void)
{
	size_t size;
	const char *why = NULL;
	avc_reset(); /* before the old binary goes */
	free(bin);
	bin = pb_emit(&pb, &size);
	if (avc_load(bin, size, &why))
		test_fail(__FILE__, __LINE__, "policy rejected: %s", why);
	CHECK(avc_loaded());
}

/* Stand-ins for domains, for checks made directly. */
static struct domain da = { .id = 0, .type = T_A, .name = "a" };
static struct domain db = { .id = 1, .type = T_B, .name = "b" };
static struct domain dp = { .id = 2, .type = T_P, .name = "p" };

#define REC_SEND_A_B                                                               \
	"tessera: avc: denied { send } hcall=evtchn_send sdom=0 sname=a scontext=a_t tdom=1 " \
	"tname=b tcontext=b_t tclass=event permissive=0\n"

/* --- avc_check ---------------------------------------------------------------------- */

TEST(avc_without_a_policy_denies_everything)
{
	avc_reset();
	CHECK(!avc_loaded());
	CHECK_EQ(avc_check(&da, NULL, C_CORE, TESSERA_PERMBIT(core, version), "version"),
		 -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"),
		 -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &da, C_DOMAIN, TESSERA_PERMBIT(domain, getinfo), "self_info"),
		 -TESSERA_EACCES);
	CHECK_STREQ(avc_type_name(0), "?");
}

TEST(avc_without_a_policy_gives_no_domain_a_type)
{
	avc_reset();
	CHECK_EQ(avc_domain_type("a"), -TESSERA_ENOENT);
	CHECK_EQ(avc_domain_type("dom"), -TESSERA_ENOENT);
}

TEST(avc_rejected_policy_leaves_the_avc_denying)
{
	size_t size;
	const char *why = NULL;
	policy();
	pb_allow(&pb, T_A, T_CORE, C_CORE, CORE(version));
	avc_reset();
	free(bin);
	bin = pb_emit(&pb, &size);
	bin[0] ^= 1;
	CHECK_EQ(avc_load(bin, size, &why), -TESSERA_EINVAL);
	CHECK_STREQ(why, "not a Tessera policy (bad magic)");
	CHECK(!avc_loaded());
	CHECK_EQ(avc_check(&da, NULL, C_CORE, TESSERA_PERMBIT(core, version), "version"),
		 -TESSERA_EACCES);
}

TEST(avc_allowed_bit_is_granted_without_a_record)
{
	policy();
	pb_allow(&pb, T_A, T_B, C_EVENT, EV(send) | EV(bind));
	pb_allow(&pb, T_A, T_CORE, C_CORE, CORE(version));
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&da, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"), 0);
	CHECK_EQ(avc_check(&da, &db, C_EVENT, TESSERA_PERMBIT(event, bind), "evtchn_bind"), 0);
	CHECK_EQ(avc_check(&da, NULL, C_CORE, TESSERA_PERMBIT(core, version), "version"), 0);
	CHECK_STREQ(sim_console(), "");
}

TEST(avc_denial_is_eacces_with_one_exact_record)
{
	policy();
	pb_allow(&pb, T_A, T_B, C_EVENT, EV(bind));
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&da, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"),
		 -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), REC_SEND_A_B);
}

/* A rule for the reverse direction, another class or the subject itself grants nothing. */
TEST(avc_rules_are_per_source_target_and_class)
{
	policy();
	pb_allow(&pb, T_B, T_A, C_EVENT, EV(send));
	pb_allow(&pb, T_A, T_B, C_GRANT, GR(offer));
	pb_allow(&pb, T_A, T_A, C_EVENT, EV(send));
	load();
	CHECK_EQ(avc_check(&db, &da, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"), 0);
	CHECK_EQ(avc_check(&da, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"),
		 -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &db, C_GRANT, TESSERA_PERMBIT(grant, offer), "grant_offer"), 0);
	CHECK_EQ(avc_check(&da, &db, C_GRANT, TESSERA_PERMBIT(grant, map), "grant_map"),
		 -TESSERA_EACCES);
	CHECK_EQ(count_of(sim_console(), "tessera: avc: denied"), 2);
}

TEST(avc_denial_on_the_core_names_the_core)
{
	policy();
	pb_allow(&pb, T_A, T_CORE, C_CORE, CORE(version));
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&da, NULL, C_CORE, TESSERA_PERMBIT(core, yield), "yield"),
		 -TESSERA_EACCES);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { yield } hcall=yield sdom=0 sname=a scontext=a_t "
		    "tdom=core tname=core tcontext=core_t tclass=core permissive=0\n");
}

TEST(avc_denial_on_itself_names_the_subject_twice)
{
	policy();
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&db, &db, C_DOMAIN, TESSERA_PERMBIT(domain, getinfo), "self_info"),
		 -TESSERA_EACCES);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { getinfo } hcall=self_info sdom=1 sname=b scontext=b_t "
		    "tdom=1 tname=b tcontext=b_t tclass=domain permissive=0\n");
}

/* Every permission of access.def, denied, is named with its class in its record. */
TEST(avc_denial_record_names_every_permission_and_class)
{
	policy();
	unsigned n = 0;
#define ACCESS_CLASS(cls, doc)
#define ACCESS_PERM(cls, perm, doc)                                                \
	do {                                                                       \
		load();                                                            \
		da.audit = (struct avc_audit){ 0 }; /* more permissions than a burst */ \
		sim_console_reset();                                               \
		CHECK_EQ(avc_check(&da, &db, TESSERA_CLASS_##cls, TESSERA_PERMBIT(cls, perm), "h"), \
			 -TESSERA_EACCES);                                         \
		CHECK_HAS(sim_console(), "denied { " #perm " } hcall=h ");       \
		CHECK_HAS(sim_console(), " tclass=" #cls " permissive=0\n");     \
		n++;                                                               \
	} while (0);
#include <tessera/access.def>
#undef ACCESS_CLASS
#undef ACCESS_PERM
	CHECK_EQ(n, TESSERA_AIDX_COUNT - TESSERA_CLASS_COUNT);
}

/* The bit after the core class's last permission (access.def adds them at the end). */
static uint32_t core_first_undefined_bit(void)
{
	return (uint32_t)(32 - __builtin_clz(tessera_class_mask(C_CORE)));
}

TEST(avc_check_of_unknown_class_or_permission_bit_denies)
{
	policy();
	for (uint32_t c = 0; c < TESSERA_CLASS_COUNT; c++)
		pb_allow(&pb, T_A, T_B, c, tessera_class_mask(c));
	load();
	CHECK_EQ(avc_check(&da, &db, TESSERA_CLASS_COUNT, 0, "h"), -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &db, UINT32_MAX, 0, "h"), -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &db, C_EVENT, TESSERA_PERMS_MAX, "h"), -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &db, C_EVENT, UINT32_MAX, "h"), -TESSERA_EACCES);
	/* a bit the class does not define: no policy can grant it */
	CHECK_EQ(avc_check(&da, &db, C_CORE, core_first_undefined_bit(), "h"),
		 -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, &db, C_GRANT, 31, "h"), -TESSERA_EACCES);
}

/* A bit past the class's last permission is not named after the next class or its permissions. */
TEST(avc_record_of_an_undefined_permission_bit_does_not_borrow_another_name)
{
	policy();
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&da, NULL, C_CORE, core_first_undefined_bit(), "h"),
		 -TESSERA_EACCES);
	CHECK_EQ(avc_check(&da, NULL, C_CORE, core_first_undefined_bit() + 1, "h"),
		 -TESSERA_EACCES);
	CHECK_EQ(count_of(sim_console(), "denied { ? } hcall=h "), 2);
}

TEST(avc_domain_type_comes_from_the_policy_labels)
{
	policy();
	load();
	CHECK_EQ(avc_domain_type("a"), T_A);
	CHECK_EQ(avc_domain_type("b"), T_B);
	CHECK_EQ(avc_domain_type("p"), T_P);
	CHECK_EQ(avc_domain_type("c"), -TESSERA_ENOENT);
	CHECK_STREQ(avc_type_name(T_CORE), "core_t");
	CHECK_STREQ(avc_type_name(NTYPES), "?");
	pb_label(&pb, TPOL_LABEL_DOMAIN_DEFAULT, T_B, NULL, 0, 0);
	load();
	CHECK_EQ(avc_domain_type("c"), T_B);
	CHECK_EQ(avc_domain_type("a"), T_A);
}

/* --- permissive types --------------------------------------------------------------- */

TEST(avc_permissive_subject_is_granted_but_recorded)
{
	policy();
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&dp, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"), 0);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { send } hcall=evtchn_send sdom=2 sname=p scontext=p_t "
		    "tdom=1 tname=b tcontext=b_t tclass=event permissive=1\n");
}

TEST(avc_permissive_subject_allowed_by_a_rule_leaves_no_record)
{
	policy();
	pb_allow(&pb, T_P, T_CORE, C_CORE, CORE(console));
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&dp, NULL, C_CORE, TESSERA_PERMBIT(core, console), "console_write"), 0);
	CHECK_STREQ(sim_console(), "");
}

/* Permissive is the subject's property: a permissive target protects nothing less. */
TEST(avc_permissive_target_does_not_make_the_subject_permissive)
{
	policy();
	load();
	sim_console_reset();
	CHECK_EQ(avc_check(&da, &dp, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"),
		 -TESSERA_EACCES);
	CHECK_HAS(sim_console(), "tcontext=p_t tclass=event permissive=0\n");
}

/* --- the audit rate limit ----------------------------------------------------------- */

static int deny(void)
{
	return avc_check(&da, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send");
}

static unsigned records(void)
{
	return count_of(sim_console(), "tessera: avc: denied {");
}

/* Enough of d's slices expire for one more record. */
static void tick(struct domain *d)
{
	for (unsigned i = 0; i < AVC_AUDIT_TICKS; i++)
		avc_audit_tick(d);
}

TEST(avc_records_a_burst_then_suppresses)
{
	policy();
	load();
	sim_console_reset();
	for (unsigned i = 0; i < AVC_AUDIT_BURST; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_EQ(records(), AVC_AUDIT_BURST);
	for (unsigned i = 0; i < 100; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES); /* still denied, just not recorded */
	CHECK_EQ(records(), AVC_AUDIT_BURST);
	CHECK_NOT_HAS(sim_console(), "suppressed");
}

TEST(avc_tick_lets_one_record_through_after_the_suppressed_count)
{
	policy();
	load();
	for (unsigned i = 0; i < AVC_AUDIT_BURST + 4; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	tick(&da);
	sim_console_reset();
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), "tessera: avc: 4 denial records suppressed\n" REC_SEND_A_B);
	/* the budget is spent again; the count starts over */
	sim_console_reset();
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), "");
	tick(&da);
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), "tessera: avc: 2 denial records suppressed\n" REC_SEND_A_B);
}

TEST(avc_ticks_without_suppressed_records_print_no_count)
{
	policy();
	load();
	for (unsigned i = 0; i < AVC_AUDIT_BURST; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	tick(&da);
	sim_console_reset();
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), REC_SEND_A_B);
}

TEST(avc_audit_budget_never_grows_above_the_burst)
{
	policy();
	load();
	for (unsigned i = 0; i < 1000; i++)
		avc_audit_tick(&da);
	for (unsigned i = 0; i < AVC_AUDIT_BURST + 5; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_EQ(records(), AVC_AUDIT_BURST);
	/* spent, then refilled by many ticks: again only a burst */
	for (unsigned i = 0; i < 1000; i++)
		avc_audit_tick(&da);
	sim_console_reset();
	for (unsigned i = 0; i < AVC_AUDIT_BURST + 5; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_EQ(records(), AVC_AUDIT_BURST);
	CHECK_EQ(count_of(sim_console(), "tessera: avc: 5 denial records suppressed\n"), 1);
}

TEST(avc_grants_spend_no_audit_budget)
{
	policy();
	pb_allow(&pb, T_A, T_CORE, C_CORE, CORE(version));
	load();
	for (unsigned i = 0; i < 1000; i++)
		CHECK_EQ(avc_check(&da, NULL, C_CORE, TESSERA_PERMBIT(core, version), "version"), 0);
	for (unsigned i = 0; i < AVC_AUDIT_BURST; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_EQ(records(), AVC_AUDIT_BURST);
}

TEST(avc_permissive_records_share_their_subjects_rate_limit)
{
	policy();
	load();
	for (unsigned i = 0; i < AVC_AUDIT_BURST + 3; i++)
		CHECK_EQ(avc_check(&dp, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"), 0);
	CHECK_EQ(records(), AVC_AUDIT_BURST);
	tick(&dp);
	sim_console_reset();
	CHECK_EQ(avc_check(&dp, &db, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"), 0);
	CHECK_HAS(sim_console(), "tessera: avc: 3 denial records suppressed\n");
	CHECK_HAS(sim_console(), " permissive=1\n");
}

/* The budget is per subject: a flood by one domain does not hide another's denials. */
TEST(avc_one_domains_flood_does_not_suppress_anothers_records)
{
	policy();
	load();
	for (unsigned i = 0; i < 1000; i++)
		CHECK_EQ(avc_check(&db, &da, C_EVENT, TESSERA_PERMBIT(event, send), "evtchn_send"),
			 -TESSERA_EACCES);
	CHECK_EQ(records(), AVC_AUDIT_BURST);
	sim_console_reset();
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), REC_SEND_A_B);
}

/* Fewer expired slices than AVC_AUDIT_TICKS give nothing back. */
TEST(avc_budget_refills_only_every_few_expired_slices)
{
	policy();
	load();
	for (unsigned i = 0; i < AVC_AUDIT_BURST; i++)
		CHECK_EQ(deny(), -TESSERA_EACCES);
	for (unsigned i = 0; i + 1 < AVC_AUDIT_TICKS; i++)
		avc_audit_tick(&da);
	sim_console_reset();
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), "");
	avc_audit_tick(&da);
	CHECK_EQ(deny(), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(), "tessera: avc: 1 denial records suppressed\n" REC_SEND_A_B);
}

/* --- through hypercalls ------------------------------------------------------------- */

static struct domain *boot(const char *name)
{
	struct domain *d = make_domain(name, MEM);
	sim_console_reset();
	return d;
}

static int64_t hc1(struct domain *d, uint64_t nr, uint64_t a0)
{
	return hcall(&d->vcpu, nr, a0, 0, 0, 0, 0);
}

static int64_t hc3(struct domain *d, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return hcall(&d->vcpu, nr, a0, a1, a2, 0, 0);
}

static struct tessera_event_page *page(struct domain *d)
{
	return (struct tessera_event_page *)(void *)(d->mem + PAGE_GPA);
}

TEST(domains_get_their_type_from_the_policy)
{
	policy();
	load();
	machine_frames_init();
	CHECK_EQ(boot("a")->type, T_A);
	CHECK_EQ(boot("b")->type, T_B);
	CHECK_EQ(boot("p")->type, T_P);
}

/* Event channels between "a" and "b": b's page set up, a's port pa bound to b's pb. */
static void event_policy(bool send)
{
	policy();
	pb_allow(&pb, T_B, T_B, C_EVENT, EV(setup));
	pb_allow(&pb, T_A, T_B, C_EVENT, EV(create) | (send ? EV(send) : 0));
	pb_allow(&pb, T_B, T_A, C_EVENT, EV(bind));
	load();
}

static void event_connect(struct domain *a, struct domain *b, int64_t *pa, int64_t *pb_)
{
	CHECK_EQ(hc3(b, TESSERA_HC_evtchn_setup, PAGE_GPA, VEC, 0), 0);
	*pa = hc1(a, TESSERA_HC_evtchn_alloc, b->id);
	CHECK(*pa >= 0 && *pa < TESSERA_EVTCHN_PORTS);
	*pb_ = hc3(b, TESSERA_HC_evtchn_bind, a->id, (uint64_t)*pa, 0);
	CHECK(*pb_ >= 0 && *pb_ < TESSERA_EVTCHN_PORTS);
	CHECK_STREQ(sim_console(), "");
}

TEST(evtchn_send_denied_by_policy_is_eacces_and_sets_no_pending_bit)
{
	int64_t pa, pbp;
	event_policy(false);
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	event_connect(a, b, &pa, &pbp);
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_send, (uint64_t)pa), -TESSERA_EACCES);
	CHECK_EQ(page(b)->pending, 0);
	CHECK_EQ(page(b)->upcall_pending, 0);
	CHECK_EQ(b->early_events, 0);
	CHECK(!b->vcpu.upcall);
	CHECK_STREQ(sim_console(), REC_SEND_A_B);
}

TEST(evtchn_send_allowed_by_policy_sets_the_pending_bit)
{
	int64_t pa, pbp;
	event_policy(true);
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	event_connect(a, b, &pa, &pbp);
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_send, (uint64_t)pa), 0);
	CHECK_EQ(page(b)->pending, 1ULL << pbp);
	CHECK(b->vcpu.upcall);
	CHECK_STREQ(sim_console(), "");
}

TEST(evtchn_alloc_denied_by_policy_opens_no_port)
{
	policy();
	load();
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	CHECK_EQ(hc1(a, TESSERA_HC_evtchn_alloc, b->id), -TESSERA_EACCES);
	for (unsigned i = 0; i < TESSERA_EVTCHN_PORTS; i++)
		CHECK_EQ(a->ports[i].state, EVTCHN_FREE);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { create } hcall=evtchn_alloc sdom=0 sname=a scontext=a_t "
		    "tdom=1 tname=b tcontext=b_t tclass=event permissive=0\n");
}

TEST(evtchn_setup_denied_by_policy_registers_no_page)
{
	policy();
	load();
	machine_frames_init();
	struct domain *a = boot("a");
	CHECK_EQ(hc3(a, TESSERA_HC_evtchn_setup, PAGE_GPA, VEC, 0), -TESSERA_EACCES);
	CHECK_EQ(a->event_vector, 0);
	CHECK_EQ(a->event_gpa, 0);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { setup } hcall=evtchn_setup sdom=0 sname=a scontext=a_t "
		    "tdom=0 tname=a tcontext=a_t tclass=event permissive=0\n");
}

/* "a" (id 0) grants a frame to "b" (id 1), which maps it at slot 3 if the policy lets it. */
static void grant_case(bool map_allowed)
{
	policy();
	pb_allow(&pb, T_A, T_B, C_GRANT, GR(offer));
	if (map_allowed)
		pb_allow(&pb, T_B, T_A, C_GRANT, GR(map));
	load();
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	int64_t ref = hc3(a, TESSERA_HC_grant_offer, b->id, 5, 0);
	CHECK_EQ(ref, 1 << 16); /* entry 0, generation 1 */
	int64_t rc = hc3(b, TESSERA_HC_grant_map, a->id, (uint64_t)ref, 3);
	if (map_allowed) {
		CHECK_EQ(rc, (int64_t)(TESSERA_GRANT_WINDOW + 3 * PAGE_SIZE));
		CHECK(b->slots[3].used);
		CHECK(sim_virt.grant[b->id][3].mapped);
		CHECK_EQ(a->grants[0].maps, 1);
		CHECK_STREQ(sim_console(), "");
		return;
	}
	CHECK_EQ(rc, -TESSERA_EACCES);
	for (unsigned s = 0; s < TESSERA_GRANT_SLOTS; s++) {
		CHECK(!b->slots[s].used);
		CHECK(!sim_virt.grant[b->id][s].mapped);
	}
	CHECK_EQ(a->grants[0].maps, 0);
	CHECK(a->grants[0].active);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { map } hcall=grant_map sdom=1 sname=b scontext=b_t "
		    "tdom=0 tname=a tcontext=a_t tclass=grant permissive=0\n");
}

TEST(grant_map_denied_by_policy_is_eacces_and_leaves_the_slot_empty)
{
	grant_case(false);
}

TEST(grant_map_allowed_by_policy_maps_the_frame)
{
	grant_case(true);
}

TEST(grant_offer_denied_by_policy_makes_no_grant)
{
	policy();
	load();
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	CHECK_EQ(hc3(a, TESSERA_HC_grant_offer, b->id, 5, 0), -TESSERA_EACCES);
	for (unsigned i = 0; i < TESSERA_GRANT_REFS; i++)
		CHECK(!a->grants[i].active);
}

static int64_t lookup(struct domain *d, const char *name)
{
	memcpy(d->mem + TEXT_GPA, name, strlen(name) + 1);
	return hc1(d, TESSERA_HC_domain_lookup, TEXT_GPA);
}

TEST(domain_lookup_denied_by_policy_is_eacces)
{
	policy();
	pb_allow(&pb, T_A, T_A, C_DOMAIN, DOM(lookup));
	load();
	machine_frames_init();
	struct domain *a = boot("a");
	boot("b");
	CHECK_EQ(lookup(a, "b"), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { lookup } hcall=domain_lookup sdom=0 sname=a "
		    "scontext=a_t tdom=1 tname=b tcontext=b_t tclass=domain permissive=0\n");
	CHECK_EQ(lookup(a, "a"), 0);
}

TEST(domain_lookup_allowed_by_policy_finds_the_domain)
{
	policy();
	pb_allow(&pb, T_A, T_B, C_DOMAIN, DOM(lookup));
	load();
	machine_frames_init();
	struct domain *a = boot("a");
	boot("b");
	CHECK_EQ(lookup(a, "b"), 1);
	CHECK_STREQ(sim_console(), "");
}

static int64_t write_text(struct domain *d, const char *s)
{
	memcpy(d->mem + TEXT_GPA, s, strlen(s));
	return hcall(&d->vcpu, TESSERA_HC_console_write, TEXT_GPA, strlen(s), 0, 0, 0);
}

TEST(console_write_denied_by_policy_prints_nothing_from_the_guest)
{
	policy();
	pb_allow(&pb, T_B, T_CORE, C_CORE, CORE(console));
	load();
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	CHECK_EQ(write_text(a, "hello\n"), -TESSERA_EACCES);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { console } hcall=console_write sdom=0 sname=a "
		    "scontext=a_t tdom=core tname=core tcontext=core_t tclass=core permissive=0\n");
	sim_console_reset();
	CHECK_EQ(write_text(b, "hello\n"), 6);
	CHECK_STREQ(sim_console(), "[b] hello\n");
}

TEST(console_write_of_a_permissive_domain_prints_and_is_recorded)
{
	policy();
	load();
	machine_frames_init();
	struct domain *p = boot("p");
	CHECK_EQ(write_text(p, "hi\n"), 3);
	CHECK_STREQ(sim_console(),
		    "tessera: avc: denied { console } hcall=console_write sdom=0 sname=p "
		    "scontext=p_t tdom=core tname=core tcontext=core_t tclass=core permissive=1\n"
		    "[p] hi\n");
}

TEST(version_denied_by_policy_is_eacces)
{
	policy();
	pb_allow(&pb, T_B, T_CORE, C_CORE, CORE(version));
	load();
	machine_frames_init();
	struct domain *a = boot("a"), *b = boot("b");
	CHECK_EQ(hc1(a, TESSERA_HC_version, 0), -TESSERA_EACCES);
	CHECK(hc1(b, TESSERA_HC_version, 0) > 0);
}
