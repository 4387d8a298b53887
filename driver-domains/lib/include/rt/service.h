/*
 * The bootstrap shared by the driver domains and their clients (rt/blkif.h,
 * rt/netif.h): a client finds its server by name, ends the grants and closes
 * the port of its last connection, offers its ring pages at fixed grant
 * indexes and allocates port 0; the server binds that port and tries the ring
 * grant's generations until the live one answers (every other -ESTALE).
 */
#ifndef RT_SERVICE_H
#define RT_SERVICE_H
#include <stdint.h>
#include <tessera/hypercall.h>

/* A grant reference: index in the granter's table, generation above it. */
#define RT_SVC_REF(index, gen) ((uint64_t)(index) | (uint64_t)(gen) << 16)

/* --- server side ----------------------------------------------------------- */

/* A client as the server sees it. */
struct rt_svc_peer {
	char name[TESSERA_NAME_MAX];
	long domid;   /* -1: no such client, or gone */
	long port;    /* our end of its channel, -1 until bound */
	int connected;
};

/* The id of the domain named name now, or an error. */
long rt_svc_lookup(const char *name);
/* Slot i's client, prefix followed by i's digit: look it up; 1 if it is there. */
int rt_svc_discover(struct rt_svc_peer *p, const char *prefix, unsigned i);
/*
 * Bind p's port (once), then map its ring grant at index, generations 1 ..
 * gens, into slot: the address, or an error (-ESTALE: not offered yet); the
 * generation that answered in *gen.
 */
long rt_svc_map_ring(struct rt_svc_peer *p, uint64_t port, uint64_t index, uint64_t gens,
		     uint64_t slot, uint64_t *gen);
/* Consume a pending signal on p's port, if it is bound. */
void rt_svc_poll(const struct rt_svc_peer *p);
/* Whether p has ended (its name no longer names its domain). */
int rt_svc_gone(const struct rt_svc_peer *p);
/* Close p's port (its rings are unmapped already): p is gone. */
void rt_svc_drop(struct rt_svc_peer *p);

/* --- client side ----------------------------------------------------------- */

/* The server named name: there now, or ended, or being made again (tries yields). */
long rt_svc_find(const char *name, unsigned tries);
/* Offer page to domid: the grant reference, or an error. */
long rt_svc_offer(long domid, const void *page, uint32_t flags);
/* End the grant *ref if there is one; *ref is -1 then. */
void rt_svc_end(long *ref);
/* Close the port *port if there is one; *port is -1 then. */
void rt_svc_close(long *port);
/* Slot of a client named prefix followed by one digit below n, or -1. */
int rt_svc_slot(const char *name, const char *prefix, unsigned n);
#endif
