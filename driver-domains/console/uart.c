/* COM1 output for the console domain: polled, bounded, like the core's own driver. */
#include <stdint.h>
#include <rt/console.h>
#include "uart.h"

#define COM1 0x3f8
#define LSR_THRE 0x20

static int line_open;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_raw(char c)
{
	/* A UART that never drains must not hang us: give up on the byte. */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THRE); i++)
		;
	outb(COM1, (uint8_t)c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
	if (n)
		line_open = s[n - 1] != '\n';
}

void uart_newline_if_open(void)
{
	if (line_open)
		uart_write("\n", 1);
}

void uart_line(const char *name, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char out[4 * 256 + 40];
	size_t pos = 0;
	uart_newline_if_open();
	out[pos++] = '[';
	for (size_t i = 0; name[i] && i < 16; i++)
		out[pos++] = name[i];
	out[pos++] = ']';
	out[pos++] = ' ';
	for (size_t i = 0; i < n && i < 256; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[pos++] = (char)c;
		} else {
			out[pos++] = '\\';
			out[pos++] = 'x';
			out[pos++] = hex[c >> 4];
			out[pos++] = hex[c & 15];
		}
	}
	out[pos++] = '\n';
	uart_write(out, pos);
}
