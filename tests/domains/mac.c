/*
 * MAC test domains. Three roles by name; the policy decides what each call
 * returns, and each role prints what it got, so one program serves both the
 * denying and the allowing policy:
 *   mac-a  binds to ports b and c opened for it, signals both, offers a frame
 *          to each, maps c's grant, then tells b its grant is ready
 *   mac-b  opens a port for a, maps a's grant and checks its contents
 *   mac-c  opens a port for a, offers a frame to a, waits until a is gone
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <tessera/grant.h>

#define MAGIC 0x7e55e7a5a11c0debULL
#define FIRST_REF 0x10000 /* index 0, generation 1 */

static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));
static struct tessera_self_info si;

static long lookup(const char *name)
{
	static char buf[TESSERA_NAME_MAX];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, rt_strlen(name));
	return tessera_domain_lookup(RT_GPA(buf));
}

static long find(const char *name)
{
	long id;
	while ((id = lookup(name)) == -TESSERA_ESRCH)
		tessera_yield();
	return id;
}

/* Bind to the peer's port 0 once it has opened it for us. */
static long bind0(long peer)
{
	long port;
	while ((port = tessera_evtchn_bind((uint64_t)peer, 0)) == -TESSERA_EPERM)
		tessera_yield();
	return port;
}

static int role_a(void)
{
	long b = find("mac-b"), c = find("mac-c"), pb = bind0(b), pc = bind0(c), rc;
	rt_printf("mac-a: bind to b = %ld, bind to c = %ld\n", pb, pc);
	rt_printf("mac-a: send to b = %ld\n", tessera_evtchn_send((uint64_t)pb));
	rt_printf("mac-a: send to c = %ld\n", tessera_evtchn_send((uint64_t)pc));
	page_b[0] = MAGIC;
	rt_printf("mac-a: grant to b = %ld\n", tessera_grant_offer((uint64_t)b, RT_GPA(page_b) / 4096, 0));
	rt_printf("mac-a: grant to c = %ld\n", tessera_grant_offer((uint64_t)c, RT_GPA(page_c) / 4096, 0));
	while ((rc = tessera_grant_map((uint64_t)c, FIRST_REF, 1, 0)) == -TESSERA_ESTALE)
		tessera_yield(); /* c has not offered yet */
	rt_printf("mac-a: map from c = %ld\n", rc);
	tessera_evtchn_send((uint64_t)pb);
	rt_event_wait((uint32_t)pb);
	rt_printf("mac-a: b confirmed\n");
	return 0;
}

static int role_b(void)
{
	long a = find("mac-a"), port = tessera_evtchn_alloc((uint64_t)a), addr;
	if (port != 0) {
		rt_printf("mac-b: evtchn_alloc = %ld\n", port);
		return 1;
	}
	rt_event_wait(0);
	while ((addr = tessera_grant_map((uint64_t)a, FIRST_REF, 0, 0)) == -TESSERA_ESTALE)
		tessera_yield();
	if (addr < 0) {
		rt_printf("mac-b: map from a = %ld\n", addr);
		return 1;
	}
	rt_printf("mac-b: mapped a's grant, magic %s\n",
		  *(volatile uint64_t *)(uintptr_t)addr == MAGIC ? "ok" : "WRONG");
	tessera_grant_unmap(0);
	tessera_evtchn_send(0);
	return 0;
}

static int role_c(void)
{
	long a = find("mac-a"), port = tessera_evtchn_alloc((uint64_t)a);
	long ref = tessera_grant_offer((uint64_t)a, RT_GPA(page_c) / 4096, TESSERA_GRANT_READONLY);
	rt_printf("mac-c: port %ld, grant to a = %ld\n", port, ref);
	while (lookup("mac-a") != -TESSERA_ESRCH)
		tessera_yield();
	rt_printf("mac-c: a is gone\n");
	return 0;
}

int main(void)
{
	long rc;
	if (tessera_self_info(RT_GPA(&si)))
		return 100;
	rc = rt_events_init();
	if (rc) {
		rt_printf("%s: event setup failed (%ld)\n", si.name, rc);
		return 101;
	}
	if (!rt_strncmp(si.name, "mac-a", 6))
		return role_a();
	if (!rt_strncmp(si.name, "mac-b", 6))
		return role_b();
	return role_c();
}
