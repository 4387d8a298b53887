/* The bootstrap shared by the driver domains and their clients: see rt/service.h. */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/service.h>
#include <tessera/grant.h>

long rt_svc_lookup(const char *name)
{
	static char buf[TESSERA_NAME_MAX];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, name, rt_strlen(name));
	return tessera_domain_lookup(RT_GPA(buf));
}

int rt_svc_discover(struct rt_svc_peer *p, const char *prefix, unsigned i)
{
	size_t n = rt_strlen(prefix);
	memcpy(p->name, prefix, n);
	p->name[n] = (char)('0' + i);
	p->domid = rt_svc_lookup(p->name);
	p->port = -1;
	if (p->domid < 0) {
		p->domid = -1;
		return 0;
	}
	return 1;
}

/* The client offers its rings and then opens our port: bind, then map. */
long rt_svc_map_ring(struct rt_svc_peer *p, uint64_t port, uint64_t index, uint64_t gens,
		     uint64_t slot, uint64_t *gen)
{
	long addr = -TESSERA_ESTALE;
	uint64_t g;
	if (p->port < 0)
		p->port = tessera_evtchn_bind((uint64_t)p->domid, port);
	if (p->port < 0) {
		p->port = -1;
		return -TESSERA_ENOTCONN;
	}
	for (g = 1; g <= gens && addr == -TESSERA_ESTALE; g++)
		addr = tessera_grant_map((uint64_t)p->domid, RT_SVC_REF(index, g), slot,
					 TESSERA_GRANT_MAP_WRITE);
	*gen = g - 1;
	return addr;
}

void rt_svc_poll(const struct rt_svc_peer *p)
{
	if (p->domid >= 0 && p->port >= 0)
		rt_event_poll((uint32_t)p->port); /* consumed: the rings are looked at now */
}

int rt_svc_gone(const struct rt_svc_peer *p)
{
	return rt_svc_lookup(p->name) != p->domid;
}

void rt_svc_drop(struct rt_svc_peer *p)
{
	rt_svc_close(&p->port);
	p->domid = -1;
	p->connected = 0;
}

long rt_svc_find(const char *name, unsigned tries)
{
	long id;
	for (unsigned n = 0; (id = rt_svc_lookup(name)) == -TESSERA_ESRCH; n++) {
		if (n == tries)
			break;
		tessera_yield();
	}
	return id;
}

long rt_svc_offer(long domid, const void *page, uint32_t flags)
{
	return tessera_grant_offer((uint64_t)domid, RT_GPA(page) / 4096, flags);
}

void rt_svc_end(long *ref)
{
	if (*ref >= 0)
		tessera_grant_end((uint64_t)*ref);
	*ref = -1;
}

void rt_svc_close(long *port)
{
	if (*port >= 0)
		tessera_evtchn_close((uint64_t)*port);
	*port = -1;
}

int rt_svc_slot(const char *name, const char *prefix, unsigned n)
{
	size_t k = rt_strlen(prefix);
	if (rt_strncmp(name, prefix, k) || name[k] < '0' || name[k] >= '0' + (int)n || name[k + 1])
		return -1;
	return name[k] - '0';
}
