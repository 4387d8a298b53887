#ifndef CORE_KLOG_H
#define CORE_KLOG_H
#include <core/types.h>
#include <tessera/hypercall.h>

struct domain;
/* Log s; true if a console domain owns the serial port (the caller must not print). */
bool klog_append(const char *s, size_t n);
/* Signal the owner if anything was logged since the last signal (core lock held). */
void klog_notify(void);
/* The serial port is the core's again; what the owner did not acknowledge is printed. */
void klog_takeback(const char *why);
/* d ends: if it owns the serial port, the core takes it back. */
void klog_domain_release(const struct domain *d);
#endif
