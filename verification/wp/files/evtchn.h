/*
 * core/evtchn.c: its atomic operations on the event page and its one memset
 * (a port cleared to FREE), as functions with contracts.
 */
#include <core/lib.h> /* its memset prototype first, so the macro below cannot rename it */

/*@ requires \valid(p);
    assigns *p;
    ensures *p == (\old(*p) | v) && \result == \old(*p); */
uint64_t verify_fetch_or_u64(uint64_t *p, uint64_t v);
/*@ requires \valid_read(p);
    assigns \nothing;
    ensures \result == *p; */
uint64_t verify_load_u64(const uint64_t *p);
/*@ requires \valid(p);
    assigns *p;
    ensures *p == v && \result == \old(*p); */
uint8_t verify_exchange_u8(uint8_t *p, uint8_t v);
/*@ requires \valid(p);
    assigns *p;
    ensures *p == v; */
void verify_store_bool(bool *p, bool v);
#define __atomic_fetch_or(p, v, order) verify_fetch_or_u64(p, v)
#define __atomic_load_n(p, order) verify_load_u64(p)
#define __atomic_exchange_n(p, v, order) verify_exchange_u8(p, v)
#define __atomic_store_n(p, v, order) verify_store_bool(p, v)

/*@ requires \valid((struct evtchn_port *)p);
    assigns *(struct evtchn_port *)p;
    ensures port_is((struct evtchn_port *)p, EVTCHN_FREE, 0, 0); */
void verify_clear_port(void *p);
#define memset(p, c, n) verify_clear_port(p)
