/* Measured launch (tessera/measure.h says what and where) and the TPM's hand-over. */
#ifndef CORE_MEASURE_H
#define CORE_MEASURE_H
#include <core/bootinfo.h>

/* The TPM's locality-0 registers (PC Client PTP), the only page a domain may get. */
#define TPM_PAGE 0xfed40000ULL

struct domain;
/* With a TPM attached: measure everything and keep the log. 0, or an error (printed). */
int measure_boot(const struct boot_info *bi);
/* tpm=1 on d's module line: give it the TPM's page if the policy allows. 0 or error + *why. */
int measure_tpm_assign(struct domain *d, const char **why);
#endif
