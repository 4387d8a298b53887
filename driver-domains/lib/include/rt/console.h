#ifndef RT_CONSOLE_H
#define RT_CONSOLE_H
#include <stddef.h>
#include <stdint.h>

/*
 * Output goes through the core's console_write until rt_console_connect makes
 * the console domain's ring (rt/consif.h) the way; 0 or an error (no console
 * domain, or the policy refused). rt_exit flushes the ring first.
 */
long rt_console_connect(void);
void rt_console_out(const char *s, size_t n);
void rt_console_flush(void);
void rt_puts(const char *s);
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t rt_strlen(const char *s);
int rt_strncmp(const char *a, const char *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);

/* Guest-physical == virtual in a domain: the core maps it 1:1. */
#define RT_GPA(p) ((uint64_t)(uintptr_t)(p))
#endif
