/* The core's side of the TPM drivers (core/arch/x86/tpm_hw.h). */
#ifndef TPM_ENV_H
#define TPM_ENV_H
#include <core/arch.h>
#include <core/console.h>
#include <core/lib.h>
#include <arch/apic.h>

#define TPM_ENV_PREFIX "tessera: tpm: "
#define tpm_env_note kprintf

static inline uint32_t tpm_hw_rd(uint32_t off, unsigned size)
{
	return arch_mmio_read(0xfed40000ULL + off, size);
}

static inline void tpm_hw_wr(uint32_t off, unsigned size, uint32_t v)
{
	arch_mmio_write(0xfed40000ULL + off, size, v);
}

static inline void tpm_env_delay_10us(void)
{
	pit_delay_us(10);
}
#endif
