/*
 * The PC's TPM registers (TCG PC Client Platform TPM Profile, PTP): locality 0 at
 * 0xfed40000, the same page for the FIFO (TIS) and the CRB interface; what both
 * drivers share. The drivers (tpm_tis.c, tpm_crb.c) are built twice: into the core,
 * which uses the TPM during boot, and into the attestation domain, which owns
 * locality 0's page afterwards (driver-domains/attest). <tpm_env.h> is what differs:
 * register access, the 10 µs delay and the console (core/arch/x86/include/tpm_env.h,
 * driver-domains/attest/include/tpm_env.h). The core's identity map makes this window uncached; domains never
 * get it (pci.c keeps BARs out of 0xfec00000-0xfeffffff, and tpm_tis.c refuses a
 * memory map that calls it RAM, so no frame of it can become domain memory).
 */
#ifndef ARCH_TPM_HW_H
#define ARCH_TPM_HW_H
#include <core/tpm.h>
#include <tessera/errno.h>
#include <tpm_env.h>

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

/* Wait (at most ms) until the register's bits under mask read want. */
static inline bool tpm_hw_wait(uint32_t off, unsigned size, uint32_t mask, uint32_t want, uint32_t ms)
{
	for (uint32_t i = 0; i < ms * 100; i++) {
		if ((tpm_hw_rd(off, size) & mask) == want)
			return true;
		tpm_env_delay_10us();
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
