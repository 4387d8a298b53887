/* Core console: a small printf and the console_write hypercall. */
#include <core/console.h>
#include <core/klog.h>
#include <core/guest.h>
#include <core/hypercall.h>
#include <core/lib.h>
#include <core/arch.h>
#include <tessera/errno.h>

struct fmt_out {
	char *buf;
	size_t size, pos;
};

static void out_c(struct fmt_out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_num(struct fmt_out *o, uint64_t v, unsigned base, bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		out_c(o, pad);
	while (n)
		out_c(o, tmp[--n]);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, longs = 0, prec = -1;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.' && fmt[1] == '*') {
			prec = va_arg(ap, int);
			fmt += 2;
		}
		while (*fmt == 'l')
			longs++, fmt++;
		if (*fmt == 'z')
			longs = 2, fmt++;
		switch (*fmt) {
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			out_num(&o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			out_num(&o, v, *fmt == 'x' ? 16 : 10, false, width, pad);
			break;
		}
		case 'p':
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, 16, '0');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t len = strnlen(s, prec >= 0 ? (size_t)prec : 4096);
			while (width-- > (int)len)
				out_c(&o, ' ');
			for (size_t i = 0; i < len; i++)
				out_c(&o, s[i]);
			break;
		}
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out_c(&o, '%');
			break;
		default:
			out_c(&o, '?');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > 0x7fffffff ? 0x7fffffff : (int)o.pos;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * One terminal, many writers. A line belongs to whoever wrote last; when a
 * different writer takes over an open line it is ended first, so every
 * domain line starts with its [name] prefix and every core line starts at
 * column 0 — a domain cannot make its text look like the core's.
 */
static const struct domain *line_owner; /* NULL: the core */
static bool line_open;                  /* the last byte written was not '\n' */

static void emit(const char *s, size_t n)
{
	if (!klog_append(s, n))
		arch_console_write(s, n);
	if (n)
		line_open = s[n - 1] != '\n';
}

static void take_line(const struct domain *d)
{
	if (line_open && line_owner != d)
		emit("\n", 1);
	line_owner = d;
}

/* Room for the longest line the core prints (a denial record with 63-character types). */
#define KPRINTF_MAX 384

void kprintf(const char *fmt, ...)
{
	char buf[KPRINTF_MAX];
	size_t len;
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	if ((size_t)n >= sizeof(buf))
		buf[len - 1] = '\n'; /* cut short, but still a line of its own */
	take_line(NULL);
	emit(buf, len);
}

_Noreturn void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	klog_takeback("panic");
	kprintf("PANIC: %s\n", buf);
	arch_halt(ARCH_HALT_PANIC);
}

/* Guest bytes never reach the terminal raw: escape sequences could forge core output. */
void console_write_untrusted(const struct domain *d, const uint8_t *buf, size_t len)
{
	char line[128];
	size_t pos = 0;
	bool at_start;

	take_line(d);
	at_start = !line_open;
#if FUZZ_PLANTED_SYSTEM == 2 /* a counter too narrow: 256 bytes never end (fuzz/system) */
	for (uint8_t i = 0; i < len; i++) {
#else
	for (size_t i = 0; i < len; i++) {
#endif
		uint8_t c = buf[i];
		if (pos > sizeof(line) - 8 - TESSERA_NAME_MAX) {
			emit(line, pos);
			pos = 0;
		}
		if (at_start) {
			pos += (size_t)ksnprintf(line + pos, sizeof(line) - pos, "[%s] ", d->name);
			at_start = false;
		}
		if (c == '\n') {
			line[pos++] = '\n';
			at_start = true;
		} else if (c >= 0x20 && c < 0x7f && c != '\\') {
			line[pos++] = (char)c;
		} else {
			pos += (size_t)ksnprintf(line + pos, sizeof(line) - pos, "\\x%02x", c);
		}
	}
	emit(line, pos);
}

int64_t hc_console_write(struct vcpu *v, const struct hcall_ctx *hc)
{
	uint8_t buf[TESSERA_CONSOLE_MAX];
	uint64_t gpa = hc->arg[0], len = hc->arg[1];
	if (len > sizeof(buf))
		return -TESSERA_EINVAL;
	if (guest_copy_in(v->dom, buf, gpa, len))
		return -TESSERA_EFAULT;
	console_write_untrusted(v->dom, buf, (size_t)len);
	return (int64_t)len;
}
