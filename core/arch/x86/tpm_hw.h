/*
 * The PC's TPM registers (TCG PC Client Platform TPM Profile, PTP): locality 0 at
 * 0xfed40000, the same page for the FIFO (TIS) and the CRB interface; what both
 * drivers share. The core's identity map makes this window uncached; domains never
 * get it (pci.c keeps BARs out of 0xfec00000-0xfeffffff, and tpm_tis.c refuses a
 * memory map that calls it RAM, so no frame of it can become domain memory).
 */
#ifndef ARCH_TPM_HW_H
#define ARCH_TPM_HW_H
#include <core/arch.h>
#include <core/tpm.h>
#include <arch/apic.h>

#define TPM_HW_BASE 0xfed40000ULL
#define TPM_HW_SIZE 0x5000ULL  /* localities 0-4 */
#define TPM_HW_PAGE 0x1000u    /* locality 0's registers and buffers */
#define TPM_HW_INTF_ID 0x30u   /* interface type in bits 3:0 */
#define TPM_HW_INTF_FIFO 0x0u
#define TPM_HW_INTF_CRB 0x1u
#define TPM_HW_INTF_TIS13 0xfu /* a TIS 1.3 FIFO: TPM 1.2, or a 2.0 that says so in STS */

/* Bounded waits: PTP timeout A for handshakes, generously more for a command to run. */
#define TPM_HW_WAIT_MS 750u
#define TPM_HW_CMD_MS 5000u

static inline uint32_t tpm_hw_rd(uint32_t off, unsigned size)
{
	return arch_mmio_read(TPM_HW_BASE + off, size);
}

static inline void tpm_hw_wr(uint32_t off, unsigned size, uint32_t v)
{
	arch_mmio_write(TPM_HW_BASE + off, size, v);
}

/* Wait (at most ms) until the register's bits under mask read want. */
static inline bool tpm_hw_wait(uint32_t off, unsigned size, uint32_t mask, uint32_t want, uint32_t ms)
{
	for (uint32_t i = 0; i < ms * 100; i++) {
		if ((tpm_hw_rd(off, size) & mask) == want)
			return true;
		pit_delay_us(10);
	}
	return (tpm_hw_rd(off, size) & mask) == want;
}

static inline uint32_t tpm_hw_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const struct tpm_ops *tpm_tis_open(const char **why);
const struct tpm_ops *tpm_crb_open(const char **why);
#endif
