/*
 * TPM 2.0 during boot: the few commands the core sends (Startup, GetCapability of
 * the PCR banks, PCR_Extend, PCR_Read), marshalled here and every response checked,
 * over a transport that only moves bytes (core/arch/x86: TIS/FIFO or CRB, locality 0).
 * Once domains run the core never touches the TPM again (tpm_detach).
 */
#ifndef CORE_TPM_H
#define CORE_TPM_H
#include <core/acpi.h>
#include <core/bootinfo.h>
#include <core/config.h>
#include <core/hash.h>

#define TPM_BUF_MAX 1024 /* the longest command or response the core sends or takes */
#define TPM_BANKS_MAX 8  /* PCR banks a TPM may report */
#define TPM_PCRS 24      /* PC Client: PCRs 0-23 */
#define TPM_PCR_DEBUG 16 /* resettable at locality 0, for tests */

/* TPM_RC values the core acts on (TPM 2.0 Part 2, "TPM_RC"). */
#define TPM_RC_SUCCESS 0x000
#define TPM_RC_INITIALIZE 0x100 /* TPM2_Startup already done (by firmware) */

struct tpm_ops {
	const char *name; /* "tis" or "crb" */
	/* Send len bytes, then receive one whole response (at most max bytes) into rsp:
	 * 0 with its length in *got, or negative with *why. */
	int (*xfer)(const uint8_t *cmd, uint32_t len, uint8_t *rsp, uint32_t max, uint32_t *got,
		    const char **why);
	void (*close)(void); /* give locality 0 back */
};

/*
 * Arch: the TPM's transport with locality 0 taken. t is the checked ACPI TPM2
 * table, or NULL on a machine without ACPI tables (then the arch layer may probe
 * the platform's fixed address). NULL with *why if no TPM answers or it cannot be used.
 */
const struct tpm_ops *arch_tpm_open(const struct acpi_tpm2 *t, const char **why);

struct tpm_bank {
	uint16_t alg;  /* TPM_ALG_ID */
	uint16_t size; /* digest bytes */
	int hash;      /* enum hash_alg, or -1: the core cannot hash it, so it is capped */
	uint32_t pcrs; /* bit n: PCR n is allocated in this bank */
	const char *name;
};

/* Take the TPM behind ops: TPM2_Startup(CLEAR) (already started is fine), then its
 * active PCR banks. 0, or negative with the reason on the console (and the TPM given back). */
int tpm_attach(const struct tpm_ops *ops);
/* Give the TPM back (locality 0 relinquished); later commands fail with -ENODEV. */
void tpm_detach(void);
uint32_t tpm_bank_count(void);
const struct tpm_bank *tpm_bank_get(uint32_t i);
/*
 * Extend pcr in every active bank in one TPM2_PCR_Extend: bank b gets d->d[b.hash]
 * when the core can hash it and d has it; otherwise it is capped: extended with
 * all-0xff bytes, a value no measurement produces, so that bank never matches a
 * good boot.
 */
int tpm_pcr_extend(uint32_t pcr, const struct hash_digests *d);
/* PCR pcr of the active bank alg into out (*len bytes). */
int tpm_pcr_read(uint32_t pcr, uint16_t alg, uint8_t out[HASH_MAX_SIZE], uint32_t *len);

/*
 * Boot, per the core's tpm= option: find the TPM (ACPI TPM2 table; the arch probe
 * without ACPI), attach it, and with tpm_selftest=1 extend PCR 16 with bytes
 * 0, 1, 2, ... and print it per bank. 0 when a TPM is attached or tpm= lets boot
 * go on unmeasured (the console says so); negative when tpm=required and none answered.
 */
int tpm_boot(const struct boot_info *bi, const struct core_config *cc);
#endif
