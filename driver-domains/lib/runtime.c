/* Domain runtime: entry, exit, console output (conscli.c) and string helpers. */
#include <stdarg.h>
#include <rt/console.h>
#include <rt/hcall.h>

int main(void);
long rt_main(void);

int rt_use_vmcall;

long rt_main(void)
{
	uint32_t a = 0, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	rt_use_vmcall = b == 0x756e6547; /* "Genu"ineIntel */
	return main();
}

_Noreturn void rt_exit(long code)
{
	rt_console_flush();
	for (;;)
		tessera_exit((uint64_t)code);
}

size_t rt_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int rt_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

void rt_puts(const char *s)
{
	rt_console_out(s, rt_strlen(s));
}

static void put_num(char *buf, size_t *pos, size_t size, unsigned long v, unsigned base, int neg)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (n && *pos + 1 < size)
		buf[(*pos)++] = tmp[--n];
}

void rt_printf(const char *fmt, ...)
{
	char buf[TESSERA_CONSOLE_MAX];
	size_t pos = 0;
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt && pos + 1 < sizeof(buf); fmt++) {
		if (*fmt != '%') {
			buf[pos++] = *fmt;
			continue;
		}
		fmt++;
		int l = 0;
		while (*fmt == 'l')
			l = 1, fmt++;
		if (*fmt == 'd') {
			long v = l ? va_arg(ap, long) : va_arg(ap, int);
			put_num(buf, &pos, sizeof(buf), v < 0 ? 0UL - (unsigned long)v : (unsigned long)v, 10, v < 0);
		} else if (*fmt == 'u' || *fmt == 'x') {
			unsigned long v = l ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			put_num(buf, &pos, sizeof(buf), v, *fmt == 'x' ? 16 : 10, 0);
		} else if (*fmt == 's') {
			const char *s = va_arg(ap, const char *);
			while (*s && pos + 1 < sizeof(buf))
				buf[pos++] = *s++;
		} else if (*fmt == '%') {
			buf[pos++] = '%';
		} else {
			break;
		}
	}
	va_end(ap);
	rt_console_out(buf, pos);
}
