/* The simulated machine's TPM hook (tests/sim/tpm.c). */
#ifndef SIM_TPM_H
#define SIM_TPM_H
#include <core/tpm.h>

/* What arch_tpm_open returns (NULL: no TPM answers); each process starts with NULL. */
extern const struct tpm_ops *sim_tpm_ops;
/* How often arch_tpm_open was called, and whether (and with what) ACPI's TPM2 table. */
extern uint32_t sim_tpm_opens;
extern bool sim_tpm_had_table;
extern struct acpi_tpm2 sim_tpm_table;
#endif
