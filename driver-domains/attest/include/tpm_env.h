/*
 * The attestation domain's side of the TPM drivers (core/arch/x86/tpm_hw.h): the
 * core maps locality 0's page at its physical address (tpm=1); waits yield.
 */
#ifndef TPM_ENV_H
#define TPM_ENV_H
#include <stdint.h>
#include <rt/console.h>
#include <rt/hcall.h>

#define TPM_ENV_PREFIX "attest: tpm: "
#define tpm_env_note rt_printf

static inline uint32_t tpm_hw_rd(uint32_t off, unsigned size)
{
	uintptr_t a = (uintptr_t)(0xfed40000ULL + off);
	return size == 1 ? *(volatile uint8_t *)a : size == 2 ? *(volatile uint16_t *)a :
							     *(volatile uint32_t *)a;
}

static inline void tpm_hw_wr(uint32_t off, unsigned size, uint32_t v)
{
	uintptr_t a = (uintptr_t)(0xfed40000ULL + off);
	if (size == 1)
		*(volatile uint8_t *)a = (uint8_t)v;
	else if (size == 2)
		*(volatile uint16_t *)a = (uint16_t)v;
	else
		*(volatile uint32_t *)a = v;
}

/* No clock here: a wait is bounded in turns given up, each at least as long as 10 µs. */
static inline void tpm_env_delay_10us(void)
{
	tessera_yield();
}
#endif
