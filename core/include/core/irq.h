/*
 * Device interrupts delivered as events. A driver domain binds an MSI or
 * MSI-X entry of one of its devices to one of its own event-channel ports
 * (dev_irq_bind); the core gives the binding a host vector, routes the
 * device's message there through the IOMMU's interrupt remapping and programs
 * the device itself. Host vectors arrive on CPU 0, which raises the bound
 * port under core_lock (irq_deliver, from the scheduler loop).
 */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H
#include <core/types.h>

struct domain;

/* CPU 0, core_lock held: raise the port bound to every vector that arrived. */
void irq_deliver(void);
/* Is any device interrupt bound (then a blocked domain may still be woken)? */
bool irq_any_bound(void);
/* d is being destroyed: mask and unroute every entry it bound (before its devices go). */
void irq_domain_release(struct domain *d);
#endif
