#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H
#include <core/types.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write guest-supplied bytes with anything unprintable escaped. */
struct domain;
void console_write_untrusted(const struct domain *d, const uint8_t *buf, size_t len);
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
