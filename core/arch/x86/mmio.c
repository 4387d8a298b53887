/* Device register access through the core's identity map (volatile, never merged or split). */
#include <core/arch.h>
#include <arch/mm.h>

uint32_t arch_mmio_read(uint64_t pa, unsigned size)
{
	const volatile void *p = phys_to_virt(pa);
	switch (size) {
	case 1:
		return *(const volatile uint8_t *)p;
	case 2:
		return *(const volatile uint16_t *)p;
	default:
		return *(const volatile uint32_t *)p;
	}
}

void arch_mmio_write(uint64_t pa, unsigned size, uint32_t value)
{
	volatile void *p = phys_to_virt(pa);
	switch (size) {
	case 1:
		*(volatile uint8_t *)p = (uint8_t)value;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)value;
		break;
	default:
		*(volatile uint32_t *)p = value;
		break;
	}
}
