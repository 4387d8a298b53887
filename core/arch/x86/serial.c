/* COM1 console and the halt path (with the test machine's exit port). */
#include <core/arch.h>
#include <arch/cpu.h>

#define COM1 0x3f8

static bool debug_exit;

void serial_init(void);

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the core. */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

void arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void arch_set_debug_exit(bool on)
{
	debug_exit = on;
}

_Noreturn void arch_halt(enum arch_halt_reason why)
{
	if (debug_exit)
		outl(TESSERA_DEBUG_EXIT_PORT, (uint32_t)why);
	for (;;)
		__asm__ volatile("cli; hlt");
}
