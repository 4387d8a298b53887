/* COM1 console and the halt path (with the test machine's exit port). */
#include <core/arch.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <core/console.h>
#include <core/tboot.h>

#define COM1 0x3f8

static enum debug_exit_mode debug_exit;

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

void arch_set_debug_exit(enum debug_exit_mode mode)
{
	debug_exit = mode;
}

/* Bochs can only tell success from failure; the serial line carries the code. */
static void bochs_exit(enum arch_halt_reason why)
{
	static const char shutdown[] = "Shutdown";
	kprintf("tessera: debug exit 0x%x\n", (unsigned)why);
	/* Let the UART drain (LSR.TEMT) before the emulator stops: the line must arrive whole. */
	for (unsigned i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x40); i++)
		;
	if (why == ARCH_HALT_DONE) {
		__asm__ volatile("xchg %bx, %bx");
		return;
	}
	for (size_t i = 0; i < sizeof(shutdown) - 1; i++)
		outb(0x8900, (uint8_t)shutdown[i]);
}

_Noreturn void arch_halt(enum arch_halt_reason why)
{
	apic_stop_others(); /* a panic or fault on one CPU stops them all */
	if (debug_exit == DEBUG_EXIT_QEMU)
		outl(TESSERA_DEBUG_EXIT_PORT, (uint32_t)why);
	else if (debug_exit == DEBUG_EXIT_BOCHS)
		bochs_exit(why);
	tboot_exit(false); /* after a measured launch, tboot stops the machine */
	for (;;)
		__asm__ volatile("cli; hlt");
}
