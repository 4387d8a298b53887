/* From the boot stub to core_main: console, CPU tables, boot information. */
#include <core/bootinfo.h>
#include <core/console.h>
#include <core/main.h>
#include <core/tboot.h>
#include <core/arch.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/smp.h>

#define MB1_BOOT_MAGIC 0x2badb002u
#define MB2_BOOT_MAGIC 0x36d76289u

extern char __core_start[], __core_end[];
void serial_init(void);
_Noreturn void arch_entry(uint32_t magic, uint32_t info);

static struct boot_info boot_info;

const void *phys_map(uint64_t pa, uint64_t len)
{
	if (!range_within(pa, len, BOOT_PHYS_LIMIT))
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static void pic_mask(void)
{
	/* Firmware may leave the 8259 timer running; the core takes no interrupts. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

_Noreturn void arch_entry(uint32_t magic, uint32_t info)
{
	const char *why = NULL;
	int rc;

	serial_init();
	pic_mask();
	cpu_init(0);
	kprintf("\ntessera: starting\n");
	apic_init();
	if (magic == MB2_BOOT_MAGIC)
		rc = mb2_parse(info, &boot_info, &why);
	else if (magic == MB1_BOOT_MAGIC)
		rc = mb1_parse(info, &boot_info, &why);
	else {
		rc = -1;
		why = "not started by a Multiboot loader";
	}
	if (!rc)
		rc = tboot_probe(&boot_info, &why);
	if (rc) {
		kprintf("tessera: boot information rejected: %s\n", why);
		arch_halt(ARCH_HALT_BAD_BOOT);
	}
	smp_init(&boot_info);
	core_main(&boot_info, (uint64_t)(uintptr_t)__core_start, (uint64_t)(uintptr_t)__core_end);
}
